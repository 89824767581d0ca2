"""The search index: word BM25 and character-bigram BM25, each over two fields, fused, with optional
word-vector similarity.

- Fields: the *title* field (an FAQ's question, a page's title and section heading) and the *full*
  field (everything, title included). Residents phrase questions the way FAQ questions are phrased, so
  a match in the title field counts once more (a two-field BM25 in the spirit of BM25F).
- Channels: Sudachi normalised content words, and character bigrams (what the dictionary splits
  differently or does not know). Each channel's score is divided by its best score for the query, and
  the bigram channel weighs half the word channel.
- Vectors (optional): an ``Embedder`` turns texts into unit vectors; cosine similarity joins the fusion
  with weight ``vector_weight``.
- Coverage: the share of the query's word IDF mass that a document contains. The assistant abstains
  ("分かりません") when the best document's coverage is below a threshold, rather than answering from a
  document that merely shares a common word.
"""

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from yakuba.assistant.retrieval import analyse
from yakuba.assistant.retrieval.bm25 import BM25

TITLE_WEIGHT = 1.0
BIGRAM_WEIGHT = 0.5
VECTOR_WEIGHT = 0.3
EXPANSION_WEIGHT = 0.5
GENERIC_WEIGHT = 0.5  # question-wrapping words (知りたい, いくら, 手続き) count half in the word channel


class Embedder(Protocol):
    """Turns texts into L2-normalised vectors, one row per text (numpy float32, shape (n, d))."""

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


@dataclass(frozen=True)
class Document:
    key: str
    title: str
    body: str
    kind: str = "page"  # "faq", "page" or "fact"
    payload: Any = None


@dataclass(frozen=True)
class Hit:
    document: Document
    score: float  # fused score, 1.0 for the query's best document when no vectors are used
    coverage: float  # share of the query's word IDF mass found in the document (0..1)


@dataclass
class BuildStats:
    documents: int = 0
    seconds: float = 0.0
    terms: int = 0
    extra: dict[str, float] = field(default_factory=dict)


def _unit(scores: np.ndarray) -> np.ndarray:
    top = float(scores.max()) if scores.size else 0.0
    return scores / top if top > 0 else scores


class SearchIndex:
    def __init__(
        self,
        documents: Sequence[Document],
        *,
        embedder: Embedder | None = None,
        title_weight: float = TITLE_WEIGHT,
        bigram_weight: float = BIGRAM_WEIGHT,
        vector_weight: float = VECTOR_WEIGHT,
        expansion_weight: float = EXPANSION_WEIGHT,
        generic_weight: float = GENERIC_WEIGHT,
    ) -> None:
        started = time.perf_counter()
        self.documents = list(documents)
        self.by_key = {d.key: d for d in self.documents}
        self.title_weight = title_weight
        self.bigram_weight = bigram_weight
        self.expansion_weight = expansion_weight
        self.generic_weight = generic_weight
        self.vector_weight = vector_weight if embedder is not None else 0.0
        self.embedder = embedder
        # Each field is analysed as it is indexed (generators): the token lists of 20,000 passages are
        # never all in memory at once. Titles are analysed twice, which is cheap (they are short).
        docs = self.documents
        self.words_full = BM25(analyse.words(d.title) + analyse.words(d.body) for d in docs)
        self.words_title = BM25(analyse.words(d.title) for d in docs)
        self.bigrams_full = BM25(analyse.bigrams(d.title + "\n" + d.body) for d in docs)
        self.bigrams_title = BM25(analyse.bigrams(d.title) for d in docs)
        # Compounds serve coverage only: 運転免許証 in a passage does not cover a question on 運転免許.
        self.compounds = BM25(analyse.words(d.title + "\n" + d.body, compounds=True) for d in docs)
        self.vectors = (
            embedder.embed([d.title + "\n" + d.body for d in self.documents])
            if embedder is not None and self.documents
            else None
        )
        self.stats = BuildStats(
            documents=len(self.documents),
            seconds=time.perf_counter() - started,
            terms=len(self.words_full) + len(self.bigrams_full),
        )

    def __len__(self) -> int:
        return len(self.documents)

    def fused_scores(self, query: str) -> tuple[np.ndarray, list[str]]:
        qwords = analyse.words(query)
        qgrams = analyse.bigrams(query)
        topical = [w for w in qwords if w not in analyse.GENERIC]
        generic = [w for w in qwords if w in analyse.GENERIC]
        word = self.words_full.scores(topical) + self.title_weight * self.words_title.scores(topical)
        if generic:
            word += self.generic_weight * (
                self.words_full.scores(generic) + self.title_weight * self.words_title.scores(generic)
            )
        extra = analyse.expansions(qwords) if self.expansion_weight else []
        if extra:
            word += self.expansion_weight * (
                self.words_full.scores(extra) + self.title_weight * self.words_title.scores(extra)
            )
        gram = self.bigrams_full.scores(qgrams) + self.title_weight * self.bigrams_title.scores(qgrams)
        fused = _unit(word) + self.bigram_weight * _unit(gram)
        if self.vectors is not None and self.embedder is not None and self.vector_weight:
            qvec = self.embedder.embed([query])[0]
            fused = fused + self.vector_weight * np.clip(self.vectors @ qvec, 0, None)
        return fused, qwords

    @staticmethod
    def _covered(index: BM25, number: int, qwords: Sequence[str]) -> float:
        unique = [w for w in dict.fromkeys(qwords) if w not in analyse.GENERIC] or list(dict.fromkeys(qwords))
        total = sum(index.term_idf(t) for t in unique)
        if total <= 0:
            return 0.0
        return sum(index.term_idf(t) for t in unique if index.contains(number, t)) / total

    def coverage(self, number: int, qwords: Sequence[str], qcompounds: Sequence[str] = ()) -> float:
        """The mean of two shares of the query's IDF mass found in the document: over its short words,
        and over its compounds."""
        short = self._covered(self.words_full, number, qwords)
        if not qcompounds:
            return short
        return (short + self._covered(self.compounds, number, qcompounds)) / 2

    def search(self, query: str, k: int = 10) -> list[Hit]:
        if not self.documents:
            return []
        fused, qwords = self.fused_scores(query)
        qcompounds = analyse.words(query, compounds=True)
        k = min(k, len(self.documents))
        top = np.argpartition(-fused, k - 1)[:k]
        top = top[np.argsort(-fused[top], kind="stable")]
        return [
            Hit(self.documents[int(i)], float(fused[i]), self.coverage(int(i), qwords, qcompounds))
            for i in top
            if fused[i] > 0
        ]


class WordVectorEmbedder:
    """Mean of word vectors over a text's content words, from a word2vec text file (``word v1 v2 …``
    per line, an optional ``count dim`` header), e.g. chiVe's text release. numpy only."""

    def __init__(self, path: str) -> None:
        vocab: dict[str, int] = {}
        rows: list[np.ndarray] = []
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                parts = line.rstrip().split(" ")
                if len(parts) <= 2:
                    continue  # the header
                vocab[parts[0]] = len(rows)
                rows.append(np.asarray(parts[1:], dtype=np.float32))
        matrix = np.vstack(rows) if rows else np.zeros((0, 1), dtype=np.float32)
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        self.matrix = matrix / np.where(norms > 0, norms, 1)
        self.vocab = vocab

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        dim = self.matrix.shape[1]
        out = np.zeros((len(texts), dim), dtype=np.float32)
        for i, text in enumerate(texts):
            rows = [self.vocab[w] for w in analyse.words(text) if w in self.vocab]
            if rows:
                v = self.matrix[rows].mean(axis=0)
                n = float(np.linalg.norm(v))
                out[i] = v / n if n > 0 else v
        return out


# Below this share of the query's word IDF mass in the best document, the assistant says it does not
# know instead of answering (calibrated on paraphrased and out-of-scope questions: docs/assistant.md).
ABSTAIN_BELOW = 0.45


def confident(hit: Hit) -> bool:
    return hit.coverage >= ABSTAIN_BELOW


RELATED_AT = 0.6  # documents within 60% of the top score are candidates (and cited as related)
CONFIDENT_NEAR_TOP = 0.8  # the best candidate that covers the question must be within 80% of the top


def usable(hits: Sequence[Hit]) -> list[Hit]:
    """The documents the assistant may answer from, best first, or [] when it must say it does not
    know: among the top six within RELATED_AT of the top score, those that cover the question, and only
    if the best of them is within CONFIDENT_NEAR_TOP of the top score. ``yakuba assistant eval`` counts
    an abstention exactly when this is empty."""
    if not hits:
        return []
    top = hits[0].score
    candidates = [h for h in hits[:6] if confident(h) and h.score >= RELATED_AT * top]
    if not candidates or candidates[0].score < CONFIDENT_NEAR_TOP * top:
        return []
    return candidates

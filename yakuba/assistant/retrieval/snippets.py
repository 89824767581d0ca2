"""Extractive answers: the sentences of a passage that carry the question's words."""

import re

from yakuba.assistant.retrieval import analyse
from yakuba.assistant.retrieval.index import SearchIndex

_SENTENCE = re.compile(r"(?<=[。！？!?])|\n+")
_ENDS = ("。", "！", "？", "!", "?", "）", ")")


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.split(text) if s and s.strip()]


def snippet(text: str, query_words: list[str], index: SearchIndex, limit: int) -> str:
    """The passage's sentences that carry the question's words, in their order, within ``limit``."""
    sentences = _sentences(text)
    if not sentences:
        return ""
    wanted = set(query_words)

    def weight(sentence: str) -> float:
        return sum(index.words_full.term_idf(w) for w in set(analyse.words(sentence)) & wanted)

    scores = [weight(s) for s in sentences]
    best = max(range(len(sentences)), key=lambda i: (scores[i], -i))
    chosen = [best]
    length = len(sentences[best])
    # Carry on with the following sentences (and a short lead-in before) while there is room.
    i = best + 1
    while i < len(sentences) and length + len(sentences[i]) <= limit and len(chosen) < 3:
        chosen.append(i)
        length += len(sentences[i])
        i += 1
    if best > 0 and len(sentences[best]) < 25 and length + len(sentences[best - 1]) <= limit:
        chosen.insert(0, best - 1)
    out = "".join(s if s.endswith(_ENDS) else s + " " for s in (sentences[j] for j in sorted(chosen))).strip()
    if len(out) > limit:
        out = out[: limit - 1] + "…"
    return out

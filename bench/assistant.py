"""Benchmark of the assistant's retrieval (``yakuba.assistant.retrieval``).

    .venv/bin/python bench/assistant.py [--passages 20000] [--shared /work/shared] [--seed 1]

(a) Quality on the shared municipal FAQ set (``<shared>/data/faq``): the reference baseline (plain
    BM25 over SudachiPy mode A normalised content words, question + answer, k1 1.2, b 0.75) and the
    assistant's retrieval (two fields, word and character-bigram channels fused, coverage-based
    abstention), every metric of ``yakuba assistant eval``.
(b) Scale: ``--passages`` passages (default 20,000) made from the same FAQ texts (each passage one FAQ's
    sentences with sentences of two others, seeded, so no two are alike), or from the demo city's pages
    when the shared set is absent. Index build time, retrieval p50/p95 over the shared queries (three
    rounds), retrieval + answer snippet p95, and the process's peak memory (RSS) after the build.

Needs no database and no Django settings.
"""

import argparse
import json
import os
import platform
import random
import re
import resource
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from table import print_table  # noqa: E402 - bench/table.py, beside this script

from yakuba.assistant.retrieval import analyse  # noqa: E402
from yakuba.assistant.retrieval.evaluate import document_from_text, evaluate  # noqa: E402
from yakuba.assistant.retrieval.index import Document, SearchIndex  # noqa: E402

BASELINE = {"hit@1": 0.800, "ndcg@10": 0.877}  # the reference figures for the shared set

TARGETS: dict[str, Any] = {
    "base_hit@1": ("baseline BM25 Hit@1 (shared FAQ)", "", "ref 0.800", None),
    "base_ndcg@10": ("baseline BM25 nDCG@10", "", "ref 0.877", None),
    "hit@1": ("assistant Hit@1", "", "> 0.800", lambda v, f: v > BASELINE["hit@1"]),
    "hit@3": ("assistant Hit@3", "", "", None),
    "hit@10": ("assistant Hit@10", "", "", None),
    "ndcg@10": ("assistant nDCG@10", "", "> 0.877", lambda v, f: v > BASELINE["ndcg@10"]),
    "mrr@10": ("assistant MRR@10", "", "", None),
    "recall@10": ("assistant Recall@10", "", "", None),
    "abstain_rate": ("assistant abstention rate", "", "", None),
    "p50_ms": ("assistant p50 latency (661 FAQs)", "ms", "", None),
    "p95_ms": ("assistant p95 latency (661 FAQs)", "ms", "", None),
    "passages": ("passages indexed", "", "", None),
    "build_s": ("index build", "s", "< 60", lambda v, f: v < 60),
    "search_p50_ms": ("retrieval p50", "ms", "", None),
    "search_p95_ms": ("retrieval p95", "ms", "< 30", lambda v, f: v < 30),
    "answer_p95_ms": ("retrieval + snippet p95", "ms", "", None),
    "rss_mb": ("process peak RSS after build", "MB", "< 1024", lambda v, f: v < 1024),
}


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[。？！])|\n+", text) if s.strip()]


def _passages_from(texts: list[str], count: int, seed: int) -> list[Document]:
    rng = random.Random(seed)
    docs = []
    for i in range(count):
        own = texts[i % len(texts)]
        others = [rng.choice(texts) for _ in range(2)]
        extra = [s for t in others for s in rng.sample(_sentences(t), k=min(2, len(_sentences(t))))]
        first = document_from_text(f"p{i}", own)
        docs.append(Document(f"p{i}", first.title, first.body + "\n" + "".join(extra), "page"))
    return docs


def _demo_texts() -> list[str]:
    site = ROOT / "yakuba" / "assistant" / "demo_site"
    texts = []
    for path in sorted(site.glob("*.html")):
        raw = re.sub(r"<[^>]+>", "\n", path.read_text(encoding="utf-8"))
        texts.extend(t for t in re.split(r"\n{2,}", raw) if len(t.strip()) > 40)
    return texts


def _shared_default() -> Path:
    """The workplace's shared folder: beside the repository, else where this machine keeps it."""
    for candidate in (ROOT.parent / "shared", Path("/work/shared")):
        if candidate.is_dir():
            return candidate
    return ROOT.parent / "shared"


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--passages", type=int, default=20_000)
    parser.add_argument("--shared", default=os.environ.get("YAKUBA_SHARED", str(_shared_default())))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    figures: dict[str, Any] = {}
    faq = Path(args.shared) / "data" / "faq"
    if (faq / "corpus.json").is_file():
        corpus = json.loads((faq / "corpus.json").read_text(encoding="utf-8"))
        queries = json.loads((faq / "queries.json").read_text(encoding="utf-8"))
        qrels = json.loads((faq / "qrels.json").read_text(encoding="utf-8"))
        data = f"shared FAQ set: {len(corpus)} FAQs, {len(queries)} queries ({faq})"
        base_corpus = {k: v for k, v in corpus.items()}
        # The baseline: one field (the whole text), words only, no bigrams, no title weight.
        base = SearchIndex(
            [Document(k, "", v) for k, v in base_corpus.items()],
            title_weight=0.0,
            bigram_weight=0.0,
            expansion_weight=0.0,
            generic_weight=1.0,
        )
        from yakuba.assistant.retrieval import evaluate as ev

        original = ev.SearchIndex
        try:
            ev.SearchIndex = lambda docs, **kw: base  # type: ignore[assignment,misc]
            base_metrics, _ = ev.evaluate(corpus, queries, qrels)
        finally:
            ev.SearchIndex = original  # type: ignore[misc]
        figures["base_hit@1"] = base_metrics["hit@1"]
        figures["base_ndcg@10"] = base_metrics["ndcg@10"]
        metrics, _build = evaluate(corpus, queries, qrels)
        figures.update(metrics)
        texts = list(corpus.values())
        query_texts = list(queries.values())
    else:
        print(f"(shared FAQ set not found at {faq}: quality figures skipped, scale test on the demo pages)")
        texts = _demo_texts()
        query_texts = [t[:30] for t in texts[:90]]
        data = f"demo city pages: {len(texts)} blocks"
    docs = _passages_from(texts, args.passages, args.seed)
    started = time.perf_counter()
    index = SearchIndex(docs)
    figures["build_s"] = time.perf_counter() - started
    figures["passages"] = len(index)
    for q in query_texts[:5]:
        index.search(q)
    times, answer_times = [], []
    for _round in range(3):
        for q in query_texts:
            t0 = time.perf_counter()
            hits = index.search(q, k=10)
            t1 = time.perf_counter()
            if hits:
                qwords = analyse.words(q)
                from yakuba.assistant.retrieval.snippets import snippet

                snippet(hits[0].document.body, qwords, index, 220)
            t2 = time.perf_counter()
            times.append((t1 - t0) * 1000)
            answer_times.append((t2 - t0) * 1000)
    figures["search_p50_ms"] = statistics.median(times)
    figures["search_p95_ms"] = _percentile(times, 0.95)
    figures["answer_p95_ms"] = _percentile(answer_times, 0.95)
    figures["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if args.json:
        print(json.dumps(figures))
        return
    print(f"data: {data}; {args.passages:,} passages, seed {args.seed}")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    ok = print_table(figures, TARGETS, counts={"passages"})
    quality = [
        k
        for k in (
            "base_hit@1",
            "base_ndcg@10",
            "hit@1",
            "hit@3",
            "hit@10",
            "ndcg@10",
            "mrr@10",
            "recall@10",
            "abstain_rate",
        )
        if k in figures
    ]
    if quality:
        print("quality, three decimals: " + ", ".join(f"{k} {figures[k]:.3f}" for k in quality))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()

"""Retrieval evaluation on a dataset of ``corpus.json`` ({doc_id: text}), ``queries.json``
({query_id: text}) and ``qrels.json`` ({query_id: {doc_id: grade}}, 2 answers the question, 1 related),
through the same index and abstention rule as the assistant."""

import json
import math
import re
import statistics
import time
from pathlib import Path
from typing import Any

from yakuba.assistant.retrieval.index import Document, Embedder, SearchIndex, usable

_QA = re.compile(r"\s*(?:Question|質問|Q)\s*[:：]\s*(.*?)\n\s*(?:Answer|回答|A)\s*[:：]\s*(.*)", re.S)
METRICS = ("hit@1", "hit@3", "hit@10", "ndcg@10", "mrr@10", "recall@10", "abstain_rate", "p50_ms", "p95_ms")


def document_from_text(key: str, text: str) -> Document:
    """An FAQ written as ``Question: … / Answer: …`` keeps its question as the title field."""
    m = _QA.match(text)
    if m:
        return Document(key=key, title=m.group(1).strip(), body=m.group(2).strip(), kind="faq")
    return Document(key=key, title="", body=text, kind="page")


def load(directory: Path) -> tuple[dict[str, str], dict[str, str], dict[str, dict[str, int]]]:
    def read(name: str) -> Any:
        with open(directory / name, encoding="utf-8") as handle:
            return json.load(handle)

    return read("corpus.json"), read("queries.json"), read("qrels.json")


def _dcg(grades: list[int]) -> float:
    return sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(grades))


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, math.ceil(q * len(ordered)) - 1)]


def evaluate(
    corpus: dict[str, str],
    queries: dict[str, str],
    qrels: dict[str, dict[str, int]],
    *,
    embedder: Embedder | None = None,
) -> tuple[dict[str, float], dict[str, float]]:
    """Returns (metrics, build figures)."""
    index = SearchIndex([document_from_text(k, v) for k, v in corpus.items()], embedder=embedder)
    for text in list(queries.values())[:3]:
        index.search(text)  # warm the tokenizer's caches before timing
    hits = {1: 0, 3: 0, 10: 0}
    answerable = ndcg = mrr = recall = 0.0
    judged = abstained = 0
    latencies: list[float] = []
    for qid, text in queries.items():
        started = time.perf_counter()
        results = index.search(text, k=10)
        latencies.append((time.perf_counter() - started) * 1000)
        if not usable(results):
            abstained += 1
        rel = {doc: int(g) for doc, g in qrels.get(qid, {}).items() if int(g) > 0}
        if not rel:
            continue
        judged += 1
        grades = [rel.get(h.document.key, 0) for h in results]
        if 2 in rel.values():
            answerable += 1
            for k in hits:
                hits[k] += 2 in grades[:k]
        ideal = _dcg(sorted(rel.values(), reverse=True)[:10])
        ndcg += _dcg(grades) / ideal if ideal else 0.0
        mrr += next((1 / (i + 1) for i, g in enumerate(grades) if g > 0), 0.0)
        recall += sum(1 for g in grades if g > 0) / len(rel)
    metrics = {
        "hit@1": hits[1] / answerable if answerable else 0.0,
        "hit@3": hits[3] / answerable if answerable else 0.0,
        "hit@10": hits[10] / answerable if answerable else 0.0,
        "ndcg@10": ndcg / judged if judged else 0.0,
        "mrr@10": mrr / judged if judged else 0.0,
        "recall@10": recall / judged if judged else 0.0,
        "abstain_rate": abstained / len(queries) if queries else 0.0,
        "p50_ms": statistics.median(latencies) if latencies else 0.0,
        "p95_ms": _percentile(latencies, 0.95),
    }
    build = {"documents": float(len(index)), "build_s": index.stats.seconds, "queries": float(len(queries))}
    return metrics, build

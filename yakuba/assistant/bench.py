"""``yakuba bench assistant``: the assistant on the configured database's content, end to end: the
index build, and every published FAQ question asked through ``compose`` (retrieval, decision, facts,
snippet, citations; no LLM) with p50/p95. The retrieval benchmark at scale is ``bench/assistant.py``."""

import statistics
import time
from typing import Any

from yakuba.assistant import search
from yakuba.assistant.answer import compose
from yakuba.assistant.models import Faq


def bench_assistant(*, stdout: Any, **_: Any) -> dict[str, float]:
    questions = list(Faq.objects.filter(published=True).values_list("question", flat=True))
    if not questions:
        raise ValueError("FAQがありません。`yakuba demo` を実行するか、FAQを登録してください。")
    search.reset()
    started = time.perf_counter()
    index = search.current_index()
    build_ms = (time.perf_counter() - started) * 1000
    times, answered = [], 0
    for question in questions * 3:
        t0 = time.perf_counter()
        result = compose(question)
        times.append((time.perf_counter() - t0) * 1000)
        answered += result.status != "abstained"
    times.sort()
    figures = {
        "documents": float(len(index)),
        "index_build_ms": build_ms,
        "answer_p50_ms": statistics.median(times),
        "answer_p95_ms": times[min(len(times) - 1, int(0.95 * len(times)))],
        "faq_questions_answered_share": answered / len(times),
    }
    for key, value in figures.items():
        stdout.write(f"{key:<32} {value:>10.2f}")
    return figures

"""``yakuba bench kiosk [--seconds N] [--json]``: kiosk issuances end to end on the current database.

Each issuance is what a terminal does: a challenge, the card's signature after its PIN, the server's
check of signature, chain, validity and revocation, eligibility, the PDF, storing it, fetching it to
print, and confirming the print. Worker processes (one per core) play terminals with different
residents' demo cards, as stores would.
"""

import multiprocessing
import os
import statistics
import time
from typing import Any

from django.db import connections
from django.utils import timezone

TARGETS = {"issuance_p95_ms": 150.0, "issuances_per_second": 50.0, "pdf_p95_ms_per_page": 50.0}


def _eligible_cards(limit: int) -> list[str]:
    from yakuba.cardsim import interface as cards
    from yakuba.certificates import eligibility
    from yakuba.residents import interface as residents

    chosen = []
    for serial, atena_no, _label in cards.demo_cards(limit=200):
        record = residents.resident_get(atena_no, actor="bench")
        info = cards.cards_for(atena_no)
        if record is None or not info or info[0].locked or info[0].revoked:
            continue
        if eligibility.kiosk_person_refusal(record, today=timezone.localdate()):
            continue
        chosen.append(serial)
        if len(chosen) == limit:
            break
    return chosen


def _terminal_loop(args: tuple[str, list[str], float, str]) -> list[tuple[float, int]]:
    """One terminal: issue for its cards in turn until ``seconds`` have passed."""
    import django

    django.setup()
    from yakuba.cardsim import interface as cards
    from yakuba.certificates import services
    from yakuba.certificates.documents import Options

    terminal, serials, seconds, pin = args
    services.local_now = lambda: timezone.localtime().replace(
        hour=12, minute=0
    )  # measure inside opening hours
    timings: list[tuple[float, int]] = []
    deadline = time.perf_counter() + seconds
    n = 0
    while time.perf_counter() < deadline:
        serial = serials[n % len(serials)]
        n += 1
        started = time.perf_counter()
        nonce = services.kiosk_challenge(terminal=terminal, card_serial=serial)
        signature = cards.card_sign(serial, pin, bytes.fromhex(nonce))
        session = services.kiosk_login(
            terminal=terminal,
            nonce=nonce,
            certificate_pem=cards.card_read_certificate(serial),
            signature=signature,
        )
        issuance = services.kiosk_issue(
            token=session.token,
            terminal=terminal,
            type_code="juminhyo",
            scope="self",
            options=Options(),
            idempotency_key=f"bench-{terminal}-{os.getpid()}-{n}-{time.time_ns()}",
        )
        services.kiosk_pdf(token=session.token, terminal=terminal, number=issuance.number)
        services.kiosk_printed(token=session.token, terminal=terminal, number=issuance.number, ok=True)
        services.kiosk_end(token=session.token, terminal=terminal)
        timings.append(((time.perf_counter() - started) * 1000, issuance.pages))
    connections.close_all()
    return timings


def _pdf_p95(samples: int = 60) -> float:
    from yakuba.cardsim import interface as cards
    from yakuba.certificates.documents import Options, person_entry
    from yakuba.certificates.pdf import CertificateDocument, page_count, render_pdf
    from yakuba.residents import interface as residents

    records = []
    for _serial, atena_no, _label in cards.demo_cards(limit=20):
        record = residents.resident_get(atena_no, actor="bench")
        if record:
            records.append(record)
    per_page = []
    for i in range(samples):
        people = tuple(person_entry(r, Options(relationship=True)) for r in records[: 1 + i % 6])
        doc = CertificateDocument(
            kind="juminhyo",
            title="住民票の写し",
            layout="household",
            municipality_name="一ノ森市",
            mayor_title="市長",
            mayor_name="森川 誠",
            address=records[0].address,
            katagaki="",
            head_name=records[0].head_name,
            persons=people,
            certification_text="この写しは、住民票の原本と相違ないことを証明する。",
            issued_on="令和8年11月26日",
            issue_number=f"20261126-01-B001-{i:06d}",
            qr_text=f"http://127.0.0.1:8000/verify/?q=BENCH-{i:04d}",
            verification_code=f"BENCH-{i:04d}",
        )
        started = time.perf_counter()
        render_pdf(doc)
        per_page.append((time.perf_counter() - started) * 1000 / page_count(doc))
    return statistics.quantiles(per_page, n=20)[18]


def bench_run(
    *, stdout: Any, seconds: float = 10.0, workers: int | None = None, pin: str = "1234"
) -> dict[str, float]:
    workers = workers or os.cpu_count() or 2
    serials = _eligible_cards(limit=workers * 5)
    if len(serials) < workers:
        raise RuntimeError("too few usable demo cards: load the demo city first (yakuba demo)")
    _pdf_p95(samples=3)  # fonts registered before timing
    pdf_p95 = _pdf_p95()
    jobs = [(f"B{w + 1:03d}", serials[w::workers], seconds, pin) for w in range(workers)]
    connections.close_all()
    started = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        results = pool.map(_terminal_loop, jobs)
    elapsed = time.perf_counter() - started
    timings = [ms for result in results for ms, _pages in result]
    if len(timings) < 20:
        raise RuntimeError("too few issuances to measure; run longer (--seconds)")
    q = statistics.quantiles(timings, n=100)
    figures = {
        "issuances": float(len(timings)),
        "issuance_p50_ms": round(q[49], 1),
        "issuance_p95_ms": round(q[94], 1),
        "issuances_per_second": round(len(timings) / elapsed, 1),
        "pdf_p95_ms_per_page": round(pdf_p95, 1),
        "workers": float(workers),
        "seconds": round(elapsed, 1),
    }
    vendor = connections["default"].vendor
    stdout.write(f"Kiosk issuances end to end on {vendor}, {workers} terminal processes, {elapsed:.1f} s\n")
    stdout.write(f"{'figure':<34}{'value':>10}  target\n{'-' * 60}\n")
    rows = [
        ("issuances", figures["issuances"], ""),
        ("issuance p50 (ms)", figures["issuance_p50_ms"], ""),
        ("issuance p95 (ms)", figures["issuance_p95_ms"], "< 150"),
        ("issuances per second", figures["issuances_per_second"], ">= 50 (PostgreSQL)"),
        ("PDF p95 per page (ms)", figures["pdf_p95_ms_per_page"], "< 50"),
    ]
    for label, value, target in rows:
        stdout.write(f"{label:<34}{value:>10}  {target}\n")
    return figures

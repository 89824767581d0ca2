"""Benchmarks of the resident register on the current database (``yakuba bench residents``).

Assumes a loaded city (``yakuba demo``). Measures what a clerk and a linked system feel: kana
search, the household page (time and number of queries), a delta extract and a full CSV extract.
Reads only, except for a throwaway staff user (deleted afterwards) and the audit entries that the
household page writes (the audit log is hash-chained and is never pruned).
"""

import json
import math
import random
import resource
import statistics
import time
import uuid
from collections.abc import Callable
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django.db.models import Count, Max, Q
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from yakuba.residents import api, selectors
from yakuba.residents.models import Household, Resident, ResidentHistory, Status

MIN_RESIDENTS = 1000
SEARCHES = 200
HOUSEHOLDS = 100
DELTA_ROWS = 1000
DELTA_RUNS = 5
CLERK_ROLE = "窓口担当"
SEED = 20240401

# figure: (label, unit, target text, passes(value, figures) or None)
TARGETS: dict[str, tuple[str, str, str, Callable[[float, dict[str, float]], bool] | None]] = {
    "residents": ("Residents in the register", "", "", None),
    "kana_prefix_search_p95_ms": ("Kana prefix search, p95", "ms", "< 30 ms", lambda v, _f: v < 30),
    "household_page_p95_ms": ("Household page, p95", "ms", "< 50 ms", lambda v, _f: v < 50),
    "household_page_queries": (
        "Household page queries (max)",
        "",
        "constant",
        lambda v, f: v == f.get("household_page_queries_min"),
    ),
    "household_page_queries_min": ("Household page queries (min)", "", "= max", None),
    "delta_extract_1000_ms": (
        "Delta extract, 1,000 changes (median)",
        "ms",
        "< 1000 ms",
        lambda v, _f: v < 1000,
    ),
    "full_extract_csv_s": ("Full extract as CSV", "s", "< 30 s", lambda v, _f: v < 30),
    "full_extract_rows": ("Full extract rows", "", "= residents", lambda v, f: v == f.get("residents")),
    "full_extract_peak_rss_mb_delta": ("Full extract peak RSS growth", "MB", "bounded", None),
}


COUNTS = {"residents", "household_page_queries", "household_page_queries_min", "full_extract_rows"}


def _p95(values: list[float]) -> float:
    """Nearest-rank 95th percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


def _kana_prefixes(rng: random.Random) -> list[str]:
    """200 prefixes of 1-3 characters of real residents' フリガナ."""
    ids = list(Resident.objects.filter(status=Status.RESIDENT).values_list("pk", flat=True))
    picked = rng.sample(ids, min(SEARCHES, len(ids)))
    kana = dict(Resident.objects.filter(pk__in=picked).values_list("pk", "name_kana"))
    prefixes: list[str] = []
    while len(prefixes) < SEARCHES:
        for pk in picked:
            reading = kana[pk].replace(" ", "")
            prefixes.append(reading[: rng.randint(1, 3)])
            if len(prefixes) == SEARCHES:
                break
    return prefixes


def bench_kana_search(rng: random.Random) -> float:
    prefixes = _kana_prefixes(rng)
    selectors.resident_search(selectors.SearchQuery(name=prefixes[0]))  # warm up
    timings = []
    for prefix in prefixes:
        started = time.perf_counter()
        rows, _more = selectors.resident_search(selectors.SearchQuery(name=prefix))
        timings.append(time.perf_counter() - started)
        if not rows:
            raise RuntimeError(f"kana search for {prefix!r} found nobody: is the search index filled?")
    return _ms(_p95(timings))


def _households_by_size(rng: random.Random) -> list[str]:
    """About ``HOUSEHOLDS`` 世帯番号 of active households, spread evenly over 1, 2, 3, 4, 5 and 6+
    living members."""
    sized = (
        Household.objects.filter(active=True)
        .annotate(size=Count("members", filter=Q(members__status=Status.RESIDENT)))
        .values_list("setai_no", "size")
    )
    buckets: dict[int, list[str]] = {}
    for setai_no, size in sized:
        buckets.setdefault(min(size, 6), []).append(setai_no)
    chosen: list[str] = []
    sizes = sorted(buckets)
    share = math.ceil(HOUSEHOLDS / len(sizes))
    for size in sizes:
        chosen += rng.sample(buckets[size], min(share, len(buckets[size])))
    taken = set(chosen)
    rest = [no for size in sizes for no in buckets[size] if no not in taken]
    if len(chosen) < HOUSEHOLDS:
        chosen += rng.sample(rest, min(HOUSEHOLDS - len(chosen), len(rest)))
    rng.shuffle(chosen)
    return chosen[:HOUSEHOLDS]


def bench_household_page(rng: random.Random) -> tuple[float, int, int]:
    """Render the household page as a two-factor-verified clerk: (p95 ms, max queries, min queries)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    group = Group.objects.filter(name=CLERK_ROLE).first()
    if group is None:
        raise RuntimeError(f"role group {CLERK_ROLE!r} is missing: run `yakuba migrate` first")
    user = get_user_model().objects.create_user(username=f"bench-{uuid.uuid4().hex[:12]}", password=None)
    client = Client()
    try:
        user.groups.add(group)
        client.force_login(user)
        device = TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
        setai_nos = _households_by_size(rng)
        warm = client.get(reverse("residents:household", args=[setai_nos[0]]))
        if warm.status_code != 200:
            raise RuntimeError(
                f"household page answered {warm.status_code} (is 'testserver' in ALLOWED_HOSTS?)"
            )
        timings: list[float] = []
        queries: list[int] = []
        for setai_no in setai_nos:
            url = reverse("residents:household", args=[setai_no])
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(url)
                timings.append(time.perf_counter() - started)
            if response.status_code != 200:
                raise RuntimeError(f"household page {url} answered {response.status_code}")
            queries.append(len(captured.captured_queries))
        return _ms(_p95(timings)), max(queries), min(queries)
    finally:
        client.logout()
        TOTPDevice.objects.filter(user=user).delete()
        user.delete()


def bench_delta_extract() -> float:
    max_seq = ResidentHistory.objects.aggregate(m=Max("seq"))["m"] or 0
    runs = []
    for _ in range(DELTA_RUNS):
        started = time.perf_counter()
        rows = selectors.extract_changes(
            since=max(0, max_seq - DELTA_ROWS), limit=DELTA_ROWS, with_mynumber=True
        )
        json.dumps(rows, ensure_ascii=False)
        runs.append(time.perf_counter() - started)
    return _ms(statistics.median(runs))


def bench_full_extract() -> tuple[float, float, int]:
    """Stream the full extract as CSV into a sink that only counts: (seconds, peak RSS growth MB, rows).

    ``ru_maxrss`` is the peak of the whole process, so the growth is what the extract needed beyond
    the highest point reached before it (0 if it stayed below)."""
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    lines = 0
    size = 0
    for chunk in api.csv_stream(selectors.extract_full(with_mynumber=True)):
        lines += 1
        size += len(chunk)
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(elapsed, 2), round((after - before) / 1024, 1), lines - 1  # ru_maxrss is in KiB on Linux


def _print_table(figures: dict[str, float], stdout: Any) -> None:
    stdout.write(f"{'figure':<40} {'value':>14}  {'target':<12} result\n")
    stdout.write("-" * 78 + "\n")
    for key, value in figures.items():
        label, unit, target, check = TARGETS.get(key, (key, "", "", None))
        shown = f"{int(value):,}" if key in COUNTS else f"{value:,.2f}"
        verdict = "" if check is None else ("ok" if check(value, figures) else "MISSED")
        stdout.write(f"{label:<40} {shown + (' ' + unit if unit else ''):>14}  {target:<12} {verdict}\n")


def bench_run(*, stdout: Any) -> dict[str, float]:
    """Measure the figures on the current database and return them (keys as in ``TARGETS``)."""
    residents = Resident.objects.count()
    if residents < MIN_RESIDENTS:
        raise RuntimeError(
            f"The register holds {residents:,} residents; the benchmark needs at least {MIN_RESIDENTS:,}. "
            "Load a city first, e.g. `yakuba demo --residents 110000`."
        )
    rng = random.Random(SEED)
    figures: dict[str, float] = {"residents": residents}
    stdout.write(f"Benchmarking the resident register ({residents:,} residents, {connection.vendor})\n")
    figures["kana_prefix_search_p95_ms"] = bench_kana_search(rng)
    p95, most, fewest = bench_household_page(rng)
    figures["household_page_p95_ms"] = p95
    figures["household_page_queries"] = most
    figures["household_page_queries_min"] = fewest
    figures["delta_extract_1000_ms"] = bench_delta_extract()
    seconds, rss, rows = bench_full_extract()
    figures["full_extract_csv_s"] = seconds
    figures["full_extract_peak_rss_mb_delta"] = rss
    figures["full_extract_rows"] = rows
    _print_table(figures, stdout)
    return figures

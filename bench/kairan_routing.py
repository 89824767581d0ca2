"""Benchmark of the 回覧板 route optimiser (``yakuba.kairan.routing``).

    .venv/bin/python bench/kairan_routing.py [--tsp-seconds 1] [--repeat 1] [--seconds 1] [--limit N]
                                             [--no-variant] [--shared /work/shared]

(a) TSPLIB: ``shortest_tour`` on every instance in ``<shared>/data/tsplib`` against its proven optimum
    (``solutions.txt``), with the TSPLIB ``EUC_2D`` rounding. Target: the optimum, within 2 s each.
(b) 和歌山市: the houses of ``<shared>/data/addresses/wakayama_302015_all_rsdt.csv.gz`` grouped by 街区
    (machiaza_id, blk_id), groups of 10-40 houses kept as stand-ins for a 班. For each, the address order
    (rsdt_num, rsdt_num2 numerically) against ``minmax_route``: closed route from the first house (班長),
    unit weights. Target: the min-max order proven optimal within 1 s for every group.
    Unless ``--no-variant``: the same groups as open routes with about one household in five weighted
    1.5 or 2.0 (seeded), to show the weighted, open case.

Needs no database and no Django settings. Skips with a message when the shared data is absent.
"""

import argparse
import csv
import gzip
import os
import platform
import random
import statistics
import sys
import time
import unicodedata
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from table import print_table  # noqa: E402 - bench/table.py, beside this script

from yakuba.kairan.routing import (  # noqa: E402
    Point,
    distance_matrix,
    ids_to_indices,
    minmax_route,
    read_tsplib,
    read_tsplib_tour,
    route_stats,
    shortest_tour,
    tour_length_tsplib,
    tsplib_distance_matrix,
)

# figure: (label, unit, target text, check or None)
TSP_TARGETS: dict[str, tuple[str, str, str, Any]] = {
    "instances": ("TSPLIB instances", "", "", None),
    "runs": ("Runs", "", "", None),
    "optimal_runs": ("Runs reaching the optimum", "", "= runs", lambda v, f: v == f["runs"]),
    "max_gap_pct": ("Largest gap to the optimum", "%", "0 %", lambda v, f: v == 0),
    "max_seconds": ("Slowest run", "s", "<= 2 s", lambda v, f: v <= 2),
}
WAKAYAMA_TARGETS: dict[str, tuple[str, str, str, Any]] = {
    "blocks": ("街区 of 10-40 houses", "", "", None),
    "houses": ("Houses in them", "", "", None),
    "total_saved_median_pct": ("Total walk saved, median", "%", "", None),
    "total_saved_mean_pct": ("Total walk saved, mean", "%", "", None),
    "total_saved_min_pct": ("Total walk saved, least", "%", "", None),
    "longest_cut_median_m": ("Longest leg cut, median", "m", "", None),
    "longest_cut_max_m": ("Longest leg cut, largest", "m", "", None),
    "longest_cut_median_pct": ("Longest leg cut, median share", "%", "", None),
    "blocks_longest_cut": ("Blocks with a shorter longest leg", "", "", None),
    "blocks_extra_vs_tsp": ("Blocks walking further than shortest tour", "", "", None),
    "extra_vs_tsp_median_pct": ("Total vs shortest tour, median", "%", "", None),
    "extra_vs_tsp_p90_pct": ("Total vs shortest tour, 90th percentile", "%", "", None),
    "extra_vs_tsp_max_pct": ("Total vs shortest tour, worst", "%", "", None),
    "longest_opt_max_m": ("Longest leg after, worst block", "m", "", None),
    "proven_pct": ("Proven optimal within 1 s", "%", "100 %", lambda v, f: v == 100),
    "seconds_median": ("Seconds per block, median", "s", "", None),
    "seconds_max": ("Seconds per block, max", "s", "<= 1 s", lambda v, f: v <= 1.0),
}
COUNTS = {
    "instances",
    "runs",
    "optimal_runs",
    "blocks",
    "houses",
    "blocks_longest_cut",
    "blocks_extra_vs_tsp",
}


def pad(text: str, width: int) -> str:
    """Left-align in a terminal: East Asian wide characters take two columns."""
    used = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(0, width - used)


def bench_tsplib(folder: Path, seconds: float, repeat: int) -> bool:
    solutions = {}
    for line in (folder / "solutions.txt").read_text(encoding="utf-8").splitlines():
        if ":" in line:
            name, value = line.split(":", 1)
            solutions[name.strip()] = int(value)
    print(f"(a) TSPLIB: shortest_tour(seconds={seconds}) on every instance, {repeat} run(s) each")
    print()
    print(
        f"{'instance':<10} {'n':>4} {'optimum':>9} {'.opt.tour':>9} {'ours':>9} {'gap %':>6} {'s':>6} {'hits':>6}"
    )
    print("-" * 66)
    runs = optimal = 0
    gaps: list[float] = []
    times: list[float] = []
    for path in sorted(folder.glob("*.tsp")):
        name, coords = read_tsplib(path)
        optimum = solutions.get(name)
        dist = tsplib_distance_matrix(coords)
        reference = ""
        tour_file = path.with_suffix(".opt.tour")
        if tour_file.exists():
            reference = str(tour_length_tsplib(coords, ids_to_indices(coords, read_tsplib_tour(tour_file))))
        lengths = []
        for _ in range(repeat):
            started = time.perf_counter()
            tour = shortest_tour(dist, seconds=seconds)
            times.append(time.perf_counter() - started)
            lengths.append(tour_length_tsplib(coords, tour))
        best = min(lengths)
        hits = sum(1 for x in lengths if x == optimum)
        runs += len(lengths)
        optimal += hits
        gap = 100 * (max(lengths) / optimum - 1) if optimum else float("nan")
        gaps.append(gap)
        print(
            f"{name:<10} {len(coords):>4} {optimum or '?':>9} {reference:>9} {best:>9} {gap:>6.2f} "
            f"{max(times[-repeat:]):>6.2f} {hits:>3}/{repeat:<2}"
        )
    print()
    figures = {
        "instances": len(gaps),
        "runs": runs,
        "optimal_runs": optimal,
        "max_gap_pct": max(gaps),
        "max_seconds": max(times),
    }
    return print_table(figures, TSP_TARGETS, counts=COUNTS)


def load_blocks(path: Path) -> list[tuple[str, list[dict[str, str]]]]:
    """街区 of 10-40 houses, each in address order (rsdt_num, rsdt_num2 numerically)."""
    groups: dict[tuple[str, str], list[dict[str, str]]] = defaultdict(list)
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            groups[row["machiaza_id"], row["blk_id"]].append(row)
    blocks = []
    for (machiaza, blk), rows in sorted(groups.items()):
        if 10 <= len(rows) <= 40:
            rows.sort(key=lambda r: (int(r["rsdt_num"] or 0), int(r["rsdt_num2"] or 0)))
            blocks.append((f"{rows[0]['town']}{rows[0]['blk_num']}番 ({machiaza}-{blk})", rows))
    return blocks


def bench_wakayama(
    path: Path, seconds: float, limit: int | None, *, closed: bool, weighted: bool, seed: int
) -> bool:
    blocks = load_blocks(path)[:limit]
    rng = random.Random(seed)
    rows_out = []
    for label, rows in blocks:
        points = [Point(float(r["x_m"]), float(r["y_m"])) for r in rows]
        dist = distance_matrix(points)
        n = len(points)
        weights = None
        if weighted:
            weights = [rng.choice((1.5, 2.0)) if rng.random() < 0.2 else 1.0 for _ in range(n)]
        address = list(range(n))
        a_total, a_longest, a_weighted = route_stats(dist, address, closed=closed, weights=weights)
        result = minmax_route(dist, start=0, closed=closed, weights=weights, seconds=seconds)
        shortest = None
        if closed and not weighted:  # the price of capping the longest leg: the unconstrained shortest tour
            decimetres = [[round(10 * x) for x in row] for row in dist]
            tour = shortest_tour(decimetres, seconds=0.05)
            shortest = route_stats(dist, tour, closed=True)[0]
        rows_out.append(
            {
                "label": label,
                "n": n,
                "a_total": a_total,
                "a_longest": a_longest,
                "a_weighted": a_weighted,
                "total": result.total,
                "longest": result.longest,
                "weighted": result.longest_weighted,
                "proven": result.proven_optimal,
                "method": result.method,
                "seconds": result.seconds,
                "shortest": shortest,
            }
        )
    saved = [100 * (1 - r["total"] / r["a_total"]) for r in rows_out]
    key = "weighted" if weighted else "longest"
    a_key = "a_weighted" if weighted else "a_longest"
    cut = [r[a_key] - r[key] for r in rows_out]
    cut_pct = [100 * (1 - r[key] / r[a_key]) if r[a_key] else 0.0 for r in rows_out]
    secs = [r["seconds"] for r in rows_out]
    proven = sum(1 for r in rows_out if r["proven"] and r["seconds"] <= 1.0)
    figures = {
        "blocks": len(rows_out),
        "houses": sum(r["n"] for r in rows_out),
        "total_saved_median_pct": statistics.median(saved),
        "total_saved_mean_pct": statistics.fmean(saved),
        "total_saved_min_pct": min(saved),
        "longest_cut_median_m": statistics.median(cut),
        "longest_cut_max_m": max(cut),
        "longest_cut_median_pct": statistics.median(cut_pct),
        "longest_opt_max_m": max(r[key] for r in rows_out),
        "blocks_longest_cut": sum(1 for c in cut if c > 1e-9),
        "proven_pct": 100 * proven / len(rows_out),
        "seconds_median": statistics.median(secs),
        "seconds_max": max(secs),
    }
    extra = [100 * (r["total"] / r["shortest"] - 1) for r in rows_out if r["shortest"]]
    if extra:
        figures["blocks_extra_vs_tsp"] = sum(1 for x in extra if x > 1e-6)
        figures["extra_vs_tsp_median_pct"] = statistics.median(extra)
        figures["extra_vs_tsp_p90_pct"] = statistics.quantiles(extra, n=10)[-1]
        figures["extra_vs_tsp_max_pct"] = max(extra)
    ok = print_table(figures, WAKAYAMA_TARGETS, counts=COUNTS)
    leg = "weighted longest leg" if weighted else "longest leg"
    print()
    header = (
        f"{pad('block', 34)} {'n':>3} {'addr total':>10} {'opt total':>9} {'addr max':>8} {'opt max':>8} "
        f"{'proven':>6} {'s':>5}"
    )
    for title, chosen in (
        ("Slowest 5 blocks (metres):", sorted(rows_out, key=lambda r: -r["seconds"])[:5]),
        (
            f"The 5 blocks whose {leg} stays longest after optimisation:",
            sorted(rows_out, key=lambda r: -r[key])[:5],
        ),
    ):
        print(title)
        print(header)
        print("-" * len(header))
        for r in chosen:
            print(
                f"{pad(r['label'], 34)} {r['n']:>3} {r['a_total']:>10.1f} {r['total']:>9.1f} {r[a_key]:>8.1f} "
                f"{r[key]:>8.1f} {'yes' if r['proven'] else 'NO':>6} {r['seconds']:>5.2f}"
            )
        print()
    worse = sum(1 for s in saved if s < 0)
    print(
        f"Blocks where the min-max order walks further in total than the address order: {worse} "
        f"(capping the longest leg first can cost total walk)."
    )
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tsp-seconds", type=float, default=1.0, help="shortest_tour budget per instance")
    parser.add_argument("--repeat", type=int, default=1, help="runs per TSPLIB instance (default 1)")
    parser.add_argument("--seconds", type=float, default=1.0, help="minmax_route budget per block")
    parser.add_argument("--limit", type=int, help="only the first N blocks (quick run)")
    parser.add_argument("--no-variant", action="store_true", help="skip the open, weighted variant")
    parser.add_argument("--seed", type=int, default=1, help="seed of the variant's weights")
    parser.add_argument("--shared", type=Path, default=Path("/work/shared"))
    args = parser.parse_args()

    tsplib = args.shared / "data" / "tsplib"
    addresses = args.shared / "data" / "addresses" / "wakayama_302015_all_rsdt.csv.gz"
    if not tsplib.is_dir() and not addresses.exists():
        print(f"Skipped: the shared data ({args.shared}/data/tsplib, .../addresses) is not there.")
        return
    print(
        f"On: Python {platform.python_version()}; {platform.machine()} {os.cpu_count()} CPUs; "
        "CP-SAT with one worker; fast-tsp with one thread"
    )
    print()
    ok = True
    if tsplib.is_dir():
        ok = bench_tsplib(tsplib, args.tsp_seconds, args.repeat) and ok
    else:
        print(f"(a) skipped: {tsplib} is not there.")
    print()
    if addresses.exists():
        print("(b) 和歌山市 街区 of 10-40 houses: address order vs min-max order, closed, unit weights")
        print()
        ok = (
            bench_wakayama(addresses, args.seconds, args.limit, closed=True, weighted=False, seed=args.seed)
            and ok
        )
        if not args.no_variant:
            print()
            print(
                "(b') The same blocks as open routes, about 1 household in 5 weighted 1.5 or 2.0 "
                f"(seed {args.seed}); figures for the weighted longest leg"
            )
            print()
            ok = (
                bench_wakayama(
                    addresses, args.seconds, args.limit, closed=False, weighted=True, seed=args.seed
                )
                and ok
            )
    else:
        print(f"(b) skipped: {addresses} is not there.")
    print()
    print("All targets met." if ok else "Some targets were MISSED.")


if __name__ == "__main__":
    main()

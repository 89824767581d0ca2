"""``yakuba kairan <subcommand>``: the 回覧板 tools on the command line.

    yakuba kairan solve-tsplib FILE.tsp [--seconds S] [--json]
    yakuba kairan route --csv FILE [--closed | --open] [--start INDEX] [--seconds S] [--json]

To add a subcommand, write an ``arguments(parser)`` function and a ``handler(command, options)``
function and register them in :data:`SUBCOMMANDS`; ``Command`` builds the argparse subparsers from it
and dispatches on the name. A handler writes through ``command.stdout`` and raises ``CommandError`` (or
``RouteInputError``, shown as one) for bad input.
"""

import json
import math
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from yakuba.kairan.routing import (
    RouteInputError,
    distance_matrix,
    read_positions_csv,
    read_tsplib,
    route_stats,
    route_with_missing,
    shortest_tour,
    tour_length_tsplib,
    tsplib_distance_matrix,
)


@dataclass(frozen=True)
class Subcommand:
    """One ``yakuba kairan`` subcommand: its help line, its arguments and its handler."""

    help: str
    arguments: Callable[[CommandParser], None]
    handler: Callable[[BaseCommand, dict[str, Any]], None]


def _seconds(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        raise CommandError(f"--seconds は数値で指定してください（値「{value}」）。") from None
    if not (math.isfinite(seconds) and 0 < seconds <= 3600):
        raise CommandError(f"--seconds は 0 より大きく 3600 以下にしてください（値「{value}」）。")
    return seconds


def _width(text: str) -> int:
    """Columns the text takes in a terminal: 2 for East Asian wide and full-width characters."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _cell(text: str, width: int, *, right: bool = True) -> str:
    gap = " " * max(0, width - _width(text))
    return gap + text if right else text + gap


# --- solve-tsplib -------------------------------------------------------------------------------------


def solve_tsplib_arguments(parser: CommandParser) -> None:
    parser.add_argument(
        "file", metavar="FILE.tsp", help="TSPLIB instance (TYPE: TSP, EDGE_WEIGHT_TYPE: EUC_2D)"
    )
    parser.add_argument("--seconds", type=_seconds, default=1.0, help="time budget in seconds (default 1)")
    parser.add_argument(
        "--json", action="store_true", help="one JSON object with the keys name, n, length, seconds, tour"
    )


def solve_tsplib(command: BaseCommand, options: dict[str, Any]) -> None:
    """Shortest closed tour of a TSPLIB instance; its length with the TSPLIB EUC_2D rounding."""
    name, coords = read_tsplib(options["file"])
    started = time.perf_counter()
    tour = shortest_tour(tsplib_distance_matrix(coords), seconds=options["seconds"])
    seconds = time.perf_counter() - started
    length = tour_length_tsplib(coords, tour)
    ids = [coords[k][0] for k in tour]
    if options["json"]:
        payload = {
            "name": name,
            "n": len(coords),
            "length": length,
            "seconds": round(seconds, 3),
            "tour": ids,
        }
        command.stdout.write(json.dumps(payload, ensure_ascii=False))
        return
    command.stdout.write(f"インスタンス: {name}")
    command.stdout.write(f"点の数: {len(coords)}")
    command.stdout.write(f"巡回路の長さ（TSPLIB EUC_2D）: {length}")
    command.stdout.write(f"計算時間: {seconds:.2f} 秒")
    command.stdout.write("巡回順（ファイルの点番号）: " + " ".join(str(i) for i in ids))


# --- route --------------------------------------------------------------------------------------------


def route_arguments(parser: CommandParser) -> None:
    parser.add_argument(
        "--csv",
        required=True,
        metavar="FILE",
        help="households, one a row: columns x_m,y_m (metres) or lon,lat; optional id/name and weight",
    )
    shape = parser.add_mutually_exclusive_group()
    shape.add_argument(
        "--closed",
        dest="closed",
        action="store_true",
        default=True,
        help="the board returns to the 班長 (default)",
    )
    shape.add_argument(
        "--open", dest="closed", action="store_false", help="the last household keeps the board"
    )
    parser.add_argument(
        "--start",
        type=int,
        default=0,
        metavar="INDEX",
        help="the 班長: data row index, 0 = first row (default 0)",
    )
    parser.add_argument("--seconds", type=_seconds, default=1.0, help="time budget in seconds (default 1)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def route(command: BaseCommand, options: dict[str, Any]) -> None:
    """Compare the file's order with the min-max order (longest weighted leg first, then total walk)."""
    positions = read_positions_csv(Path(options["csv"]))
    n = len(positions)
    start: int = options["start"]
    closed: bool = options["closed"]
    if not 0 <= start < n:
        raise CommandError(
            f"--start は 0 から {n - 1} の範囲で指定してください（データ行の番号、0 が先頭）。"
        )
    labels, weights = positions.labels, positions.weights
    result = route_with_missing(
        positions.points, start=start, closed=closed, weights=weights, seconds=options["seconds"]
    )

    # The file's order over the households with a position, from the 班長.
    placed = [i for i, p in enumerate(positions.points) if p is not None]
    located = [p for p in positions.points if p is not None]
    index = {i: k for k, i in enumerate(placed)}
    file_order = [start, *(i for i in placed if i != start)]
    file_total, file_longest, file_weighted = route_stats(
        distance_matrix(located),
        [index[i] for i in file_order],
        closed=closed,
        weights=None if weights is None else [weights[i] for i in placed],
    )

    if options["json"]:
        payload = {
            "n": n,
            "closed": closed,
            "start": start,
            "labels": labels,
            "weights": weights,
            "file_order": {
                "order": file_order + result.missing,
                "total_m": round(file_total, 3),
                "longest_m": round(file_longest, 3),
                "longest_weighted_m": round(file_weighted, 3),
            },
            "optimised": {
                "order": result.order,
                "total_m": round(result.total, 3),
                "longest_m": round(result.longest, 3),
                "longest_weighted_m": round(result.longest_weighted, 3),
                "proven_optimal": result.proven_optimal,
                "method": result.method,
                "seconds": round(result.seconds, 3),
            },
            "missing": result.missing,
        }
        command.stdout.write(json.dumps(payload, ensure_ascii=False))
        return

    out = command.stdout
    shape = "閉路（最後に班長へ戻す）" if closed else "開路（最後の世帯で終わる）"
    out.write(f"回覧順の比較: {n} 世帯、{shape}、班長 {labels[start]}（--start {start}）")
    weighted = weights is not None and any(w != 1 for w in weights)
    columns = ["総距離", "最長の区間"] + (["最長（重み付き）"] if weighted else [])
    out.write(_cell("", 14, right=False) + "".join(_cell(c, 18) for c in columns))
    for title, figures in (
        ("ファイルの順", (file_total, file_longest, file_weighted)),
        ("最適化した順", (result.total, result.longest, result.longest_weighted)),
    ):
        shown = figures if weighted else figures[:2]
        out.write(_cell(title, 14, right=False) + "".join(_cell(f"{v:.1f} m", 18) for v in shown))
    if file_total > 0:
        saved = 100 * (1 - result.total / file_total)
        out.write(f"総距離の削減: {file_total - result.total:.1f} m（{saved:.1f}%）")
    if result.proven_optimal:
        verdict = "最長の区間、次に総距離とも最適性を証明済み"
    else:
        verdict = "時間内に最適性を証明できませんでした（近似解）"
    out.write(f"{verdict}（方法: {result.method}、{result.seconds:.2f} 秒）")
    out.write("最適化した順: " + " → ".join(labels[i] for i in result.order) + (" → 班長" if closed else ""))
    if result.missing:
        out.write("位置が不明のため末尾に回した世帯: " + "、".join(labels[i] for i in result.missing))


#: Subcommand name → its arguments and handler. Register new subcommands here.
SUBCOMMANDS: dict[str, Subcommand] = {
    "solve-tsplib": Subcommand(
        help="shortest tour of a TSPLIB EUC_2D instance (checks the solver against known optima)",
        arguments=solve_tsplib_arguments,
        handler=solve_tsplib,
    ),
    "route": Subcommand(
        help="回覧順: min longest (weighted) hand-over walk, then min total walk, from a CSV of positions",
        arguments=route_arguments,
        handler=route,
    ),
}


class Command(BaseCommand):
    help = "回覧板 tools: " + "; ".join(f"{name}: {spec.help}" for name, spec in SUBCOMMANDS.items())

    def add_arguments(self, parser: CommandParser) -> None:
        subparsers = parser.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")
        for name, spec in SUBCOMMANDS.items():
            spec.arguments(subparsers.add_parser(name, help=spec.help, description=spec.help))

    def handle(self, *args: Any, **options: Any) -> None:
        spec = SUBCOMMANDS[options["subcommand"]]
        try:
            spec.handler(self, options)
        except RouteInputError as exc:
            raise CommandError(str(exc)) from exc

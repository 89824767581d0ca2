"""The circulation order of a 回覧板: first the shortest longest weighted hand-over, then the shortest walk.

Objective, lexicographic:

1. minimise the longest *weighted* leg, ``weight[giver] · distance(giver, receiver)``: a household marked
   elderly or needing help (weight > 1, e.g. 1.5 or 2) counts its walk to the next house for more;
2. among the orders reaching that optimum, minimise the total (unweighted) walk.

The route starts at the 班長 (``start``); it is closed (the board comes back to the 班長) or open (the
last household keeps it).

Method: for up to :data:`EXACT_MAX_N` households, OR-Tools CP-SAT decides both stages exactly (see
:mod:`._exact`); ``proven_optimal`` is True only when both stages were proven within the time limit. On
the 645 街区 of 10-40 houses of 和歌山市 that takes 0.01-0.1 s each. Larger inputs, or a timeout, get a
heuristic (fast-tsp bottleneck search plus 2-opt/Or-opt, see :mod:`._heuristic`).
"""

import itertools
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from ._exact import exact_route
from ._heuristic import heuristic_route, polish_cycle
from ._problem import make_problem
from .errors import RouteInputError
from .geometry import Point, distance_matrix

#: Up to this many households the exact CP-SAT method is tried first.
EXACT_MAX_N = 100
#: From this size on, the heuristic runs first (a quarter of the time) to hint and back up CP-SAT.
HEURISTIC_FIRST_N = 41


@dataclass(frozen=True)
class RouteResult:
    """A circulation order and its figures (metres when the distances are metres)."""

    order: list[int]
    """Household indices in circulation order, ``order[0]`` = the 班長 (start)."""
    total: float
    """Total walk: sum of the legs (with the return to the 班長 for a closed route)."""
    longest: float
    """Longest single leg (unweighted)."""
    longest_weighted: float
    """Longest weighted leg, ``weight[giver] · distance``: the value minimised first."""
    proven_optimal: bool
    """True when CP-SAT proved both stages optimal (for the total: to 1e-6 of the longest allowed leg)."""
    method: str
    """``trivial``, ``cp-sat``, ``cp-sat+local-search`` (time limit reached) or ``heuristic``."""
    missing: list[int] = field(default_factory=list)
    """Households without a position, appended at the end of ``order`` (see :func:`route_with_missing`)."""
    seconds: float = 0.0
    """Wall time spent."""


def route_stats(
    dist: Sequence[Sequence[float]] | np.ndarray,
    order: Sequence[int],
    *,
    closed: bool,
    weights: Sequence[float] | None = None,
) -> tuple[float, float, float]:
    """(total, longest, longest_weighted) of a given order, e.g. the current address order.

    ``order`` must visit every index of ``dist`` once; a closed route counts the leg back to ``order[0]``.
    """
    n = len(dist)
    if sorted(order) != list(range(n)):
        raise ValueError(f"the order must visit each of the {n} households exactly once")
    if weights is not None and len(weights) != n:
        raise ValueError(f"{len(weights)} weights given for {n} households")
    legs = list(itertools.pairwise(order))
    if closed and n > 1:
        legs.append((order[-1], order[0]))
    lengths = [float(dist[a][b]) for a, b in legs]
    weighted = (
        lengths
        if weights is None
        else [float(weights[a]) * x for (a, _), x in zip(legs, lengths, strict=True)]
    )
    return math.fsum(lengths), max(lengths, default=0.0), max(weighted, default=0.0)


def minmax_route(
    dist: Sequence[Sequence[float]] | np.ndarray,
    *,
    start: int,
    closed: bool,
    weights: Sequence[float] | None = None,
    seconds: float = 1.0,
    exact_max_n: int = EXACT_MAX_N,
) -> RouteResult:
    """The lexicographically best circulation order: min longest weighted leg, then min total walk.

    ``dist`` is a symmetric matrix of non-negative distances (zero distances for coincident houses are
    fine), ``weights`` the givers' mobility weights (default 1 each). ``seconds`` bounds the search; a
    call may overrun it by a few tens of milliseconds on a 班, up to about 0.2 s on hundreds of households
    (model building, a last polish).
    """
    began = time.perf_counter()
    problem = make_problem(dist, start, closed, weights)
    n = problem.n
    if n <= 2:
        order = [start, *(i for i in range(n) if i != start)]
        return _result(dist, order, closed, problem.weights, True, "trivial", began)
    deadline = began + seconds
    if n > exact_max_n:
        cycle = heuristic_route(problem, deadline)
        return _result(
            dist, problem.order_from_cycle(cycle), closed, problem.weights, False, "heuristic", began
        )

    seed: list[int] | None = None
    reserve = 0.0
    if n >= HEURISTIC_FIRST_N:
        seed = heuristic_route(problem, began + seconds / 4)
        reserve = seconds / 10
    outcome = exact_route(problem, deadline, stage2_hint=seed, reserve=reserve)
    if outcome.cycle is not None and outcome.stage1_proven and outcome.stage2_proven:
        order = problem.order_from_cycle(polish_cycle(problem, outcome.cycle))
        return _result(dist, order, closed, problem.weights, True, "cp-sat", began)
    seeds = [c for c in (outcome.cycle, seed) if c is not None]
    cycle = heuristic_route(problem, deadline, seeds=seeds, search=not seeds)
    order = problem.order_from_cycle(cycle)
    return _result(dist, order, closed, problem.weights, False, "cp-sat+local-search", began)


def _result(
    dist: Sequence[Sequence[float]] | np.ndarray,
    order: list[int],
    closed: bool,
    weights: Sequence[float],
    proven: bool,
    method: str,
    began: float,
) -> RouteResult:
    total, longest, longest_weighted = route_stats(dist, order, closed=closed, weights=weights)
    return RouteResult(
        order=order,
        total=total,
        longest=longest,
        longest_weighted=longest_weighted,
        proven_optimal=proven,
        method=method,
        seconds=time.perf_counter() - began,
    )


def route_with_missing(
    points: Sequence[Point | None],
    *,
    start: int,
    closed: bool,
    weights: Sequence[float] | None = None,
    seconds: float = 1.0,
    exact_max_n: int = EXACT_MAX_N,
) -> RouteResult:
    """Route the households with a position; append those without one at the end, in their given order.

    Indices refer to ``points``. ``missing`` lists the households appended without a position; the
    figures (total, longest legs) cover only the legs between households with a position, as the
    optimised route returns from the last of them to the 班長 (closed) or ends there (open). The 班長
    must have a position (:class:`RouteInputError` otherwise).
    """
    if not points:
        raise ValueError("no households to route")
    if not 0 <= start < len(points):
        raise ValueError(f"start {start} is outside 0..{len(points) - 1}")
    if weights is not None and len(weights) != len(points):
        raise ValueError(f"{len(weights)} weights given for {len(points)} households")
    if points[start] is None:
        raise RouteInputError(f"班長（{start} 番）の位置が不明なため、回覧順を計算できません。")
    placed = [i for i, p in enumerate(points) if p is not None]
    missing = [i for i, p in enumerate(points) if p is None]
    located = [p for p in points if p is not None]
    sub_weights = None if weights is None else [weights[i] for i in placed]
    result = minmax_route(
        distance_matrix(located),
        start=placed.index(start),
        closed=closed,
        weights=sub_weights,
        seconds=seconds,
        exact_max_n=exact_max_n,
    )
    return RouteResult(
        order=[placed[k] for k in result.order] + missing,
        total=result.total,
        longest=result.longest,
        longest_weighted=result.longest_weighted,
        proven_optimal=result.proven_optimal,
        method=result.method,
        missing=missing,
        seconds=result.seconds,
    )

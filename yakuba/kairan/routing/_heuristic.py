"""Heuristic lexicographic min-max routing for large 班/町丁目 or when the exact search runs out of time.

1. Bottleneck search over the threshold ``T`` on the longest weighted leg. The shortest tour (fast-tsp)
   gives a first route and an upper bound; then ``T`` starts at the lower bound of :mod:`._bounds`,
   gallops upwards and bisects. A probe of ``T`` asks fast-tsp for a tour on a matrix where the arcs
   with ``c <= T`` cost their length and the others a large penalty: with equal weights a symmetric
   matrix; with unequal weights the directed problem through the ATSP → TSP transformation (two nodes a
   house), and the symmetric matrix on ``max(c[i][j], c[j][i])`` as a conservative fallback. When
   fast-tsp finds no tour within ``T`` and the graph of allowed arcs is sparse, CP-SAT decides it
   (briefly): on sparse graphs a Hamiltonian cycle is a needle that penalties rarely find.
2. Polish: 2-opt and Or-opt moves on the directed cycle shorten the total without letting any weighted
   leg exceed the longest one reached (:mod:`._localsearch`); a penalised local search then tries to
   push the longest leg further down; and with time left on a sparse graph, CP-SAT shortens the walk
   under the cap reached, starting from the route found.

Nothing is proven; the result is a valid route whatever the time left.
"""

import time
from collections.abc import Sequence

import fast_tsp
import numpy as np

from ._bounds import problem_lower_bound
from ._exact import minimise_total, solve_feasibility
from ._localsearch import nearest_neighbours, polish
from ._problem import INF, Problem

#: fast-tsp works on unsigned 16-bit distances: a forbidden edge costs PENALTY, allowed edges share the rest.
PENALTY = 60_000
#: In the directed (ATSP) form: every arc costs CROSS more, an arc above the threshold DIRECTED_PENALTY more;
#: allowed lengths share less than DIRECTED_PENALTY, which is less than CROSS. CROSS + DIRECTED_PENALTY
#: stays below PENALTY, the cost of edges that break the form.
CROSS = 40_000
DIRECTED_PENALTY = 16_000
NEIGHBOURS = 10
#: fast-tsp solves instances up to this size exactly (Held-Karp: tens of milliseconds at 20 nodes).
EXACT_FAST_TSP = 20
#: Beyond this size fast-tsp's exact solve takes more than a few milliseconds.
SLOW_EXACT = 16
#: Largest graph (arcs) of a threshold that CP-SAT is asked about in the heuristic.
CPSAT_MAX_ARCS = 20_000
#: Share of the time left that one CP-SAT feasibility check may take in the bottleneck search.
CPSAT_PROBE_SHARE = 0.25
#: Up to this many nodes a failed fast-tsp call is retried on relabelled nodes.
RETRY_MAX_SIZE = 100
#: fast-tsp calls per threshold and way of modelling it (the later ones on relabelled nodes).
TRIES = 3


def _orient(problem: Problem, tour: Sequence[int]) -> list[int] | None:
    """Direct an undirected tour: the better direction (closed), or the one with dummy → start (open)."""
    if problem.closed:
        forward, backward = list(tour), list(reversed(tour))
        return min(forward, backward, key=problem.cycle_value)
    size = len(tour)
    k = list(tour).index(problem.n)
    if tour[(k + 1) % size] == problem.start:
        return [*tour[k:], *tour[:k]]
    if tour[(k - 1) % size] == problem.start:
        backward = list(reversed(tour))
        k = backward.index(problem.n)
        return [*backward[k:], *backward[:k]]
    return None  # the dummy sits between two households: not a route from start


def _probe_matrix(problem: Problem, sym_c: np.ndarray, d: np.ndarray, cap: float) -> np.ndarray:
    n, size = problem.n, problem.size
    allowed = sym_c <= cap
    longest = float(d[allowed].max()) if allowed.any() else 0.0
    # Allowed tours must stay below any tour with one penalty: (size) * units < PENALTY / 2.
    units = max(1, min(10_000, (PENALTY // 2 - 1) // size))
    scaled = np.rint(d * (units / longest)) if longest > 0 else np.zeros_like(d)
    matrix = np.where(allowed, scaled, PENALTY).astype(np.int64)
    np.fill_diagonal(matrix, 0)
    if not problem.closed:
        full = np.full((size, size), PENALTY // 2, dtype=np.int64)
        full[:n, :n] = matrix
        full[n, problem.start] = full[problem.start, n] = 0
        full[n, n] = 0
        matrix = full
    return matrix


def _directed_probe_matrix(problem: Problem, c_all: np.ndarray, d_all: np.ndarray, cap: float) -> np.ndarray:
    """Symmetric matrix over 2·size nodes whose tours are the directed cycles (the ATSP → TSP transformation).

    House ``i`` becomes ``in = 2i`` and ``out = 2i + 1``, joined by a free edge; the arc ``i → j`` becomes
    the edge ``out(i) – in(j)`` costing ``CROSS`` plus its scaled length if ``c <= cap``, or ``CROSS`` plus
    ``DIRECTED_PENALTY`` if not. Every cycle pays ``CROSS`` once per house, a tour that skips a free
    edge pays it once more, which costs more than any threshold violation; other edges cost PENALTY.
    """
    size = problem.size
    allowed = c_all <= cap
    np.fill_diagonal(allowed, False)
    longest = float(d_all[allowed].max()) if allowed.any() else 0.0
    units = max(1, min(10_000, (DIRECTED_PENALTY - 1) // size))
    scaled = np.zeros_like(d_all)
    if longest > 0:
        scaled = np.rint(np.where(allowed, d_all, 0.0) * (units / longest))
    arcs = np.where(allowed, CROSS + scaled, np.where(np.isfinite(c_all), CROSS + DIRECTED_PENALTY, PENALTY))
    matrix = np.full((2 * size, 2 * size), PENALTY, dtype=np.int64)
    outs, ins = np.arange(size) * 2 + 1, np.arange(size) * 2
    matrix[np.ix_(outs, ins)] = arcs.astype(np.int64)
    matrix[np.ix_(ins, outs)] = arcs.T.astype(np.int64)
    matrix[ins, outs] = matrix[outs, ins] = 0
    np.fill_diagonal(matrix, 0)
    return matrix


def _directed_cycle(tour: Sequence[int]) -> list[int] | None:
    """The directed cycle of houses behind a tour of :func:`_directed_probe_matrix`, or None if it is not one."""
    length = len(tour)
    k = list(tour).index(0)  # in(0)
    forward = tour[(k + 1) % length] == 1
    steps = (
        [tour[(k + m) % length] for m in range(length)]
        if forward
        else [tour[(k - m) % length] for m in range(length)]
    )
    for m in range(0, length, 2):
        if steps[m] % 2 != 0 or steps[m + 1] != steps[m] + 1:
            return None
    return [v // 2 for v in steps[::2]]


def heuristic_route(
    problem: Problem, deadline: float, *, seeds: Sequence[Sequence[int]] = (), search: bool = True
) -> list[int]:
    """Best cycle found (over all nodes) by the bottleneck search, then polished; see the module doc."""
    size = problem.size
    candidates: list[list[int]] = [list(s) for s in seeds]
    bound_values, first = problem_lower_bound(problem)
    floor = float(bound_values[first])  # no route has a shorter longest weighted leg
    if search or not candidates:
        _bottleneck_search(problem, deadline, floor, candidates)
    if not candidates:  # out of time before any route: any route will do
        candidates.append(list(range(size)) if problem.closed else _open_identity(problem))
    best = min(candidates, key=problem.cycle_value)
    neighbours = nearest_neighbours(problem.d, min(NEIGHBOURS, size - 1))
    scale = max((v for row in problem.d for v in row if v != INF), default=1.0)
    eps = 1e-9 * max(scale, 1e-9)
    polished = polish(
        best,
        problem.d,
        problem.c,
        cap=problem.cycle_value(best)[0],
        symmetric=problem.symmetric,
        neighbours=neighbours,
        deadline=max(deadline, time.perf_counter() + 0.05),
        eps=eps,
    )
    best = min([polished, best], key=problem.cycle_value)
    best = _descend(problem, best, neighbours, deadline, eps, floor)
    # Time left and a sparse graph under the cap reached: let CP-SAT shorten the walk from there.
    cap = problem.cycle_value(best)[0]
    c_real = np.array([row[: problem.n] for row in problem.c[: problem.n]], dtype=float)
    if (
        deadline - time.perf_counter() > 0.02
        and np.count_nonzero(c_real <= cap) - problem.n <= CPSAT_MAX_ARCS
    ):
        _, cycle = minimise_total(problem, cap, deadline, best)
        if cycle is not None and problem.cycle_value(cycle) < problem.cycle_value(best):
            best = cycle
    return best


def polish_cycle(problem: Problem, cycle: list[int]) -> list[int]:
    """2-opt/Or-opt on exact lengths under the cycle's own longest weighted leg (never worse).

    After CP-SAT's stage 2, whose lengths are rounded to a millionth of the longest leg, this settles ties
    that the rounding hid.
    """
    if problem.size < 5:
        return cycle
    scale = max((v for row in problem.d for v in row if v != INF), default=1.0)
    polished = polish(
        cycle,
        problem.d,
        problem.c,
        cap=problem.cycle_value(cycle)[0],
        symmetric=problem.symmetric,
        neighbours=nearest_neighbours(problem.d, min(NEIGHBOURS, problem.size - 1)),
        deadline=time.perf_counter() + 0.05,
        eps=1e-12 * max(scale, 1e-9),
    )
    return min([polished, cycle], key=problem.cycle_value)


def _bottleneck_search(problem: Problem, deadline: float, floor: float, candidates: list[list[int]]) -> None:
    """Add to ``candidates`` the cycles found while bisecting on the threshold (see the module doc).

    Anytime: the shortest tour comes first and bounds the search from above; every threshold met
    afterwards lowers that bound, so running out of time leaves the best route found so far.
    """
    n, size = problem.n, problem.size
    directed = any(w != problem.weights[0] for w in problem.weights)
    d_real = np.array([row[:n] for row in problem.d[:n]], dtype=float)
    c_real = np.array([row[:n] for row in problem.c[:n]], dtype=float)
    sym_c = np.maximum(c_real, c_real.T)  # conservative: a weighted giver's leg in either direction
    np.fill_diagonal(sym_c, 0.0)
    c_all = np.array(problem.c, dtype=float)
    d_all = np.array(problem.d, dtype=float)
    if directed:
        values = np.unique(c_real[~np.eye(n, dtype=bool)])
    else:
        values = np.unique(sym_c[np.triu_indices(n, 1)])
    shuffle = np.random.default_rng(1)  # fixed seed: the same input gives the same route
    per_call = 0.003 + 1e-4 * size  # fast-tsp settles within milliseconds on a 班

    def solve(matrix: np.ndarray, budget: float, tries: int) -> list[int]:
        """fast-tsp on the matrix; later tries relabel the nodes at random, which changes its search.

        Nearest-neighbour candidates: with 'alpha' candidates (which 'auto' picks for larger budgets)
        fast-tsp 0.2.2 often keeps a penalised edge on these matrices although a tour without one exists.
        """
        if tries == 0:
            return [int(v) for v in fast_tsp.find_tour(matrix, budget, candidates="nearest")]
        perm = shuffle.permutation(len(matrix))
        tour = fast_tsp.find_tour(matrix[np.ix_(perm, perm)], budget, candidates="nearest")
        return [int(perm[v]) for v in tour]

    def directed_attempt(cap: float, budget: float, tries: int) -> list[int] | None:
        cycle = _directed_cycle(solve(_directed_probe_matrix(problem, c_all, d_all, cap), budget, tries))
        if cycle is not None and not problem.closed:
            cycle = _orient(problem, cycle)  # rotate: dummy, then start
        return cycle

    def symmetric_attempt(cap: float, budget: float, tries: int) -> list[int] | None:
        return _orient(problem, solve(_probe_matrix(problem, sym_c, d_real, cap), budget, tries))

    def exact_attempt(cap: float) -> bool | None:
        """CP-SAT feasibility when the graph of allowed arcs is sparse: True/False if decided, else None."""
        remaining = deadline - time.perf_counter()
        if remaining <= 0 or np.count_nonzero(c_real <= cap) - n > CPSAT_MAX_ARCS:
            return None
        status, cycle = solve_feasibility(problem, cap, time.perf_counter() + remaining * CPSAT_PROBE_SHARE)
        if cycle is not None:
            candidates.append(cycle)
            return True
        return False if status == "INFEASIBLE" else None

    attempts = [directed_attempt, symmetric_attempt] if directed else [symmetric_attempt]
    probes = 8

    def probe(k: int) -> bool:
        cap = float(values[k])
        for tries in range(TRIES if size <= RETRY_MAX_SIZE else 1):
            for attempt in attempts:
                if attempt is symmetric_attempt and size <= EXACT_FAST_TSP:
                    if tries or (directed and size > SLOW_EXACT):
                        continue  # solved exactly the first time; too slow when it is only a fallback
                remaining = deadline - time.perf_counter()
                if remaining <= 0:
                    return False
                cycle = attempt(cap, max(0.002, min(per_call, remaining / (2 * probes))), tries)
                if cycle is None or problem.cycle_value(cycle)[0] == INF:
                    continue
                candidates.append(cycle)
                if problem.cycle_value(cycle)[0] <= cap:
                    return True
            if tries == 0:
                decided = exact_attempt(cap)  # fast-tsp misses some sparse or directed instances
                if decided is not None:
                    return decided
        return False

    # The shortest tour, in its better direction: an upper bound whatever happens next.
    top = symmetric_attempt(float(values[-1]), per_call, 0)
    if top is not None:
        candidates.append(top)
    low = min(int(np.searchsorted(values, floor)), len(values) - 1) - 1  # below the lower bound: no route
    high = len(values) - 1  # every arc allowed: a route exists
    if candidates:
        best = min(problem.cycle_value(c)[0] for c in candidates)
        high = min(high, int(np.searchsorted(values, best)))
    probes = max(4, int(np.ceil(np.log2(max(2, high - low)))) + 2)
    if low + 1 >= high or time.perf_counter() >= deadline:
        return
    if probe(low + 1):  # the lower bound itself: usually right on real 班
        return
    low += 1
    step = 1
    while low + step < high and time.perf_counter() < deadline:  # gallop up from the bound
        if probe(low + step):
            high = low + step
            break
        low += step
        step *= 2
    while high - low > 1 and time.perf_counter() < deadline:  # then bisect
        mid = (low + high) // 2
        if probe(mid):
            high = mid
        else:
            low = mid


def _descend(
    problem: Problem, best: list[int], neighbours: list[list[int]], deadline: float, eps: float, floor: float
) -> list[int]:
    """Push the longest weighted leg down one value at a time while a local search can.

    Each round penalises the arcs above the next lower value by more than any total walk and lets 2-opt
    and Or-opt (with directed lengths) remove them; a round that leaves none is polished and kept. This
    recovers what the symmetric, conservative bottleneck search leaves with unequal weights.
    """
    n = problem.n
    c_all = np.array(problem.c, dtype=float)
    d_all = np.array(problem.d, dtype=float)
    real = c_all[:n, :n][~np.eye(n, dtype=bool)]
    values = np.unique(real)
    finite_c = float(real.max())
    penalty = float(np.nansum(np.where(np.isfinite(d_all), d_all, 0.0).max(axis=1))) + 1.0
    while time.perf_counter() < deadline:
        worst = problem.cycle_value(best)[0]
        k = int(np.searchsorted(values, worst)) - 1
        if k < 0 or values[k] < floor:
            break  # already at the lower bound: optimal for stage 1
        target = float(values[k])
        penalised = np.where(c_all > target, d_all + penalty, d_all).tolist()
        candidate = polish(
            best,
            penalised,
            problem.c,
            cap=finite_c,
            symmetric=False,
            neighbours=neighbours,
            deadline=deadline,
            eps=eps,
            directed_lengths=True,
        )
        if problem.cycle_value(candidate)[0] > target:
            break
        best = polish(
            candidate,
            problem.d,
            problem.c,
            cap=problem.cycle_value(candidate)[0],
            symmetric=problem.symmetric,
            neighbours=neighbours,
            deadline=deadline,
            eps=eps,
        )
    return best


def _open_identity(problem: Problem) -> list[int]:
    others = [i for i in range(problem.n) if i != problem.start]
    return [problem.start, *others, problem.n]

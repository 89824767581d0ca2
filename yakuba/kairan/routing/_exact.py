"""Exact lexicographic min-max routing with OR-Tools CP-SAT (``AddCircuit``).

Stage 1 finds the smallest threshold ``T`` among the distinct weighted arc values for which a cycle
through every node exists using only arcs with ``c <= T``: the lower bound of :mod:`._bounds` first (it
is nearly always feasible), then an upward gallop and bisection, each step a CP-SAT feasibility model.
Stage 2 keeps only the arcs with ``c <= T`` and minimises the total length, scaled to integers.

Both stages prove optimality only when CP-SAT says so (``OPTIMAL``/``INFEASIBLE``) within the time left.
"""

import time
from collections.abc import Sequence
from dataclasses import dataclass

from ortools.sat.python import cp_model

from ._bounds import problem_lower_bound
from ._problem import Problem

#: Integer resolution of stage 2: the longest allowed arc becomes this many units.
OBJECTIVE_UNITS = 1_000_000


@dataclass
class ExactOutcome:
    cycle: list[int] | None
    """Best cycle found (over all nodes), or None if no feasibility check finished in time."""
    threshold: float | None
    """The stage 1 threshold the cycle respects."""
    stage1_proven: bool
    stage2_proven: bool


def _solve(
    problem: Problem,
    cap: float,
    deadline: float,
    *,
    minimise: bool,
    hint: Sequence[int] | None = None,
    linearization: int = 2,
) -> tuple[str, list[int] | None]:
    """One CP-SAT model: a circuit over the arcs with ``c <= cap``; returns (status name, cycle or None)."""
    remaining = deadline - time.perf_counter()
    if remaining <= 0:
        return "UNKNOWN", None
    size = problem.size
    c, d = problem.c, problem.d
    model = cp_model.CpModel()
    literals: dict[tuple[int, int], cp_model.IntVar] = {}
    for i in range(problem.n):
        row = c[i]
        for j in range(problem.n):
            if i != j and row[j] <= cap:
                literals[i, j] = model.new_bool_var(f"a{i}_{j}")
    for i, j in problem.fixed_arcs():
        literals[i, j] = model.new_bool_var(f"a{i}_{j}")
    model.add_circuit([(i, j, lit) for (i, j), lit in literals.items()])
    if minimise:
        longest = max((d[i][j] for (i, j) in literals if d[i][j] > 0), default=1.0)
        factor = OBJECTIVE_UNITS / longest
        model.minimize(sum(round(d[i][j] * factor) * lit for (i, j), lit in literals.items() if d[i][j] > 0))
    if hint is not None:
        used = {(hint[k], hint[(k + 1) % size]) for k in range(size)}
        if used <= literals.keys():
            for arc, lit in literals.items():
                model.add_hint(lit, arc in used)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = remaining
    solver.parameters.num_workers = 1  # deterministic; and one LP worker proves these small tours fastest
    solver.parameters.random_seed = 1
    # Level 2 puts circuit cuts in the LP: it proves stage 2 in milliseconds on a 班, and infeasibility in
    # stage 1 too (one 35-house open, weighted route: 0.02 s instead of 1.3 s at the default level 1).
    solver.parameters.linearization_level = linearization
    status = solver.solve(model)
    name = solver.status_name(status)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return name, None
    successor = {i: j for (i, j), lit in literals.items() if solver.boolean_value(lit)}
    cycle = [0]
    while len(cycle) < size:
        cycle.append(successor[cycle[-1]])
    return name, cycle


def solve_feasibility(problem: Problem, cap: float, deadline: float) -> tuple[str, list[int] | None]:
    """Whether a cycle with every weighted leg ``<= cap`` exists: (CP-SAT status name, a cycle or None).

    For the larger graphs of the heuristic: CP-SAT's time to find a Hamiltonian cycle varies by orders of
    magnitude with the linearization level (on 399 houses: 0.4 s at level 1, 1.8 s at 2, 4.3 s at 0; on
    666: 0.9 s at level 0, over 5 s at 2), so each level gets a third of the time in turn.
    """
    status = "UNKNOWN"
    for k, level in enumerate((1, 0, 2)):
        now = time.perf_counter()
        slice_end = now + (deadline - now) / (3 - k)
        status, cycle = _solve(problem, cap, slice_end, minimise=False, linearization=level)
        if cycle is not None or status == "INFEASIBLE":
            return status, cycle
    return status, None


def minimise_total(
    problem: Problem, cap: float, deadline: float, hint: Sequence[int]
) -> tuple[str, list[int] | None]:
    """Stage 2 alone: the shortest cycle with every weighted leg ``<= cap``, started from ``hint``."""
    return _solve(problem, cap, deadline, minimise=True, hint=hint)


def exact_route(
    problem: Problem, deadline: float, *, stage2_hint: Sequence[int] | None = None, reserve: float = 0.0
) -> ExactOutcome:
    """Stage 1 then stage 2 (see the module documentation); stage 2 stops ``reserve`` seconds early."""
    values, first = problem_lower_bound(problem)
    proven = True
    best: list[int] | None = None
    best_index: int | None = None

    def probe(k: int) -> bool:
        nonlocal proven, best, best_index
        status, cycle = _solve(problem, float(values[k]), deadline, minimise=False)
        if cycle is not None:
            best, best_index = cycle, k
            return True
        if status != "INFEASIBLE":
            proven = False  # timed out: treated as infeasible, so the threshold may be too high
        return False

    # Values below `first` are ruled out by the necessary conditions; the top value always has a cycle.
    low, high = first - 1, len(values) - 1
    if not probe(first):
        low, step = first, 1
        while low + step < high:
            if probe(low + step):
                high = low + step
                break
            low += step
            step *= 2
        while high - low > 1:
            mid = (low + high) // 2
            if probe(mid):
                high = mid
            else:
                low = mid
        if best_index != high and not probe(high):
            return ExactOutcome(None, None, False, False)
    else:
        high = first
    assert best is not None
    threshold = float(values[high])

    hint: Sequence[int] | None = best
    if stage2_hint is not None and problem.cycle_value(stage2_hint)[0] <= threshold:
        if problem.cycle_value(stage2_hint)[1] < problem.cycle_value(best)[1]:
            hint = stage2_hint
    status, cycle = _solve(problem, threshold, deadline - reserve, minimise=True, hint=hint)
    if cycle is None:
        return ExactOutcome(best, threshold, proven, False)
    return ExactOutcome(cycle, threshold, proven, status == "OPTIMAL")

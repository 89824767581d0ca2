"""The routing problem as a directed cycle: an open route becomes a cycle through a dummy node.

A closed route (the board returns to the 班長) is a Hamiltonian cycle over the ``n`` households. An open
route (it ends anywhere) is a Hamiltonian path from ``start``; adding a dummy node ``D = n`` with the arcs
``j → D`` for every ``j != start`` (the last household) and ``D → start``, both of length 0, turns it into
a cycle over ``n + 1`` nodes. Every other arc of the dummy node is forbidden (``inf``).

``c[i][j] = weight[i] · d[i][j]`` is the weighted leg of the giver ``i``: with unequal weights it is not
symmetric, and the direction of travel matters.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

INF = math.inf


@dataclass(frozen=True)
class Problem:
    n: int
    """Households (real nodes)."""
    start: int
    closed: bool
    weights: list[float]
    d: list[list[float]]
    """Arc lengths over all nodes (``inf`` = forbidden arc, 0 on the diagonal)."""
    c: list[list[float]]
    """Weighted arc values over all nodes (``inf`` = forbidden)."""
    symmetric: bool
    """True when ``d`` and ``c`` are symmetric: a closed route with equal weights."""

    @property
    def size(self) -> int:
        """Nodes of the cycle: ``n``, plus the dummy node for an open route."""
        return self.n if self.closed else self.n + 1

    @property
    def dummy(self) -> int | None:
        return None if self.closed else self.n

    def real_arcs(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(c, i, j) arrays of every arc between two different households."""
        n = self.n
        ii, jj = np.nonzero(~np.eye(n, dtype=bool))
        values = np.array([row[:n] for row in self.c[:n]], dtype=float)[ii, jj]
        return values, ii, jj

    def fixed_arcs(self) -> list[tuple[int, int]]:
        """Arcs of the dummy node, always allowed: ``j → D`` for ``j != start`` and ``D → start``."""
        if self.closed:
            return []
        dummy = self.n
        return [(j, dummy) for j in range(self.n) if j != self.start] + [(dummy, self.start)]

    def cycle_value(self, cycle: Sequence[int]) -> tuple[float, float]:
        """(longest weighted leg, total length) of a cycle over all nodes: the lexicographic objective."""
        size = len(cycle)
        worst = 0.0
        total = 0.0
        for k in range(size):
            a, b = cycle[k], cycle[(k + 1) % size]
            worst = max(worst, self.c[a][b])
            total += self.d[a][b]
        return worst, total

    def order_from_cycle(self, cycle: Sequence[int]) -> list[int]:
        """The households in route order from ``start`` (the dummy node dropped)."""
        k = list(cycle).index(self.start)
        rotated = [*cycle[k:], *cycle[:k]]
        return [v for v in rotated if v != self.dummy]

    def cycle_from_order(self, order: Sequence[int]) -> list[int]:
        return list(order) if self.closed else [*order, self.n]


def make_problem(
    dist: Sequence[Sequence[float]] | np.ndarray, start: int, closed: bool, weights: Sequence[float] | None
) -> Problem:
    """Validate the input and build the cycle form (see the module documentation)."""
    try:
        matrix = np.array(dist, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"the distance matrix is not a square matrix of numbers: {exc}") from None
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
        raise ValueError("the distance matrix must be square")
    n = matrix.shape[0]
    if n == 0:
        raise ValueError("the distance matrix is empty")
    if not np.all(np.isfinite(matrix)) or np.any(matrix < 0):
        raise ValueError("distances must be finite non-negative numbers")
    scale = max(float(matrix.max()), 1.0)
    if np.any(np.abs(matrix - matrix.T) > 1e-9 * scale):
        raise ValueError("the distance matrix must be symmetric")
    np.fill_diagonal(matrix, 0.0)
    if not 0 <= start < n:
        raise ValueError(f"start {start} is outside 0..{n - 1}")
    if weights is None:
        w = np.ones(n)
    else:
        w = np.array([float(x) for x in weights])
        if len(w) != n:
            raise ValueError(f"{len(w)} weights given for {n} households")
        if not np.all(np.isfinite(w)) or np.any(w <= 0):
            raise ValueError("weights must be finite positive numbers")
    weighted = w[:, None] * matrix  # c[i][j] = weight[i] * d[i][j]: the giver's leg
    equal = bool(np.all(w == w[0]))
    if not closed:
        size = n + 1
        full_d = np.full((size, size), INF)
        full_c = np.full((size, size), INF)
        full_d[:n, :n], full_c[:n, :n] = matrix, weighted
        full_d[:n, n] = full_c[:n, n] = 0.0  # last household -> dummy
        full_d[start, n] = full_c[start, n] = INF  # the route cannot end where it starts
        full_d[n, start] = full_c[n, start] = 0.0  # dummy -> start
        full_d[n, n] = full_c[n, n] = 0.0
        matrix, weighted = full_d, full_c
    return Problem(
        n=n,
        start=start,
        closed=closed,
        weights=[float(x) for x in w],
        d=matrix.tolist(),
        c=weighted.tolist(),
        symmetric=closed and equal,
    )

"""A lower bound on the longest weighted leg from necessary conditions for a Hamiltonian cycle.

If a cycle through every node uses only arcs with ``c <= T``, the graph of those arcs (with the dummy
node's fixed arcs) must be

* strongly connected (every node can pass the board on to every other), and
* 2-vertex-connected when its arcs are taken as undirected edges (a cycle has no cut vertex: no single
  house whose removal splits the others into two groups).

For an open route (a path from ``start``) the dummy node makes those conditions weak, so the path is
checked directly: every house reachable from ``start``, at most one house (the last) without an arc
out, and, taking arcs as undirected edges, the blocks (2-connected pieces) must form a chain with
``start`` inside an end block: no cut vertex in more than two blocks, no block with more than two cut
vertices, ``start`` not a cut vertex.

These properties are monotone in ``T``, so the smallest ``T`` with them is a lower bound on the
optimum. On the 645 街区 of 10-40 houses in 和歌山市 (closed routes, equal weights) it equals the
optimum every time: one feasibility check then settles stage 1.
"""

from collections.abc import Iterator, Sequence

import numpy as np

from ._problem import Problem


def _strongly_connected(size: int, out: list[list[int]], into: list[list[int]]) -> bool:
    for adjacency in (out, into):
        seen = [False] * size
        seen[0] = True
        stack = [0]
        count = 1
        while stack:
            u = stack.pop()
            for v in adjacency[u]:
                if not seen[v]:
                    seen[v] = True
                    count += 1
                    stack.append(v)
        if count != size:
            return False
    return True


def _biconnected(size: int, adjacency: list[list[int]]) -> bool:
    """Connected and without a cut vertex (iterative Tarjan); ``size >= 3``."""
    disc = [-1] * size
    low = [0] * size
    disc[0] = low[0] = 0
    counter = 1
    root_children = 0
    stack: list[tuple[int, int, int]] = [(0, -1, 0)]  # node, parent, next neighbour index
    while stack:
        u, parent, k = stack[-1]
        if k < len(adjacency[u]):
            stack[-1] = (u, parent, k + 1)
            v = adjacency[u][k]
            if disc[v] == -1:
                disc[v] = low[v] = counter
                counter += 1
                if u == 0:
                    root_children += 1
                stack.append((v, u, 0))
            elif v != parent:
                low[u] = min(low[u], disc[v])
        else:
            stack.pop()
            if stack:
                p = stack[-1][0]
                low[p] = min(low[p], low[u])
                if p != 0 and low[u] >= disc[p]:
                    return False  # p is a cut vertex
    return counter == size and root_children <= 1


def satisfies(size: int, arcs: Sequence[tuple[int, int]]) -> bool:
    """Whether the directed graph passes both necessary conditions for a Hamiltonian cycle."""
    out: list[list[int]] = [[] for _ in range(size)]
    into: list[list[int]] = [[] for _ in range(size)]
    undirected: list[set[int]] = [set() for _ in range(size)]
    for i, j in arcs:
        out[i].append(j)
        into[j].append(i)
        undirected[i].add(j)
        undirected[j].add(i)
    if any(not o for o in out) or any(not i for i in into):
        return False
    if not _strongly_connected(size, out, into):
        return False
    return size < 3 or _biconnected(size, [sorted(s) for s in undirected])


def _blocks(size: int, adjacency: list[list[int]]) -> tuple[bool, list[set[int]], set[int]]:
    """(connected, blocks as vertex sets, cut vertices) of an undirected graph (iterative Tarjan)."""
    disc = [-1] * size
    low = [0] * size
    blocks: list[set[int]] = []
    cut: set[int] = set()
    edges: list[tuple[int, int]] = []
    disc[0] = low[0] = 0
    counter = 1
    root_children = 0
    stack: list[tuple[int, int, Iterator[int]]] = [(0, -1, iter(adjacency[0]))]
    while stack:
        u, parent, neighbours = stack[-1]
        descended = False
        for v in neighbours:
            if disc[v] == -1:
                edges.append((u, v))
                disc[v] = low[v] = counter
                counter += 1
                if u == 0:
                    root_children += 1
                stack.append((v, u, iter(adjacency[v])))
                descended = True
                break
            if v != parent and disc[v] < disc[u]:
                edges.append((u, v))
                low[u] = min(low[u], disc[v])
        if descended:
            continue
        stack.pop()
        if stack:
            p = stack[-1][0]
            low[p] = min(low[p], low[u])
            if low[u] >= disc[p]:  # p separates u's subtree: one block ends here
                block: set[int] = set()
                while True:
                    a, b = edges.pop()
                    block.update((a, b))
                    if (a, b) == (p, u):
                        break
                blocks.append(block)
                if p != 0:
                    cut.add(p)
    if root_children > 1:
        cut.add(0)
    return counter == size, blocks, cut


def satisfies_path(n: int, start: int, arcs: Sequence[tuple[int, int]]) -> bool:
    """Whether the directed graph over ``n`` houses passes the necessary conditions for a path from start."""
    out: list[list[int]] = [[] for _ in range(n)]
    undirected: list[set[int]] = [set() for _ in range(n)]
    for i, j in arcs:
        out[i].append(j)
        undirected[i].add(j)
        undirected[j].add(i)
    if not out[start] or sum(1 for o in out if not o) > 1:
        return False
    seen = [False] * n
    seen[start] = True
    stack = [start]
    while stack:
        for v in out[stack.pop()]:
            if not seen[v]:
                seen[v] = True
                stack.append(v)
    if not all(seen):
        return False
    connected, blocks, cut = _blocks(n, [sorted(s) for s in undirected])
    if not connected or start in cut:
        return False
    if not cut:
        return True
    blocks_of = dict.fromkeys(cut, 0)
    for block in blocks:
        inside = block & cut
        if len(inside) > 2 or (start in block and len(inside) > 1):
            return False
        for v in inside:
            blocks_of[v] += 1
    return all(count == 2 for count in blocks_of.values())


def problem_lower_bound(problem: Problem) -> tuple[np.ndarray, int]:
    """:func:`lower_bound` for a problem: the cycle conditions, or the path conditions for an open route."""
    if problem.closed:
        return lower_bound(problem.size, problem.real_arcs(), problem.fixed_arcs())
    return lower_bound(problem.n, problem.real_arcs(), [], path_start=problem.start)


def lower_bound(
    size: int,
    arcs: tuple[np.ndarray, np.ndarray, np.ndarray],
    fixed: Sequence[tuple[int, int]],
    *,
    path_start: int | None = None,
) -> tuple[np.ndarray, int]:
    """The sorted distinct arc values and the index of the smallest one that passes :func:`satisfies`.

    ``arcs`` are the optional arcs as arrays (value, i, j), ``fixed`` the arcs always present; with
    ``path_start`` the path conditions of :func:`satisfies_path` are used instead. The search
    starts at the degree bound (every node needs an arc in and out), then gallops upwards and bisects, so
    only graphs at most about twice as dense as the answer's are ever built.
    """
    costs, ii, jj = arcs
    order = np.argsort(costs, kind="stable")
    keys, ii, jj = costs[order], ii[order], jj[order]
    values = np.unique(keys)
    has_out = {i for i, _ in fixed}
    has_in = {j for _, j in fixed}
    best_out = np.full(size, np.inf)
    best_in = np.full(size, np.inf)
    np.minimum.at(best_out, ii, keys)
    np.minimum.at(best_in, jj, keys)
    need = 0.0
    if path_start is None:
        for node in range(size):
            if node not in has_out:
                need = max(need, float(best_out[node]))
            if node not in has_in:
                need = max(need, float(best_in[node]))
    else:  # every house but the last needs an arc out, every house but start an arc in
        outs = sorted(float(best_out[v]) for v in range(size) if v != path_start)
        need = max(float(best_out[path_start]), outs[-2] if len(outs) > 1 else 0.0)
        need = max([need, *(float(best_in[v]) for v in range(size) if v != path_start)])
    first = min(int(np.searchsorted(values, need)), len(values) - 1)

    def ok(k: int) -> bool:
        end = int(np.searchsorted(keys, values[k], side="right"))
        prefix = list(zip(ii[:end].tolist(), jj[:end].tolist(), strict=True))
        if path_start is not None:
            return satisfies_path(size, path_start, prefix)
        return satisfies(size, prefix + list(fixed))

    if ok(first):
        return values, first
    low, step = first, 1  # values[low] fails
    high = len(values) - 1
    while low + step < high:
        if ok(low + step):
            high = low + step
            break
        low += step
        step *= 2
    while high - low > 1:  # values[low] fails, values[high] passes (all arcs: a complete digraph)
        mid = (low + high) // 2
        if ok(mid):
            high = mid
        else:
            low = mid
    return values, high

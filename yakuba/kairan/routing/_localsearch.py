"""Local search on a directed cycle: 2-opt and Or-opt moves that shorten the total under a leg cap.

The cycle visits nodes ``0 .. N-1``. ``d[i][j]`` is the length of the arc i → j counted in the total and
``c[i][j]`` the (weighted) value capped by ``cap``: a move is taken only if it makes the total shorter
and every arc it creates has ``c <= cap``, so the longest weighted leg never grows. Forbidden arcs (the
dummy node of an open route) carry ``inf`` in both matrices and are thus never created.

With ``symmetric=True`` both matrices are symmetric, so reversing a stretch of the cycle leaves the arcs
inside it unchanged; otherwise those reversed arcs are checked against the cap as well, and with
``directed_lengths=True`` their change of length is counted too (for a ``d`` that is not symmetric,
such as lengths plus a penalty on the arcs above a target).
"""

import math
import time
from collections.abc import Sequence

import numpy as np

Matrix = Sequence[Sequence[float]]


def nearest_neighbours(d: Matrix, k: int) -> list[list[int]]:
    """The ``k`` nearest other nodes of every node by ``d`` (finite arcs only), nearest first."""
    matrix = np.array(d, dtype=float)
    n = len(matrix)
    np.fill_diagonal(matrix, np.inf)
    k = max(0, min(k, n - 1))
    nearest = np.argsort(matrix, axis=1, kind="stable")[:, :k]
    return [[int(j) for j in nearest[i] if np.isfinite(matrix[i, j])] for i in range(n)]


def polish(
    tour: list[int],
    d: Matrix,
    c: Matrix,
    *,
    cap: float,
    symmetric: bool,
    neighbours: Sequence[Sequence[int]],
    deadline: float,
    eps: float,
    directed_lengths: bool = False,
) -> list[int]:
    """Improve ``tour`` (a cycle over all nodes) by first-improvement 2-opt and Or-opt moves.

    Stops at a local optimum or at ``deadline`` (a ``time.perf_counter()`` value). Returns a new list;
    every arc of the result has ``c <= cap`` if every arc of ``tour`` had.
    """
    n = len(tour)
    t = list(tour)
    if n < 5:
        return t
    pos = [0] * n
    rev: list[float] = []
    lengths = directed_lengths and not symmetric
    fwd_d: list[float] = []
    rev_d: list[float] = []

    def refresh() -> None:
        for k, v in enumerate(t):
            pos[v] = k
        if not symmetric:
            rev[:] = [c[t[(k + 1) % n]][t[k]] for k in range(n)]
        if lengths:
            fwd_d[:] = [d[t[k]][t[(k + 1) % n]] for k in range(n)]
            # A forbidden reversed arc never passes the cap check, so its length does not matter.
            rev_d[:] = [x if x != math.inf else 0.0 for x in (d[t[(k + 1) % n]][t[k]] for k in range(n))]

    def internal(first: int, last: int) -> float:
        """Change of length when the arcs at positions first .. last-1 (cyclic) are reversed."""
        if not lengths or first == last:
            return 0.0
        if first < last:
            return sum(rev_d[first:last]) - sum(fwd_d[first:last])
        return sum(rev_d[first:]) + sum(rev_d[:last]) - sum(fwd_d[first:]) - sum(fwd_d[:last])

    def rev_max(first: int, last: int) -> float:
        """Max of c over the reversed arcs at positions first .. last-1 (cyclic, as in a 2-opt segment)."""
        if symmetric or first == last:
            return float("-inf")
        if first < last:
            return max(rev[first:last])
        return max(max(rev[first:], default=float("-inf")), max(rev[:last], default=float("-inf")))

    def two_opt(i: int, j: int) -> bool:
        """Arcs t[i]→t[i+1] and t[j]→t[j+1] become t[i]→t[j] and t[i+1]→t[j+1]; t[i+1..j] is reversed."""
        length = (j - i) % n  # nodes in the reversed segment
        if length < 2 or length > n - 2:
            return False
        a, b, e, f = t[i], t[(i + 1) % n], t[j], t[(j + 1) % n]
        delta = d[a][e] + d[b][f] - d[a][b] - d[e][f]
        if c[a][e] > cap or c[b][f] > cap or not (lengths or delta < -eps):
            return False
        if rev_max((i + 1) % n, j) > cap:
            return False
        if lengths:
            delta += internal((i + 1) % n, j)
        if not delta < -eps:  # written so that a NaN never passes
            return False
        if symmetric and length > n // 2:
            first, length = (j + 1) % n, n - length  # same cycle reversed: the shorter stretch
        else:
            first = (i + 1) % n
        idx = [(first + m) % n for m in range(length)]
        values = [t[x] for x in idx]
        values.reverse()
        for x, v in zip(idx, values, strict=True):
            t[x] = v
        refresh()
        return True

    def or_opt(s: int, length: int, x: int, reverse: bool) -> bool:
        """Move the segment t[s..s+length-1] between node x and its successor (reversed if asked)."""
        p, q = t[(s - 1) % n], t[(s + length) % n]
        s1, sl = t[s], t[(s + length - 1) % n]
        segment = {t[(s + m) % n] for m in range(length)}
        if x in segment or x == p:
            return False
        y = t[(pos[x] + 1) % n]
        if y in segment:
            return False
        head, tail = (sl, s1) if reverse else (s1, sl)
        delta = d[p][q] - d[p][s1] - d[sl][q] + d[x][head] + d[tail][y] - d[x][y]
        if c[p][q] > cap or c[x][head] > cap or c[tail][y] > cap:
            return False
        if not (lengths and reverse) and not delta < -eps:
            return False
        if reverse and length > 1:
            if rev_max(s, (s + length - 1) % n) > cap:
                return False
            delta += internal(s, (s + length - 1) % n)
        if not delta < -eps:
            return False
        seg = [t[(s + m) % n] for m in range(length)]
        rest = [t[(s + length + m) % n] for m in range(n - length)]
        if reverse:
            seg.reverse()
        at = rest.index(x) + 1
        t[:] = rest[:at] + seg + rest[at:]
        refresh()
        return True

    refresh()
    improved = True
    while improved:
        improved = False
        for a in list(t):
            if time.perf_counter() > deadline:
                return t
            # 2-opt: a new arc a → e (a's successor changes), or b → f (b's predecessor changes).
            for e in neighbours[a]:
                if two_opt(pos[a], pos[e]):
                    improved = True
                    break
                if two_opt((pos[e] - 1) % n, (pos[a] - 1) % n):  # new arcs pred(e) → pred(a), e → a
                    improved = True
                    break
            # Or-opt: move the 1-3 nodes starting at a next to one of their neighbours.
            for length in (1, 2, 3):
                if length > n - 3:
                    break
                s = pos[a]
                s1, sl = t[s], t[(s + length - 1) % n]
                done = False
                for u in (*neighbours[s1], *neighbours[sl]):
                    for x in (u, t[(pos[u] - 1) % n]):
                        if or_opt(s, length, x, False) or or_opt(s, length, x, True):
                            done = True
                            break
                    if done:
                        break
                if done:
                    improved = True
                    break
    return t

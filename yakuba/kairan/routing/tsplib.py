"""Reading TSPLIB95 instances (symmetric ``EUC_2D`` only) and measuring tours the TSPLIB way.

TSPLIB (G. Reinelt, 1991) is the standard library of travelling-salesman instances with proven optima;
the optimiser is checked against it. Only what the checks need is supported: ``TYPE: TSP``,
``EDGE_WEIGHT_TYPE: EUC_2D`` and a ``NODE_COORD_SECTION``. Anything else is refused with a
:class:`TsplibError` rather than read wrongly.
"""

import math
from collections.abc import Sequence
from pathlib import Path

from .errors import TsplibError

#: One node of an instance: (node id as in the file, x, y).
Node = tuple[int, float, float]


def euc2d(a: tuple[float, float], b: tuple[float, float]) -> int:
    """TSPLIB ``EUC_2D`` distance: the Euclidean distance rounded to the nearest integer.

    ``int(sqrt(dx² + dy²) + 0.5)``, exactly as TSPLIB95 defines it; the published optima hold for this
    rounded metric only.
    """
    return int(math.sqrt((a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2) + 0.5)


def _read_lines(path: str | Path) -> list[str]:
    try:
        return Path(path).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError as exc:
        raise TsplibError(f"TSPLIB ファイル {path} を読めません: {exc.strerror or exc}") from exc


def _header(line: str) -> tuple[str, str] | None:
    """``KEY: value`` / ``KEY : value`` → (KEY upper-cased, value); None for a line of another kind."""
    if ":" not in line:
        return None
    key, value = line.split(":", 1)
    return key.strip().upper(), value.strip()


def read_tsplib(path: str | Path) -> tuple[str, list[Node]]:
    """Read a symmetric ``EUC_2D`` TSPLIB instance: returns (NAME, [(node id, x, y), ...]) in file order.

    Raises :class:`TsplibError` (a :class:`RouteInputError`, message in Japanese naming the line) for any
    other ``TYPE`` or ``EDGE_WEIGHT_TYPE``, a missing ``NODE_COORD_SECTION``, a malformed coordinate line,
    a repeated node id or a count different from ``DIMENSION``.
    """
    lines = _read_lines(path)
    name = Path(path).stem
    dimension: int | None = None
    coords: list[Node] = []
    seen: set[int] = set()
    in_section = False
    found_section = False
    edge_type: str | None = None
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line:
            continue
        if line == "EOF":
            break
        if in_section:
            parts = line.split()
            if len(parts) != 3:
                if _header(line) is not None or parts[0].endswith("_SECTION"):
                    in_section = False  # another section or header follows the coordinates
                else:
                    raise TsplibError(f"{number} 行目: 座標の行は「番号 x y」の 3 項目です: {line!r}")
            if in_section:
                try:
                    node_id, x, y = int(parts[0]), float(parts[1]), float(parts[2])
                except ValueError:
                    raise TsplibError(f"{number} 行目: 座標の行が読めません: {line!r}") from None
                if not (math.isfinite(x) and math.isfinite(y)):
                    raise TsplibError(f"{number} 行目: 座標が有限の数ではありません: {line!r}")
                if node_id in seen:
                    raise TsplibError(f"{number} 行目: 番号 {node_id} の点が重複しています。")
                seen.add(node_id)
                coords.append((node_id, x, y))
                continue
        upper = line.upper()
        if upper.startswith("NODE_COORD_SECTION"):
            in_section = True
            found_section = True
            continue
        if upper.endswith("_SECTION"):
            raise TsplibError(
                f"{number} 行目: {line} には対応していません（NODE_COORD_SECTION の EUC_2D のみ読めます）。"
            )
        header = _header(line)
        if header is None:
            raise TsplibError(f"{number} 行目: TSPLIB の見出しとして読めません: {line!r}")
        key, value = header
        if key == "NAME":
            name = value or name
        elif key == "TYPE":
            if value.upper() != "TSP":
                raise TsplibError(
                    f"{number} 行目: TYPE {value} には対応していません（対称な巡回セールスマン問題 TSP のみ）。"
                )
        elif key == "DIMENSION":
            try:
                dimension = int(value)
            except ValueError:
                raise TsplibError(f"{number} 行目: DIMENSION が整数ではありません: {value!r}") from None
        elif key == "EDGE_WEIGHT_TYPE":
            edge_type = value.upper()
            if edge_type != "EUC_2D":
                raise TsplibError(
                    f"{number} 行目: EDGE_WEIGHT_TYPE {value} には対応していません（EUC_2D のみ）。"
                )
    if edge_type is None:
        raise TsplibError(f"{path}: EDGE_WEIGHT_TYPE がありません（EUC_2D のみ読めます）。")
    if not found_section:
        raise TsplibError(f"{path}: NODE_COORD_SECTION がありません。")
    if not coords:
        raise TsplibError(f"{path}: 点が 1 つもありません。")
    if dimension is not None and dimension != len(coords):
        raise TsplibError(f"{path}: DIMENSION は {dimension} ですが、座標は {len(coords)} 点です。")
    return name, coords


def read_tsplib_tour(path: str | Path) -> list[int]:
    """Read a TSPLIB ``.tour`` file (e.g. ``*.opt.tour``): the node ids of its ``TOUR_SECTION``, in order."""
    tour: list[int] = []
    in_section = False
    for number, raw in enumerate(_read_lines(path), start=1):
        line = raw.strip()
        if not line:
            continue
        if line.upper().startswith("TOUR_SECTION"):
            in_section = True
            continue
        if not in_section:
            continue
        if line == "EOF":
            break
        for part in line.split():
            try:
                node_id = int(part)
            except ValueError:
                raise TsplibError(f"{number} 行目: 巡回路の番号が整数ではありません: {part!r}") from None
            if node_id == -1:
                return tour
            tour.append(node_id)
    if not tour:
        raise TsplibError(f"{path}: TOUR_SECTION に番号がありません。")
    return tour


def tsplib_distance_matrix(coords: Sequence[Node]) -> list[list[int]]:
    """Symmetric integer matrix of ``EUC_2D`` distances between the nodes, in the order of ``coords``."""
    n = len(coords)
    matrix = [[0] * n for _ in range(n)]
    for i in range(n):
        a = (coords[i][1], coords[i][2])
        for j in range(i + 1, n):
            matrix[i][j] = matrix[j][i] = euc2d(a, (coords[j][1], coords[j][2]))
    return matrix


def tour_length_tsplib(coords: Sequence[Node], tour: Sequence[int]) -> int:
    """Length of the closed tour in ``EUC_2D`` distances.

    ``tour`` lists positions in ``coords`` (0-based, as :func:`~yakuba.kairan.routing.shortest_tour`
    returns them); convert a file's node ids with :func:`ids_to_indices`. It must visit every node once.
    """
    n = len(coords)
    if sorted(tour) != list(range(n)):
        raise ValueError(f"the tour must visit each of the {n} nodes exactly once")
    total = 0
    for k in range(n):
        a, b = coords[tour[k]], coords[tour[(k + 1) % n]]
        total += euc2d((a[1], a[2]), (b[1], b[2]))
    return total


def ids_to_indices(coords: Sequence[Node], ids: Sequence[int]) -> list[int]:
    """Map node ids (as in the file, e.g. from :func:`read_tsplib_tour`) to positions in ``coords``."""
    index = {node_id: k for k, (node_id, _, _) in enumerate(coords)}
    try:
        return [index[node_id] for node_id in ids]
    except KeyError as exc:
        raise TsplibError(f"巡回路の番号 {exc.args[0]} はこのインスタンスにありません。") from None

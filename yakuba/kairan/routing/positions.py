"""Reading house positions from a CSV file (one household a row, with a header line).

Accepted columns, by header name (case and surrounding spaces ignored, other columns ignored):

* a position: ``x_m`` and ``y_m`` (local metres, as in the address data), or else ``lon`` and ``lat``
  (degrees, WGS84/JGD2011; projected around the rows' centroid, see :func:`points_from_lonlat`);
  ``x``/``y``, ``longitude``/``latitude`` are accepted as synonyms;
* optionally a label: the first of ``id``, ``name``, ``label``, ``household``, ``世帯``, ``氏名``, ``名前``
  (otherwise the label is the row number, 1 = first data row);
* optionally ``weight``: the giver's mobility weight (1 = normal, e.g. 1.5 or 2 for an elderly household
  or one needing help); an empty cell means 1.

A row with both position cells empty is a household without a known position (``None``; route it with
:func:`route_with_missing`). Any other bad row raises :class:`RouteInputError` naming its line.
The file may be UTF-8 (with or without BOM) or Shift_JIS (cp932), as Excel writes it.
"""

import csv
import io
import math
from dataclasses import dataclass
from pathlib import Path

from .errors import RouteInputError
from .geometry import Point, points_from_lonlat

_XY = (("x_m", "y_m"), ("x", "y"))
_LONLAT = (("lon", "lat"), ("longitude", "latitude"), ("lng", "lat"))
_LABELS = ("id", "name", "label", "household", "世帯", "氏名", "名前")


@dataclass(frozen=True)
class Positions:
    """Households read from a CSV file, in file order."""

    points: list[Point | None]
    """Position in local metres, or None where the row has no position."""
    labels: list[str]
    """The row's id/name column, or its data-row number (1-based) when there is none."""
    weights: list[float] | None
    """Mobility weight of each household, or None when the file has no ``weight`` column."""
    lines: list[int]
    """The file line each household was read from (1 = header line)."""

    def __len__(self) -> int:
        return len(self.points)

    @property
    def missing(self) -> list[int]:
        """Indices of the households without a position."""
        return [i for i, p in enumerate(self.points) if p is None]


def _decode(data: bytes, path: str | Path) -> str:
    for encoding in ("utf-8-sig", "cp932"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise RouteInputError(f"{path}: 文字コードが UTF-8 でも Shift_JIS でもありません。")


def _number(cell: str, column: str, line: int) -> float:
    try:
        value = float(cell)
    except ValueError:
        raise RouteInputError(f"{line} 行目: {column} の値「{cell}」が数値ではありません。") from None
    if not math.isfinite(value):
        raise RouteInputError(f"{line} 行目: {column} の値「{cell}」が有限の数ではありません。")
    return value


def read_positions_csv(path: str | Path) -> Positions:
    """Read households and their positions from a CSV file (see the module documentation for columns)."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise RouteInputError(f"{path} を読めません: {exc.strerror or exc}") from exc
    reader = csv.reader(io.StringIO(_decode(data, path), newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise RouteInputError(f"{path}: 空のファイルです（見出し行が必要です）。") from None
    except csv.Error as exc:
        raise RouteInputError(f"1 行目: CSV として読めません: {exc}") from None
    names = [h.strip().lower() for h in header]
    column = {name: k for k, name in reversed(list(enumerate(names)))}  # first occurrence wins

    pair: tuple[str, str] | None = None
    lonlat = False
    for candidates, is_lonlat in ((_XY, False), (_LONLAT, True)):
        for a, b in candidates:
            if a in column and b in column:
                pair, lonlat = (a, b), is_lonlat
                break
        if pair:
            break
    if pair is None:
        raise RouteInputError(
            f"1 行目: 位置の列がありません。見出しに x_m と y_m（メートル）、または lon と lat（経度・緯度）が必要です"
            f"（見出し: {', '.join(h.strip() for h in header)}）。"
        )
    label_column = next((column[name] for name in _LABELS if name in column), None)
    weight_column = column.get("weight")

    raw: list[tuple[float, float] | None] = []
    labels: list[str] = []
    weights: list[float] = []
    lines: list[int] = []
    a_col, b_col = column[pair[0]], column[pair[1]]
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise RouteInputError(f"{reader.line_num} 行目: CSV として読めません: {exc}") from None
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue  # blank line
        if len(row) < len(header):
            row = row + [""] * (len(header) - len(row))
        a, b = row[a_col].strip(), row[b_col].strip()
        if not a and not b:
            raw.append(None)
        elif not a or not b:
            empty = pair[0] if not a else pair[1]
            raise RouteInputError(f"{line} 行目: {empty} が空です（位置が不明なら両方を空にしてください）。")
        else:
            u, v = _number(a, pair[0], line), _number(b, pair[1], line)
            if lonlat and not (-180 <= u <= 180 and -90 <= v <= 90):
                raise RouteInputError(f"{line} 行目: 経度 {a}・緯度 {b} が範囲外です。")
            raw.append((u, v))
        label = row[label_column].strip() if label_column is not None else ""
        labels.append(label or str(len(labels) + 1))
        if weight_column is not None:
            cell = row[weight_column].strip()
            weight = _number(cell, "weight", line) if cell else 1.0
            if weight <= 0:
                raise RouteInputError(f"{line} 行目: weight は正の数にしてください（値「{cell}」）。")
            weights.append(weight)
        lines.append(line)
    if not raw:
        raise RouteInputError(f"{path}: 世帯の行が 1 つもありません。")

    points: list[Point | None]
    if lonlat:
        present = [p for p in raw if p is not None]
        projected = iter(points_from_lonlat(present))
        points = [next(projected) if p is not None else None for p in raw]
    else:
        points = [Point(*p) if p is not None else None for p in raw]
    return Positions(
        points=points,
        labels=labels,
        weights=weights if weight_column is not None else None,
        lines=lines,
    )

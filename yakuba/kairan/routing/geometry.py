"""Positions in local metres and straight-line distances between them.

Distances are straight lines: no road network, no detour factor (a real walk is typically 1.2-1.4 times
longer, which does not change which order is best when applied uniformly).
"""

import math
from collections.abc import Sequence
from typing import NamedTuple

#: Mean Earth radius (IUGG), metres: the one used for the ``x_m, y_m`` columns of the address data.
EARTH_RADIUS_M = 6_371_008.8


class Point(NamedTuple):
    """A position in metres on a local plane: ``x`` towards the east, ``y`` towards the north."""

    x: float
    y: float


def from_lonlat(lon: float, lat: float, *, origin: tuple[float, float]) -> Point:
    """Project a longitude/latitude (degrees) onto local metres around ``origin`` = (lon0, lat0).

    Equirectangular projection: x = R·cos(lat0)·(lon − lon0), y = R·(lat − lat0), angles in radians,
    R = 6,371,008.8 m. Over the extent of one 班 or 町丁目 (well under 10 km) the error against the geodesic
    distance is far below a metre, far less than the error of an address point against a door. Use
    :func:`points_from_lonlat` to project a set of points around their own centroid.
    """
    lon0, lat0 = origin
    x = EARTH_RADIUS_M * math.cos(math.radians(lat0)) * math.radians(lon - lon0)
    y = EARTH_RADIUS_M * math.radians(lat - lat0)
    return Point(x, y)


def lonlat_centroid(lonlats: Sequence[tuple[float, float]]) -> tuple[float, float]:
    """Arithmetic mean (lon, lat) of the points; fine for the small extents routed here."""
    if not lonlats:
        raise ValueError("no points to take the centroid of")
    return (
        math.fsum(lon for lon, _ in lonlats) / len(lonlats),
        math.fsum(lat for _, lat in lonlats) / len(lonlats),
    )


def points_from_lonlat(lonlats: Sequence[tuple[float, float]]) -> list[Point]:
    """Project (lon, lat) pairs onto local metres around their centroid (see :func:`from_lonlat`)."""
    if not lonlats:
        return []
    origin = lonlat_centroid(lonlats)
    return [from_lonlat(lon, lat, origin=origin) for lon, lat in lonlats]


def distance(a: Point, b: Point) -> float:
    """Straight-line distance in metres."""
    return math.hypot(a.x - b.x, a.y - b.y)


def distance_matrix(points: Sequence[Point]) -> list[list[float]]:
    """Symmetric matrix of straight-line distances (metres) with a zero diagonal."""
    n = len(points)
    matrix = [[0.0] * n for _ in range(n)]
    for i in range(n):
        pi = points[i]
        row = matrix[i]
        for j in range(i + 1, n):
            pj = points[j]
            row[j] = matrix[j][i] = math.hypot(pi.x - pj.x, pi.y - pj.y)
    return matrix

"""Circulation order of a 回覧板 (paper circular board) through the households of a 班.

Pure Python (no Django), usable from views, commands and scripts alike:

* geometry: :class:`Point` (metres), :func:`from_lonlat` / :func:`points_from_lonlat`,
  :func:`distance_matrix` (straight lines);
* input: :func:`read_positions_csv` (``x_m,y_m`` or ``lon,lat`` columns), TSPLIB helpers
  (:func:`read_tsplib`, :func:`euc2d`, :func:`tour_length_tsplib`), :class:`RouteInputError`;
* solvers: :func:`shortest_tour` (classic TSP, fast-tsp), :func:`minmax_route` (longest weighted
  hand-over first, then total walk; exact with CP-SAT for a 班), :func:`route_with_missing`,
  :func:`route_stats`.

See ``docs/kairan-routing.md``.
"""

from .errors import RouteInputError, TsplibError
from .geometry import (
    EARTH_RADIUS_M,
    Point,
    distance,
    distance_matrix,
    from_lonlat,
    lonlat_centroid,
    points_from_lonlat,
)
from .minmax import EXACT_MAX_N, RouteResult, minmax_route, route_stats, route_with_missing
from .positions import Positions, read_positions_csv
from .tsp import shortest_tour
from .tsplib import (
    euc2d,
    ids_to_indices,
    read_tsplib,
    read_tsplib_tour,
    tour_length_tsplib,
    tsplib_distance_matrix,
)

__all__ = [
    "EARTH_RADIUS_M",
    "EXACT_MAX_N",
    "Point",
    "Positions",
    "RouteInputError",
    "RouteResult",
    "TsplibError",
    "distance",
    "distance_matrix",
    "euc2d",
    "from_lonlat",
    "ids_to_indices",
    "lonlat_centroid",
    "minmax_route",
    "points_from_lonlat",
    "read_positions_csv",
    "read_tsplib",
    "read_tsplib_tour",
    "route_stats",
    "route_with_missing",
    "shortest_tour",
    "tour_length_tsplib",
    "tsplib_distance_matrix",
]

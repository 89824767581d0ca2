"""The 回覧板 route optimiser (``yakuba.kairan.routing``): pure Python, no database."""

import itertools
import math
import random
from pathlib import Path

import pytest

from yakuba.kairan.routing import (
    EARTH_RADIUS_M,
    Point,
    RouteInputError,
    TsplibError,
    distance_matrix,
    euc2d,
    from_lonlat,
    ids_to_indices,
    minmax_route,
    points_from_lonlat,
    read_positions_csv,
    read_tsplib,
    read_tsplib_tour,
    route_stats,
    route_with_missing,
    shortest_tour,
    tour_length_tsplib,
    tsplib_distance_matrix,
)

SHARED = Path("/work/shared/data")
TSPLIB = SHARED / "tsplib"
ADDRESSES = SHARED / "addresses"
needs_tsplib = pytest.mark.skipif(
    not TSPLIB.is_dir(), reason=f"TSPLIB instances not found at {TSPLIB} (the shared data is not mounted)"
)


def brute_force(dist, start, closed, weights):
    """The true lexicographic optimum (min longest weighted leg, then min total) by trying every order."""
    others = [i for i in range(len(dist)) if i != start]
    best = None
    for rest in itertools.permutations(others):
        order = [start, *rest]
        total, _, weighted = route_stats(dist, order, closed=closed, weights=weights)
        if best is None or (weighted, total) < best:
            best = (weighted, total)
    assert best is not None
    return best


def assert_route(result, n, start):
    assert result.order[0] == start
    assert sorted(result.order) == list(range(n))


# --- TSPLIB ------------------------------------------------------------------------------------------


TINY_TSP = """NAME : tiny5
COMMENT : a test instance
TYPE : TSP
DIMENSION : 5
EDGE_WEIGHT_TYPE : EUC_2D
NODE_COORD_SECTION
1 0 0
2 3 4
3 0.0 10.0
4 -3 4
5 1.5 0
EOF
"""


def test_euc2d_rounds_to_nearest_integer():
    assert euc2d((0, 0), (3, 4)) == 5
    assert euc2d((0, 0), (1, 1)) == 1  # 1.414 -> 1
    assert euc2d((0, 0), (1.5, 0)) == 2  # 1.5 -> 2: halves round up
    assert euc2d((0, 0), (2.5, 0)) == 3
    assert euc2d((0, 0), (1.2, 1.2)) == 2  # 1.697 -> 2
    assert euc2d((5, 5), (5, 5)) == 0


def test_read_tsplib(tmp_path):
    path = tmp_path / "tiny5.tsp"
    path.write_text(TINY_TSP)
    name, coords = read_tsplib(path)
    assert name == "tiny5"
    assert coords == [(1, 0.0, 0.0), (2, 3.0, 4.0), (3, 0.0, 10.0), (4, -3.0, 4.0), (5, 1.5, 0.0)]
    matrix = tsplib_distance_matrix(coords)
    assert matrix[0][1] == 5 and matrix[1][2] == 7 and matrix[0][4] == 2 and matrix[0][2] == 10  # 6.7 -> 7
    # 1→5: 1.5 -> 2; 5→2: 4.27 -> 4; 2→3: 6.71 -> 7; 3→4: 6.71 -> 7; 4→1: 5
    assert tour_length_tsplib(coords, [0, 4, 1, 2, 3]) == 25
    assert tour_length_tsplib(coords, ids_to_indices(coords, [1, 5, 2, 3, 4])) == 25
    with pytest.raises(ValueError, match="exactly once"):
        tour_length_tsplib(coords, [0, 1, 2, 3])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("EUC_2D", "GEO"), "EDGE_WEIGHT_TYPE GEO には対応していません"),
        (("TYPE : TSP", "TYPE : ATSP"), "TYPE ATSP には対応していません"),
        (("DIMENSION : 5", "DIMENSION : 6"), "DIMENSION は 6 ですが、座標は 5 点です"),
        (("3 0.0 10.0", "3 0.0 ten"), "9 行目: 座標の行が読めません"),
        (("4 -3 4", "2 -3 4"), "10 行目: 番号 2 の点が重複しています"),
        (("NODE_COORD_SECTION", "EDGE_WEIGHT_SECTION"), "EDGE_WEIGHT_SECTION には対応していません"),
    ],
)
def test_read_tsplib_refuses_what_it_cannot_read(tmp_path, change, message):
    path = tmp_path / "bad.tsp"
    path.write_text(TINY_TSP.replace(*change))
    with pytest.raises(TsplibError, match=message):
        read_tsplib(path)


def test_tsplib_error_is_a_route_input_error():
    assert issubclass(TsplibError, RouteInputError) and issubclass(RouteInputError, ValueError)


@needs_tsplib
@pytest.mark.parametrize(("name", "optimum"), [("berlin52", 7542), ("eil51", 426)])
def test_shortest_tour_reaches_the_tsplib_optimum(name, optimum):
    _, coords = read_tsplib(TSPLIB / f"{name}.tsp")
    reference = ids_to_indices(coords, read_tsplib_tour(TSPLIB / f"{name}.opt.tour"))
    assert tour_length_tsplib(coords, reference) == optimum
    tour = shortest_tour(tsplib_distance_matrix(coords), seconds=0.3)
    assert tour[0] == 0 and sorted(tour) == list(range(len(coords)))
    assert tour_length_tsplib(coords, tour) == optimum


def test_shortest_tour_small_cases_and_brute_force():
    assert shortest_tour([[0]], seconds=0.1) == [0]
    assert shortest_tour([[0, 3], [3, 0]], seconds=0.1) == [0, 1]
    rng = random.Random(3)
    points = [(rng.randint(0, 100), rng.randint(0, 100)) for _ in range(8)]
    dist = [[euc2d(a, b) for b in points] for a in points]
    best = min(
        sum(dist[t[k]][t[(k + 1) % 8]] for k in range(8))
        for t in ([0, *p] for p in itertools.permutations(range(1, 8)))
    )
    tour = shortest_tour(dist, seconds=0.1)
    assert sum(dist[tour[k]][tour[(k + 1) % 8]] for k in range(8)) == best


def test_shortest_tour_needs_integers_and_scales_large_ones():
    with pytest.raises(ValueError, match="integer"):
        shortest_tour([[0.0, 1.5], [1.5, 0.0]], seconds=0.1)
    big = [[0, 100_000, 200_000, 100_000], [100_000, 0, 100_000, 200_000]]
    big += [[200_000, 100_000, 0, 100_000], [100_000, 200_000, 100_000, 0]]
    tour = shortest_tour(big, seconds=0.1)
    assert sum(big[tour[k]][tour[(k + 1) % 4]] for k in range(4)) == 400_000


# --- geometry and CSV --------------------------------------------------------------------------------


def test_from_lonlat_is_local_metres():
    origin = (135.0, 34.0)
    assert from_lonlat(135.0, 34.0, origin=origin) == Point(0.0, 0.0)
    north = from_lonlat(135.0, 35.0, origin=origin)
    assert north.x == 0 and north.y == pytest.approx(EARTH_RADIUS_M * math.pi / 180)  # ~111.2 km
    east = from_lonlat(135.001, 34.0, origin=origin)
    assert east.x == pytest.approx(111_195 * 0.001 * math.cos(math.radians(34)), rel=1e-4)
    points = points_from_lonlat([(135.0, 34.0), (135.002, 34.002)])
    assert points[0] == pytest.approx(Point(-points[1].x, -points[1].y))  # centred on the centroid


@pytest.mark.skipif(not ADDRESSES.is_dir(), reason=f"address data not found at {ADDRESSES}")
def test_lonlat_and_metre_columns_agree_on_real_addresses():
    metres = read_positions_csv(ADDRESSES / "wakayama_302015_blk_0001000_6_n20.csv")
    rows = (ADDRESSES / "wakayama_302015_blk_0001000_6_n20.csv").read_text(encoding="utf-8").splitlines()
    header = rows[0].split(",")
    lon, lat = header.index("lon"), header.index("lat")
    lonlats = [(float(r.split(",")[lon]), float(r.split(",")[lat])) for r in rows[1:]]
    projected = distance_matrix(points_from_lonlat(lonlats))
    given = distance_matrix([p for p in metres.points if p is not None])
    assert (
        max(abs(a - b) for ra, rb in zip(projected, given, strict=True) for a, b in zip(ra, rb, strict=True))
        < 0.05
    )


def test_read_positions_csv(tmp_path):
    path = tmp_path / "han.csv"
    path.write_text(
        "id,x_m,y_m,weight,memo\nA,0,0,,x\nB,3,4,2,\nC,,,1.5,no position\n\nD,6,8,,\n", encoding="utf-8"
    )
    positions = read_positions_csv(path)
    assert positions.labels == ["A", "B", "C", "D"]
    assert positions.points == [Point(0, 0), Point(3, 4), None, Point(6, 8)]
    assert positions.weights == [1.0, 2.0, 1.5, 1.0]
    assert positions.lines == [2, 3, 4, 6]
    assert positions.missing == [2]


def test_read_positions_csv_lonlat_shift_jis_without_labels(tmp_path):
    path = tmp_path / "han.csv"
    path.write_bytes("氏名不明,lat,lon\nあ,34.0,135.0\nい,34.001,135.0\n".encode("cp932"))
    positions = read_positions_csv(path)
    assert positions.labels == ["1", "2"]  # no id/name column: the data-row number
    assert positions.weights is None
    assert positions.points[0] is not None and positions.points[1] is not None
    assert positions.points[1].y - positions.points[0].y == pytest.approx(111.195, rel=1e-4)
    bom = tmp_path / "bom.csv"
    bom.write_bytes("\ufeff名前,x_m,y_m\n班長,1,2\n".encode())
    assert read_positions_csv(bom).labels == ["班長"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("x_m,y_m\n1,2\n3,abc\n", "3 行目: y_m の値「abc」が数値ではありません"),
        ("x_m,y_m\n1,2\n\n5,\n", "4 行目: y_m が空です"),
        ("x_m,y_m\n1,nan\n", "2 行目: y_m の値「nan」が有限の数ではありません"),
        ("lon,lat\n135,34\n200,34\n", "3 行目: 経度 200・緯度 34 が範囲外です"),
        ("x_m,y_m,weight\n1,2,0\n", "2 行目: weight は正の数にしてください"),
        ("name,east,north\na,1,2\n", "1 行目: 位置の列がありません"),
        ("x_m,y_m\n", "世帯の行が 1 つもありません"),
        ("", "空のファイルです"),
    ],
)
def test_read_positions_csv_errors_name_the_line(tmp_path, text, message):
    path = tmp_path / "bad.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RouteInputError, match=message):
        read_positions_csv(path)


# --- min-max routing ---------------------------------------------------------------------------------


@pytest.mark.parametrize("closed", [True, False])
@pytest.mark.parametrize("seed", range(12))
def test_minmax_route_matches_brute_force(closed, seed):
    rng = random.Random(seed * 2 + closed)
    n = 5 + seed % 4  # 5..8 households
    if seed % 3 == 0:  # two clusters: a long leg is unavoidable
        points = [Point(rng.uniform(0, 15) + 200 * (i % 2), rng.uniform(0, 15)) for i in range(n)]
    else:
        points = [Point(rng.uniform(0, 100), rng.uniform(0, 100)) for _ in range(n)]
    dist = distance_matrix(points)
    weights = [rng.choice([1.0, 1.0, 1.0, 1.5, 2.0]) for _ in range(n)] if seed % 2 else None
    start = rng.randrange(n)
    result = minmax_route(dist, start=start, closed=closed, weights=weights)
    assert_route(result, n, start)
    best_weighted, best_total = brute_force(dist, start, closed, weights)
    assert result.proven_optimal and result.method == "cp-sat"
    assert result.longest_weighted == best_weighted  # exactly: the same float products
    assert result.total == pytest.approx(best_total, rel=1e-9)
    assert (result.total, result.longest, result.longest_weighted) == route_stats(
        dist, result.order, closed=closed, weights=weights
    )


def test_elderly_weight_changes_the_order():
    # On a street: 班長 S at 0 m, A at 10 m, E at 14 m, B at 30 m; the route is open (B or E keeps it).
    s, a, e, b = Point(0, 0), Point(10, 0), Point(14, 0), Point(30, 0)
    dist = distance_matrix([s, a, e, b])
    plain = minmax_route(dist, start=0, closed=False)
    assert plain.order == [0, 1, 2, 3]  # S→A→E→B: legs 10, 4, 16
    assert plain.longest == 16
    # E is elderly (weight 2): its 16 m walk to B counts 32 m. Now S→E→A→B: E walks only 4 m (8 weighted).
    elderly = minmax_route(dist, start=0, closed=False, weights=[1, 1, 2, 1])
    assert elderly.order == [0, 2, 1, 3]
    assert elderly.longest_weighted == 20 and elderly.longest == 20 and elderly.total == 38
    assert elderly.proven_optimal


def test_elderly_giver_hands_over_on_its_short_side_in_a_closed_route():
    # A 10 x 12 m rectangle: S (0,0), E (0,10), A (12,10), B (12,0). Both directions are equally long,
    # but E must pass the board over 10 m (to S), not 12 m (to A).
    points = [Point(0, 0), Point(0, 10), Point(12, 10), Point(12, 0)]
    result = minmax_route(distance_matrix(points), start=0, closed=True, weights=[1, 2, 1, 1])
    assert result.order == [0, 3, 2, 1]
    assert result.longest_weighted == 20 and result.total == 44


def test_one_and_two_households():
    one = minmax_route([[0.0]], start=0, closed=True)
    assert (one.order, one.total, one.longest, one.longest_weighted) == ([0], 0.0, 0.0, 0.0)
    assert one.proven_optimal
    dist = [[0.0, 7.0], [7.0, 0.0]]
    closed = minmax_route(dist, start=1, closed=True, weights=[1, 2])
    assert (
        closed.order == [1, 0]
        and closed.total == 14
        and closed.longest == 7
        and closed.longest_weighted == 14
    )
    opened = minmax_route(dist, start=1, closed=False, weights=[1, 2])
    assert opened.order == [1, 0] and opened.total == 7 and opened.longest_weighted == 14


def test_coincident_positions():
    same = [Point(5, 5)] * 6
    result = minmax_route(distance_matrix(same), start=2, closed=True)
    assert_route(result, 6, 2)
    assert result.total == 0 and result.longest == 0 and result.proven_optimal
    # An apartment block (three households at one point) among houses.
    points = [Point(0, 0), Point(10, 0), Point(10, 0), Point(10, 0), Point(20, 5), Point(0, 8)]
    dist = distance_matrix(points)
    for closed in (True, False):
        result = minmax_route(dist, start=0, closed=closed)
        assert_route(result, 6, 0)
        weighted, total = brute_force(dist, 0, closed, None)
        assert result.longest_weighted == weighted and result.total == pytest.approx(total, rel=1e-9)


def test_route_with_missing_positions():
    points = [Point(0, 0), None, Point(10, 0), Point(10, 10), None, Point(0, 10)]
    result = route_with_missing(points, start=0, closed=True, weights=[1, 1, 1, 1, 1, 2])
    assert result.missing == [1, 4]
    assert result.order[:4][0] == 0 and sorted(result.order[:4]) == [0, 2, 3, 5]
    assert result.order[4:] == [1, 4]  # appended in their given order
    assert result.total == 40 and result.longest == 10 and result.longest_weighted == 20
    with pytest.raises(RouteInputError, match="班長（1 番）の位置が不明"):
        route_with_missing(points, start=1, closed=True)
    alone = route_with_missing([None, Point(1, 1), None], start=1, closed=False)
    assert alone.order == [1, 0, 2] and alone.missing == [0, 2] and alone.total == 0


def test_route_stats():
    dist = distance_matrix([Point(0, 0), Point(3, 4), Point(3, 0)])
    assert route_stats(dist, [0, 1, 2], closed=True) == (12.0, 5.0, 5.0)
    assert route_stats(dist, [0, 1, 2], closed=False) == (9.0, 5.0, 5.0)
    assert route_stats(dist, [0, 1, 2], closed=True, weights=[1, 1, 3]) == (12.0, 5.0, 9.0)
    assert route_stats([[0.0]], [0], closed=True) == (0.0, 0.0, 0.0)
    with pytest.raises(ValueError, match="exactly once"):
        route_stats(dist, [0, 1, 1], closed=True)


def test_heuristic_for_a_large_group_returns_a_valid_route():
    rng = random.Random(60)
    points = [Point(rng.uniform(0, 300), rng.uniform(0, 300)) for _ in range(60)]
    dist = distance_matrix(points)
    weights = [rng.choice([1.0, 1.0, 1.0, 2.0]) for _ in range(60)]
    for closed in (True, False):
        result = minmax_route(dist, start=7, closed=closed, weights=weights, seconds=0.4, exact_max_n=40)
        assert_route(result, 60, 7)
        assert result.method == "heuristic" and not result.proven_optimal
        assert (result.total, result.longest, result.longest_weighted) == route_stats(
            dist, result.order, closed=closed, weights=weights
        )
        address = route_stats(dist, list(range(7, 60)) + list(range(7)), closed=closed, weights=weights)
        assert result.longest_weighted < address[2] and result.total < address[0]


def test_a_tiny_time_limit_still_gives_a_valid_route():
    rng = random.Random(1)
    points = [Point(rng.uniform(0, 100), rng.uniform(0, 100)) for _ in range(30)]
    result = minmax_route(distance_matrix(points), start=3, closed=False, seconds=1e-4)
    assert_route(result, 30, 3)


def test_bad_arguments():
    dist = distance_matrix([Point(0, 0), Point(1, 0), Point(2, 0)])
    with pytest.raises(ValueError, match="start 3"):
        minmax_route(dist, start=3, closed=True)
    with pytest.raises(ValueError, match="weights"):
        minmax_route(dist, start=0, closed=True, weights=[1, 0, 1])
    with pytest.raises(ValueError, match="2 weights given for 3"):
        minmax_route(dist, start=0, closed=True, weights=[1, 1])
    with pytest.raises(ValueError, match="symmetric"):
        minmax_route([[0, 1, 2], [1, 0, 1], [3, 1, 0]], start=0, closed=True)

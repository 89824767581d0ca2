"""``yakuba kairan solve-tsplib`` and ``yakuba kairan route``."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from yakuba.kairan.management.commands.kairan import SUBCOMMANDS

TSP = """NAME: square6
TYPE: TSP
DIMENSION: 6
EDGE_WEIGHT_TYPE: EUC_2D
NODE_COORD_SECTION
10 0 0
20 10 10
30 10 0
40 0 10
50 5 -3
60 5 13
EOF
"""


def run(*args):
    out = io.StringIO()
    call_command("kairan", *args, stdout=out)
    return out.getvalue()


def test_subcommands_are_registered():
    assert {"solve-tsplib", "route"} <= SUBCOMMANDS.keys()


def test_solve_tsplib_json(tmp_path):
    path = tmp_path / "square6.tsp"
    path.write_text(TSP)
    payload = json.loads(run("solve-tsplib", str(path), "--seconds", "0.1", "--json"))
    assert set(payload) == {"name", "n", "length", "seconds", "tour"}
    assert payload["name"] == "square6" and payload["n"] == 6
    assert sorted(payload["tour"]) == [10, 20, 30, 40, 50, 60]  # the file's node ids
    assert payload["tour"][0] == 10
    # 10 -> 50 -> 30 -> 20 -> 60 -> 40 -> 10: 6 + 6 + 10 + 6 + 6 + 10
    assert payload["length"] == 44
    assert payload["seconds"] >= 0


def test_solve_tsplib_text_and_errors(tmp_path):
    path = tmp_path / "square6.tsp"
    path.write_text(TSP)
    text = run("solve-tsplib", str(path), "--seconds", "0.1")
    assert "square6" in text and "44" in text and "巡回順" in text
    path.write_text(TSP.replace("EUC_2D", "ATT"))
    with pytest.raises(CommandError, match="EDGE_WEIGHT_TYPE ATT には対応していません"):
        run("solve-tsplib", str(path))
    with pytest.raises(CommandError, match="--seconds"):
        run("solve-tsplib", str(path), "--seconds", "-1")


CSV = """id,x_m,y_m,weight
班長,0,0,
A,30,0,
B,10,0,
C,20,0,3
D,,,
"""


def test_route_json(tmp_path):
    path = tmp_path / "han.csv"
    path.write_text(CSV, encoding="utf-8")
    payload = json.loads(run("route", "--csv", str(path), "--open", "--json"))
    assert set(payload) == {"n", "closed", "start", "labels", "weights", "file_order", "optimised", "missing"}
    assert payload["n"] == 5 and payload["closed"] is False and payload["start"] == 0
    assert payload["labels"] == ["班長", "A", "B", "C", "D"]
    assert set(payload["file_order"]) == {"order", "total_m", "longest_m", "longest_weighted_m"}
    assert set(payload["optimised"]) == {
        "order",
        "total_m",
        "longest_m",
        "longest_weighted_m",
        "proven_optimal",
        "method",
        "seconds",
    }
    assert payload["file_order"]["order"] == [0, 1, 2, 3, 4]
    assert payload["file_order"]["total_m"] == 60  # 0 -> 30 -> 10 -> 20
    # Without weights 班長 -> B -> C -> A (10 m legs). C (weight 3) walking 10 m to A counts 30 m, more than
    # B walking 20 m to A: 班長 -> B -> A -> C, and C keeps the board.
    assert payload["optimised"]["order"] == [0, 2, 1, 3, 4]
    assert payload["optimised"]["longest_weighted_m"] == 20
    assert payload["optimised"]["proven_optimal"] is True
    assert payload["missing"] == [4]


def test_route_text_closed_and_errors(tmp_path):
    path = tmp_path / "han.csv"
    path.write_text(CSV, encoding="utf-8")
    text = run("route", "--csv", str(path), "--closed", "--start", "2")
    assert "ファイルの順" in text and "最適化した順" in text and "最適性を証明済み" in text
    assert "位置が不明のため末尾に回した世帯: D" in text
    with pytest.raises(CommandError, match="--start は 0 から 4 の範囲"):
        run("route", "--csv", str(path), "--start", "5")
    with pytest.raises(CommandError, match="班長（4 番）の位置が不明"):
        run("route", "--csv", str(path), "--start", "4")
    bad = tmp_path / "bad.csv"
    bad.write_text("x_m,y_m\n1,2\n3,x\n", encoding="utf-8")
    with pytest.raises(CommandError, match="3 行目"):
        run("route", "--csv", str(bad))

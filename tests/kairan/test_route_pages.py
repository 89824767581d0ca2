"""The paper route of a 班: Suzuki, 班長 of 桜町自治会's 1班, compares today's order of the paper board
with the optimised one, adopts it, and prints the route sheet that travels with the board.

People, and why each can or cannot act:
- Suzuki (班長 of 1班) sees and changes 1班's route only.
- Yamada (会長) sees every 班's route.
- Kato (班長 of 2班) and Takahashi (a plain member of 1班) find no 1班 route: 404.
"""

import io
import itertools
import re
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from tests.kairan.helpers import make_association, signed_in
from yakuba.core.era import wareki
from yakuba.kairan import households as service
from yakuba.kairan.models import Circular, Han, Household, Member
from yakuba.kairan.routing import Point, distance_matrix, route_stats

SVG = "{http://www.w3.org/2000/svg}"

# A street of 1班 (metres east; all on paper). Today's paper order zig-zags along it; 鈴木 is the 班長.
STREET = [
    # name, x, paper_order, mobility
    ("鈴木", 0, 1, "normal"),
    ("佐藤", 10, 3, "elderly"),
    ("高橋", 25, 5, "help"),
    ("田中", 45, 2, "normal"),
    ("伊藤", 70, 4, "normal"),
    ("渡辺", 100, 6, "normal"),
]
WEIGHTS = {"normal": 1.0, "elderly": 1.5, "help": 2.0}


@pytest.fixture
def sakura(db):
    association = make_association("桜町自治会", households=0, han=2)
    first = Han.objects.get(association=association, name="1班")
    first.closed_route = False
    first.save()
    for name, x, order, mobility in STREET:
        Household.objects.create(
            association=association,
            han=first,
            name=name,
            address=f"桜町{x}",
            x_m=x,
            y_m=0,
            paper_order=order,
            mobility=mobility,
        )
    # A household of 1班 that reads on its phone: not on the paper route.
    Household.objects.create(association=association, han=first, name="小林", x_m=5, y_m=5, paper=False)
    return association


def house(name: str) -> Household:
    return Household.objects.get(association__name="桜町自治会", name=name)


@pytest.fixture
def first_han(sakura):
    return Han.objects.get(association=sakura, name="1班")


@pytest.fixture
def hancho(sakura):
    return signed_in(house("鈴木"), role=Member.Role.HANCHO, name="鈴木 次郎")


def figures(names: list[str], *, closed: bool) -> tuple[float, float, float]:
    """(total, longest, longest weighted) of the households in this order, by routing.route_stats."""
    return _figures([house(n) for n in names], closed=closed)


def _figures(households: list[Household], *, closed: bool) -> tuple[float, float, float]:
    dist = distance_matrix([Point(h.x_m or 0.0, h.y_m or 0.0) for h in households])
    weights = [WEIGHTS[h.mobility] for h in households]
    return route_stats(dist, list(range(len(households))), closed=closed, weights=weights)


def best_by_brute_force(names: list[str], *, closed: bool) -> tuple[float, float]:
    """The optimum (longest weighted leg, then total) over every order that starts at names[0]."""
    first, *others = [house(n) for n in names]
    best = []
    for rest in itertools.permutations(others):
        total, _longest, weighted = _figures([first, *rest], closed=closed)
        best.append((weighted, total))
    return min(best)


def cell(content: str, ident: str) -> str:
    match = re.search(rf'id="{ident}">([^<]*)<', content)
    assert match, ident
    return match.group(1)


def svg_of(content: str) -> ET.Element:
    match = re.search(r"<svg.*?</svg>", content, re.S)
    assert match
    return ET.fromstring(match.group(0))  # noqa: S314 - the page under test, not outside input


def test_the_hancho_compares_todays_order_with_the_optimised_one(first_han, hancho) -> None:
    _suzuki, client = hancho
    response = client.get(reverse("kairan:route", args=[first_han.pk]))

    assert response.status_code == 200
    content = response.content.decode()
    today = ["鈴木", "田中", "佐藤", "伊藤", "高橋", "渡辺"]
    plan = response.context["plan"]
    assert [h.name for h in plan.current] == today
    # Today: 45 + 35 + 60 + 45 + 75 m; the longest weighted leg is 高橋's (needs help, ×2) 75 m.
    assert figures(today, closed=False) == (260.0, 75.0, 150.0)
    assert (cell(content, "current-total"), cell(content, "current-longest")) == ("260 m", "75 m")
    assert cell(content, "current-weighted") == "150 m"

    optimised = [h.name for h in plan.optimised]
    assert optimised[0] == "鈴木" and sorted(optimised) == sorted(today)
    total, longest, weighted = figures(optimised, closed=False)
    assert (weighted, total) == pytest.approx(best_by_brute_force(today, closed=False))
    assert (plan.optimised_figures.total, plan.optimised_figures.longest) == (total, longest)
    assert cell(content, "optimised-total") == f"{total:,.0f} m"
    assert cell(content, "optimised-weighted") == f"{weighted:,.0f} m"
    assert plan.proven_optimal
    assert "この順が最適であることを確かめました。" in content
    assert "小林" not in [h.name for h in plan.optimised]  # reads on the phone


def test_the_map_is_an_accessible_svg_without_styles(first_han, hancho) -> None:
    _suzuki, client = hancho
    content = client.get(reverse("kairan:route", args=[first_han.pk])).content.decode()
    svg = svg_of(content)
    assert svg.get("role") == "img"
    assert svg.get("aria-labelledby") == "route-map-title route-map-desc"
    assert svg.findtext(f"{SVG}title") == "1班の最適化した回覧順の地図"
    assert "6世帯を番号の順に回ります" in svg.findtext(f"{SVG}desc", "")
    assert all("style" not in element.attrib for element in svg.iter())
    assert len(svg.findall(f"{SVG}circle")) == 6
    labels = [t.text for t in svg.findall(f"{SVG}text")]
    assert labels[:6] == ["1", "2", "3", "4", "5", "6"]
    assert "20 m" in labels  # the scale bar: the largest 1-2-5 length within a quarter of 100 m
    assert "<script" not in content and "style=" not in content


def test_adopting_saves_the_paper_order(first_han, hancho) -> None:
    _suzuki, client = hancho
    plan = client.get(reverse("kairan:route", args=[first_han.pk])).context["plan"]
    order = ",".join(str(h.pk) for h in plan.optimised)

    response = client.post(reverse("kairan:route_adopt", args=[first_han.pk]), {"order": order})

    assert response.status_code == 302
    saved = sorted(Household.objects.filter(han=first_han, paper=True), key=lambda h: h.paper_order or 0)
    assert [h.pk for h in saved] == [h.pk for h in plan.optimised]
    assert [h.paper_order for h in saved] == [1, 2, 3, 4, 5, 6]
    again = client.get(reverse("kairan:route", args=[first_han.pk]))
    assert "いまの回覧順は、この最適化した順と同じです。" in again.content.decode()


def test_adopting_a_stale_order_changes_nothing(first_han, hancho) -> None:
    _suzuki, client = hancho
    plan = client.get(reverse("kairan:route", args=[first_han.pk])).context["plan"]
    Household.objects.create(association=first_han.association, han=first_han, name="新顔", x_m=50, y_m=10)
    before = list(Household.objects.order_by("pk").values_list("paper_order", flat=True))

    response = client.post(
        reverse("kairan:route_adopt", args=[first_han.pk]),
        {"order": ",".join(str(h.pk) for h in plan.optimised)},
        follow=True,
    )

    assert "班の世帯が変わりました。" in response.content.decode()
    assert list(Household.objects.order_by("pk").values_list("paper_order", flat=True)) == before


def test_a_closed_route_returns_to_the_hancho(first_han, hancho) -> None:
    _suzuki, client = hancho
    client.post(reverse("kairan:route_closed", args=[first_han.pk]), {"closed": "1"})
    first_han.refresh_from_db()
    assert first_han.closed_route
    response = client.get(reverse("kairan:route", args=[first_han.pk]))
    plan = response.context["plan"]
    names = [h.name for h in plan.current]
    assert figures(names, closed=True) == (360.0, 100.0, 150.0)  # 260 m and the 100 m back to 鈴木
    total, _longest, weighted = figures([h.name for h in plan.optimised], closed=True)
    assert (weighted, total) == pytest.approx(best_by_brute_force(names, closed=True))
    assert svg_of(response.content.decode()).findall(f"{SVG}polyline")[0].get("stroke-dasharray") == "6 5"


def test_a_han_of_one_household_does_not_crash(sakura) -> None:
    second = Han.objects.get(association=sakura, name="2班")
    kato_home = Household.objects.create(
        association=sakura, han=second, name="加藤", paper=False, x_m=3, y_m=4
    )
    _kato, client = signed_in(kato_home, role=Member.Role.HANCHO, name="加藤 六郎")

    response = client.get(reverse("kairan:route", args=[second.pk]))

    assert response.status_code == 200
    plan = response.context["plan"]
    assert [h.name for h in plan.optimised] == ["加藤"]  # the 班長's own household, though digital
    assert (plan.optimised_figures.total, plan.optimised_figures.longest) == (0.0, 0.0)
    assert len(svg_of(response.content.decode()).findall(f"{SVG}circle")) == 1


def test_a_han_without_paper_households_says_so(sakura) -> None:
    second = Han.objects.get(association=sakura, name="2班")
    _yamada, client = signed_in(house("鈴木"), role=Member.Role.CHAIR)
    response = client.get(reverse("kairan:route", args=[second.pk]))
    assert response.status_code == 200
    assert "紙の回覧板で受け取る世帯がありません。" in response.content.decode()


def test_households_at_the_same_place_share_a_point(first_han, hancho) -> None:
    _suzuki, client = hancho
    Household.objects.filter(name="佐藤").update(x_m=25)  # now next door to 高橋, same position
    response = client.get(reverse("kairan:route", args=[first_han.pk]))
    assert response.status_code == 200
    svg = svg_of(response.content.decode())
    assert len(svg.findall(f"{SVG}circle")) == 5
    assert any("・" in (t.text or "") for t in svg.findall(f"{SVG}text"))


def test_households_without_a_position_come_last(first_han, hancho) -> None:
    _suzuki, client = hancho
    Household.objects.filter(name__in=["佐藤", "伊藤"]).update(x_m=None, y_m=None)

    response = client.get(reverse("kairan:route", args=[first_han.pk]))

    assert response.status_code == 200
    plan = response.context["plan"]
    assert [h.name for h in plan.missing] == ["佐藤", "伊藤"]  # today's order among themselves
    assert {h.name for h in plan.optimised[-2:]} == {"佐藤", "伊藤"}
    placed = [h.name for h in plan.current if h.x_m is not None]
    assert placed == ["鈴木", "田中", "高橋", "渡辺"]
    assert plan.current_figures.total == figures(placed, closed=False)[0] == 45 + 20 + 75
    content = response.content.decode()
    assert "位置がわからない世帯" in content
    assert len(svg_of(content).findall(f"{SVG}circle")) == 4


def test_a_hancho_without_a_position_still_starts_the_route(first_han, hancho) -> None:
    _suzuki, client = hancho
    Household.objects.filter(name="鈴木").update(x_m=None, y_m=None)
    response = client.get(reverse("kairan:route", args=[first_han.pk]))
    assert response.status_code == 200
    assert response.context["plan"].optimised[0].name == "鈴木"


def test_no_positions_at_all_shows_no_map(first_han, hancho) -> None:
    _suzuki, client = hancho
    Household.objects.update(x_m=None, y_m=None)
    response = client.get(reverse("kairan:route", args=[first_han.pk]))
    assert response.status_code == 200
    assert "<svg" not in response.content.decode()
    assert response.context["plan"].optimised[0].name == "鈴木"


# --- the route sheet ---------------------------------------------------------------------------------


def sheet_text(data: bytes) -> str:
    return "".join("".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages)


def test_the_route_sheet_lists_the_saved_order_and_the_circular(sakura, first_han, hancho) -> None:
    _suzuki, client = hancho
    circular = Circular.objects.create(
        association=sakura,
        title="夏祭りのお知らせ",
        body="<p>8月3日に公園で夏祭りを行います。</p><ul><li>受付 17時</li><li>雨天中止</li></ul>",
        due_on=timezone.localdate(),
        sent_at=timezone.now(),
    )

    response = client.get(reverse("kairan:route_pdf", args=[first_han.pk]), {"circular": circular.pk})

    assert response["Content-Type"] == "application/pdf"
    text = sheet_text(response.content)
    positions = [text.index(name) for name in ["鈴木", "田中", "佐藤", "伊藤", "高橋", "渡辺"]]
    assert positions == sorted(positions)  # today's saved order
    assert "小林" not in text
    assert "受け取った日" in text and "1班" in text
    assert "夏祭りのお知らせ" in text and "8月3日に公園で夏祭りを行います。" in text
    assert "・受付17時" in text and "・雨天中止" in text
    assert "".join(wareki(timezone.localdate()).split()) in text


def test_the_route_sheet_without_a_circular(first_han, hancho) -> None:
    _suzuki, client = hancho
    response = client.get(reverse("kairan:route_pdf", args=[first_han.pk]))
    assert response.status_code == 200
    assert "渡辺" in sheet_text(response.content)


def test_the_route_sheet_refuses_a_circular_of_another_association(first_han, hancho) -> None:
    _suzuki, client = hancho
    ume = make_association("梅町自治会", households=0, han=0)
    theirs = Circular.objects.create(association=ume, title="梅町の回覧", sent_at=timezone.now())
    url = reverse("kairan:route_pdf", args=[first_han.pk])
    assert client.get(url, {"circular": theirs.pk}).status_code == 404
    assert client.get(url, {"circular": "abc"}).status_code == 404


def test_a_long_route_sheet_continues_on_more_pages(sakura, first_han, hancho) -> None:
    _suzuki, client = hancho
    Household.objects.bulk_create(
        Household(association=sakura, han=first_han, name=f"長屋{i:02d}", paper_order=10 + i)
        for i in range(30)
    )
    response = client.get(reverse("kairan:route_pdf", args=[first_han.pk]))
    pages = ["".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(response.content)).pages]
    # 36 rows of 11 mm: 19 under the title and the instructions, the rest on a second page.
    assert len(pages) == 2
    assert "長屋12" in pages[0] and "長屋13" not in pages[0]
    assert "受け取った日" in pages[1] and "長屋13" in pages[1] and "長屋29" in pages[1]


# --- who may see the route -----------------------------------------------------------------------------


def test_the_chair_sees_every_route(sakura, first_han) -> None:
    _yamada, client = signed_in(house("渡辺"), role=Member.Role.CHAIR)
    second = Han.objects.get(association=sakura, name="2班")
    assert client.get(reverse("kairan:route", args=[first_han.pk])).status_code == 200
    assert client.get(reverse("kairan:route", args=[second.pk])).status_code == 200


def test_a_plain_member_finds_no_route(first_han) -> None:
    _takahashi, client = signed_in(house("高橋"))
    for name in ("kairan:route", "kairan:route_pdf"):
        assert client.get(reverse(name, args=[first_han.pk])).status_code == 404
    assert (
        client.post(reverse("kairan:route_closed", args=[first_han.pk]), {"closed": "1"}).status_code == 404
    )


def test_the_hancho_of_another_han_finds_no_route(sakura, first_han) -> None:
    second = Han.objects.get(association=sakura, name="2班")
    kato_home = Household.objects.create(association=sakura, han=second, name="加藤")
    _kato, client = signed_in(kato_home, role=Member.Role.HANCHO)
    assert client.get(reverse("kairan:route", args=[first_han.pk])).status_code == 404
    assert client.get(reverse("kairan:route_pdf", args=[first_han.pk])).status_code == 404
    order = ",".join(str(h.pk) for h in service.route_households(first_han, service.han_leader(first_han)))
    assert (
        client.post(reverse("kairan:route_adopt", args=[first_han.pk]), {"order": order}).status_code == 404
    )
    assert client.get(reverse("kairan:route", args=[second.pk])).status_code == 200

"""The demo city's neighbourhood association 一ノ森本町自治会: three 班 of scattered houses along two
roads (positions generated here, in metres), about a quarter of the households digital, some elderly;
and an event. `yakuba demo` prints the invitation codes of the chair and the 班長, so that a newcomer
can join as them at /kairan/join/."""

import datetime as dt
import math
import random
from typing import Any

from django.utils import timezone

from yakuba.kairan import members
from yakuba.kairan.models import Association, Event, Han, Household, Member

SURNAMES = (
    "佐藤 さとう", "鈴木 すずき", "高橋 たかはし", "田中 たなか", "伊藤 いとう", "渡辺 わたなべ", "山本 やまもと",
    "中村 なかむら", "小林 こばやし", "加藤 かとう", "吉田 よしだ", "山田 やまだ", "佐々木 ささき", "山口 やまぐち",
    "松本 まつもと", "井上 いのうえ", "木村 きむら", "林 はやし", "斎藤 さいとう", "清水 しみず", "千葉 ちば",
    "菅原 すがわら", "及川 おいかわ", "小野寺 おのでら", "阿部 あべ", "熊谷 くまがい", "岩渕 いわぶち",
)  # fmt: skip


def _houses(
    rng: random.Random, n: int, origin: tuple[float, float], step: float
) -> list[tuple[float, float]]:
    """Houses along a winding road, 20-90 m apart, set back from it on either side."""
    x, y = origin
    heading = rng.uniform(0, 6.28)
    points = []
    for _ in range(n):
        heading += rng.uniform(-0.5, 0.5)
        gap = rng.uniform(20, step)
        x += gap * math.cos(heading)
        y += gap * math.sin(heading)
        side = rng.choice((-1, 1)) * rng.uniform(8, 30)
        points.append((round(x + side * -math.sin(heading), 1), round(y + side * math.cos(heading), 1)))
    return points


def demo_load(*, stdout: Any, seed: int = 1, **_kwargs: Any) -> None:
    if Association.objects.filter(name="一ノ森本町自治会").exists():
        return
    rng = random.Random(f"kairan-{seed}")
    association = Association.objects.create(
        name="一ノ森本町自治会", name_kana="いちのもりほんちょうじちかい", area="一ノ森市本町一丁目・二丁目"
    )
    codes = []
    for order, (name, size, origin) in enumerate(
        (("1班", 14, (0.0, 0.0)), ("2班", 18, (400.0, 150.0)), ("3班", 12, (-300.0, 500.0)))
    ):
        han = Han.objects.create(association=association, name=name, order=order)
        for i, (x, y) in enumerate(_houses(rng, size, origin, 90.0)):
            surname, kana = rng.choice(SURNAMES).split()
            household = Household.objects.create(
                association=association,
                han=han,
                name=f"{surname}",
                name_kana=kana,
                address=f"一ノ森市本町{order + 1}丁目{i + 1}番地",
                x_m=x,
                y_m=y,
                paper=rng.random() > 0.25,
                mobility=rng.choices(
                    [Household.Mobility.NORMAL, Household.Mobility.ELDERLY, Household.Mobility.HELP],
                    [7, 2, 1],
                )[0],
                paper_order=i + 1,
            )
            if order == 0 and i == 0:
                household.paper = False
                household.save(update_fields=["paper"])
                code, _token = members.invitation_issue(
                    actor="demo", household=household, role=Member.Role.CHAIR
                )
                codes.append(("会長", household.name, code))
            elif i == 0:
                code, _token = members.invitation_issue(
                    actor="demo", household=household, role=Member.Role.HANCHO
                )
                codes.append((f"{han.name}の班長", household.name, code))
    Event.objects.create(
        association=association,
        title="春の一斉清掃",
        starts_at=timezone.localtime().replace(hour=8, minute=0, second=0, microsecond=0)
        + dt.timedelta(days=10),
        ends_at=timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0)
        + dt.timedelta(days=10),
        place="本町公民館前",
        description="軍手と袋は自治会で用意します。",
    )
    stdout.write("  kairan: 一ノ森本町自治会, 3 班, 44 households; join at /kairan/join/ with\n")
    for role, household_name, code in codes:
        stdout.write(f"    {role}（{household_name}さん宅）: {members.display_code(code)}\n")

"""Build register data the way the city does: a clerk enters a 異動, an approver approves it."""

import itertools
from typing import Any

from yakuba.core.checkdigit import juminhyo_code_check_digit, mynumber_check_digit
from yakuba.core.era import PartialDate, parse_partial_date
from yakuba.residents import services
from yakuba.residents.models import Household, Resident

_serial = itertools.count(10_000_001)


def mynumber(n: int | None = None) -> str:
    body = str(n if n is not None else next(_serial)).zfill(11)
    return f"{body}{mynumber_check_digit(body)}"


def juminhyo_code(n: int | None = None) -> str:
    body = str(n if n is not None else next(_serial)).zfill(10)
    return f"{body}{juminhyo_code_check_digit(body)}"


def person(name: str, kana: str, birth: str, sex: str, relationship: str, **extra: Any) -> dict[str, Any]:
    data = {
        "name": name,
        "name_kana": kana,
        "birth_date": birth,
        "sex": sex,
        "relationship": relationship,
        "kind": "japanese",
        "honseki": "岩手県一ノ森市本町一丁目1番地",
        "hittousha": name,
        "juminhyo_code": juminhyo_code(),
        "mynumber": mynumber(),
        "kana_confirmed": True,
    }
    data.update(extra)
    return data


def yamada_family() -> list[dict[str, Any]]:
    return [
        person("山田 太郎", "ヤマダ タロウ", "1975-04-01", "1", "世帯主"),
        person("山田 花子", "ヤマダ ハナコ", "昭和53年7月7日", "2", "妻"),
        person("山田 一郎", "ヤマダ イチロウ", "2008-10-10", "1", "子"),
    ]


def register_household(
    clerk: Any,
    approver: Any,
    members: list[dict[str, Any]] | None = None,
    *,
    address: str = "一ノ森市本町二丁目3番4号",
    katagaki: str = "",
    idou_date: str = "2024-04-01",
) -> Household:
    idou = services.idou_enter_move_in(
        actor=clerk,
        idou_date=parse_partial_date(idou_date),
        notified_on=None,
        members=members or yamada_family(),
        previous_address="東京都千代田区千代田1番1号",
        address=address,
        katagaki=katagaki,
    )
    services.idou_approve(actor=approver, idou_id=idou.pk)
    idou.refresh_from_db()
    first = Resident.objects.get(atena_no=idou.result["atena_nos"][0])
    return first.household


def by_name(name: str) -> Resident:
    return Resident.objects.get(name=name)


def pd(text: str) -> PartialDate:
    return parse_partial_date(text)

"""The demo city's fee table, registers, exemptions and day-care facilities."""

import datetime as dt
from typing import Any

from django.utils import timezone

from yakuba.payments import adapters
from yakuba.payments.models import CampaignPrice, Drawer, Exemption, Facility, FeeItem

FEES = [
    # code, name, window, kiosk
    ("cert.juminhyo", "住民票の写し", 300, 200),
    ("cert.kisai_jiko", "住民票記載事項証明書", 300, 200),
    ("cert.inkan", "印鑑登録証明書", 300, 200),
    ("seal.card_reissue", "印鑑登録証の再交付", 300, None),
    ("tax.certificate", "課税（所得）証明書", 300, 200),
    ("koseki.tohon", "戸籍全部事項証明書（戸籍謄本）", 450, 400),
    ("koseki.joseki", "除籍全部事項証明書", 750, 700),
    ("map.copy", "地図・図面の写し（1枚）", 10, None),
]
EXEMPTIONS = [
    ("official", "公用請求"),
    ("welfare", "生活保護の受給手続"),
    ("pension", "年金の受給手続"),
]


def demo_load(*, stdout: Any, **_kwargs: Any) -> None:
    for order, (code, name, window, kiosk) in enumerate(FEES):
        FeeItem.objects.update_or_create(
            code=code, defaults={"name": name, "window_price": window, "kiosk_price": kiosk, "order": order}
        )
    for code, name in EXEMPTIONS:
        Exemption.objects.update_or_create(code=code, defaults={"name": name})
    today = timezone.localdate()
    if not CampaignPrice.objects.exists():
        CampaignPrice.objects.create(
            item=FeeItem.objects.get(code="cert.juminhyo"),
            channel="kiosk",
            price=100,
            starts_on=today + dt.timedelta(days=30),
            ends_on=today + dt.timedelta(days=60),
            label="コンビニ交付100円キャンペーン",
        )
    machine = adapters.SimulatedChangeMachine()
    # The morning's change fund: 30,000 yen in the machine.
    fund = {5000: 2, 1000: 10, 500: 10, 100: 40, 50: 10, 10: 40, 5: 10, 1: 50}
    for code, name in (("R01", "市民課 レジ1"), ("R02", "市民課 レジ2")):
        drawer, created = Drawer.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "change_fund": sum(d * n for d, n in fund.items()),
                "fund_pieces": {str(d): n for d, n in fund.items()},
            },
        )
        if created:
            machine.load(drawer=drawer, coins=fund)
    for code, name in (
        ("H01", "一ノ森中央保育園"),
        ("H02", "一ノ森さくら保育園"),
        ("H03", "東一ノ森こども園"),
    ):
        Facility.objects.update_or_create(code=code, defaults={"name": name})
    stdout.write("  payments: fee table, 2 registers, 3 day-care facilities\n")

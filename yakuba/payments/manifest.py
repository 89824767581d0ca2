"""KPIs and public facts of payments (the fee table is public)."""

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from yakuba.core.registry import Kpi, PublicFact


def kpis() -> list[Kpi]:
    from yakuba.payments.models import Payment

    today = Payment.objects.filter(business_date=timezone.localdate(), state=Payment.State.CAPTURED)
    count = today.count()
    cashless = today.exclude(method=Payment.Method.CASH).count()
    return [
        Kpi("payments.today_count", _("本日の窓口収納"), count, pgettext_lazy("unit", "件")),
        Kpi(
            "payments.today_yen",
            _("本日の窓口収納額"),
            int(today.aggregate(s=Sum("amount"))["s"] or 0),
            pgettext_lazy("unit", "円"),
        ),
        Kpi(
            "payments.cashless_share",
            _("本日のキャッシュレス比率"),
            round(100 * cashless / count, 1) if count else 0,
            "%",
        ),
    ]


def public_facts() -> list[PublicFact]:
    from yakuba.payments.models import FeeItem

    facts = [
        PublicFact(
            f"payments.fee.{item.code}", _("%(name)sの手数料") % {"name": item.name}, f"{item.window_price}円"
        )
        for item in FeeItem.objects.filter(active=True)
    ]
    facts.append(
        PublicFact(
            "payments.methods",
            _("窓口で使える支払方法"),
            str(
                _(
                    "現金、クレジットカード、電子マネー、QRコード決済（現金とキャッシュレスの併用はできません）"
                )
            ),
        )
    )
    return facts

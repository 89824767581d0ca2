"""KPI figures the tax module offers the registry."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from yakuba.core.registry import Kpi
from yakuba.tax import selectors


def kpis() -> list[Kpi]:
    year = selectors.latest_year()
    return [
        Kpi(
            "tax.assessed",
            _("課税データのある人（最新の課税年度）"),
            selectors.assessed_count(year) if year is not None else 0,
            pgettext_lazy("unit", "人"),
        )
    ]

"""KPI figures the residents module offers the registry."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from yakuba.core.registry import Kpi
from yakuba.residents.models import Household, Idou, Resident, Status


def kpis() -> list[Kpi]:
    return [
        Kpi(
            "residents.population",
            _("住民数"),
            Resident.objects.filter(status=Status.RESIDENT).count(),
            pgettext_lazy("unit", "人"),
        ),
        Kpi(
            "residents.households",
            _("世帯数"),
            Household.objects.filter(active=True).count(),
            pgettext_lazy("unit", "世帯"),
        ),
        Kpi(
            "residents.pending",
            _("決裁待ちの異動"),
            Idou.objects.filter(state=Idou.State.PENDING).count(),
            pgettext_lazy("unit", "件"),
        ),
    ]

"""KPI figures the residents module offers the registry."""

from django.utils.translation import gettext_lazy as _

from yakuba.core.registry import Kpi
from yakuba.residents.models import Household, Idou, Resident, Status


def kpis() -> list[Kpi]:
    return [
        Kpi(
            "residents.population",
            _("住民数"),
            Resident.objects.filter(status=Status.RESIDENT).count(),
            _("人"),
        ),
        Kpi("residents.households", _("世帯数"), Household.objects.filter(active=True).count(), _("世帯")),
        Kpi(
            "residents.pending",
            _("決裁待ちの異動"),
            Idou.objects.filter(state=Idou.State.PENDING).count(),
            _("件"),
        ),
    ]

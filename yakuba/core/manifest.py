"""The core's own entry in the registry: public facts about the municipality (safe for anyone,
including the website assistant): name, contact, window hours and the next closed days."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yakuba.core.era import wareki
from yakuba.core.registry import PublicFact


def public_facts() -> list[PublicFact]:
    from yakuba.core.models import ClosedDay, Municipality

    city = Municipality.current()
    facts = [
        PublicFact("core.name", _("団体名"), city.name),
        PublicFact("core.phone", _("代表電話"), city.phone),
        PublicFact("core.address", _("庁舎の住所"), city.address),
        PublicFact("core.window_hours", _("窓口の受付時間"), city.window_hours),
    ]
    upcoming = ClosedDay.objects.filter(date__gte=timezone.localdate(), service="").order_by("date")[:10]
    if upcoming:
        days = "、".join(f"{wareki(d.date)}（{d.reason}）" if d.reason else wareki(d.date) for d in upcoming)
        facts.append(PublicFact("core.closed_days", _("閉庁日"), days))
    return facts

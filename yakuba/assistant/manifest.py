"""The assistant's KPI statistics for the dashboard (read through the registry)."""

from datetime import timedelta

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yakuba.core.registry import Kpi


def kpis() -> list[Kpi]:
    from yakuba.assistant.models import Exchange

    since = timezone.now() - timedelta(days=30)
    row = Exchange.objects.filter(created_at__gte=since).aggregate(
        total=Count("pk"),
        abstained=Count("pk", filter=Q(status=Exchange.Status.ABSTAINED)),
        good=Count("pk", filter=Q(rating=1)),
        rated=Count("pk", filter=~Q(rating=0)),
    )
    total = row["total"] or 0
    answered = round(100 * (total - row["abstained"]) / total, 1) if total else 0.0
    good = round(100 * row["good"] / row["rated"], 1) if row["rated"] else 0.0
    return [
        Kpi("assistant.questions_30d", _("AIアシスタントへの質問（30日）"), total, _("件")),
        Kpi("assistant.answered_rate_30d", _("AIアシスタントが回答できた割合（30日）"), answered, "%"),
        Kpi("assistant.good_rating_30d", _("AIアシスタントの回答が役に立った割合（30日）"), good, "%"),
    ]

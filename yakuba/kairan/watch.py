"""安否確認 (watching over households): paper circulation tells a 班長 when a board stops moving at a
house; digital reading should keep that. A 班長 (or an officer) opts in per 班 with a number of days;
when a household that usually reads has read nothing for that long, the 班長 is told — and only about
their own 班.

Precisely, for a watch on 班 H with ``days`` = D, checked at ``now`` (``since`` = now − D days), a
household is *overdue* when all of these hold:

1. it belongs to H, is active (在籍) and digital (``paper`` is False);
2. it *usually reads*: of the last 5 circulars addressed to it that were sent at or before ``since``
   (more than D days ago), it has read at least 2. "Addressed to it": sent circulars of the association
   that go to the whole association (no 班) or to H, sent at or after the household was registered.
   A household with fewer than 2 such circulars is not yet judged;
3. it has read nothing for D days: its latest read (any circular, on the phone or ticked from paper)
   is at or before ``since``;
4. there was something to read: at least one circular addressed to it was sent after ``since``.

``check_watches(now)`` queues at most ONE notification (kind ``watch``) per watch, household and local
day (``Watch.last_alerted``) to the watching member, as long as the household stays overdue; it skips
watches whose member is no longer allowed to watch that 班 (left, or no longer its 班長), and a member
who receives no notifications sees the list on the 見守り page only. Alerts are never held for the
daily digest.
"""

import datetime as dt

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max, Q
from django.http import Http404
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from yakuba.core.audit import audit_record
from yakuba.core.era import wareki
from yakuba.kairan.models import Circular, Han, Household, Member, Notification, ReadReceipt, Watch

MIN_DAYS = 1
MAX_DAYS = 60
USUAL_WINDOW = 5  # the last N circulars looked at
USUAL_READS = 2  # read at least this many of them


class WatchError(ValueError):
    """A refusal with a Japanese message for the page."""


def may_watch(member: Member, han: Han) -> bool:
    """The 班長 of that 班, or an officer of its association."""
    if not member.active or member.association_id != han.association_id:
        return False
    if member.is_officer:
        return True
    return member.role == Member.Role.HANCHO and member.household.han_id == han.pk


def watch_set(*, member: Member, han: Han, days: int, active: bool) -> Watch:
    """Opt in (or out) of watching ``han``. Anyone but its 班長 or an officer: Http404 (rule 5)."""
    if not may_watch(member, han):
        raise Http404
    if not MIN_DAYS <= int(days) <= MAX_DAYS:
        raise WatchError(
            _("日数は%(low)d日から%(high)d日の間で入れてください。") % {"low": MIN_DAYS, "high": MAX_DAYS}
        )
    with transaction.atomic():
        watch, _created = Watch.objects.update_or_create(
            member=member, han=han, defaults={"days": int(days), "active": bool(active)}
        )
        audit_record(
            actor=f"kairan-member:{member.pk}",
            action="kairan_watch_set",
            target_type="kairan_han",
            target_id=str(han.pk),
            detail={"association": han.association_id, "days": int(days), "active": bool(active)},
        )
    return watch


def overdue_households(watch: Watch, now: dt.datetime) -> list[tuple[Household, dt.datetime | None]]:
    """The overdue households of the watch's 班 (see the module's docstring), longest silent first,
    each with the time of its latest read."""
    han = watch.han
    since = now - dt.timedelta(days=watch.days)
    addressed = (
        Circular.objects.filter(association_id=han.association_id, sent_at__isnull=False, sent_at__lte=now)
        .filter(Q(han__isnull=True) | Q(han=han.pk))
        .distinct()
    )
    baseline = list(
        addressed.filter(sent_at__lte=since)
        .order_by("-sent_at", "-pk")
        .values_list("pk", "sent_at")[:USUAL_WINDOW]
    )
    recent = list(addressed.filter(sent_at__gt=since).values_list("sent_at", flat=True))
    if not recent or len(baseline) < USUAL_READS:
        return []
    households = list(
        Household.objects.filter(association_id=han.association_id, han=han, active=True, paper=False)
        .annotate(last_read=Max("receipts__read_at", filter=Q(receipts__read_at__lte=now)))
        .order_by("pk")
    )
    reads = {
        (household_id, circular_id)
        for household_id, circular_id in ReadReceipt.objects.filter(
            household__in=[h.pk for h in households],
            circular_id__in=[pk for pk, _sent in baseline],
            read_at__lte=now,
        ).values_list("household_id", "circular_id")
    }
    overdue: list[tuple[Household, dt.datetime | None]] = []
    for household in households:
        last_read: dt.datetime | None = household.last_read  # type: ignore[attr-defined]
        if last_read is not None and last_read > since:
            continue
        if not any(sent is not None and sent >= household.created_at for sent in recent):
            continue
        theirs = [pk for pk, sent in baseline if sent is not None and sent >= household.created_at]
        if sum((household.pk, pk) in reads for pk in theirs) < USUAL_READS:
            continue
        overdue.append((household, last_read))
    overdue.sort(key=lambda pair: (pair[1] or since, pair[0].pk))
    return overdue


def _alert_text(
    watch: Watch, household: Household, last_read: dt.datetime | None, now: dt.datetime
) -> tuple[str, str]:
    silent = (now - last_read).days if last_read else watch.days
    subject = _("見守り：%(name)sさん宅が%(days)d日間回覧を読んでいません") % {
        "name": household.name,
        "days": silent,
    }
    lines = [
        _("%(han)sの%(name)sさん宅は、%(date)sから回覧を読んでいません。")
        % {
            "han": watch.han.name,
            "name": household.name,
            "date": wareki(timezone.localdate(last_read)) if last_read else _("しばらく前"),
        },
        _("お変わりがないか、様子を見ていただけますか。"),
        _(
            "このお知らせは、ふだん回覧を読んでいる世帯が%(days)d日間読んでいないときに、見守りを設定した方にだけ届きます。"
        )
        % {"days": watch.days},
    ]
    return subject[:200], "\n".join(lines)


def check_watches(now: dt.datetime) -> int:
    """Queue today's 見守り alerts (at most one per watch, household and day). Returns how many."""
    today = timezone.localdate(now).isoformat()
    queued = 0
    watches = Watch.objects.filter(active=True, member__active=True).select_related(
        "member", "member__household", "han"
    )
    for watch in watches.order_by("pk"):
        if not may_watch(watch.member, watch.han):
            continue
        overdue = overdue_households(watch, now)
        with transaction.atomic():
            qs = Watch.objects.filter(pk=watch.pk)
            if connection.vendor == "postgresql":
                qs = qs.select_for_update()
            locked = qs.first()
            if locked is None:
                continue
            before = dict(locked.last_alerted or {})
            # Households no longer overdue are forgotten: a new silence is a new alert.
            alerted = {str(h.pk): before[str(h.pk)] for h, _last in overdue if str(h.pk) in before}
            member = watch.member
            for household, last_read in overdue:
                if alerted.get(str(household.pk)) == today:
                    continue
                if member.channel == Member.Channel.NONE:
                    continue  # shown on the 見守り page only
                with translation.override(settings.LANGUAGE_CODE):
                    subject, body = _alert_text(watch, household, last_read, now)
                Notification.objects.create(
                    association_id=watch.han.association_id,
                    member=member,
                    channel=member.channel,
                    kind="watch",
                    subject=subject,
                    body=body,
                    url=reverse("kairan:watch"),
                    state=Notification.State.QUEUED,
                )
                alerted[str(household.pk)] = today
                queued += 1
            if alerted != before:
                locked.last_alerted = alerted
                locked.save(update_fields=["last_alerted"])
    return queued

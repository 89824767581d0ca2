"""行事 (events) of an association: the list members see, officers' writes, and the iCalendar feed.

Calendar apps cannot send the device cookie, so each member has a secret feed address
``/kairan/calendar/<token>.ics``. The token is ``"<member id>.<32 hex>"``, the hex being a keyed hash
(``crypto.blind_index`` with the purpose ``kairan-ical``, derived from ``YAKUBA_FIELD_KEY``) of the
member id: nothing is stored, it is checked in constant time, and it stops working when the member
leaves (``active`` False). It cannot be rotated on its own: changing ``YAKUBA_FIELD_KEY`` would change
every token (and much else), so a leaked address is closed by deactivating the member.
"""

import datetime as dt
import hmac
import html
from dataclasses import dataclass
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import nh3
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from yakuba.core.audit import audit_record
from yakuba.core.crypto import blind_index
from yakuba.core.era import wareki
from yakuba.kairan import text
from yakuba.kairan.models import Event, Member

PURPOSE = "kairan-ical"
TOKYO = ZoneInfo("Asia/Tokyo")
WEEKDAYS = ("月", "火", "水", "木", "金", "土", "日")


# --- the feed token -------------------------------------------------------------------------------


def _signature(member_pk: int) -> str:
    return blind_index(str(member_pk), purpose=PURPOSE)[:32]


def feed_token(member: Member) -> str:
    return f"{member.pk}.{_signature(member.pk)}"


def member_for_token(token: str) -> Member | None:
    """The active member whose feed token this is, else None."""
    pk_text, dot, signature = (token or "").partition(".")
    if not dot or not pk_text.isdigit() or len(pk_text) > 18 or len(signature) != 32:
        return None
    if not hmac.compare_digest(_signature(int(pk_text)).encode(), signature.encode("ascii", "replace")):
        return None
    return Member.objects.select_related("association").filter(pk=int(pk_text), active=True).first()


# --- reading --------------------------------------------------------------------------------------


def when_text(event: Event) -> str:
    """「令和8年4月12日（日）8:00〜10:00」 in Japan time."""
    start = timezone.localtime(event.starts_at, TOKYO)
    day = f"{wareki(start.date())}（{WEEKDAYS[start.weekday()]}）"
    out = f"{day}{start.hour}:{start.minute:02d}"
    if event.ends_at:
        end = timezone.localtime(event.ends_at, TOKYO)
        if end.date() == start.date():
            out += f"〜{end.hour}:{end.minute:02d}"
        else:
            out += f"〜{wareki(end.date())}（{WEEKDAYS[end.weekday()]}）{end.hour}:{end.minute:02d}"
    return out


@dataclass(frozen=True)
class EventRow:
    event: Event
    when: str


def events_for(member: Member, now: dt.datetime | None = None) -> tuple[list[EventRow], list[EventRow]]:
    """(upcoming, past) of the member's association: upcoming soonest first (an event under way counts
    as upcoming), then past ones latest first."""
    now = now or timezone.now()
    qs = Event.objects.filter(association_id=member.association_id)
    running = Q(ends_at__isnull=False, ends_at__gte=now) | Q(starts_at__gte=now)
    upcoming = [EventRow(e, when_text(e)) for e in qs.filter(running).order_by("starts_at", "pk")]
    past = [EventRow(e, when_text(e)) for e in qs.exclude(running).order_by("-starts_at", "-pk")[:50]]
    return upcoming, past


# --- writing (officers) ---------------------------------------------------------------------------


class EventError(ValueError):
    """A refusal with a Japanese message for the form."""


def _require_officer(member: Member) -> None:
    if not member.is_officer or not member.active:
        raise Http404


def event_save(
    *,
    member: Member,
    title: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime | None = None,
    place: str = "",
    description: str = "",
    event: Event | None = None,
) -> Event:
    """Create (``event`` None) or change an event of the officer's association."""
    _require_officer(member)
    if event is not None and event.association_id != member.association_id:
        raise Http404
    title = text.plain(title, max_length=200)
    if not title:
        raise EventError(_("行事の名前を入れてください。"))
    if ends_at is not None and ends_at <= starts_at:
        raise EventError(_("終わりの時刻は始まりより後にしてください。"))
    with transaction.atomic():
        target = event or Event(association_id=member.association_id)
        target.title = title
        target.starts_at = starts_at
        target.ends_at = ends_at
        target.place = text.plain(place, max_length=200)
        target.description = text.normalise(description).strip()[:5000]
        target.save()
        audit_record(
            actor=f"kairan-member:{member.pk}",
            action="kairan_event_update" if event else "kairan_event_create",
            target_type="kairan_event",
            target_id=str(target.pk),
            detail={"association": member.association_id},
        )
    return target


def event_delete(*, member: Member, event: Event) -> None:
    _require_officer(member)
    if event.association_id != member.association_id:
        raise Http404
    with transaction.atomic():
        pk = event.pk
        event.delete()
        audit_record(
            actor=f"kairan-member:{member.pk}",
            action="kairan_event_delete",
            target_type="kairan_event",
            target_id=str(pk),
            detail={"association": member.association_id},
        )


# --- iCalendar ------------------------------------------------------------------------------------


def _plain(value: str) -> str:
    """Plain text for calendar apps, whatever was stored (tags removed, entities decoded)."""
    return html.unescape(nh3.clean(value or "", tags=set())).strip()


def event_uid(event: Event) -> str:
    host = urlsplit(str(settings.YAKUBA_PUBLIC_URL)).hostname or "yakuba.invalid"
    return f"kairan-event-{event.pk}@{host}"


def ical_feed(member: Member, now: dt.datetime | None = None) -> bytes:
    """The association's events as an iCalendar document (RFC 5545), times in Asia/Tokyo."""
    import icalendar

    now = now or timezone.now()
    association = member.association
    cal = icalendar.Calendar()
    cal.add("prodid", "-//Yakuba//kairan//JA")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", _("%(name)sの行事") % {"name": association.name})
    cal.add("x-wr-timezone", "Asia/Tokyo")
    page = str(settings.YAKUBA_PUBLIC_URL).rstrip("/") + reverse("kairan:events")
    for event in Event.objects.filter(association_id=member.association_id).order_by("starts_at", "pk"):
        item = icalendar.Event()
        item.add("uid", event_uid(event))
        item.add("dtstamp", now.astimezone(dt.UTC))
        item.add("dtstart", event.starts_at.astimezone(TOKYO))
        if event.ends_at:
            item.add("dtend", event.ends_at.astimezone(TOKYO))
        item.add("summary", event.title)
        if event.place:
            item.add("location", event.place)
        if event.description:
            item.add("description", _plain(event.description))
        item.add("url", page)
        cal.add_component(item)
    cal.add_missing_timezones()
    return cal.to_ical()

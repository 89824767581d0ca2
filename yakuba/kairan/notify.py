"""Sending the outbox: ``Notification`` rows become emails or LINE messages.

Whoever has something to say (a circular was sent, a reminder, a 見守り alert) creates Notification
rows — state ``queued``, or ``digest`` for a member who chose 「1日1回まとめて受け取る」 — and may call
``enqueue_delivery()``; the worker (``yakuba kairan_notify`` from cron, or the ``deliver_notifications``
task) sends them here.

- Channels are adapters behind one interface, ``Channel``: ``EmailChannel`` (Django's mail, the default)
  and ``LineChannel`` (LINE Messaging API push). ``channels()`` is the registry by channel name;
  ``set_channels()`` swaps it (tests, another provider).
- A message goes to the member's channel and address *at sending time* (a member who switched from
  email to LINE since the row was queued gets LINE; one who chose 「通知しない」 or left gets nothing).
- ``deliver_queued`` sends ``queued`` rows and retries ``failed`` ones until ``MAX_ATTEMPTS`` attempts.
  Each row is first claimed by one conditional UPDATE (state ``sending``), so two workers never send
  one row twice, and then sent outside any transaction: a slow provider (LINE's 10-second timeout) holds
  no database lock. A row left ``sending`` by a crashed worker for ``CLAIM_TIMEOUT`` is failed and
  retried (at least once, never zero times).
- ``deliver_digests`` sends each digest member ONE message a day (「回覧板のお知らせ（N件）」) from
  ``YAKUBA_KAIRAN_DIGEST_HOUR`` local time, with the rows queued before that hour today; rows queued
  later wait for the next day, so nobody gets two digests on one day.
- Errors stored on the row and logged never contain an email address or a LINE user id: only the
  notification's id, the channel and the kind of failure.
"""

import datetime as dt
import json
import logging
import re
import urllib.error
import urllib.request
from collections.abc import Mapping
from typing import Any, Protocol

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F, Q
from django.tasks import task
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from yakuba.kairan.models import Member, Notification

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
CLAIM_TIMEOUT = dt.timedelta(minutes=10)  # a claimed row older than this was interrupted
LINE_TEXT_LIMIT = 5000  # characters (UTF-16 code units) of one LINE text message
LINE_TIMEOUT = 10  # seconds


class DeliveryError(Exception):
    """A message could not be delivered. The text is stored and logged: never put an address in it.
    ``permanent``: retrying cannot help (no address, the member opted out)."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class Channel(Protocol):
    def send(self, *, to: str, subject: str, body: str, url: str) -> None:
        """Deliver one message to ``to`` (an email address, a LINE user id); raise DeliveryError."""
        ...


def absolute_url(url: str) -> str:
    """Site paths (``/kairan/...``) become links residents can open from their mail or LINE."""
    if url.startswith("/"):
        return str(settings.YAKUBA_PUBLIC_URL).rstrip("/") + url
    return url


def mentions(body: str, url: str) -> bool:
    """Whether the body already has this very link (not merely a longer one starting with it)."""
    return re.search(re.escape(url) + r"(?![\w/\-.~%?#=&+:@])", body) is not None


class EmailChannel:
    """Plain-text email through Django's mail backend, from ``DEFAULT_FROM_EMAIL``."""

    def send(self, *, to: str, subject: str, body: str, url: str) -> None:
        text = f"{body}\n\n{url}\n" if url and not mentions(body, url) else f"{body}\n"
        message = EmailMessage(
            subject=" ".join(subject.split()),  # a header: no line breaks
            body=text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[to],
        )
        try:
            message.send(fail_silently=False)
        except Exception as exc:  # SMTP errors carry the recipient's address: keep only the kind
            raise DeliveryError(f"email not sent ({type(exc).__name__})") from None


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _clip(text: str, limit: int) -> str:
    if _utf16_len(text) <= limit:
        return text
    out = []
    used = 0
    for ch in text:
        size = _utf16_len(ch)
        if used + size > limit - 1:
            break
        out.append(ch)
        used += size
    return "".join(out) + "…"


def line_text(*, subject: str, body: str, url: str) -> str:
    """One LINE text message: the subject, the body (shortened if needed) and the link, within LINE's
    5,000 characters — the link is never cut off (it is not repeated when the body has it already)."""
    head = f"{subject}\n\n"
    if url and mentions(body, url) and _utf16_len(head + body) <= LINE_TEXT_LIMIT:
        return head + body
    tail = f"\n\n{url}" if url else ""
    room = LINE_TEXT_LIMIT - _utf16_len(head) - _utf16_len(tail)
    return _clip(head + _clip(body, max(room, 0)) + tail, LINE_TEXT_LIMIT)


class LineChannel:
    """LINE Messaging API push message (``POST /v2/bot/message/push``) with the channel access token
    ``YAKUBA_LINE_CHANNEL_TOKEN`` to ``YAKUBA_LINE_API_BASE``. The settings are read at each send."""

    def send(self, *, to: str, subject: str, body: str, url: str) -> None:
        token = str(getattr(settings, "YAKUBA_LINE_CHANNEL_TOKEN", "") or "")
        if not token:
            raise DeliveryError("LINE is not configured")
        base = str(getattr(settings, "YAKUBA_LINE_API_BASE", "https://api.line.me")).rstrip("/")
        payload = {
            "to": to,
            "messages": [{"type": "text", "text": line_text(subject=subject, body=body, url=url)}],
        }
        request = urllib.request.Request(  # noqa: S310 - the base URL is the operator's setting
            f"{base}/v2/bot/message/push",
            data=json.dumps(payload, ensure_ascii=False).encode(),
            method="POST",
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json; charset=utf-8"},
        )
        try:
            with urllib.request.urlopen(request, timeout=LINE_TIMEOUT) as response:  # noqa: S310
                status = response.status
        except urllib.error.HTTPError as exc:
            raise DeliveryError(f"LINE answered HTTP {exc.code}") from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise DeliveryError(f"LINE not reachable ({type(exc).__name__})") from None
        if not 200 <= status < 300:
            raise DeliveryError(f"LINE answered HTTP {status}")


_channels: dict[str, Channel] = {"email": EmailChannel(), "line": LineChannel()}


def channels() -> dict[str, Channel]:
    """The registry: channel name (``Member.Channel``) → adapter."""
    return _channels


def set_channels(mapping: Mapping[str, Channel]) -> dict[str, Channel]:
    """Replace the registry (tests, another provider); returns the previous one to put back."""
    global _channels
    previous = _channels
    _channels = dict(mapping)
    return previous


def _address(member: Member) -> tuple[str, str]:
    """The member's channel and address now, or DeliveryError (permanent)."""
    if not member.active:
        raise DeliveryError("member is no longer active", permanent=True)
    if member.channel == Member.Channel.EMAIL:
        address = member.email
    elif member.channel == Member.Channel.LINE:
        address = member.line_user_id
    else:
        raise DeliveryError("member receives no notifications", permanent=True)
    if not address:
        raise DeliveryError(f"member has no {member.channel} address", permanent=True)
    return str(member.channel), address


def _send(member: Member, *, subject: str, body: str, url: str) -> str:
    """Send through the member's current channel; returns the channel used."""
    channel, address = _address(member)
    adapter = channels().get(channel)
    if adapter is None:
        raise DeliveryError(f"no adapter for channel {channel}")
    adapter.send(to=address, subject=subject, body=body, url=absolute_url(url))
    return channel


def _sendable() -> Q:
    return Q(state=Notification.State.QUEUED) | Q(state=Notification.State.FAILED, attempts__lt=MAX_ATTEMPTS)


def _claim(pks: list[int], *, states: Q) -> list[Notification]:
    """Mark rows as being sent (one UPDATE, no lock held while the network is slow): a row is claimed
    by one worker only. Returns the claimed rows with their members."""
    now = timezone.now()
    claimed = [
        pk
        for pk in pks
        if Notification.objects.filter(states, pk=pk).update(
            state=Notification.State.SENDING, attempts=F("attempts") + 1, sent_at=now
        )
    ]
    return list(
        Notification.objects.select_related("member").filter(pk__in=claimed).order_by("created_at", "pk")
    )


def _requeue_interrupted(now: dt.datetime) -> None:
    """Rows a crashed worker claimed and never finished: failed, so that they are retried (a message
    may then arrive twice; never zero times)."""
    Notification.objects.filter(state=Notification.State.SENDING, sent_at__lt=now - CLAIM_TIMEOUT).update(
        state=Notification.State.FAILED, error="interrupted", sent_at=None
    )


def deliver_queued(limit: int = 500) -> tuple[int, int]:
    """Send up to ``limit`` queued notifications (and retry failed ones below ``MAX_ATTEMPTS``), oldest
    first. Each row is claimed first and sent outside any transaction, so a slow provider holds no
    database lock. Returns (sent, failed) of this run."""
    _requeue_interrupted(timezone.now())
    ids = list(
        Notification.objects.filter(_sendable())
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    sent = failed = 0
    for row in _claim(ids, states=_sendable()):
        try:
            row.channel = _send(row.member, subject=row.subject, body=row.body, url=row.url)
        except DeliveryError as exc:
            row.state = Notification.State.FAILED
            row.error = str(exc)[:300]
            row.sent_at = None
            if exc.permanent:
                row.attempts = max(row.attempts, MAX_ATTEMPTS)
            failed += 1
            log.warning(
                "kairan notification %s (%s, attempt %s) failed: %s",
                row.pk,
                row.kind,
                row.attempts,
                row.error,
            )
        else:
            row.state = Notification.State.SENT
            row.sent_at = timezone.now()
            row.error = ""
            sent += 1
        row.save(update_fields=["state", "attempts", "error", "sent_at", "channel"])
    return sent, failed


def digest_cutoff(now: dt.datetime) -> dt.datetime | None:
    """Today's digest time (local) if it has come, else None."""
    local = timezone.localtime(now)
    hour = int(settings.YAKUBA_KAIRAN_DIGEST_HOUR)
    if local.hour < hour:
        return None
    return local.replace(hour=hour, minute=0, second=0, microsecond=0)


def deliver_digests(now: dt.datetime) -> tuple[int, int]:
    """At or after ``YAKUBA_KAIRAN_DIGEST_HOUR`` (local time), send each digest member ONE message that
    lists their ``digest`` notifications queued before that hour today, and mark them sent. Rows of a
    member who has since turned the digest off go back to the normal queue. Returns (messages sent,
    messages failed)."""
    Notification.objects.filter(state=Notification.State.DIGEST, member__digest=False).update(
        state=Notification.State.QUEUED
    )
    cutoff = digest_cutoff(now)
    if cutoff is None:
        return 0, 0
    pending = Notification.objects.filter(
        state=Notification.State.DIGEST, created_at__lt=cutoff, attempts__lt=MAX_ATTEMPTS
    )
    member_ids = sorted(set(pending.values_list("member_id", flat=True)))
    sent = failed = 0
    for member_id in member_ids:
        pks = list(pending.filter(member_id=member_id).values_list("pk", flat=True))
        rows = _claim(pks, states=Q(state=Notification.State.DIGEST))
        if not rows:
            continue
        member = rows[0].member
        with translation.override(settings.LANGUAGE_CODE):
            subject = _("回覧板のお知らせ（%(count)d件）") % {"count": len(rows)}
        body = "\n\n".join(
            f"・{row.subject}" + (f"\n{absolute_url(row.url)}" if row.url else "") for row in rows
        )
        url = reverse("kairan:home")
        error: DeliveryError | None = None
        try:
            channel = _send(member, subject=subject, body=body, url=url)
        except DeliveryError as exc:
            error = exc
            channel = ""
        stamp = timezone.now()
        for row in rows:
            if error is None:
                row.state = Notification.State.SENT
                row.sent_at = stamp
                row.error = ""
                row.channel = channel
            else:
                row.error = str(error)[:300]
                row.sent_at = None
                row.state = Notification.State.DIGEST  # tried again at the next run
                if error.permanent or row.attempts >= MAX_ATTEMPTS:
                    row.attempts = max(row.attempts, MAX_ATTEMPTS)
                    row.state = Notification.State.FAILED
        Notification.objects.bulk_update(rows, ["state", "attempts", "error", "sent_at", "channel"])
        if error is None:
            sent += 1
        else:
            failed += 1
            log.warning(
                "kairan digest for member %s (%s rows) failed: %s", member_id, len(rows), str(error)[:300]
            )
    return sent, failed


@task()
def deliver_notifications(*, digests: bool = True) -> dict[str, Any]:
    """The worker's job: send the queue, then (from the digest hour) the daily digests."""
    sent, failed = deliver_queued()
    result: dict[str, Any] = {"sent": sent, "failed": failed}
    if digests:
        digest_sent, digest_failed = deliver_digests(timezone.now())
        result.update(digests_sent=digest_sent, digests_failed=digest_failed)
    return result


def enqueue_delivery() -> None:
    """Ask the worker to send now, once the current transaction commits (the rows it sends must be
    visible to it). With the immediate task backend (development) nothing is done here: sending a
    thousand messages inside the officer's request would make the page wait; `yakuba kairan_notify`
    (cron) sends them instead."""
    backend = str(settings.TASKS.get("default", {}).get("BACKEND", ""))
    if "Immediate" in backend:
        return
    transaction.on_commit(lambda: deliver_notifications.enqueue(digests=False))

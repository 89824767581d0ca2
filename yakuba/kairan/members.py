"""Members sign in without passwords or email: an officer prints an invitation (a QR code and a short
one-time code) per household; the code signs the member in on that phone with a long-lived device
cookie, which the member or an officer can revoke.

Codes are 8 characters from an alphabet without look-alikes (no 0/O, 1/I/L), shown as ``ABCD-EFGH``
(40 bits), stored only as keyed hashes, valid for 30 days and once; ten wrong codes from one address in
15 minutes lock that address out for the rest of the window.
"""

import datetime as dt
import hashlib
import secrets
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from yakuba.core import crypto
from yakuba.core.audit import audit_record
from yakuba.kairan.models import Association, DeviceSession, Household, Invitation, Member

COOKIE = "kairan_device"
COOKIE_DAYS = 400
INVITATION_DAYS = 30
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L
MAX_FAILURES = 10
FAILURE_WINDOW = dt.timedelta(minutes=15)


class JoinError(Exception):
    """A refusal with a message for the person at the door (Japanese)."""


def _code_hash(code: str) -> str:
    return crypto.blind_index(normalise_code(code), purpose="kairan-invitation-code")


def _token_hash(token: str) -> str:
    return crypto.blind_index(token, purpose="kairan-invitation-token")


def _key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def normalise_code(code: str) -> str:
    """What people type: full width, lower case, spaces and hyphens are all accepted."""
    import unicodedata

    text = unicodedata.normalize("NFKC", code or "").upper()
    return "".join(ch for ch in text if ch.isascii() and ch.isalnum())


def _new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(8))


def display_code(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


def invitation_issue(*, actor: str, household: Household, role: str = Member.Role.MEMBER) -> tuple[str, str]:
    """A new invitation for ``household`` (earlier unused ones are revoked). Returns (code, token):
    the code for typing, the token for the QR code's URL. Neither is stored in clear."""
    now = timezone.now()
    with transaction.atomic():
        Invitation.objects.filter(household=household, used_at__isnull=True, revoked_at__isnull=True).update(
            revoked_at=now
        )
        while True:
            code = _new_code()
            if not Invitation.objects.filter(code_hash=_code_hash(code)).exists():
                break
        token = secrets.token_urlsafe(24)
        Invitation.objects.create(
            association=household.association,
            household=household,
            role=role,
            code_hash=_code_hash(code),
            token_hash=_token_hash(token),
            issued_by=actor,
            expires_at=now + dt.timedelta(days=INVITATION_DAYS),
        )
        audit_record(
            actor=actor,
            action="kairan_invitation",
            target_type="kairan_household",
            target_id=str(household.pk),
            detail={"association": household.association_id, "role": role},
        )
    return code, token


def _too_many_failures(ip: str) -> bool:
    from yakuba.core.models import LoginFailure

    since = timezone.now() - FAILURE_WINDOW
    return (
        LoginFailure.objects.filter(username="kairan-join", ip_address=ip, at__gte=since).count()
        >= MAX_FAILURES
    )


def _record_failure(ip: str) -> None:
    from yakuba.core.models import LoginFailure

    LoginFailure.objects.create(username="kairan-join", ip_address=ip)


def invitation_find(*, code: str = "", token: str = "", ip: str = "") -> Invitation:
    """The live invitation for a typed code or a scanned token, or JoinError."""
    if ip and _too_many_failures(ip):
        raise JoinError(
            _("入力の誤りが続いたため、しばらく受け付けを止めています。15分ほどしてからお試しください。")
        )
    if token:
        found = (
            Invitation.objects.select_related("household", "association")
            .filter(token_hash=_token_hash(token))
            .first()
        )
    else:
        normalised = normalise_code(code)
        found = (
            Invitation.objects.select_related("household", "association")
            .filter(code_hash=_code_hash(normalised))
            .first()
            if len(normalised) == 8
            else None
        )
    if found is None:
        if ip:
            _record_failure(ip)
        raise JoinError(_("招待コードが違います。お手元の案内の8文字をもう一度お確かめください。"))
    if found.used_at or found.revoked_at:
        raise JoinError(_("この招待コードはもう使われています。役員の方に新しいコードをお願いしてください。"))
    if found.expires_at < timezone.now():
        raise JoinError(_("この招待コードは期限が切れています。役員の方に新しいコードをお願いしてください。"))
    return found


def join(*, invitation: Invitation, name: str, label: str = "") -> tuple[Member, str]:
    """Use the invitation: a new member of its household, signed in on this device. Returns the
    member and the device key for the cookie."""
    name = (name or "").strip()
    if not name:
        raise JoinError(_("お名前を入れてください。"))
    key = secrets.token_urlsafe(32)
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if locked.used_at or locked.revoked_at:
            raise JoinError(
                _("この招待コードはもう使われています。役員の方に新しいコードをお願いしてください。")
            )
        locked.used_at = timezone.now()
        locked.save(update_fields=["used_at"])
        member = Member.objects.create(
            association=locked.association, household=locked.household, name=name[:100], role=locked.role
        )
        DeviceSession.objects.create(member=member, key_hash=_key_hash(key), label=label[:100])
        audit_record(
            actor=f"kairan-member:{member.pk}",
            action="kairan_join",
            target_type="kairan_household",
            target_id=str(locked.household_id),
            detail={"association": locked.association_id, "role": member.role},
        )
    return member, key


def set_device_cookie(response: HttpResponse, key: str) -> None:
    response.set_cookie(
        COOKIE,
        key,
        max_age=COOKIE_DAYS * 24 * 3600,
        httponly=True,
        secure=not settings.DEBUG,
        samesite="Lax",
    )


def member_for(request: HttpRequest) -> Member | None:
    key = request.COOKIES.get(COOKIE, "")
    if not key or len(key) > 100:
        return None
    device = (
        DeviceSession.objects.select_related("member", "member__household", "member__association")
        .filter(key_hash=_key_hash(key), revoked_at__isnull=True, member__active=True)
        .first()
    )
    if device is None:
        return None
    now = timezone.now()
    if now - device.last_seen > dt.timedelta(hours=1):
        DeviceSession.objects.filter(pk=device.pk).update(last_seen=now)
    member = device.member
    member.current_device_id = device.pk  # type: ignore[attr-defined]
    return member


def member_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page for a signed-in member (``request.member``); others go to the join page."""
    from django.contrib.auth.decorators import login_not_required
    from django.shortcuts import redirect

    @login_not_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        member = member_for(request)
        if member is None:
            return redirect("kairan:join")
        request.member = member  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    return wrapper


def officer_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page for the chair or the secretary of the member's association; anyone else: 404 (the page
    does not exist for them)."""

    @member_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.member.is_officer:  # type: ignore[attr-defined]
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def device_revoke(*, member: Member, device_id: int, actor: str) -> bool:
    """Sign a device out (the member themselves, or an officer of the same association)."""
    updated = DeviceSession.objects.filter(pk=device_id, member=member, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if updated:
        audit_record(
            actor=actor, action="kairan_device_revoke", target_type="kairan_member", target_id=str(member.pk)
        )
    return bool(updated)


def association_create(
    *, actor: str, name: str, chair_household: str, chair_address: str = ""
) -> tuple[Association, str, str]:
    """A city clerk registers an association and invites its chair (returns the code and token)."""
    name = (name or "").strip()
    if not name or not (chair_household or "").strip():
        raise JoinError(_("自治会の名称と会長の世帯の名前を入れてください。"))
    with transaction.atomic():
        association = Association.objects.create(name=name[:100])
        household = Household.objects.create(
            association=association,
            name=chair_household.strip()[:100],
            address=chair_address.strip()[:200],
            paper=False,
        )
        audit_record(
            actor=actor,
            action="kairan_association_create",
            target_type="kairan_association",
            target_id=str(association.pk),
        )
        code, token = invitation_issue(actor=actor, household=household, role=Member.Role.CHAIR)
    return association, code, token

"""Issuing certificates at the window and at the kiosk, voiding them, and registering seals.

The worst thing this module could do is print one person's certificate for another. The rules that
make it impossible:
- At the kiosk the person is fixed by the verified card certificate when the session starts
  (``kiosk_login``); every later step reads the person from the session row, never from the terminal.
- A document is built, signed, rendered and stored in ONE transaction with its issuance row; a crash
  leaves all of it or none of it.
- A PDF is handed only to the kiosk session that asked for it, only while it is waiting to print, and
  only once: a print that fails or times out voids the issuance as a whole; nothing is re-routed.
- Idempotency keys are unique in the database: the same request again returns the same certificate
  (no second charge); another request with the same key is refused (409).
"""

import base64
import dataclasses
import datetime as dt
import hashlib
import json
import os
import secrets
from typing import Any

from django.apps import apps as django_apps
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yakuba.certificates import cardauth, eligibility, signing
from yakuba.certificates.documents import CERTIFICATION_TEXT, TITLES, Options, person_entry
from yakuba.certificates.interface import CertificateIssued, CertificateVoided
from yakuba.certificates.models import (
    CertificateType,
    Issuance,
    KioskChallenge,
    KioskSession,
    SealRegistration,
)
from yakuba.certificates.seals import SealImageError, read_impression, size_problem
from yakuba.core import events
from yakuba.core.audit import audit_record
from yakuba.core.era import wareki
from yakuba.core.models import Municipality
from yakuba.core.sequences import sequence_next
from yakuba.core.text import is_plain_text
from yakuba.residents import interface as residents

CHALLENGE_SECONDS = 60
SESSION_SECONDS = 300
PRINT_SECONDS = 60
OFFICE = "01"
WINDOW_TERMINAL = "W01"
ACTOR = "certificates"


class CertificateError(Exception):
    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class IdempotencyConflict(CertificateError):
    pass


# --- shared ---------------------------------------------------------------------------------------


def _plain(*values: str) -> None:
    """Refuse text no terminal or person would send (control characters such as NUL, which the
    database cannot store): a clear 400, never a server error."""
    for value in values:
        if not is_plain_text(value, printable=False):
            raise CertificateError(_("入力が正しくありません。"))


def _now() -> dt.datetime:
    return timezone.now()


def _today() -> dt.date:
    return timezone.localdate()


def local_now() -> dt.datetime:
    """The local time the kiosk's opening hours are judged by (tests set it to a known moment)."""
    return timezone.localtime()


def certificate_type(code: str) -> CertificateType:
    found = CertificateType.objects.filter(code=code).first()
    if found is None:
        if code not in CertificateType.Code.values:
            raise CertificateError(_("証明書の種類が正しくありません。"), "type")
        found, _created = CertificateType.objects.get_or_create(code=code)
    return found


def _request_hash(request: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(request, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _existing_for_key(key: str, request_hash: str) -> Issuance | None:
    existing = Issuance.objects.filter(idempotency_key=key).first()
    if existing is None:
        return None
    if existing.request_hash != request_hash:
        raise IdempotencyConflict(_("同じ受付キーで別の内容が送られました。"))
    return existing


def _verification_code() -> str:
    raw = base64.b32encode(secrets.token_bytes(10)).decode()  # 16 characters, no padding
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


def _signed_fields(
    *, number: str, issued_on: dt.date, type_code: str, pages: int, code: str, content: str
) -> dict:
    return {
        "number": number,
        "issued_on": issued_on.isoformat(),
        "type": type_code,
        "pages": pages,
        "code": code,
        "content": content,
    }


def _seal_bytes(path: str) -> bytes:
    """The city's seal image, read once per process and again only when the file changes."""
    stamp = os.stat(path).st_mtime_ns
    cached = _SEAL_CACHE.get(path)
    if cached is None or cached[0] != stamp:
        with open(path, "rb") as handle:
            cached = (stamp, handle.read())
        _SEAL_CACHE[path] = cached
    return cached[1]


_SEAL_CACHE: dict[str, tuple[int, bytes]] = {}


def verification_url(code: str, signature: str) -> str:
    return f"{settings.YAKUBA_PUBLIC_URL.rstrip('/')}/verify/?q={code}.{signature}"


@dataclasses.dataclass(frozen=True)
class _Built:
    pdf: bytes
    pages: int
    content_sha: str
    signature: str
    number: str
    code: str


def _build(
    *,
    type_code: str,
    layout: str,
    records: list[residents.ResidentRecord],
    household: residents.HouseholdRecord | None,
    options: Options,
    terminal: str,
    mynumbers: dict[str, str],
    impression: SealRegistration | None = None,
) -> _Built:
    from yakuba.certificates.pdf import CertificateDocument, page_count, render_pdf

    city = Municipality.current()
    today = _today()
    # A serial per terminal and day, as the 発行番号 names the terminal: terminals never wait for each
    # other's PDF rendering on a shared counter.
    serial = sequence_next(name=f"certificate:{today:%Y%m%d}:{terminal}")
    number = f"{today:%Y%m%d}-{OFFICE}-{terminal}-{serial:06d}"
    code = _verification_code()
    first = records[0]
    persons = tuple(person_entry(r, options, mynumbers.get(r.atena_no, "")) for r in records)
    document = CertificateDocument(
        kind=type_code,
        title=TITLES[type_code],
        layout="individual" if type_code == "inkan" else layout,
        municipality_name=city.name,
        mayor_title=city.mayor_title,
        mayor_name=city.mayor_name,
        address=first.address,
        katagaki=first.katagaki,
        head_name=(household.head_name if household else first.head_name) if options.relationship else "",
        persons=persons,
        certification_text=CERTIFICATION_TEXT[type_code],
        issued_on=wareki(today),
        issue_number=number,
        qr_text="",
        verification_code=code,
        seal_png=_seal_bytes(city.seal_image.path) if city.seal_image else None,
        impression_png=bytes(impression.image) if impression else None,
        impression_mm=float(impression.width_mm) if impression else 0.0,
        inkan_card_number=impression.card_number if impression else "",
    )
    pages = page_count(document)
    content = hashlib.sha256(
        json.dumps([dataclasses.asdict(p) for p in persons], ensure_ascii=False, sort_keys=True).encode()
        + (impression.fingerprint.encode() if impression else b"")
    ).hexdigest()
    signature = signing.sign(
        _signed_fields(
            number=number, issued_on=today, type_code=type_code, pages=pages, code=code, content=content
        )
    )
    document = dataclasses.replace(document, qr_text=verification_url(code, signature))
    pdf = render_pdf(document)
    return _Built(pdf, pages, content, signature, number, code)


def _store(
    *,
    built: _Built,
    type_code: str,
    channel: str,
    subject: str,
    records: list[residents.ResidentRecord],
    layout: str,
    options: Options,
    fee: int,
    payment: str,
    actor: str,
    terminal: str,
    idempotency_key: str | None,
    request_hash: str,
    **extra: Any,
) -> Issuance:
    issuance = Issuance.objects.create(
        number=built.number,
        verification_code=built.code,
        type=type_code,
        channel=channel,
        subject_atena_no=subject,
        atena_nos=[r.atena_no for r in records],
        setai_no=records[0].setai_no,
        options=options.as_dict(),
        layout=layout,
        pages=built.pages,
        pdf=built.pdf,
        pdf_sha256=hashlib.sha256(built.pdf).hexdigest(),
        content_sha256=built.content_sha,
        signature=built.signature,
        mynumber_printed=options.mynumber,
        fee=fee,
        payment=payment,
        idempotency_key=idempotency_key,
        request_hash=request_hash,
        actor=actor,
        terminal=terminal,
        issued_at=_now(),
        **extra,
    )
    audit_record(
        actor=actor,
        action="certificate_issued",
        target_type="certificate",
        target_id=issuance.number,
        mynumber_shown=options.mynumber,
        detail={"type": type_code, "channel": channel, "atena_nos": issuance.atena_nos, "pages": built.pages},
    )
    events.publish(
        CertificateIssued(number=issuance.number, type=type_code, channel=channel, fee=fee, payment=payment)
    )
    return issuance


# --- window ---------------------------------------------------------------------------------------


def window_issue(
    *,
    actor: Any,
    type_code: str,
    subject_atena_no: str,
    atena_nos: list[str],
    layout: str = "household",
    options: Options | None = None,
    requester: str = Issuance.Requester.SELF,
    requester_name: str = "",
    purpose: str = "",
    exemption_reason: str = "",
    idempotency_key: str | None = None,
) -> Issuance:
    """A clerk issues a certificate for ``atena_nos`` (the subject and, for 世帯, members of the same
    household), recording who asked and why. 個人番号 only for the person or their household."""
    options = options or Options()
    if not actor.has_perm("certificates.issue_window"):
        raise CertificateError(_("この操作を行う権限がありません。"))
    kind = certificate_type(type_code)
    if requester not in Issuance.Requester.values:
        raise CertificateError(_("請求者の区分を選んでください。"), "requester")
    if requester == Issuance.Requester.PROXY and not requester_name.strip():
        raise CertificateError(_("代理人の氏名を入力してください。"), "requester_name")
    if options.mynumber and requester == Issuance.Requester.PROXY:
        raise CertificateError(
            _("個人番号入りの住民票は、本人または同一世帯の方の請求に限り窓口で交付できます。"), "mynumber"
        )
    if layout not in ("household", "individual"):
        raise CertificateError(_("様式が正しくありません。"), "layout")
    request = {
        "type": type_code,
        "subject": subject_atena_no,
        "atena_nos": sorted(atena_nos),
        "layout": layout,
        "options": options.as_dict(),
        "requester": requester,
        "requester_name": requester_name,
        "purpose": purpose,
        "exempt": exemption_reason,
    }
    request_hash = _request_hash(request)
    actor_name = actor.get_username()
    if idempotency_key:
        existing = _existing_for_key(idempotency_key, request_hash)
        if existing:
            return existing
    subject = residents.resident_get(subject_atena_no, actor=f"{ACTOR}:{actor_name}")
    if subject is None or not subject.is_resident:
        raise CertificateError(_("請求対象の方は現在住民登録がありません。"), "subject")
    impression = None
    if type_code == CertificateType.Code.INKAN:
        impression = SealRegistration.objects.filter(
            atena_no=subject.atena_no, state=SealRegistration.State.ACTIVE
        ).first()
        if impression is None:
            raise CertificateError(_("この方は印鑑登録をしていません。"))
        records, household = [subject], None
    else:
        household = residents.household_get(subject.setai_no, actor=f"{ACTOR}:{actor_name}")
        members = {m.atena_no: m for m in (household.members if household else ())}
        wanted = atena_nos or [subject.atena_no]
        missing = [no for no in wanted if no not in members]
        if missing:
            raise CertificateError(_("同じ世帯の住民だけを選んでください。"), "atena_nos")
        records = [m for m in members.values() if m.atena_no in wanted]
        protected = [r for r in records if r.support_measure and r.atena_no != subject.atena_no]
        if protected or (subject.support_measure and requester != Issuance.Requester.SELF):
            raise CertificateError(
                _("支援措置の対象の方が含まれるため、この請求では発行できません。担当に確認してください。")
            )
    mynumbers = {}
    if options.mynumber:
        for r in records:
            mynumbers[r.atena_no] = (
                residents.resident_mynumber(r.atena_no, actor=f"{ACTOR}:{actor_name}", purpose="certificate")
                or ""
            )
    fee = certificate_fee(kind, "window")
    payment = Issuance.Payment.EXEMPT if exemption_reason.strip() else Issuance.Payment.DUE
    try:
        with transaction.atomic():
            built = _build(
                type_code=type_code,
                layout=layout,
                records=records,
                household=household,
                options=options,
                terminal=WINDOW_TERMINAL,
                mynumbers=mynumbers,
                impression=impression,
            )
            return _store(
                built=built,
                type_code=type_code,
                channel=Issuance.Channel.WINDOW,
                subject=subject.atena_no,
                records=records,
                layout=layout,
                options=options,
                fee=fee,
                payment=payment,
                actor=actor_name,
                terminal=WINDOW_TERMINAL,
                idempotency_key=idempotency_key,
                request_hash=request_hash,
                requester=requester,
                requester_name=requester_name.strip(),
                purpose=purpose.strip(),
                exemption_reason=exemption_reason.strip(),
            )
    except IntegrityError:
        if idempotency_key:
            existing = _existing_for_key(idempotency_key, request_hash)
            if existing:
                return existing
        raise


def issuance_void(*, actor: str, number: str, reason: str) -> Issuance:
    with transaction.atomic():
        issuance = Issuance.objects.select_for_update().defer("pdf").get(number=number)
        if issuance.state == Issuance.State.VOIDED:
            return issuance
        issuance.state = Issuance.State.VOIDED
        issuance.void_reason = reason
        issuance.pdf = b""  # a voided certificate can never be printed again
        issuance.save(update_fields=["state", "void_reason", "pdf"])
        audit_record(
            actor=actor,
            action="certificate_voided",
            target_type="certificate",
            target_id=number,
            detail={"reason": reason},
        )
        events.publish(CertificateVoided(number=number, reason=reason))
    return issuance


def certificate_fee(kind: CertificateType, channel: str) -> int:
    """The fee from the city's fee table (the payments module, item ``cert.<type>``), or this
    module's own fee when payments is not installed or has no such item."""
    if django_apps.is_installed("yakuba.payments"):
        from yakuba.payments import interface as payments

        price = payments.price_for(f"cert.{kind.code}", channel)
        if price is not None:
            return price
    return kind.window_fee if channel == "window" else kind.kiosk_fee


def issuance_mark_paid(*, number: str, reference: str) -> bool:
    updated = Issuance.objects.filter(number=number, payment=Issuance.Payment.DUE).update(
        payment=Issuance.Payment.PAID, payment_ref=reference
    )
    return bool(updated)


def issuance_mark_due(*, number: str, reference: str) -> bool:
    """The window payment was voided the same day: the fee is owed again."""
    updated = Issuance.objects.filter(
        number=number, payment=Issuance.Payment.PAID, payment_ref=reference, channel=Issuance.Channel.WINDOW
    ).update(payment=Issuance.Payment.DUE, payment_ref="")
    return bool(updated)


# --- kiosk ----------------------------------------------------------------------------------------


def kiosk_challenge(*, terminal: str, card_serial: str) -> str:
    """A fresh, single-use challenge for the card in ``terminal``'s reader."""
    _plain(terminal, card_serial)
    nonce = secrets.token_hex(32)
    KioskChallenge.objects.create(nonce=nonce, terminal=terminal, card_serial=card_serial, created_at=_now())
    return nonce


def kiosk_login(*, terminal: str, nonce: str, certificate_pem: bytes, signature: bytes) -> KioskSession:
    """Verify the card's answer to our challenge and open a session for the card holder. The person
    comes from the verified certificate, never from the terminal. A challenge is used up by its first
    answer, right or wrong."""
    _plain(terminal, nonce)
    failure = ""
    atena_no: str | None = None
    with transaction.atomic():
        challenge = KioskChallenge.objects.select_for_update().filter(nonce=nonce, terminal=terminal).first()
        if challenge is None or challenge.used:
            raise CertificateError(_("もう一度カードを置いてやり直してください。"))
        if challenge.created_at < _now() - dt.timedelta(seconds=CHALLENGE_SECONDS):
            raise CertificateError(_("時間切れです。もう一度カードを置いてやり直してください。"))
        challenge.used = True
        challenge.save(update_fields=["used"])
        try:
            serial = cardauth.verify_card_response(
                certificate_pem=certificate_pem, challenge=bytes.fromhex(nonce), signature=signature
            )
        except cardauth.CardAuthError as exc:
            failure = str(exc)
        else:
            atena_no = cardauth.atena_no_for_serial(serial) if serial == challenge.card_serial else None
            if atena_no is None:
                failure = _("カードを確認できませんでした。")
        if failure or atena_no is None:
            failure = failure or _("カードを確認できませんでした。")
            # Committed with the used challenge; the error is raised once the transaction is closed.
            audit_record(
                actor=f"kiosk:{terminal}",
                action="kiosk_auth_failed",
                target_type="card",
                detail={"reason": failure},
            )
        else:
            session = KioskSession.objects.create(
                token=secrets.token_urlsafe(32),
                terminal=terminal,
                card_serial=serial,
                atena_no=atena_no,
                created_at=_now(),
                expires_at=_now() + dt.timedelta(seconds=SESSION_SECONDS),
            )
            audit_record(
                actor=f"kiosk:{terminal}", action="kiosk_login", target_type="resident", target_id=atena_no
            )
    if failure:
        raise CertificateError(failure)
    return session


def _session(token: str, terminal: str) -> KioskSession:
    _plain(token, terminal)
    session = KioskSession.objects.filter(token=token, terminal=terminal, ended=False).first()
    if session is None or session.expires_at < _now():
        raise CertificateError(_("時間切れです。最初からやり直してください。"))
    return session


@dataclasses.dataclass(frozen=True)
class KioskChoice:
    code: str
    title: str
    fee: int
    refusal: str


def kiosk_menu(*, token: str, terminal: str) -> tuple[residents.ResidentRecord, list[KioskChoice], str]:
    """The card holder, the certificates on offer with fees (and why any is not), and a reason the
    holder cannot use the kiosk at all ("" if they can)."""
    session = _session(token, terminal)
    record = residents.resident_get(session.atena_no, actor=f"kiosk:{terminal}")
    if record is None:
        raise CertificateError(_("カードを確認できませんでした。"))
    refusal = eligibility.kiosk_person_refusal(record, today=_today())
    now = local_now()
    choices = []
    for kind in CertificateType.objects.order_by("pk"):
        reason = eligibility.kiosk_closed_reason(
            code=kind.code,
            opens=kind.kiosk_opens,
            closes=kind.kiosk_closes,
            available=kind.kiosk_available,
            now=now,
        )
        if (
            not reason
            and kind.code == CertificateType.Code.INKAN
            and not SealRegistration.objects.filter(
                atena_no=record.atena_no, state=SealRegistration.State.ACTIVE
            ).exists()
        ):
            reason = _("印鑑登録がありません。")
        choices.append(KioskChoice(kind.code, str(kind), certificate_fee(kind, "kiosk"), reason))
    return record, choices, refusal


def _kiosk_subjects(
    *, session: KioskSession, type_code: str, scope: str, actor: str
) -> tuple[
    residents.ResidentRecord,
    list[residents.ResidentRecord],
    residents.HouseholdRecord | None,
    SealRegistration | None,
]:
    """Who the kiosk may print: the card holder (and for 世帯, their household), or a refusal."""
    holder = residents.resident_get(session.atena_no, actor=actor, audited_by_caller=True)
    if holder is None:
        raise CertificateError(_("カードを確認できませんでした。"))
    refusal = eligibility.kiosk_person_refusal(holder, today=_today())
    if refusal:
        raise CertificateError(refusal)
    impression = None
    household = None
    if type_code == CertificateType.Code.INKAN:
        impression = SealRegistration.objects.filter(
            atena_no=holder.atena_no, state=SealRegistration.State.ACTIVE
        ).first()
        if impression is None:
            raise CertificateError(_("印鑑登録がありません。"))
        records = [holder]
    elif scope == "household":
        household = residents.household_get(holder.setai_no, actor=actor, audited_by_caller=True)
        if household is None:
            raise CertificateError(_("カードを確認できませんでした。"))
        refusal = eligibility.kiosk_household_refusal(household, holder=holder.atena_no, today=_today())
        if refusal:
            raise CertificateError(refusal)
        records = list(household.members)
    elif scope == "self":
        records = [holder]
    else:
        raise CertificateError(_("記載する人の範囲を選んでください。"))
    if holder.atena_no not in {r.atena_no for r in records}:
        # Defence in depth: the holder is on every certificate the kiosk prints.
        raise CertificateError(_("カードを確認できませんでした。"))
    return holder, records, household, impression


def kiosk_issue(
    *,
    token: str,
    terminal: str,
    type_code: str,
    scope: str,
    options: Options,
    idempotency_key: str,
) -> Issuance:
    """Issue for the session's card holder (``scope`` "self" or "household"), paid at the store."""
    if not idempotency_key or len(idempotency_key) > 100:
        raise CertificateError(_("受付キーが正しくありません。"))
    _plain(idempotency_key, type_code, scope)
    request_hash = _request_hash(
        {
            "type": type_code,
            "scope": scope,
            "options": options.as_dict(),
            "token": token,
            "terminal": terminal,
        }
    )
    existing = _existing_for_key(idempotency_key, request_hash)
    if existing:
        return existing
    session = _session(token, terminal)
    kind = certificate_type(type_code)
    now = local_now()
    closed = eligibility.kiosk_closed_reason(
        code=kind.code,
        opens=kind.kiosk_opens,
        closes=kind.kiosk_closes,
        available=kind.kiosk_available,
        now=now,
    )
    if closed:
        raise CertificateError(closed)
    actor = f"kiosk:{terminal}"
    # The reads below are audited by this function: the issuance entry names everyone printed, and a
    # refusal is audited with its reason.
    try:
        holder, records, household, impression = _kiosk_subjects(
            session=session, type_code=type_code, scope=scope, actor=actor
        )
    except CertificateError as exc:
        audit_record(
            actor=actor,
            action="kiosk_refused",
            target_type="resident",
            target_id=session.atena_no,
            detail={"reason": exc.message, "type": type_code},
        )
        raise
    mynumbers = {}
    if options.mynumber:
        for r in records:
            mynumbers[r.atena_no] = (
                residents.resident_mynumber(r.atena_no, actor=actor, purpose="kiosk") or ""
            )
    try:
        with transaction.atomic():
            built = _build(
                type_code=type_code,
                layout="household",
                records=records,
                household=household,
                options=options,
                terminal=terminal,
                mynumbers=mynumbers,
                impression=impression,
            )
            return _store(
                built=built,
                type_code=type_code,
                channel=Issuance.Channel.KIOSK,
                subject=holder.atena_no,
                records=records,
                layout="household",
                options=options,
                fee=certificate_fee(kind, "kiosk"),
                payment=Issuance.Payment.PAID,
                actor=actor,
                terminal=terminal,
                idempotency_key=idempotency_key,
                request_hash=request_hash,
                payment_ref=f"store:{terminal}:{idempotency_key}",
                kiosk_session=session.token,
                print_deadline=_now() + dt.timedelta(seconds=PRINT_SECONDS),
            )
    except IntegrityError:
        existing = _existing_for_key(idempotency_key, request_hash)
        if existing:
            return existing
        raise


def kiosk_pdf(*, token: str, terminal: str, number: str) -> bytes:
    """The PDF to print: only for the session that asked for it, only while it waits to be printed."""
    session = _session(token, terminal)
    _plain(number)
    issuance = Issuance.objects.filter(number=number, kiosk_session=session.token, terminal=terminal).first()
    if issuance is None or issuance.state != Issuance.State.ISSUED:
        raise CertificateError(_("この証明書は印刷できません。"))
    if issuance.print_deadline and issuance.print_deadline < _now():
        issuance_void(actor=f"kiosk:{terminal}", number=number, reason="print timeout")
        raise CertificateError(_("印刷の待ち時間を過ぎたため、発行を取り消しました。手数料はかかりません。"))
    return bytes(issuance.pdf)


def kiosk_printed(*, token: str, terminal: str, number: str, ok: bool) -> Issuance:
    """The terminal reports the print: done (the PDF is released), or failed (voided as a whole)."""
    session = _session(token, terminal)
    _plain(number)
    with transaction.atomic():
        issuance = (
            Issuance.objects.select_for_update()
            .defer("pdf")  # up to a few hundred KB, and not needed to mark the print
            .filter(number=number, kiosk_session=session.token, terminal=terminal)
            .first()
        )
        if issuance is None:
            raise CertificateError(_("この証明書は印刷できません。"))
        if issuance.state != Issuance.State.ISSUED:
            return issuance
        if not ok:
            return issuance_void(actor=f"kiosk:{terminal}", number=number, reason="print failed")
        issuance.state = Issuance.State.PRINTED
        issuance.pdf = b""  # printed once; the paper is the certificate now
        issuance.save(update_fields=["state", "pdf"])
        audit_record(
            actor=f"kiosk:{terminal}",
            action="certificate_printed",
            target_type="certificate",
            target_id=number,
        )
    return issuance


def kiosk_end(*, token: str, terminal: str) -> None:
    KioskSession.objects.filter(token=token, terminal=terminal).update(ended=True)


def void_unprinted(*, now: dt.datetime | None = None) -> int:
    """Void every kiosk issuance whose print deadline passed (run by the worker or the kiosk)."""
    moment = now or _now()
    numbers = list(
        Issuance.objects.filter(state=Issuance.State.ISSUED, print_deadline__lt=moment).values_list(
            "number", flat=True
        )
    )
    for number in numbers:
        issuance_void(actor="system", number=number, reason="print timeout")
    return len(numbers)


# --- verification ---------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Verification:
    found: bool
    genuine: bool = False
    state: str = ""
    type_title: str = ""
    issued_on: str = ""
    pages: int = 0
    number: str = ""
    municipality: str = ""


def verify_code(text: str) -> Verification:
    """Check a code typed or scanned from a certificate (``CODE`` or ``CODE.SIGNATURE``). Shows
    nothing personal: whether it was issued, when, of what kind, and whether it is still valid."""
    value = "".join(ch for ch in (text or "") if ord(ch) >= 32 and not 0xD800 <= ord(ch) <= 0xDFFF).strip()
    if "q=" in value:
        value = value.split("q=", 1)[1]
    code, _sep, signature = value.partition(".")
    code = code.strip().upper()
    issuance = Issuance.objects.filter(verification_code=code).first() if code else None
    if issuance is None:
        return Verification(found=False)
    return _verification(issuance, signature or issuance.signature)


def verify_pdf(data: bytes) -> Verification:
    issuance = Issuance.objects.filter(pdf_sha256=hashlib.sha256(data).hexdigest()).first()
    if issuance is None:
        return Verification(found=False)
    return _verification(issuance, issuance.signature)


def _verification(issuance: Issuance, signature: str) -> Verification:
    issued_on = timezone.localtime(issuance.issued_at).date()
    fields = _signed_fields(
        number=issuance.number,
        issued_on=issued_on,
        type_code=issuance.type,
        pages=issuance.pages,
        code=issuance.verification_code,
        content=issuance.content_sha256,
    )
    return Verification(
        found=True,
        genuine=signing.verify(fields, signature),
        state=issuance.state,
        type_title=TITLES[issuance.type],
        issued_on=wareki(issued_on),
        pages=issuance.pages,
        number=issuance.number,
        municipality=Municipality.current().name,
    )


# --- 印鑑登録 -------------------------------------------------------------------------------------


def seal_register(
    *,
    actor: Any,
    atena_no: str,
    image: bytes,
    dpi: int,
    identity: str,
    not_rubber: bool,
    name_only: bool,
) -> SealRegistration:
    """Register a seal: one per person; 8-25 mm; not rubber; showing the name only; not a seal already
    registered in the household. With photo ID it is active at once; with a letter it waits for the
    reply (``seal_confirm``)."""
    if not actor.has_perm("certificates.register_seal"):
        raise CertificateError(_("この操作を行う権限がありません。"))
    if identity not in SealRegistration.Identity.values:
        raise CertificateError(_("本人確認の方法を選んでください。"), "identity")
    if not not_rubber or not name_only:
        raise CertificateError(_("ゴム印や、氏名以外を表した印鑑は登録できません。"), "not_rubber")
    person = residents.resident_get(atena_no, actor=f"{ACTOR}:{actor.get_username()}")
    if person is None or not person.is_resident:
        raise CertificateError(_("現在住民登録がある方だけが印鑑登録できます。"))
    age = person.age_on(_today())
    if age is None or age < 15:
        raise CertificateError(_("15歳未満の方は印鑑登録できません。"))
    try:
        impression = read_impression(image, dpi=dpi)
    except SealImageError as exc:
        raise CertificateError(str(exc), "image") from exc
    problem = size_problem(impression)
    if problem:
        raise CertificateError(problem, "image")
    live = [SealRegistration.State.PENDING, SealRegistration.State.ACTIVE]
    with transaction.atomic():
        if SealRegistration.objects.filter(atena_no=atena_no, state__in=live).exists():
            raise CertificateError(_("この方はすでに印鑑登録をしています（1人1個まで）。"))
        if SealRegistration.objects.filter(
            setai_no=person.setai_no, state__in=live, fingerprint=impression.fingerprint
        ).exists():
            raise CertificateError(_("同じ世帯の方がすでに登録している印鑑です。"), "image")
        card_number = f"{sequence_next(name='inkan_card'):08d}"
        try:
            with transaction.atomic():
                registration = SealRegistration.objects.create(
                    atena_no=atena_no,
                    setai_no=person.setai_no,
                    card_number=card_number,
                    state=SealRegistration.State.ACTIVE
                    if identity == SealRegistration.Identity.PHOTO_ID
                    else SealRegistration.State.PENDING,
                    identity=identity,
                    image=impression.png,
                    width_mm=impression.width_mm,
                    height_mm=impression.height_mm,
                    fingerprint=impression.fingerprint,
                    registered_at=_now(),
                    actor=actor.get_username(),
                )
        except IntegrityError as exc:
            raise CertificateError(_("この方はすでに印鑑登録をしています（1人1個まで）。")) from exc
        audit_record(
            actor=actor,
            action="seal_registered",
            target_type="resident",
            target_id=atena_no,
            detail={"card_number": card_number, "state": registration.state},
        )
    return registration


def seal_confirm(*, actor: Any, card_number: str) -> SealRegistration:
    """The 照会書 came back: the registration becomes active."""
    with transaction.atomic():
        registration = SealRegistration.objects.select_for_update().get(card_number=card_number)
        if registration.state != SealRegistration.State.PENDING:
            raise CertificateError(_("照会中の登録ではありません。"))
        registration.state = SealRegistration.State.ACTIVE
        registration.save(update_fields=["state"])
        audit_record(
            actor=actor, action="seal_confirmed", target_type="resident", target_id=registration.atena_no
        )
    return registration


def seal_end(*, actor: Any, card_number: str, state: str) -> SealRegistration:
    """亡失 (the card was lost) or 廃止 (the person ends the registration)."""
    if state not in (SealRegistration.State.LOST, SealRegistration.State.ABOLISHED):
        raise CertificateError(_("亡失か廃止を選んでください。"))
    with transaction.atomic():
        registration = SealRegistration.objects.select_for_update().filter(card_number=card_number).first()
        if registration is None or registration.state not in (
            SealRegistration.State.ACTIVE,
            SealRegistration.State.PENDING,
        ):
            raise CertificateError(_("有効な印鑑登録が見つかりません。"))
        registration.state = state
        registration.ended_at = _now()
        registration.save(update_fields=["state", "ended_at"])
        audit_record(
            actor=actor,
            action=f"seal_{state}",
            target_type="resident",
            target_id=registration.atena_no,
            detail={"card_number": card_number},
        )
    return registration

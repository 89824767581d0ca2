"""Writes and the card's behaviour: keyword-only, typed, each inside ``transaction.atomic``.

The PIN is checked by "the card" under a row lock (``select_for_update``; on SQLite every transaction
is IMMEDIATE, which serialises writers anyway), so simultaneous attempts queue: after three wrong
PINs the card is locked and later attempts are refused without checking the PIN at all.
"""

import base64
import datetime as dt
import hashlib
import hmac
import re
import secrets
import threading
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yakuba.cardsim import ca
from yakuba.cardsim.interface import MAX_PIN_FAILURES, CardError, CardInfo, CardLocked, WrongPin
from yakuba.cardsim.models import Card
from yakuba.core import crypto
from yakuba.core.audit import audit_record

REASON_MOVED_OUT = "転出"
REASON_DIED = "死亡"
MAX_CHALLENGE_BYTES = 1024
ATENA_NO_MAX_LENGTH = 10

# scrypt with small parameters (about half a millisecond): this is a simulation, and a 4-digit PIN has
# only 10,000 values anyway; what protects it, on a real card as here, is the lock after three wrong
# attempts.
_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**8, 8, 1
_PIN_RE = re.compile(r"[0-9]{4}", re.ASCII)

# How many times a PIN was compared in this process (tests prove that a locked card compares none).
_pin_checks = 0
_pin_checks_lock = threading.Lock()


def pin_checks_performed() -> int:
    return _pin_checks


def _count_pin_check() -> None:
    global _pin_checks
    with _pin_checks_lock:
        _pin_checks += 1


def _pin_valid(pin: str) -> bool:
    return isinstance(pin, str) and _PIN_RE.fullmatch(pin) is not None


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _scrypt(pin: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(pin.encode(), salt=salt, n=n, r=r, p=p, dklen=32)


def pin_hash(pin: str) -> str:
    salt = secrets.token_bytes(16)
    digest = _scrypt(pin, salt, _SCRYPT_N, _SCRYPT_R, _SCRYPT_P)
    return f"scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def pin_matches(stored: str, pin: str) -> bool:
    algorithm, n, r, p, salt, digest = stored.split("$")
    if algorithm != "scrypt":
        raise ValueError(f"unknown PIN hash {algorithm!r}")
    candidate = _scrypt(pin, base64.b64decode(salt), int(n), int(r), int(p))
    return hmac.compare_digest(candidate, base64.b64decode(digest))


def _require_pin_format(pin: str) -> None:
    if not _pin_valid(pin):
        raise CardError(_("暗証番号は4桁の数字で入力してください。"))


def _unreadable() -> CardError:
    return CardError(_("カードを読み取れませんでした。"))


# --- the window ---------------------------------------------------------------------------------


def card_issue(
    *,
    atena_no: str,
    pin: str,
    not_before: dt.datetime | None = None,
    not_after: dt.datetime | None = None,
) -> str:
    """Issue a card with a new key pair and 利用者証明用電子証明書 for ``atena_no``; returns the
    certificate serial. ``not_before``/``not_after`` override the 5-year validity (tests)."""
    _require_pin_format(pin)
    if not atena_no or len(atena_no) > ATENA_NO_MAX_LENGTH:
        raise CardError(_("宛名番号が正しくありません。"))
    with transaction.atomic():
        issued = ca.card_certificate_issue(not_before=not_before, not_after=not_after)
        Card.objects.create(
            serial=issued.serial,
            atena_no=atena_no,
            certificate_pem=issued.certificate_pem,
            private_key_enc=crypto.encrypt(issued.private_key_pem),
            pin_hash=pin_hash(pin),
            issued_at=timezone.now(),
            not_after=issued.not_after,
        )
        audit_record(
            actor="cardsim",
            action="card_issued",
            target_type="card",
            target_id=issued.serial,
            detail={"atena_no": atena_no, "not_after": issued.not_after.isoformat()},
        )
    return issued.serial


def card_unlock(*, serial: str, actor: Any) -> None:
    """The window resets the wrong-PIN counter and unlocks the card. The caller checks the actor's
    permission (``interface.UNLOCK_PERMISSION``) and the holder's identity."""
    with transaction.atomic():
        card = Card.objects.select_for_update().filter(serial=serial).first()
        if card is None:
            raise _unreadable()
        before = {"locked": card.locked, "pin_failures": card.pin_failures}
        card.locked = False
        card.pin_failures = 0
        card.save(update_fields=["locked", "pin_failures"])
        audit_record(actor=actor, action="card_unlock", target_type="card", target_id=serial, detail=before)


def card_revoke(*, atena_no: str, reason: str) -> int:
    """Revoke every card of ``atena_no`` not yet revoked (転出, 死亡); returns how many were revoked
    now. Idempotent: a second call revokes nothing and records nothing."""
    with transaction.atomic():
        serials = list(
            Card.objects.select_for_update()
            .filter(atena_no=atena_no, revoked_at__isnull=True)
            .order_by("id")
            .values_list("serial", flat=True)
        )
        if not serials:
            return 0
        Card.objects.filter(serial__in=serials).update(revoked_at=timezone.now(), revoked_reason=reason)
        audit_record(
            actor="cardsim",
            action="card_revoke",
            target_type="card",
            target_id=",".join(serials),
            detail={"atena_no": atena_no, "reason": reason, "serials": serials},
        )
    return len(serials)


# --- the card ----------------------------------------------------------------------------------


def card_read_certificate(*, serial: str) -> bytes:
    """The public certificate, as a reader gets it from the card without a PIN."""
    pem = Card.objects.filter(serial=serial).values_list("certificate_pem", flat=True).first()
    if pem is None:
        raise _unreadable()
    return pem.encode()


def card_sign(*, serial: str, pin: str, challenge: bytes) -> bytes:
    """What the card does when the kiosk sends the PIN and a challenge: refuse if locked (without
    looking at the PIN), count a wrong PIN (locking at three), or reset the count and sign. A PIN
    that is not 4 digits never reaches the card (the kiosk refuses it) and is not counted.

    A revoked card still signs: the card cannot know; the server checks revocation."""
    _require_pin_format(pin)
    if not isinstance(challenge, bytes) or not 0 < len(challenge) <= MAX_CHALLENGE_BYTES:
        raise CardError(_("カードを確認できませんでした。"))
    with transaction.atomic():
        # The lock is held while the PIN is compared and the counter written: attempts queue here.
        card = Card.objects.select_for_update().filter(serial=serial).first()
        if card is None:
            raise _unreadable()
        if card.locked:
            raise CardLocked()
        ok = pin_matches(card.pin_hash, pin)
        _count_pin_check()
        if ok:
            if card.pin_failures:
                card.pin_failures = 0
                card.save(update_fields=["pin_failures"])
        else:
            card.pin_failures += 1
            card.locked = card.pin_failures >= MAX_PIN_FAILURES
            card.save(update_fields=["pin_failures", "locked"])
        audit_record(
            actor=f"card:{serial}",
            action="pin_check",
            target_type="card",
            target_id=serial,
            detail={"ok": ok},
        )
        failures = card.pin_failures
        key_enc = card.private_key_enc
    # Raised after the commit: an exception inside the block would roll the counter back.
    if not ok:
        raise WrongPin(remaining=MAX_PIN_FAILURES - failures)
    key = serialization.load_pem_private_key(crypto.decrypt(key_enc).encode(), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise CardError(_("カードを確認できませんでした。"))
    return key.sign(challenge, ec.ECDSA(hashes.SHA256()))


# --- reads -------------------------------------------------------------------------------------


def revocation_status(*, serial: str) -> str:
    row = Card.objects.filter(serial=serial).values_list("revoked_at").first()
    if row is None:
        return "unknown"
    return "good" if row[0] is None else "revoked"


def atena_no_for_serial(*, serial: str) -> str | None:
    return Card.objects.filter(serial=serial).values_list("atena_no", flat=True).first()


def _info(card: Card) -> CardInfo:
    return CardInfo(
        serial=card.serial,
        atena_no=card.atena_no,
        locked=card.locked,
        pin_failures=card.pin_failures,
        revoked=card.revoked_at is not None,
        not_after=card.not_after,
    )


def cards_for(*, atena_no: str) -> list[CardInfo]:
    return [_info(card) for card in Card.objects.filter(atena_no=atena_no).order_by("id")]


def demo_cards(*, limit: int = 20) -> list[tuple[str, str, str]]:
    out = []
    for n, card in enumerate(Card.objects.order_by("id")[:limit], start=1):
        label = _("デモカード %(n)d") % {"n": n}
        if card.revoked_at is not None:
            label += _("（失効）")
        elif card.locked:
            label += _("（ロック中）")
        elif card.not_after <= timezone.now():
            label += _("（期限切れ）")
        out.append((card.serial, card.atena_no, label))
    return out

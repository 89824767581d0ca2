"""The server's side of card authentication at the kiosk (コンビニ交付).

The kiosk reads the card's 利用者証明用電子証明書 (no PIN), sends a fresh challenge to the card with
the PIN the resident typed, and passes the certificate, the challenge and the card's signature here.
``verify_card_response`` accepts them only if the certificate was issued by the (demo) J-LIS CA, is
within its validity period and not revoked, and the signature over this challenge verifies with the
certificate's key. Issuing the challenge (random, single use, short-lived) is the caller's job.
"""

import datetime as dt
import functools

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from django.utils import timezone
from django.utils.translation import gettext as _

from yakuba.cardsim import interface as cardsim


class CardAuthError(Exception):
    """Authentication failed; ``message`` is Japanese and may be shown at the kiosk as it is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _unverified() -> CardAuthError:
    return CardAuthError(_("カードを確認できませんでした。"))


@functools.lru_cache(maxsize=4)
def _ca(pem: bytes) -> x509.Certificate:
    return x509.load_pem_x509_certificate(pem)


def _issued_by_ca(certificate: x509.Certificate) -> bool:
    ca_certificate = _ca(cardsim.ca_certificate_pem())
    if certificate.issuer != ca_certificate.subject:
        return False
    try:
        # Checks the issuer name again and the CA's signature over the certificate's TBS bytes.
        certificate.verify_directly_issued_by(ca_certificate)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def _end_entity_for_signing(certificate: x509.Certificate) -> bool:
    try:
        constraints = certificate.extensions.get_extension_for_class(x509.BasicConstraints).value
        usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    except (x509.ExtensionNotFound, ValueError):
        return False
    return not constraints.ca and usage.digital_signature


def verify_card_response(
    *, certificate_pem: bytes, challenge: bytes, signature: bytes, now: dt.datetime | None = None
) -> str:
    """Check the card's answer; returns the certificate serial (decimal) or raises ``CardAuthError``."""
    now = now or timezone.now()
    if timezone.is_naive(now):
        now = timezone.make_aware(now, dt.UTC)
    # 1. The certificate parses.
    try:
        certificate = x509.load_pem_x509_certificate(certificate_pem)
    except (ValueError, TypeError) as exc:
        raise _unverified() from exc
    # 2. The demo J-LIS CA issued it (and it is a card certificate, not a CA).
    if not _issued_by_ca(certificate) or not _end_entity_for_signing(certificate):
        raise _unverified()
    # 3. It is within its validity period.
    if now > certificate.not_valid_after_utc:
        raise CardAuthError(_("電子証明書の有効期限が切れています。"))
    if now < certificate.not_valid_before_utc:
        raise CardAuthError(_("電子証明書の有効期間が始まっていません。"))
    # 4. J-LIS says it is not revoked (the card itself cannot know).
    serial = str(certificate.serial_number)
    status = cardsim.revocation_status(serial)
    if status == "revoked":
        raise CardAuthError(_("このカードの電子証明書は失効しています。"))
    if status != "good":
        raise _unverified()
    # 5. The card holds the certificate's private key: its signature over this challenge verifies.
    public_key = certificate.public_key()
    if not isinstance(public_key, ec.EllipticCurvePublicKey):
        raise _unverified()
    try:
        public_key.verify(signature, challenge, ec.ECDSA(hashes.SHA256()))
    except (InvalidSignature, ValueError, TypeError) as exc:
        raise _unverified() from exc
    return serial


def atena_no_for_serial(serial: str) -> str | None:
    """The resident behind a verified certificate (in reality 住基 looks it up through J-LIS)."""
    return cardsim.atena_no_for_serial(serial)

"""Shared steps of the certificate stories."""

import datetime as dt
import subprocess

from django.utils import timezone

from yakuba.cardsim import interface as cards
from yakuba.certificates import services
from yakuba.certificates.demo import FEES
from yakuba.certificates.models import CertificateType

PIN = "1234"


def set_fees() -> None:
    for code, (window, kiosk, available) in FEES.items():
        CertificateType.objects.update_or_create(
            code=code, defaults={"window_fee": window, "kiosk_fee": kiosk, "kiosk_available": available}
        )


def insert_card(*, terminal: str, serial: str, pin: str = PIN):
    """What the terminal does: a challenge from the server, signed by the card after its PIN check."""
    nonce = services.kiosk_challenge(terminal=terminal, card_serial=serial)
    signature = cards.card_sign(serial, pin, bytes.fromhex(nonce))
    return services.kiosk_login(
        terminal=terminal,
        nonce=nonce,
        certificate_pem=cards.card_read_certificate(serial),
        signature=signature,
    )


def open_hours(settings_obj=None):
    """A moment when the kiosk is open (noon on an ordinary day)."""
    return timezone.make_aware(dt.datetime(2026, 6, 10, 12, 0))


def pdf_text(pdf: bytes) -> str:
    """The PDF's text with all whitespace removed (titles are letter-spaced on the page): compare
    with ``flat("山田 太郎")``."""
    result = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True)
    return flat(result.stdout.decode())


def flat(text: str) -> str:
    return "".join(text.split())


def kiosk_open(monkeypatch) -> None:
    monkeypatch.setattr(services, "local_now", open_hours)

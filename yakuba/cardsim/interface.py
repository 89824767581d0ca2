"""What other modules may use of the simulated cards and CA: exceptions, a frozen record, functions.

Two roles are played here, and callers should keep them apart as in reality:

- **the card** (what a kiosk's reader can do with the card in it): read its public certificate
  without a PIN (``card_read_certificate``) and ask it to sign a challenge after the holder enters the
  4-digit PIN (``card_sign``). The card counts wrong PINs and locks after three; it does not know
  whether its certificate was revoked.
- **J-LIS** (what the server asks): the CA certificate to verify against (``ca_certificate_pem``), the
  revocation status of a certificate (``revocation_status``, OCSP-like) and the holder behind a
  certificate (``atena_no_for_serial``).

The window (窓口) lists a person's cards (``cards_for``), issues cards and unlocks them; callers check
``UNLOCK_PERMISSION`` before ``card_unlock``. The private key and the PIN never leave this module.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

UNLOCK_PERMISSION = "cardsim.unlock_card"
MAX_PIN_FAILURES = 3

# --- exceptions (messages are Japanese and may be shown to the resident as they are) -------------


class CardError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class CardLocked(CardError):
    def __init__(self) -> None:
        super().__init__(
            _(
                "暗証番号の誤りが続いたため、カードがロックされています。市役所の窓口でロックを解除してください。"
            )
        )


class WrongPin(CardError):
    """A wrong PIN; ``remaining`` attempts are left before the card locks (0: it is now locked)."""

    def __init__(self, *, remaining: int) -> None:
        self.remaining = remaining
        if remaining <= 0:
            super().__init__(CardLocked().message)
        else:
            super().__init__(
                _("暗証番号が違います。あと%(n)d回間違えるとカードがロックされます。") % {"n": remaining}
            )


# --- records -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CardInfo:
    serial: str
    atena_no: str
    locked: bool
    pin_failures: int
    revoked: bool
    not_after: dt.datetime


# --- the CA (J-LIS) ------------------------------------------------------------------------------


def ca_certificate_pem() -> bytes:
    """The demo CA's certificate (PEM), the trust anchor for ``verify_card_response``."""
    from yakuba.cardsim import ca

    return ca.ca_certificate_pem()


def revocation_status(serial: str) -> str:
    """The status J-LIS reports: "good", "revoked", or "unknown" (no such certificate was issued)."""
    from yakuba.cardsim import services

    return services.revocation_status(serial=serial)


def atena_no_for_serial(serial: str) -> str | None:
    """The 宛名番号 of the certificate's holder (in reality 住基 asks J-LIS), or None."""
    from yakuba.cardsim import services

    return services.atena_no_for_serial(serial=serial)


# --- the card ----------------------------------------------------------------------------------


def card_read_certificate(serial: str) -> bytes:
    """What a card reader reads without a PIN: the public certificate (PEM)."""
    from yakuba.cardsim import services

    return services.card_read_certificate(serial=serial)


def card_sign(serial: str, pin: str, challenge: bytes) -> bytes:
    """The card checks ``pin`` and signs ``challenge`` (ECDSA-SHA256, DER). Raises ``CardLocked``,
    ``WrongPin`` or ``CardError``.

    Call it outside ``transaction.atomic``: the wrong-PIN count is committed before ``WrongPin`` is
    raised, and an enclosing block that lets ``WrongPin`` escape would roll the count back."""
    from yakuba.cardsim import services

    return services.card_sign(serial=serial, pin=pin, challenge=challenge)


# --- the window ----------------------------------------------------------------------------------


def card_issue(atena_no: str, pin: str) -> str:
    """Issue a card with a new certificate for ``atena_no``; returns its serial."""
    from yakuba.cardsim import services

    return services.card_issue(atena_no=atena_no, pin=pin)


def card_unlock(serial: str, *, actor: Any) -> None:
    """Reset the wrong-PIN counter (the holder proved who they are at the window). Audited."""
    from yakuba.cardsim import services

    services.card_unlock(serial=serial, actor=actor)


def cards_for(atena_no: str) -> list[CardInfo]:
    from yakuba.cardsim import services

    return services.cards_for(atena_no=atena_no)


def demo_cards(limit: int = 20) -> list[tuple[str, str, str]]:
    """(serial, 宛名番号, label) of demo cards for the demo kiosk's card picker; labels carry no name."""
    from yakuba.cardsim import services

    return services.demo_cards(limit=limit)

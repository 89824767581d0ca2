"""What other modules may use of payments: prices from the fee table, asking the register to collect
a fee, and the events of captured and voided payments."""

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class ChargeRef:
    source: str  # the module that asked, e.g. "certificates"
    ref: str  # its reference, e.g. the certificate's 発行番号


@dataclass(frozen=True)
class PaymentCaptured:
    payment_number: str
    sale_number: str
    method: str
    amount: int
    charges: tuple[ChargeRef, ...]


@dataclass(frozen=True)
class PaymentVoided:
    payment_number: str
    sale_number: str
    amount: int
    charges: tuple[ChargeRef, ...]


def price_for(code: str, channel: str, *, on: dt.date | None = None) -> int | None:
    """The fee for item ``code`` ("cert.juminhyo") at ``channel`` ("window" or "kiosk") on a day,
    campaign prices included; None if the item is unknown or not sold there."""
    from yakuba.payments import services

    return services.price_for(code=code, channel=channel, on=on)


def charge_request(*, source: str, ref: str, item_code: str, description: str, amount: int) -> None:
    """Ask the register to collect ``amount`` yen. Idempotent on (source, ref)."""
    from yakuba.payments import services

    services.charge_request(
        source=source, ref=ref, item_code=item_code, description=description, amount=amount
    )


def charge_cancel(*, source: str, ref: str) -> bool:
    """Withdraw an uncollected charge (the certificate was voided). False if already paid."""
    from yakuba.payments import services

    return services.charge_cancel(source=source, ref=ref)

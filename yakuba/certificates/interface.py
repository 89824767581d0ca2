"""What other modules may use of certificates: events, and settling a fee."""

from dataclasses import dataclass


@dataclass(frozen=True)
class CertificateIssued:
    """A fee to collect (payment "due"), already paid at the store ("paid"), or waived ("exempt")."""

    number: str
    type: str
    channel: str
    fee: int
    payment: str


@dataclass(frozen=True)
class CertificateVoided:
    number: str
    reason: str


def certificate_mark_paid(number: str, *, reference: str) -> bool:
    """The payments module settles a window fee. Idempotent; False if there is no such due fee."""
    from yakuba.certificates import services

    return services.issuance_mark_paid(number=number, reference=reference)

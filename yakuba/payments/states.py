"""The payment state table. Every change of ``Payment.state`` goes through ``check_transition``.

    created ──► authorised ──► captured ──► voided
       │            │
       └──► failed ◄┘          (authorised ──► voided: a cashless authorisation released)

Cash is authorised when the tendered amount covers the total and the change machine can pay the
change, and captured when the change is paid out, in one transaction. Cashless is authorised and
captured by the gateway, each step recorded, so a crash between them is finished or undone by
``payments_reconcile``.
"""

from yakuba.payments.models import Payment

S = Payment.State

ALLOWED: dict[str, frozenset[str]] = {
    S.CREATED: frozenset({S.AUTHORISED, S.FAILED}),
    S.AUTHORISED: frozenset({S.CAPTURED, S.VOIDED, S.FAILED}),
    S.CAPTURED: frozenset({S.VOIDED}),
    S.VOIDED: frozenset(),
    S.FAILED: frozenset(),
}


class InvalidTransition(ValueError):
    def __init__(self, current: str, wanted: str) -> None:
        super().__init__(f"payment state {current} -> {wanted} is not allowed")
        self.current = current
        self.wanted = wanted


def check_transition(current: str, wanted: str) -> None:
    if wanted not in ALLOWED.get(current, frozenset()):
        raise InvalidTransition(current, wanted)


def move(payment: Payment, wanted: str) -> None:
    """Set ``payment.state`` to ``wanted`` if the table allows it (the caller saves)."""
    check_transition(payment.state, wanted)
    payment.state = wanted

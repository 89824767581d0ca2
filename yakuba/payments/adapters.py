"""The register's two machines, behind interfaces a real device driver or processor can replace:

- ``ChangeMachine`` (釣銭機): takes the resident's notes and coins and pays out the change. The
  simulated machine keeps a finite stock per denomination in ``ChangeStock`` (in the payment's
  transaction, so a crash loses no coin).
- ``PaymentGateway`` (card, e-money, QR): authorise, capture, void and status, each idempotent on
  our payment number. The simulated gateway keeps its own ledger (``GatewayTransaction``) and the
  fee rates from ``YAKUBA_CASHLESS_FEE_RATES``.

``YAKUBA_CHANGE_MACHINE`` and ``YAKUBA_PAYMENT_GATEWAY`` name other classes (dotted paths).
"""

import secrets
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

from yakuba.payments.models import ChangeStock, Drawer, GatewayTransaction

# Japanese money; a change machine pays no 2,000-yen notes.
DENOMINATIONS = (10000, 5000, 2000, 1000, 500, 100, 50, 10, 5, 1)
DISPENSED = (10000, 5000, 1000, 500, 100, 50, 10, 5, 1)


class ChangeUnavailable(Exception):
    """The machine cannot pay this change from its stock."""


def breakdown(amount: int, *, denominations: tuple[int, ...] = DISPENSED) -> dict[int, int]:
    """Fewest notes and coins for ``amount`` with unlimited stock."""
    result: dict[int, int] = {}
    for d in denominations:
        n, amount = divmod(amount, d)
        if n:
            result[d] = n
    return result


def plan_change(amount: int, stock: dict[int, int]) -> dict[int, int] | None:
    """Fewest pieces for ``amount`` from a finite ``stock``, or None if the stock cannot make it.
    Greedy is optimal and complete here: each Japanese denomination divides every larger one
    (1, 5, 10, 50, 100, 500, 1000, 5000, 10000)."""
    result: dict[int, int] = {}
    for d in DISPENSED:
        n = min(amount // d, stock.get(d, 0))
        if n:
            result[d] = n
            amount -= n * d
    return result if amount == 0 else None


class ChangeMachine(Protocol):
    def pay(self, *, drawer: Drawer, tendered: dict[int, int], change: int) -> dict[int, int]:
        """Accept ``tendered`` and pay out ``change``; returns what was paid out. Raises
        ChangeUnavailable (and keeps nothing) when the change cannot be made."""
        ...

    def refund(self, *, drawer: Drawer, amount: int) -> dict[int, int]: ...

    def stock(self, *, drawer: Drawer) -> dict[int, int]: ...

    def reset(self, *, drawer: Drawer, pieces: dict[int, int]) -> None:
        """After the daily close: the takings are taken out and the machine holds ``pieces``."""
        ...


class SimulatedChangeMachine:
    """A machine whose coins live in ``ChangeStock``. Must run inside the payment's transaction."""

    def _locked(self, drawer: Drawer) -> dict[int, ChangeStock]:
        rows = {
            row.denomination: row for row in ChangeStock.objects.select_for_update().filter(drawer=drawer)
        }
        missing = [d for d in DENOMINATIONS if d not in rows]
        if missing:
            ChangeStock.objects.bulk_create(
                [ChangeStock(drawer=drawer, denomination=d, count=0) for d in missing], ignore_conflicts=True
            )
            rows = {
                row.denomination: row for row in ChangeStock.objects.select_for_update().filter(drawer=drawer)
            }
        return rows

    def stock(self, *, drawer: Drawer) -> dict[int, int]:
        return dict(ChangeStock.objects.filter(drawer=drawer).values_list("denomination", "count"))

    def pay(self, *, drawer: Drawer, tendered: dict[int, int], change: int) -> dict[int, int]:
        if not transaction.get_connection().in_atomic_block:
            raise RuntimeError("the change machine runs inside the payment's transaction")
        rows = self._locked(drawer)
        available = {d: rows[d].count + tendered.get(d, 0) for d in rows}
        paid = plan_change(change, available)
        if paid is None:
            raise ChangeUnavailable
        for d, row in rows.items():
            new = row.count + tendered.get(d, 0) - paid.get(d, 0)
            if new != row.count:
                row.count = new
                row.save(update_fields=["count"])
        return paid

    def refund(self, *, drawer: Drawer, amount: int) -> dict[int, int]:
        return self.pay(drawer=drawer, tendered={}, change=amount)

    def reset(self, *, drawer: Drawer, pieces: dict[int, int]) -> None:
        with transaction.atomic():
            rows = self._locked(drawer)
            for d, row in rows.items():
                if row.count != pieces.get(d, 0):
                    row.count = pieces.get(d, 0)
                    row.save(update_fields=["count"])

    def load(self, *, drawer: Drawer, coins: dict[int, int]) -> None:
        """Fill the machine (釣銭補充), e.g. with the change fund in the morning."""
        with transaction.atomic():
            rows = self._locked(drawer)
            for d, n in coins.items():
                rows[d].count += n
                rows[d].save(update_fields=["count"])


@dataclass(frozen=True)
class GatewayResult:
    ok: bool
    ref: str = ""
    state: str = ""  # authorised, captured, voided, or "" when the processor knows nothing
    fee_rate_bp: int = 0
    reason: str = ""


class PaymentGateway(Protocol):
    def authorise(self, *, merchant_key: str, method: str, amount: int) -> GatewayResult: ...

    def capture(self, *, ref: str) -> GatewayResult: ...

    def void(self, *, ref: str) -> GatewayResult: ...

    def status(self, *, merchant_key: str) -> GatewayResult: ...


def fee_rates_bp() -> dict[str, int]:
    """``YAKUBA_CASHLESS_FEE_RATES`` in basis points, e.g. {"card": 220, "emoney": 220, "qr": 290}."""
    return dict(settings.YAKUBA_CASHLESS_FEE_RATES)


class SimulatedGateway:
    """Approves everything except amounts listed in ``declines`` (for tests and demos); each call is
    idempotent on ``merchant_key`` / ``ref``, as a real processor's API is."""

    declines: set[int] = set()

    def authorise(self, *, merchant_key: str, method: str, amount: int) -> GatewayResult:
        rate = fee_rates_bp().get(method)
        if rate is None:
            return GatewayResult(False, reason="unsupported method")
        if amount in self.declines:
            return GatewayResult(False, reason="declined")
        txn, _created = GatewayTransaction.objects.get_or_create(
            merchant_key=merchant_key,
            defaults={
                "ref": "SIM-" + secrets.token_hex(8).upper(),
                "method": method,
                "amount": amount,
                "state": "authorised",
                "fee_rate_bp": rate,
            },
        )
        return self._result(txn)

    def capture(self, *, ref: str) -> GatewayResult:
        with transaction.atomic():
            txn = GatewayTransaction.objects.select_for_update().filter(ref=ref).first()
            if txn is None or txn.state == "voided":
                return GatewayResult(False, ref=ref, reason="no such authorisation")
            if txn.state == "authorised":
                txn.state = "captured"
                txn.captures += 1
                txn.save(update_fields=["state", "captures"])
        return self._result(txn)

    def void(self, *, ref: str) -> GatewayResult:
        with transaction.atomic():
            txn = GatewayTransaction.objects.select_for_update().filter(ref=ref).first()
            if txn is None:
                return GatewayResult(False, ref=ref, reason="no such transaction")
            if txn.state != "voided":
                txn.state = "voided"
                txn.save(update_fields=["state"])
        return self._result(txn)

    def status(self, *, merchant_key: str) -> GatewayResult:
        txn = GatewayTransaction.objects.filter(merchant_key=merchant_key).first()
        return self._result(txn) if txn else GatewayResult(False)

    @staticmethod
    def _result(txn: GatewayTransaction) -> GatewayResult:
        return GatewayResult(True, ref=txn.ref, state=txn.state, fee_rate_bp=txn.fee_rate_bp)


def change_machine() -> ChangeMachine:
    machine: ChangeMachine = import_string(settings.YAKUBA_CHANGE_MACHINE)()
    return machine


def gateway() -> PaymentGateway:
    gw: PaymentGateway = import_string(settings.YAKUBA_PAYMENT_GATEWAY)()
    return gw

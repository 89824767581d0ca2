"""Races at the register, proven on PostgreSQL (row locks); SQLite serialises writers."""

import pytest

from tests.concurrency import race
from tests.payments.test_register import _Out
from yakuba.core.audit import audit_verify
from yakuba.payments import services
from yakuba.payments.demo import demo_load
from yakuba.payments.models import ChangeStock, GatewayTransaction, IdempotencyKey, Payment
from yakuba.payments.services import LineRequest

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("postgres_only"),
]


@pytest.fixture
def sale():
    demo_load(stdout=_Out())
    return services.sale_create(actor="madoguchi", drawer_code="R01", lines=[LineRequest("cert.juminhyo", 2)])


@pytest.mark.parametrize("method", ["cash", "card"])
def test_fifty_requests_with_one_key_make_one_payment(sale, method):
    hundreds = ChangeStock.objects.get(drawer__code="R01", denomination=100).count
    tendered = 1000 if method == "cash" else 0

    def pay():
        return services.pay(
            actor="madoguchi",
            sale_number=sale.number,
            method=method,
            tendered=tendered,
            idempotency_key="race-key-1",
        ).number

    results = race([pay for _ in range(50)])
    assert [kind for kind, _v in results] == ["ok"] * 50, [v for k, v in results if k == "error"][:3]
    assert len({number for _kind, number in results}) == 1
    assert Payment.objects.count() == 1
    assert Payment.objects.get().state == "captured"
    assert IdempotencyKey.objects.count() == 1
    if method == "cash":
        assert ChangeStock.objects.get(drawer__code="R01", denomination=100).count == hundreds - 4
    else:
        assert GatewayTransaction.objects.get().captures == 1
    assert audit_verify().ok


def test_fifty_keys_for_one_sale_charge_it_once(sale):
    def pay(i):
        return lambda: services.pay(
            actor="madoguchi", sale_number=sale.number, method="card", idempotency_key=f"race-key-{i:03d}"
        )

    results = race([pay(i) for i in range(50)])
    captured = Payment.objects.filter(state="captured")
    assert captured.count() == 1
    assert GatewayTransaction.objects.filter(state="captured").count() == 1
    assert sum(1 for kind, _v in results if kind == "ok") >= 1

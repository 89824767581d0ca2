"""A register terminal pays through the JSON API with an Idempotency-Key; fuzzed input never breaks it."""

import pytest
from django.test import Client

from tests.payments.test_register import _Out
from yakuba.core.apiclients import api_client_create
from yakuba.payments import services
from yakuba.payments.demo import demo_load
from yakuba.payments.models import Payment


@pytest.fixture
def terminal(db):
    demo_load(stdout=_Out())
    _client, token = api_client_create(actor="test", name="REG-1", scopes=["register"])
    return Client(headers={"Authorization": f"Bearer {token}"})


def _sale(terminal, qty=2):
    response = terminal.post(
        "/api/v1/payments/sales",
        {"drawer": "R01", "lines": [{"item_code": "cert.juminhyo", "quantity": qty}]},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    return response.json()


def _pay(terminal, number, key, **body):
    return terminal.post(
        f"/api/v1/payments/sales/{number}/payments",
        body,
        content_type="application/json",
        headers={"Idempotency-Key": key},
    )


def test_pay_cash_over_http_with_an_idempotency_key(terminal):
    sale = _sale(terminal)
    assert (sale["total"], sale["state"]) == (600, "open")
    first = _pay(terminal, sale["number"], "api-key-0001", method="cash", tendered=1000)
    assert first.status_code == 200
    body = first.json()
    assert (body["state"], body["amount"], body["change"], body["change_coins"]) == (
        "captured",
        600,
        400,
        {"100": 4},
    )
    again = _pay(terminal, sale["number"], "api-key-0001", method="cash", tendered=1000)
    assert again.status_code == 200 and again.json() == body
    conflict = _pay(terminal, sale["number"], "api-key-0001", method="cash", tendered=5000)
    assert conflict.status_code == 409
    assert Payment.objects.count() == 1
    assert terminal.get(f"/api/v1/payments/payments/{body['number']}").json()["state"] == "captured"


def test_refusals_are_400_in_japanese(terminal):
    sale = _sale(terminal)
    short = _pay(terminal, sale["number"], "api-key-0002", method="cash", tendered=100)
    assert short.status_code == 400
    assert "500 円足りません" in short.json()["detail"]
    missing = terminal.post(
        f"/api/v1/payments/sales/{sale['number']}/payments",
        {"method": "card"},
        content_type="application/json",
    )
    assert missing.status_code == 422  # no Idempotency-Key header
    assert Payment.objects.count() == 0


def test_control_characters_are_refused_not_a_server_error(terminal):
    """Found by the fuzzer on PostgreSQL, which refuses NUL bytes in text."""
    assert terminal.post(
        "/api/v1/payments/sales", {"drawer": "R0\x001", "lines": []}, content_type="application/json"
    ).status_code in (400, 422)
    with pytest.raises(services.PaymentError, match="使えない文字"):
        services.sale_create(actor="t", drawer_code="R0\x001", lines=[services.LineRequest("cert.juminhyo")])
    with pytest.raises(services.PaymentError, match="使えない文字"):
        services.sale_create(actor="t", drawer_code="R01", lines=[services.LineRequest("cert.\x00")])
    sale = _sale(terminal)
    assert _pay(terminal, sale["number"], "key-\x00-0001", method="cash", tendered=600).status_code in (
        400,
        422,
    )


def test_no_register_token_no_payments(db):
    demo_load(stdout=_Out())
    _client, token = api_client_create(actor="test", name="kiosk-only", scopes=["kiosk"])
    client = Client(headers={"Authorization": f"Bearer {token}"})
    assert (
        client.post("/api/v1/payments/sales", {"drawer": "R01"}, content_type="application/json").status_code
        == 401
    )
    assert Client().get("/api/v1/payments/prices/cert.juminhyo").json()["price"] == 300


@pytest.mark.django_db(transaction=True)
def test_fuzzed_payments_api_causes_no_server_error():
    import schemathesis
    from hypothesis import HealthCheck, given, settings

    from yakuba.wsgi import application

    demo_load(stdout=_Out())
    _client, token = api_client_create(actor="test", name="REG-F", scopes=["register"])
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    failures, calls = [], []
    for result in schema.get_all_operations():
        operation = result.ok()
        if not operation.path.startswith("/api/v1/payments"):
            continue

        @settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        @given(case=operation.as_strategy())
        def check(case):
            response = case.call(headers={"Authorization": f"Bearer {token}"})
            calls.append(case.path)
            if response.status_code >= 500:
                failures.append((case.method, case.path, response.status_code, repr(case.body)[:200]))

        check()
    assert failures == []
    assert len(set(calls)) >= 4

"""A store's terminal drives the kiosk through the JSON API; fuzzed input never breaks the server."""

import base64

import pytest
from django.test import Client

from tests.certificates.helpers import PIN, kiosk_open, set_fees
from tests.factories import by_name, register_household
from yakuba.cardsim import interface as cards
from yakuba.certificates.models import Issuance
from yakuba.core.apiclients import api_client_create


@pytest.fixture
def terminal(clerk, approver, monkeypatch):
    set_fees()
    kiosk_open(monkeypatch)
    register_household(clerk, approver)
    _client, token = api_client_create(actor="test", name="K042", scopes=["kiosk"])
    return Client(headers={"Authorization": f"Bearer {token}"})


def _login(terminal, serial, pin=PIN):
    nonce = terminal.post(
        "/api/v1/certificates/kiosk/challenge", {"card_serial": serial}, content_type="application/json"
    ).json()["nonce"]
    signature = cards.card_sign(serial, pin, bytes.fromhex(nonce))
    return terminal.post(
        "/api/v1/certificates/kiosk/login",
        {
            "nonce": nonce,
            "certificate_pem": cards.card_read_certificate(serial).decode(),
            "signature_b64": base64.b64encode(signature).decode(),
        },
        content_type="application/json",
    )


def test_terminal_flow_over_http(terminal):
    serial = cards.card_issue(by_name("山田 太郎").atena_no, PIN)
    token = _login(terminal, serial).json()["session_token"]
    menu = terminal.get("/api/v1/certificates/kiosk/menu", {"session_token": token}).json()
    assert menu["refusal"] == "" and menu["choices"][0]["fee"] == 200
    body = {"session_token": token, "type": "juminhyo", "scope": "self", "idempotency_key": "store-1"}
    issued = terminal.post("/api/v1/certificates/kiosk/issue", body, content_type="application/json").json()
    again = terminal.post("/api/v1/certificates/kiosk/issue", body, content_type="application/json").json()
    assert issued == again and Issuance.objects.count() == 1
    conflict = terminal.post(
        "/api/v1/certificates/kiosk/issue", {**body, "scope": "household"}, content_type="application/json"
    )
    assert conflict.status_code == 409
    pdf = terminal.get(
        f"/api/v1/certificates/kiosk/issuances/{issued['number']}/pdf", {"session_token": token}
    )
    assert pdf["Content-Type"] == "application/pdf"
    done = terminal.post(
        f"/api/v1/certificates/kiosk/issuances/{issued['number']}/printed",
        {"session_token": token, "ok": True},
        content_type="application/json",
    )
    assert done.json()["state"] == "printed"


def test_a_replayed_or_forged_login_is_refused(terminal):
    serial = cards.card_issue(by_name("山田 太郎").atena_no, PIN)
    nonce = terminal.post(
        "/api/v1/certificates/kiosk/challenge", {"card_serial": serial}, content_type="application/json"
    ).json()["nonce"]
    signature = base64.b64encode(cards.card_sign(serial, PIN, bytes.fromhex(nonce))).decode()
    pem = cards.card_read_certificate(serial).decode()
    body = {"nonce": nonce, "certificate_pem": pem, "signature_b64": signature}
    assert (
        terminal.post("/api/v1/certificates/kiosk/login", body, content_type="application/json").status_code
        == 200
    )
    replay = terminal.post("/api/v1/certificates/kiosk/login", body, content_type="application/json")
    assert replay.status_code == 400
    # Hanako's card certificate with Taro's signature: refused.
    other = cards.card_issue(by_name("山田 花子").atena_no, PIN)
    nonce = terminal.post(
        "/api/v1/certificates/kiosk/challenge", {"card_serial": other}, content_type="application/json"
    ).json()["nonce"]
    forged = {
        "nonce": nonce,
        "certificate_pem": cards.card_read_certificate(other).decode(),
        "signature_b64": signature,
    }
    assert (
        terminal.post("/api/v1/certificates/kiosk/login", forged, content_type="application/json").status_code
        == 400
    )


def test_no_terminal_token_no_kiosk(db):
    assert (
        Client()
        .post("/api/v1/certificates/kiosk/challenge", {"card_serial": "1"}, content_type="application/json")
        .status_code
        == 401
    )


@pytest.mark.django_db(transaction=True)
def test_fuzzed_kiosk_api_input_causes_no_server_error(monkeypatch):
    """schemathesis generates requests from the OpenAPI document; none may answer 5xx."""
    import schemathesis
    from hypothesis import HealthCheck, given, settings

    from yakuba.wsgi import application

    set_fees()
    kiosk_open(monkeypatch)
    _client, token = api_client_create(actor="test", name="K099", scopes=["kiosk", "residents"])
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    failures = []
    calls = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if not operation.path.startswith("/api/v1/certificates"):
            continue

        @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        @given(case=operation.as_strategy())
        def check(case):
            response = case.call(headers={"Authorization": f"Bearer {token}"})
            calls.append(case.path)
            if response.status_code >= 500:
                failures.append((case.method, case.path, response.status_code, repr(case.body)[:200]))

        check()
    assert failures == []
    assert len(set(calls)) == 7 and len(calls) >= 100  # every kiosk and verify operation was exercised

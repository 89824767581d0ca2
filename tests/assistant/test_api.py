"""The assistant's JSON API (/api/v1/assistant/), public: the same answers as the chat, in the one
OpenAPI document; fuzzed requests never cause a server error."""

import pytest
from django.test import Client

from tests.assistant.city import KOSEKI_PAGE, load_city
from yakuba.assistant.models import Exchange

pytestmark = pytest.mark.django_db


@pytest.fixture
def city(db):
    return load_city()


def test_ask_rate_and_read_facts_through_the_api(city):
    client = Client()
    response = client.post(
        "/api/v1/assistant/ask", {"question": "婚姻届は夜でも出せますか"}, content_type="application/json"
    )
    assert response.status_code == 200
    data = response.json()
    assert data["status"] == "answered" and data["citations"][0]["url"] == KOSEKI_PAGE
    rated = client.post(
        "/api/v1/assistant/feedback",
        {"conversation": data["conversation"], "exchange": data["exchange"], "rating": 1},
        content_type="application/json",
    )
    assert rated.status_code == 200 and rated.json() == {"ok": True}
    assert Exchange.objects.get().rating == 1
    facts = {f["key"]: f["value"] for f in client.get("/api/v1/assistant/facts").json()}
    assert facts["core.phone"] == "0191-00-0000"


def test_api_refuses_bad_input_in_japanese(city):
    client = Client()
    empty = client.post("/api/v1/assistant/ask", {"question": " "}, content_type="application/json")
    assert empty.status_code == 400 and empty.json() == {"detail": "質問を入力してください。"}
    wrong = client.post(
        "/api/v1/assistant/feedback",
        {"conversation": "x", "exchange": 1, "rating": 1},
        content_type="application/json",
    )
    assert wrong.status_code == 404
    assert Exchange.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_fuzzed_assistant_api_causes_no_server_error():
    import schemathesis
    from hypothesis import HealthCheck, given, settings

    from yakuba.wsgi import application

    load_city()
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    failures, calls = [], []
    for result in schema.get_all_operations():
        operation = result.ok()
        if not operation.path.startswith("/api/v1/assistant"):
            continue

        @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        @given(case=operation.as_strategy())
        def check(case):
            response = case.call()
            calls.append(case.path)
            if response.status_code >= 500:
                failures.append((case.method, case.path, response.status_code, repr(case.body)[:200]))

        check()
    assert failures == []
    assert len(set(calls)) == 3

"""Another system pulls the register through the linkage API: full and delta extracts, JSON and CSV."""

import csv
import io

import pytest
from django.test import Client

from tests.factories import by_name, mynumber, pd, register_household, yamada_family
from yakuba.core.apiclients import api_client_create
from yakuba.core.models import AuditEntry
from yakuba.residents import services
from yakuba.residents.selectors import EXTRACT_COLUMNS


@pytest.fixture
def city(clerk, approver):
    members = yamada_family()
    members[0]["mynumber"] = mynumber(12_345_678)
    return register_household(clerk, approver, members)


@pytest.fixture
def tax_system(db):
    """The tax system's client: may read residents, not 個人番号."""
    _client, token = api_client_create(actor="test", name="tax", scopes=["residents"])
    return Client(headers={"Authorization": f"Bearer {token}"})


@pytest.fixture
def mynumber_system(db):
    _client, token = api_client_create(
        actor="test", name="mynumber-hub", scopes=["residents"], can_see_mynumber=True
    )
    return Client(headers={"Authorization": f"Bearer {token}"})


def test_no_token_no_data(city):
    assert Client().get("/api/v1/residents/changes").status_code == 401
    assert (
        Client(headers={"Authorization": "Bearer wrong"}).get("/api/v1/residents/changes").status_code == 401
    )


def test_a_client_without_the_residents_scope_is_refused(city):
    _client, token = api_client_create(actor="test", name="kairan", scopes=["kairan"])
    response = Client(headers={"Authorization": f"Bearer {token}"}).get("/api/v1/residents/changes")
    assert response.status_code == 401


def test_delta_extract_resumes_after_the_last_seen_sequence(city, clerk, approver, tax_system):
    body = tax_system.get("/api/v1/residents/changes", {"since": 0}).json()
    assert [row["name"] for row in body["items"]] == ["山田 太郎", "山田 花子", "山田 一郎"]
    assert body["next_since"] == body["items"][-1]["seq"]
    assert {row["mynumber"] for row in body["items"]} == {""}

    # A 仮登録 never shows up...
    hanako = by_name("山田 花子")
    idou = services.idou_enter_death(
        actor=clerk, atena_no=hanako.atena_no, idou_date=pd("2024-06-01"), notified_on=None
    )
    assert tax_system.get("/api/v1/residents/changes", {"since": body["next_since"]}).json()["items"] == []
    # ...its 本登録 does, once.
    services.idou_approve(actor=approver, idou_id=idou.pk)
    later = tax_system.get("/api/v1/residents/changes", {"since": body["next_since"]}).json()
    assert [(row["name"], row["status"], row["rireki_no"]) for row in later["items"]] == [
        ("山田 花子", "deceased", 2)
    ]


def test_full_extract_pages_by_atena_no(city, tax_system):
    first = tax_system.get("/api/v1/residents/extract", {"limit": 2}).json()
    assert len(first["items"]) == 2 and first["next_cursor"] == first["items"][-1]["atena_no"]
    rest = tax_system.get("/api/v1/residents/extract", {"limit": 2, "cursor": first["next_cursor"]}).json()
    assert len(rest["items"]) == 1 and rest["next_cursor"] is None


def test_csv_has_the_documented_layout(city, tax_system):
    response = tax_system.get("/api/v1/residents/extract.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = b"".join(response.streaming_content).decode()
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == [heading for _key, heading in EXTRACT_COLUMNS]
    assert len(rows) == 4
    header = rows[0]
    taro = dict(zip(header, rows[1], strict=True))
    assert taro["氏名"] == "山田 太郎" and taro["続柄"] == "世帯主" and taro["個人番号"] == ""
    assert taro["生年月日"] == "1975-04-01"
    delta = b"".join(tax_system.get("/api/v1/residents/changes.csv", {"since": 0}).streaming_content).decode()
    assert len(list(csv.reader(io.StringIO(delta)))) == 4


def test_mynumber_only_for_allowed_clients_that_ask(city, tax_system, mynumber_system):
    assert tax_system.get("/api/v1/residents/changes", {"include_mynumber": "true"}).status_code == 403
    body = mynumber_system.get("/api/v1/residents/changes", {"include_mynumber": "true"}).json()
    assert body["items"][0]["mynumber"] == mynumber(12_345_678)
    entry = AuditEntry.objects.filter(action="extract_delta", actor="api:mynumber-hub").get()
    assert entry.mynumber_shown is True


def test_staff_with_the_linkage_role_can_pull_with_their_session(city, linkage_user, clerk, as_user):
    assert as_user(linkage_user).get("/api/v1/residents/changes").status_code == 200
    assert as_user(clerk).get("/api/v1/residents/changes").status_code == 401


def test_extracts_are_audited(city, tax_system):
    tax_system.get("/api/v1/residents/changes")
    entry = AuditEntry.objects.filter(action="extract_delta").get()
    assert (entry.actor, entry.detail["count"], entry.mynumber_shown) == ("api:tax", 3, False)


def test_openapi_document_lists_the_residents_endpoints(db):
    schema = Client().get("/api/v1/openapi.json").json()
    paths = set(schema["paths"])
    assert {
        "/api/v1/residents/changes",
        "/api/v1/residents/extract",
        "/api/v1/residents/extract.csv",
        "/api/v1/residents/changes.csv",
        "/api/v1/residents/layout",
    } <= paths

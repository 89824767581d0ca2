"""The demo city a newcomer loads with `make run`: realistic, valid by the register's own rules."""

import io
from collections import Counter

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from yakuba.core.checkdigit import number_is_valid
from yakuba.core.crypto import decrypt
from yakuba.residents.models import Household, Resident, ResidentHistory, Status
from yakuba.residents.records import person_clean
from yakuba.residents.relationships import clean_relationship


@pytest.fixture
def demo_city(db):
    out = io.StringIO()
    call_command("demo", "--residents", "600", stdout=out)
    return out.getvalue()


def test_demo_prints_the_logins_and_how_to_get_codes(demo_city):
    assert "madoguchi" in demo_city and "yakuba-demo-2026" in demo_city
    assert "yakuba otp <username>" in demo_city
    assert "Linkage API token" in demo_city


def test_demo_city_follows_the_register_rules(demo_city):
    residents = list(Resident.objects.select_related("household"))
    assert len(residents) == 600
    assert all(
        number_is_valid(r.atena_no, 10) and number_is_valid(r.household.setai_no, 10) for r in residents
    )
    assert all(clean_relationship(r.relationship) == r.relationship for r in residents)
    numbers = [decrypt(r.mynumber_enc) for r in residents if r.mynumber_enc]
    assert len(numbers) == len(set(numbers))
    heads = Counter(
        r.household_id for r in residents if r.status == Status.RESIDENT and r.relationship == "世帯主"
    )
    for household in Household.objects.filter(active=True):
        assert heads[household.pk] == 1, household.setai_no
    assert ResidentHistory.objects.count() == 600
    assert Resident.objects.filter(kind="foreign").exists()
    assert Resident.objects.exclude(status=Status.RESIDENT).exists()
    # Every record would pass the clerk's own validation.
    for r in residents[:100]:
        data = {
            f: getattr(r, f)
            for f in (
                "name",
                "name_kana",
                "sex",
                "relationship",
                "kind",
                "honseki",
                "hittousha",
                "juminhyo_code",
                "nationality",
                "alphabet_name",
                "tsusho",
                "art30_45",
                "residence_status",
                "residence_period",
                "residence_card_no",
                "residence_expires_on",
            )
        }
        person_clean({**data, "birth_date": r.birth_date}, today=__import__("datetime").date.today())


def test_demo_if_empty_does_not_load_twice(demo_city):
    call_command("demo", "--residents", "600", "--if-empty", stdout=io.StringIO())
    assert Resident.objects.count() == 600


def test_clerk_signs_in_with_demo_login_and_otp_command(demo_city, client):
    out = io.StringIO()
    call_command("otp", "madoguchi", stdout=out)
    client.post("/login/", {"username": "madoguchi", "password": "yakuba-demo-2026"})
    assert client.post("/login/otp/", {"token": out.getvalue().strip()}).status_code == 302
    assert client.get("/residents/?name=さ").status_code == 200


def test_bench_refuses_a_city_too_small_to_measure(db):
    with pytest.raises(CommandError, match=r"1,000|1000"):
        call_command("bench", "residents", stdout=io.StringIO())

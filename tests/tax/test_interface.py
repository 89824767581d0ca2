"""What other modules read: exact records, one query, and exactly one audit entry per call."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.tax.conftest import ATENA, YEAR, csv_bytes
from yakuba.core.models import AuditEntry
from yakuba.tax.interface import TaxAssessment, assessment_get, assessments_for, household_shotokuwari
from yakuba.tax.services import assessments_import

FATHER, MOTHER, GRANDMA, STRANGER, NEWCOMER = ATENA[:5]


@pytest.fixture
def assessed(db):
    assessments_import(
        actor="zeimu",
        year=YEAR,
        file_name="2025.csv",
        data=csv_bytes(
            f"2025,{FATHER},123400,3000,0",
            f"2025,{MOTHER},45600,3000,0",
            f"2025,{GRANDMA},0,0,1",
            f"2025,{STRANGER},0,3000,0",
        ),
    )
    assessments_import(
        actor="zeimu", year=2024, file_name="2024.csv", data=csv_bytes(f"2024,{FATHER},99900,3000,0")
    )
    AuditEntry.objects.filter(action="tax_import").delete()  # only the reads below are counted


def _reads():
    return list(
        AuditEntry.objects.filter(action="tax_read")
        .order_by("seq")
        .values_list("actor", "target_type", "target_id", "detail")
    )


def test_assessment_get_returns_the_exact_record_and_audits_once(assessed):
    got = assessment_get(FATHER, YEAR, actor="payments", purpose="保育料の算定")
    assert got == TaxAssessment(
        year=2025, atena_no=FATHER, shotokuwari=123_400, kintowari=3000, non_taxed=False
    )
    assert assessment_get(FATHER, 2024, actor="payments") == TaxAssessment(2024, FATHER, 99_900, 3000, False)
    assert assessment_get(GRANDMA, YEAR, actor="payments") == TaxAssessment(2025, GRANDMA, 0, 0, True)
    assert _reads() == [
        ("payments", "tax_year", "2025", {"atena_nos": [FATHER], "purpose": "保育料の算定"}),
        ("payments", "tax_year", "2024", {"atena_nos": [FATHER], "purpose": ""}),
        ("payments", "tax_year", "2025", {"atena_nos": [GRANDMA], "purpose": ""}),
    ]


def test_a_missing_assessment_is_none_and_the_read_is_still_audited(assessed):
    assert assessment_get(NEWCOMER, YEAR, actor="payments", purpose="保育料の算定") is None
    assert assessment_get(MOTHER, 2024, actor="payments") is None
    assert assessment_get(FATHER, 2023, actor="payments") is None
    assert [detail["atena_nos"] for *_rest, detail in _reads()] == [[NEWCOMER], [MOTHER], [FATHER]]


def test_assessments_for_reads_many_people_in_one_query_and_one_audit_entry(assessed):
    with CaptureQueriesContext(connection) as ctx:
        found = assessments_for([FATHER, MOTHER, NEWCOMER, GRANDMA], YEAR, actor="payments", purpose="保育料")
    assert found == {
        FATHER: TaxAssessment(2025, FATHER, 123_400, 3000, False),
        MOTHER: TaxAssessment(2025, MOTHER, 45_600, 3000, False),
        GRANDMA: TaxAssessment(2025, GRANDMA, 0, 0, True),
    }
    assert len([q for q in ctx.captured_queries if "tax_assessment" in q["sql"]]) == 1
    assert _reads() == [
        (
            "payments",
            "tax_year",
            "2025",
            {"atena_nos": [FATHER, MOTHER, NEWCOMER, GRANDMA], "purpose": "保育料"},
        )
    ]


def test_assessments_for_nobody_is_empty_and_audited(assessed):
    assert assessments_for([], YEAR, actor="payments") == {}
    assert _reads() == [("payments", "tax_year", "2025", {"atena_nos": [], "purpose": ""})]


def test_household_shotokuwari_sums_the_parents(assessed):
    assert household_shotokuwari([FATHER, MOTHER], YEAR, actor="payments", purpose="保育料") == 169_000
    assert household_shotokuwari([FATHER], 2024, actor="payments", purpose="保育料") == 99_900
    # 均等割 only and 非課税 count 0: they are known, not missing.
    assert household_shotokuwari([STRANGER, GRANDMA], YEAR, actor="payments", purpose="保育料") == 0
    # The same person twice counts once.
    assert household_shotokuwari([FATHER, FATHER], YEAR, actor="payments", purpose="保育料") == 123_400
    assert len(_reads()) == 4


def test_household_shotokuwari_is_none_when_anyone_has_no_assessment(assessed):
    assert household_shotokuwari([FATHER, NEWCOMER], YEAR, actor="payments", purpose="保育料") is None
    assert household_shotokuwari([FATHER, MOTHER], 2024, actor="payments", purpose="保育料") is None
    assert household_shotokuwari([], YEAR, actor="payments", purpose="保育料") is None
    assert _reads() == [
        ("payments", "tax_year", "2025", {"atena_nos": [FATHER, NEWCOMER], "purpose": "保育料"}),
        ("payments", "tax_year", "2024", {"atena_nos": [FATHER, MOTHER], "purpose": "保育料"}),
        ("payments", "tax_year", "2025", {"atena_nos": [], "purpose": "保育料"}),
    ]

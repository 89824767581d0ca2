"""Demo assessments: the demo city's adults, for the current and the previous 課税年度."""

import datetime as dt
import io

import pytest

from yakuba.residents.demo import demo_load as residents_demo
from yakuba.residents.interface import resident_get
from yakuba.tax.demo import demo_load
from yakuba.tax.models import Assessment, ImportBatch

TODAY = dt.date(2026, 11, 27)  # 令和8年度: assessments for 2025 and 2026


@pytest.fixture
def city(db):
    residents_demo(residents=400, stdout=io.StringIO(), seed=3, today=TODAY)


def _snapshot():
    return sorted(Assessment.objects.values_list("year", "atena_no", "shotokuwari", "kintowari", "non_taxed"))


def test_demo_assessments_cover_adults_for_two_years(city):
    out = io.StringIO()
    demo_load(residents=400, stdout=out, seed=3, today=TODAY)
    assert sorted(ImportBatch.objects.values_list("year", "imported_by")) == [(2025, "demo"), (2026, "demo")]
    rows = _snapshot()
    assert {year for year, *_ in rows} == {2025, 2026}
    current = [r for r in rows if r[0] == 2026]
    assert 200 < len(current) < 400
    non_taxed = [r for r in current if r[4]]
    assert 0.04 < len(non_taxed) / len(current) < 0.18
    assert all(r[2] == 0 and r[3] == 0 for r in non_taxed)
    taxed = [r for r in current if not r[4]]
    assert all(0 <= r[2] <= 400_000 and r[2] % 100 == 0 and r[3] == 3000 for r in taxed)
    for _year, atena_no, *_rest in current[:20]:
        person = resident_get(atena_no, actor="test")
        assert person is not None and person.is_resident
        assert (person.age_on(dt.date(2026, 1, 1)) or 0) >= 18
    assert "2026" in out.getvalue()


def test_demo_assessments_are_deterministic_and_not_loaded_twice(city):
    demo_load(residents=400, stdout=io.StringIO(), seed=3, today=TODAY)
    first = _snapshot()
    demo_load(residents=400, stdout=io.StringIO(), seed=3, today=TODAY)
    assert _snapshot() == first
    assert ImportBatch.objects.count() == 2

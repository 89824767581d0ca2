"""Reads of the tax-assessment store. Reads of assessments (personal data) are audited here."""

from collections.abc import Iterable

from django.db.models import Max

from yakuba.core.audit import audit_record
from yakuba.tax import interface
from yakuba.tax.models import Assessment, ImportBatch


def batches() -> list[ImportBatch]:
    """Every import, newest first."""
    return list(ImportBatch.objects.order_by("-imported_at", "-pk"))


def current_batch_ids() -> set[int]:
    """The batch whose rows are in use, for each year (the newest import of that year)."""
    newest: dict[int, int] = {}
    for pk, year in ImportBatch.objects.order_by("imported_at", "pk").values_list("pk", "year"):
        newest[year] = pk
    return set(newest.values())


def latest_year() -> int | None:
    return Assessment.objects.aggregate(latest=Max("year"))["latest"]


def assessed_count(year: int) -> int:
    return Assessment.objects.filter(year=year).count()


def assessments_read(
    atena_nos: Iterable[str], year: int, *, actor: str, purpose: str
) -> dict[str, interface.TaxAssessment]:
    """The assessments of ``atena_nos`` for ``year`` in one query, keyed by 宛名番号 (people without one
    are absent). One audit entry per call, naming everyone asked for, found or not."""
    wanted = list(dict.fromkeys(str(a) for a in atena_nos))
    rows = Assessment.objects.filter(year=year, atena_no__in=wanted).values_list(
        "atena_no", "shotokuwari", "kintowari", "non_taxed"
    )
    found = {
        atena_no: interface.TaxAssessment(
            year=year, atena_no=atena_no, shotokuwari=shotokuwari, kintowari=kintowari, non_taxed=non_taxed
        )
        for atena_no, shotokuwari, kintowari, non_taxed in (rows if wanted else [])
    }
    audit_record(
        actor=actor,
        action="tax_read",
        target_type="tax_year",
        target_id=str(year),
        detail={"atena_nos": wanted, "purpose": purpose},
    )
    return found

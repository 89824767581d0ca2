"""Writes of the tax-assessment store: importing the tax system's yearly file.

``assessments_import`` checks the whole file first (``importfile.parse``); only a file without a single
error is imported. Importing a year again with another file replaces that year's rows in one
transaction and records a new batch; the same file twice for one year is refused.
"""

import datetime as dt
import hashlib
from pathlib import PurePath
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yakuba.core.audit import audit_record
from yakuba.core.sequences import sequence_next
from yakuba.tax.importfile import MAX_FILE_BYTES, TaxImportError, decode, parse
from yakuba.tax.models import Assessment, ImportBatch
from yakuba.tax.wareki import nendo

__all__ = ["MAX_FILE_BYTES", "MAX_YEAR", "MIN_YEAR", "TaxImportError", "assessments_import", "year_check"]

MIN_YEAR, MAX_YEAR = 2000, 2100
BATCH_SIZE = 2000


def _actor_name(actor: Any) -> str:
    if isinstance(actor, str):
        return actor
    return str(getattr(actor, "username", actor))


def year_check(year: int) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise TaxImportError(
            [_("課税年度は%(min)d年から%(max)d年の間で入れてください。") % {"min": MIN_YEAR, "max": MAX_YEAR}]
        )


def _local(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def assessments_import(*, actor: Any, year: int, file_name: str, data: bytes) -> ImportBatch:
    """Import one 課税年度 from the tax system's CSV file (docs/tax.md), replacing that year's rows.

    Raises ``TaxImportError`` (nothing imported) listing every problem in the file, or when this very
    file (same SHA-256) was already imported for the year. Audited as ``tax_import``."""
    year_check(year)
    rows = parse(decode(data), year=year)
    digest = hashlib.sha256(data).hexdigest()
    name = PurePath(file_name.replace("\\", "/")).name[:255] or "upload.csv"
    with transaction.atomic():
        # One import of a year at a time: the sequence row stays locked until this commits, so the
        # check below and the replacement cannot interleave with another import of the same year.
        sequence_next(name=f"tax_import:{year}")
        earlier = ImportBatch.objects.filter(year=year, sha256=digest).first()
        if earlier is not None:
            raise TaxImportError(
                [
                    _(
                        "このファイルは%(nendo)sの課税データとして取込み済みです"
                        "（%(at)s、%(who)s、ファイル名「%(file)s」）。同じファイルは2回取り込めません。"
                    )
                    % {
                        "nendo": nendo(year),
                        "at": _local(earlier.imported_at),
                        "who": earlier.imported_by,
                        "file": earlier.file_name,
                    }
                ]
            )
        now = timezone.now()
        batch = ImportBatch.objects.create(
            year=year,
            file_name=name,
            sha256=digest,
            rows=len(rows),
            imported_by=_actor_name(actor),
            imported_at=now,
        )
        Assessment.objects.filter(year=year).delete()
        Assessment.objects.bulk_create(
            [
                Assessment(
                    year=year,
                    atena_no=row.atena_no,
                    shotokuwari=row.shotokuwari,
                    kintowari=row.kintowari,
                    non_taxed=row.non_taxed,
                    imported_at=now,
                    batch=batch,
                )
                for row in rows
            ],
            batch_size=BATCH_SIZE,
        )
        audit_record(
            actor=actor,
            action="tax_import",
            target_type="tax_year",
            target_id=str(year),
            detail={"rows": len(rows), "sha256": digest},
        )
    return batch

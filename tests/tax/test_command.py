"""`yakuba tax_import --year YYYY FILE`: the same import as the page, as the actor "cli"."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.tax.conftest import ATENA, csv_bytes
from yakuba.core.models import AuditEntry
from yakuba.tax.models import Assessment, ImportBatch


def test_the_command_imports_a_shift_jis_file(db, tmp_path):
    path = tmp_path / "kazei_r7.csv"
    path.write_bytes(
        csv_bytes(f"2025,{ATENA[0]},１２３４００,3000,0", f"2025,{ATENA[1]},0,0,1", encoding="cp932")
    )
    out = io.StringIO()
    call_command("tax_import", "--year", "2025", str(path), stdout=out)
    assert out.getvalue().strip() == "令和7年度の課税データを2件取り込みました"
    assert sorted(Assessment.objects.values_list("atena_no", "shotokuwari", "non_taxed")) == [
        (ATENA[0], 123_400, False),
        (ATENA[1], 0, True),
    ]
    batch = ImportBatch.objects.get()
    assert (batch.imported_by, batch.file_name, batch.year) == ("cli", "kazei_r7.csv", 2025)
    assert AuditEntry.objects.get(action="tax_import").actor == "cli"


def test_the_command_lists_errors_and_imports_nothing(db, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_bytes(f"2025,{ATENA[0]},abc,3000,0", f"2025,{ATENA[0]},1,3000,0"))
    err = io.StringIO()
    with pytest.raises(CommandError, match="取り込みませんでした"):
        call_command("tax_import", "--year", "2025", str(path), stderr=err)
    assert err.getvalue().splitlines() == [
        "2行目 市町村民税所得割額: 0以上の整数を入れてください",
        "3行目 宛名番号: 2行目と同じ宛名番号です（1人1行にしてください）",
    ]
    assert Assessment.objects.count() == 0


def test_the_command_needs_an_existing_file(db, tmp_path):
    with pytest.raises(CommandError, match="ファイルが見つかりません"):
        call_command("tax_import", "--year", "2025", str(tmp_path / "none.csv"))

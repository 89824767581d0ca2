"""Importing the tax system's yearly file: the whole file is checked, and any error imports nothing."""

import hashlib

import pytest

from tests.tax.conftest import ATENA, YEAR, csv_bytes
from yakuba.core.models import AuditEntry
from yakuba.tax import services
from yakuba.tax.models import Assessment, ImportBatch
from yakuba.tax.services import TaxImportError, assessments_import

A1, A2, A3, A4 = ATENA[:4]


def _rows(year=YEAR):
    return sorted(
        Assessment.objects.filter(year=year).values_list("atena_no", "shotokuwari", "kintowari", "non_taxed")
    )


def _refused(data, *, year=YEAR, file_name="kazei.csv"):
    with pytest.raises(TaxImportError) as caught:
        assessments_import(actor="zeimu", year=year, file_name=file_name, data=data)
    return caught.value.errors


def _nothing_imported():
    assert Assessment.objects.count() == 0
    assert ImportBatch.objects.count() == 0
    assert not AuditEntry.objects.filter(action="tax_import").exists()


def test_a_valid_file_is_imported_with_exact_values_and_audited(db):
    data = csv_bytes(
        f"2025,{A1},123400,3000,0",  # taxed
        f'2025,{A2},"12,300",3000,0',  # amount with a comma, quoted
        f"2025,{A3},0,3000,0",  # 均等割 only: taxed, 所得割 0
        f"2025,{A4},0,0,1",  # 非課税
    )
    batch = assessments_import(actor="zeimu", year=YEAR, file_name="kazei_2025.csv", data=data)
    assert _rows() == sorted(
        [
            (A1, 123_400, 3000, False),
            (A2, 12_300, 3000, False),
            (A3, 0, 3000, False),
            (A4, 0, 0, True),
        ]
    )
    batch.refresh_from_db()
    assert (batch.year, batch.file_name, batch.rows, batch.imported_by) == (
        YEAR,
        "kazei_2025.csv",
        4,
        "zeimu",
    )
    assert batch.sha256 == hashlib.sha256(data).hexdigest()
    assert set(Assessment.objects.values_list("batch_id", flat=True)) == {batch.pk}
    assert set(Assessment.objects.values_list("imported_at", flat=True)) == {batch.imported_at}
    entry = AuditEntry.objects.get(action="tax_import")
    assert (entry.actor, entry.target_type, entry.target_id) == ("zeimu", "tax_year", "2025")
    assert entry.detail == {"rows": 4, "sha256": hashlib.sha256(data).hexdigest()}


def test_full_width_digits_and_commas_are_accepted(db):
    wide = A1.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assessments_import(
        actor="zeimu",
        year=YEAR,
        file_name="wide.csv",
        data=csv_bytes(f"２０２５,{wide},１２３，４００,３０００,０", f'2025, {A2} ,"1,234,500",3000,0'),
    )
    assert _rows() == [(A1, 123_400, 3000, False), (A2, 1_234_500, 3000, False)]


@pytest.mark.parametrize("encoding", ["cp932", "shift_jis", "utf-8-sig", "utf-8"])
def test_shift_jis_and_utf8_with_or_without_bom_are_accepted(db, encoding):
    data = csv_bytes(f"2025,{A1},５００,3000,0", f"2025,{A2},0,0,1", encoding=encoding)
    batch = assessments_import(actor="zeimu", year=YEAR, file_name="sjis.csv", data=data)
    assert batch.rows == 2
    assert _rows() == [(A1, 500, 3000, False), (A2, 0, 0, True)]


@pytest.mark.parametrize(
    "header",
    [
        "年度,宛名番号,市町村民税所得割額,市町村民税均等割額,非課税区分",
        "課税年度,宛名番号,市町村民税所得割額,市町村民税均等割額",
        "宛名番号,課税年度,市町村民税所得割額,市町村民税均等割額,非課税区分",
    ],
)
def test_a_wrong_header_is_refused(db, header):
    errors = _refused(csv_bytes(f"2025,{A1},100,3000,0", header=header))
    assert errors == [
        "1行目: 見出し行が違います。1行目は「課税年度,宛名番号,市町村民税所得割額,市町村民税均等割額,非課税区分」にしてください。"
    ]
    _nothing_imported()


def test_a_file_without_a_header_is_refused(db):
    errors = _refused(f"2025,{A1},100,3000,0\r\n".encode())
    assert errors[0].startswith("1行目: 見出し行が違います。")
    _nothing_imported()


@pytest.mark.parametrize("value", ["12.5", "abc", "", "100円", "1,00", "- 5"])
def test_a_non_integer_amount_is_refused(db, value):
    errors = _refused(csv_bytes(f"2025,{A1},100,3000,0", f'2025,{A2},"{value}",3000,0'))
    assert errors == ["3行目 市町村民税所得割額: 0以上の整数を入れてください"]
    _nothing_imported()


@pytest.mark.parametrize("value", ["-100", "－１００", "-0"])
def test_a_negative_amount_is_refused(db, value):
    errors = _refused(csv_bytes(f"2025,{A1},100,{value},0"))
    assert errors == ["2行目 市町村民税均等割額: 0以上の整数を入れてください"]
    _nothing_imported()


def test_a_duplicate_atena_no_is_refused(db):
    errors = _refused(csv_bytes(f"2025,{A1},100,3000,0", f"2025,{A2},100,3000,0", f"2025,{A1},200,3000,0"))
    assert errors == ["4行目 宛名番号: 2行目と同じ宛名番号です（1人1行にしてください）"]
    _nothing_imported()


def test_a_row_of_another_year_is_refused(db):
    errors = _refused(csv_bytes(f"2025,{A1},100,3000,0", f"2024,{A2},100,3000,0"))
    assert errors == ["3行目 課税年度: 取り込む年度（2025年度・令和7年度）と違います（2024）"]
    _nothing_imported()


def test_the_whole_file_of_another_year_is_refused(db):
    errors = _refused(csv_bytes(f"2024,{A1},100,3000,0"), year=YEAR)
    assert errors == ["2行目 課税年度: 取り込む年度（2025年度・令和7年度）と違います（2024）"]
    _nothing_imported()


def test_non_taxed_with_shotokuwari_or_kintowari_is_refused(db):
    errors = _refused(csv_bytes(f"2025,{A1},5000,0,1", f"2025,{A2},0,3000,1"))
    assert errors == [
        "2行目 市町村民税所得割額: 非課税区分が1（非課税）の人は0にしてください",
        "3行目 市町村民税均等割額: 非課税区分が1（非課税）の人は0にしてください",
    ]
    _nothing_imported()


def test_bad_atena_no_and_flag_are_refused(db):
    wrong_check = A1[:-1] + str((int(A1[-1]) + 1) % 10)
    errors = _refused(
        csv_bytes("2025,123,100,3000,0", f"2025,{wrong_check},100,3000,0", f"2025,{A2},100,3000,2")
    )
    assert errors == [
        "2行目 宛名番号: 10桁の数字で入れてください",
        "3行目 宛名番号: 検査数字が合いません。宛名番号を確かめてください",
        "4行目 非課税区分: 0（課税）か1（非課税）を入れてください",
    ]
    _nothing_imported()


def test_every_row_is_checked_and_every_error_named(db):
    errors = _refused(
        csv_bytes(
            f"2025,{A1},100,3000,0",
            f"2025,{A2},abc,-1,0",
            "",  # a blank line is ignored, but still counted
            f"2025,{A3},100,3000",
            f"2023,{A4},100,3000,0",
        )
    )
    assert errors == [
        "3行目 市町村民税所得割額: 0以上の整数を入れてください",
        "3行目 市町村民税均等割額: 0以上の整数を入れてください",
        "5行目: 項目の数が5個ではありません（4個あります）。",
        "6行目 課税年度: 取り込む年度（2025年度・令和7年度）と違います（2023）",
    ]
    _nothing_imported()


def test_the_same_file_twice_is_refused_and_changes_nothing(db):
    data = csv_bytes(f"2025,{A1},100,3000,0")
    first = assessments_import(actor="zeimu", year=YEAR, file_name="a.csv", data=data)
    errors = _refused(data, file_name="copy.csv")
    assert len(errors) == 1
    assert errors[0].startswith("このファイルは令和7年度の課税データとして取込み済みです（")
    assert "zeimu、ファイル名「a.csv」）。同じファイルは2回取り込めません。" in errors[0]
    assert list(ImportBatch.objects.values_list("pk", flat=True)) == [first.pk]
    assert _rows() == [(A1, 100, 3000, False)]
    assert AuditEntry.objects.filter(action="tax_import").count() == 1


def test_the_same_file_may_be_imported_for_another_year_only_if_its_rows_say_so(db):
    data = csv_bytes(f"2025,{A1},100,3000,0")
    assessments_import(actor="zeimu", year=YEAR, file_name="a.csv", data=data)
    errors = _refused(data, year=2024)
    assert errors == ["2行目 課税年度: 取り込む年度（2024年度・令和6年度）と違います（2025）"]


def test_reimporting_a_year_replaces_its_rows_and_keeps_other_years(db):
    assessments_import(
        actor="zeimu", year=2024, file_name="2024.csv", data=csv_bytes(f"2024,{A1},900,3000,0")
    )
    first = assessments_import(
        actor="zeimu",
        year=YEAR,
        file_name="2025-a.csv",
        data=csv_bytes(f"2025,{A1},100,3000,0", f"2025,{A2},200,3000,0", f"2025,{A3},0,0,1"),
    )
    second = assessments_import(
        actor="kazei",
        year=YEAR,
        file_name="2025-b.csv",
        data=csv_bytes(f"2025,{A2},250,3000,0", f"2025,{A4},0,3000,0"),
    )
    assert _rows() == [(A2, 250, 3000, False), (A4, 0, 3000, False)]
    assert set(Assessment.objects.filter(year=YEAR).values_list("batch_id", flat=True)) == {second.pk}
    assert _rows(2024) == [(A1, 900, 3000, False)]
    assert list(ImportBatch.objects.filter(year=YEAR).order_by("pk").values_list("pk", "rows")) == [
        (first.pk, 3),
        (second.pk, 2),
    ]
    assert AuditEntry.objects.filter(action="tax_import", target_id="2025").count() == 2


def test_a_failure_while_replacing_leaves_the_year_as_it_was(db, monkeypatch):
    assessments_import(actor="zeimu", year=YEAR, file_name="a.csv", data=csv_bytes(f"2025,{A1},100,3000,0"))

    def broken(**_kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "audit_record", broken)
    with pytest.raises(RuntimeError):
        assessments_import(
            actor="zeimu", year=YEAR, file_name="b.csv", data=csv_bytes(f"2025,{A2},200,3000,0")
        )
    assert _rows() == [(A1, 100, 3000, False)]
    assert ImportBatch.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "CSV形式のテキストファイルではありません"),
        (b"PK\x03\x04\x14\x00\x06\x00", "CSV形式のテキストファイルではありません"),  # .xlsx
        ("課税年度\x07".encode(), "CSV形式のテキストファイルではありません"),
        (b"\xff\xfe\xfd\xfc", "文字コードを読み取れません"),
        (b"", "ファイルが空です。"),
        (b" \r\n", "ファイルが空です。"),
    ],
)
def test_files_that_are_not_csv_text_are_refused(db, data, message):
    errors = _refused(data)
    assert len(errors) == 1 and errors[0].startswith(message)
    _nothing_imported()


def test_a_header_without_rows_is_refused(db):
    assert _refused(csv_bytes()) == ["取り込む行がありません（見出し行だけです）。"]
    _nothing_imported()


def test_an_unclosed_quote_is_named(db):
    errors = _refused(csv_bytes(f"2025,{A1},100,3000,0", f'2025,{A2},"100,3000,0'))
    assert errors == ['3行目: CSVとして読めません（「"」の閉じ忘れなど）。ここから後は確かめられませんでした']
    _nothing_imported()


def test_files_over_20_mb_are_refused(db, monkeypatch):
    monkeypatch.setattr("yakuba.tax.importfile.MAX_FILE_BYTES", 100)
    errors = _refused(csv_bytes(*[f"2025,{a},100,3000,0" for a in ATENA[:10]]))
    assert errors == ["ファイルが大きすぎます（20MBまで）。"]
    _nothing_imported()


@pytest.mark.parametrize("year", [1999, 2101])
def test_a_year_out_of_range_is_refused(db, year):
    assert _refused(csv_bytes(f"{year},{A1},100,3000,0"), year=year) == [
        "課税年度は2000年から2100年の間で入れてください。"
    ]

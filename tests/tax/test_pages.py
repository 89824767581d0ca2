"""The import page, over HTTP, with each persona's rights."""

import io

import pytest

from tests.personas import make_persona
from tests.tax.conftest import ATENA, YEAR, csv_bytes
from yakuba.tax.models import Assessment, ImportBatch


def _upload(data: bytes, name: str = "kazei.csv") -> io.BytesIO:
    upload = io.BytesIO(data)
    upload.name = name
    return upload


@pytest.mark.parametrize("persona", ["madoguchi", "kessai", "kanri", "tanin"])
def test_staff_without_the_tax_role_get_403(persona, as_user, db):
    client = as_user(make_persona(persona))
    assert client.get("/tax/").status_code == 403
    data = csv_bytes(f"2025,{ATENA[0]},100,3000,0")
    assert client.post("/tax/", {"year": "2025", "file": _upload(data)}).status_code == 403
    assert Assessment.objects.count() == 0


def test_not_logged_in_goes_to_the_login(client, db):
    response = client.get("/tax/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_the_tax_clerk_sees_the_menu_entry_and_the_form(tax_clerk, as_user):
    page = as_user(tax_clerk).get("/").content.decode()
    assert "課税データの取込み" in page
    page = as_user(tax_clerk).get("/tax/").content.decode()
    assert 'enctype="multipart/form-data"' in page
    assert "まだ取り込んだデータはありません。" in page


def test_the_tax_clerk_uploads_a_file(tax_clerk, as_user):
    client = as_user(tax_clerk)
    data = csv_bytes(
        f"2025,{ATENA[0]},123400,3000,0", f"2025,{ATENA[1]},0,0,1", f'2025,{ATENA[2]},"1,000",3000,0'
    )
    response = client.post("/tax/", {"year": "2025", "file": _upload(data, "R7課税.csv")})
    assert response.status_code == 302 and response["Location"] == "/tax/"
    page = client.get("/tax/").content.decode()
    assert "令和7年度の課税データを3件取り込みました" in page
    assert "R7課税.csv" in page and "zeimu" in page and "使用中" in page
    assert sorted(
        Assessment.objects.values_list("atena_no", "shotokuwari", "kintowari", "non_taxed")
    ) == sorted([(ATENA[0], 123_400, 3000, False), (ATENA[1], 0, 0, True), (ATENA[2], 1000, 3000, False)])
    assert ImportBatch.objects.get().imported_by == "zeimu"


def test_the_page_lists_errors_in_japanese_and_imports_nothing(tax_clerk, as_user):
    data = csv_bytes(f"2025,{ATENA[0]},-5,3000,0", f"2024,{ATENA[1]},100,3000,0")
    page = as_user(tax_clerk).post("/tax/", {"year": "2025", "file": _upload(data)}).content.decode()
    assert "取り込みませんでした" in page
    assert "2行目 市町村民税所得割額: 0以上の整数を入れてください" in page
    assert "3行目 課税年度: 取り込む年度（2025年度・令和7年度）と違います（2024）" in page
    assert Assessment.objects.count() == 0 and ImportBatch.objects.count() == 0


def test_the_page_shows_at_most_20_errors(tax_clerk, as_user):
    data = csv_bytes(*[f"2025,{a},x,3000,0" for a in ATENA[:25]])
    page = as_user(tax_clerk).post("/tax/", {"year": "2025", "file": _upload(data)}).content.decode()
    assert "21行目 市町村民税所得割額" in page and "22行目 市町村民税所得割額" not in page
    assert "ほかに5件の誤りがあります。" in page


def test_binary_files_and_missing_fields_get_clear_messages(tax_clerk, as_user):
    client = as_user(tax_clerk)
    page = client.post("/tax/", {"year": "2025", "file": _upload(b"\x89PNG\r\n\x1a\n\x00\x00", "a.png")})
    assert "CSV形式のテキストファイルではありません" in page.content.decode()
    page = client.post("/tax/", {"year": "", "file": _upload(b"", "empty.csv")}).content.decode()
    assert "課税年度を入れてください。" in page and "ファイルが空です。" in page
    page = client.post("/tax/", {"year": "令和7"}).content.decode()
    assert (
        "課税年度は西暦の数字で入れてください（例：2025）。" in page and "ファイルを選んでください。" in page
    )
    assert Assessment.objects.count() == 0


def test_files_over_the_limit_are_refused_by_the_form(tax_clerk, as_user, monkeypatch):
    monkeypatch.setattr("yakuba.tax.forms.MAX_FILE_BYTES", 10)
    data = csv_bytes(f"2025,{ATENA[0]},100,3000,0")
    page = as_user(tax_clerk).post("/tax/", {"year": "2025", "file": _upload(data)}).content.decode()
    assert "ファイルが大きすぎます（20MBまで）。" in page
    assert Assessment.objects.count() == 0


def test_the_same_file_twice_through_the_page(tax_clerk, as_user):
    client = as_user(tax_clerk)
    data = csv_bytes(f"2025,{ATENA[0]},100,3000,0")
    client.post("/tax/", {"year": str(YEAR), "file": _upload(data)})
    page = client.post("/tax/", {"year": str(YEAR), "file": _upload(data)}).content.decode()
    assert "このファイルは令和7年度の課税データとして取込み済みです" in page
    assert ImportBatch.objects.count() == 1

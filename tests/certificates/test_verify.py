"""Anyone can check a printed certificate at /verify, without seeing personal data."""

import pytest

from tests.certificates.helpers import set_fees
from tests.factories import by_name, register_household
from yakuba.certificates import services


@pytest.fixture
def issuance(clerk, approver):
    set_fees()
    register_household(clerk, approver)
    taro = by_name("山田 太郎")
    return services.window_issue(
        actor=clerk, type_code="juminhyo", subject_atena_no=taro.atena_no, atena_nos=[]
    )


def test_qr_code_verifies_without_personal_data(issuance, client):
    q = f"{issuance.verification_code}.{issuance.signature}"
    page = client.get("/verify/", {"q": q}).content.decode()
    assert "が令和" in page and "住民票の写し（1ページ）です。" in page
    assert "山田" not in page


def test_a_forged_signature_or_unknown_code_is_flagged(issuance, client):
    forged = f"{issuance.verification_code}.{'A' * 86}"
    assert "署名が正しくありません" in client.get("/verify/", {"q": forged}).content.decode()
    assert "見つかりません" in client.get("/verify/", {"q": "AAAA-BBBB-CCCC-DDDD"}).content.decode()


def test_uploading_the_pdf_verifies_it_and_a_changed_pdf_does_not(issuance, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    good = SimpleUploadedFile("c.pdf", bytes(issuance.pdf), content_type="application/pdf")
    assert "住民票の写し（1ページ）です。" in client.post("/verify/", {"pdf": good}).content.decode()
    changed = SimpleUploadedFile(
        "c.pdf", bytes(issuance.pdf) + b"\n%tampered", content_type="application/pdf"
    )
    assert "見つかりません" in client.post("/verify/", {"pdf": changed}).content.decode()


def test_a_voided_certificate_says_so(issuance, client):
    services.issuance_void(actor="madoguchi", number=issuance.number, reason="記載誤り")
    page = client.get("/verify/", {"q": issuance.verification_code}).content.decode()
    assert "取り消されています" in page


def test_verify_api(issuance, client):
    body = client.get("/api/v1/certificates/verify", {"q": issuance.verification_code}).json()
    assert body == {
        "found": True,
        "genuine": True,
        "state": "issued",
        "type": "住民票の写し",
        "issued_on": body["issued_on"],
        "pages": 1,
    }

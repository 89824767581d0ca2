"""Madoguchi issues certificates at the window, as residents ask for them."""

import pytest

from tests.certificates.helpers import flat, pdf_text, set_fees
from tests.factories import by_name, mynumber, register_household, yamada_family
from yakuba.certificates import services
from yakuba.certificates.documents import Options
from yakuba.certificates.models import Issuance
from yakuba.certificates.services import CertificateError, IdempotencyConflict
from yakuba.core.models import AuditEntry


@pytest.fixture
def yamada(clerk, approver):
    set_fees()
    members = yamada_family()
    members[0]["mynumber"] = mynumber(12_345_678)
    return register_household(clerk, approver, members)


def _issue(clerk, **kw):
    taro = by_name("山田 太郎")
    defaults = {"type_code": "juminhyo", "subject_atena_no": taro.atena_no, "atena_nos": [taro.atena_no]}
    return services.window_issue(actor=clerk, **{**defaults, **kw})


def test_juminhyo_for_the_whole_household_omits_what_was_not_asked(yamada, clerk):
    members = [r.atena_no for r in yamada.members.all()]
    issuance = _issue(clerk, atena_nos=members, purpose="勤務先へ提出")
    text = pdf_text(bytes(issuance.pdf))
    assert "住民票の写し" in text
    for name in ("山田 太郎", "山田 花子", "山田 一郎"):
        assert flat(name) in text
    assert "省略" in text
    assert mynumber(12_345_678) not in text
    assert issuance.fee == 300 and issuance.payment == "due" and issuance.mynumber_printed is False
    assert sorted(issuance.atena_nos) == sorted(members)
    assert "1/1" in text and issuance.number in text


def test_mynumber_printed_only_when_asked_and_audited(yamada, clerk):
    issuance = _issue(clerk, options=Options(mynumber=True, relationship=True))
    text = pdf_text(bytes(issuance.pdf))
    assert mynumber(12_345_678) in text
    assert "世帯主" in text
    entry = AuditEntry.objects.get(action="certificate_issued", target_id=issuance.number)
    assert entry.mynumber_shown is True


def test_proxy_cannot_get_a_mynumber(yamada, clerk):
    with pytest.raises(CertificateError, match="本人または同一世帯"):
        _issue(clerk, options=Options(mynumber=True), requester="proxy", requester_name="代理 人")
    with pytest.raises(CertificateError, match="代理人の氏名"):
        _issue(clerk, requester="proxy")
    assert Issuance.objects.count() == 0


def test_only_members_of_the_household(yamada, clerk, approver):
    other = register_household(
        clerk,
        approver,
        [dict(yamada_family()[0], name="鈴木 一", name_kana="スズキ ハジメ", mynumber="")],
        address="一ノ森市駅前1番",
    )
    stranger = other.members.get()
    with pytest.raises(CertificateError, match="同じ世帯の住民だけ"):
        _issue(clerk, atena_nos=[by_name("山田 太郎").atena_no, stranger.atena_no])
    assert Issuance.objects.count() == 0


def test_same_idempotency_key_same_certificate_other_body_409(yamada, clerk):
    first = _issue(clerk, idempotency_key="window-1")
    again = _issue(clerk, idempotency_key="window-1")
    assert again.pk == first.pk and Issuance.objects.count() == 1
    with pytest.raises(IdempotencyConflict):
        _issue(clerk, idempotency_key="window-1", purpose="別の目的")


def test_exempt_fee_and_void(yamada, clerk):
    issuance = _issue(clerk, exemption_reason="生活保護の申請")
    assert issuance.payment == "exempt"
    voided = services.issuance_void(actor="madoguchi", number=issuance.number, reason="記載誤り")
    assert voided.state == "voided" and bytes(voided.pdf) == b""


def test_window_pages(yamada, clerk, as_user):
    client = as_user(clerk)
    taro = by_name("山田 太郎")
    assert "山田 太郎" in client.get("/certificates/", {"q": "やまだ"}).content.decode()
    page = client.get(f"/certificates/people/{taro.atena_no}/")
    assert page.status_code == 200
    response = client.post(
        f"/certificates/people/{taro.atena_no}/",
        {
            "idempotency_key": "k1",
            "type": "juminhyo",
            "atena_nos": [taro.atena_no],
            "layout": "household",
            "requester": "self",
            "purpose": "免許更新",
        },
    )
    assert response.status_code == 302
    issuance = Issuance.objects.get()
    pdf = client.get(f"/certificates/issued/{issuance.number}/pdf/")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_outsider_cannot_issue(yamada, outsider, as_user):
    assert as_user(outsider).get("/certificates/").status_code == 403

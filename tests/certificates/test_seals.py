"""印鑑登録 at the window."""

import io

import pytest
from PIL import Image, ImageDraw

from tests.certificates.helpers import flat, pdf_text, set_fees
from tests.factories import by_name, person, register_household
from yakuba.certificates import services
from yakuba.certificates.models import SealRegistration
from yakuba.certificates.services import CertificateError
from yakuba.residents import services as residents


def impression(mm: float, *, dpi: int = 600, variant: int = 0) -> bytes:
    """A round red seal of ``mm`` millimetres at ``dpi``."""
    px = round(mm / 25.4 * dpi)
    image = Image.new("RGB", (px + 40, px + 40), "white")
    draw = ImageDraw.Draw(image)
    draw.ellipse([20, 20, 20 + px, 20 + px], outline=(200, 20, 20), width=max(3, px // 15))
    draw.line(
        [20 + px // 3, 20 + px // 4 + variant * px // 10, 20 + px // 2, 20 + 3 * px // 4],
        fill=(200, 20, 20),
        width=max(3, px // 12),
    )
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def yamada(clerk, approver):
    set_fees()
    return register_household(clerk, approver)


def _register(clerk, atena_no, data, **kw):
    args = {"dpi": 600, "identity": "photo_id", "not_rubber": True, "name_only": True}
    return services.seal_register(actor=clerk, atena_no=atena_no, image=data, **{**args, **kw})


def test_register_and_certify_the_impression(yamada, clerk):
    taro = by_name("山田 太郎")
    registration = _register(clerk, taro.atena_no, impression(15))
    assert registration.state == "active" and len(registration.card_number) == 8
    assert 14.5 <= float(registration.width_mm) <= 15.5
    issuance = services.window_issue(
        actor=clerk, type_code="inkan", subject_atena_no=taro.atena_no, atena_nos=[]
    )
    text = pdf_text(bytes(issuance.pdf))
    assert "印鑑登録証明書" in text and registration.card_number in text and flat("山田 太郎") in text


@pytest.mark.parametrize(
    ("mm", "message"),
    [(7.5, "8mmの正方形に収まる印鑑は登録できません"), (26, "25mmの正方形に収まらない印鑑は登録できません")],
)
def test_size_limits_at_the_declared_scale(yamada, clerk, mm, message):
    with pytest.raises(CertificateError, match=message):
        _register(clerk, by_name("山田 太郎").atena_no, impression(mm))
    # The same picture declared at half the resolution is twice the size: 7.5 mm becomes 15 mm.
    if mm < 8:
        assert _register(clerk, by_name("山田 太郎").atena_no, impression(mm), dpi=300).state == "active"
    else:
        assert SealRegistration.objects.count() == 0


def test_one_seal_per_person_and_not_twice_in_a_household(yamada, clerk):
    taro, hanako = by_name("山田 太郎"), by_name("山田 花子")
    seal = impression(15)
    _register(clerk, taro.atena_no, seal)
    with pytest.raises(CertificateError, match="1人1個まで"):
        _register(clerk, taro.atena_no, impression(16, variant=3))
    with pytest.raises(CertificateError, match="同じ世帯の方がすでに登録している印鑑"):
        _register(clerk, hanako.atena_no, seal)
    assert _register(clerk, hanako.atena_no, impression(13, variant=5)).state == "active"


def test_rubber_seals_children_and_bad_files_are_refused(yamada, clerk, approver):
    with pytest.raises(CertificateError, match="ゴム印"):
        _register(clerk, by_name("山田 太郎").atena_no, impression(15), not_rubber=False)
    child = person("山田 小太郎", "ヤマダ コタロウ", "2018-05-05", "1", "子", mynumber="")
    household = by_name("山田 太郎").household
    birth = residents.idou_enter_birth(
        actor=clerk, setai_no=household.setai_no, notified_on=None, person=child
    )
    residents.idou_approve(actor=approver, idou_id=birth.pk)
    with pytest.raises(CertificateError, match="15歳未満"):
        _register(clerk, by_name("山田 小太郎").atena_no, impression(15))
    with pytest.raises(CertificateError, match="読み取れません"):
        _register(clerk, by_name("山田 太郎").atena_no, b"<svg onload=alert(1)>")


def test_letter_confirmation_then_loss(yamada, clerk):
    taro = by_name("山田 太郎")
    registration = _register(clerk, taro.atena_no, impression(15), identity="letter")
    assert registration.state == "pending"
    with pytest.raises(CertificateError, match="印鑑登録をしていません"):
        services.window_issue(actor=clerk, type_code="inkan", subject_atena_no=taro.atena_no, atena_nos=[])
    services.seal_confirm(actor=clerk, card_number=registration.card_number)
    services.seal_end(actor=clerk, card_number=registration.card_number, state="lost")
    with pytest.raises(CertificateError, match="印鑑登録をしていません"):
        services.window_issue(actor=clerk, type_code="inkan", subject_atena_no=taro.atena_no, atena_nos=[])
    # After 亡失 a new registration is possible.
    assert _register(clerk, taro.atena_no, impression(15)).state == "active"


def test_seal_page(yamada, clerk, as_user):
    taro = by_name("山田 太郎")
    client = as_user(clerk)
    upload = io.BytesIO(impression(15))
    upload.name = "seal.png"
    response = client.post(
        f"/certificates/seals/people/{taro.atena_no}/",
        {"image": upload, "dpi": "600", "identity": "photo_id", "not_rubber": "on", "name_only": "on"},
    )
    assert response.status_code == 302
    page = client.get(f"/certificates/seals/people/{taro.atena_no}/").content.decode()
    assert "登録中" in page

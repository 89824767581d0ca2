"""User stories: a resident at the kiosk with a demo card, a clerk at the window, anyone verifying."""

import re
import subprocess

import cv2
import numpy as np
import pytest

from tests.browser.test_clerk_journeys import sign_in
from tests.certificates.helpers import PIN, flat, kiosk_open, set_fees
from tests.certificates.test_seals import impression
from tests.factories import by_name, register_household
from tests.personas import make_persona
from tests.qr import decode_qr
from yakuba.cardsim import interface as cards
from yakuba.certificates.demo import seal_png
from yakuba.certificates.models import Issuance
from yakuba.core.models import Municipality

pytestmark = pytest.mark.django_db(transaction=True)


def pdf_page_png(pdf: bytes) -> np.ndarray:
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "c.pdf"
        source.write_bytes(pdf)
        subprocess.run(
            [
                "pdftoppm",
                "-r",
                "300",
                "-png",
                "-f",
                "1",
                "-l",
                "1",
                "-singlefile",
                str(source),
                str(Path(tmp) / "p"),
            ],
            check=True,
        )
        return cv2.imread(str(Path(tmp) / "p.png"))


@pytest.fixture
def city(monkeypatch):
    from django.core.files.base import ContentFile

    set_fees()
    kiosk_open(monkeypatch)
    Municipality.objects.update_or_create(pk=1, defaults={"name": "一ノ森市", "mayor_name": "森川 誠"})
    city = Municipality.current()
    city.seal_image.save("seal/city.png", ContentFile(seal_png("一ノ森市長之印")), save=True)
    clerk, approver = make_persona("madoguchi"), make_persona("kessai")
    register_household(clerk, approver)
    return clerk


def test_a_resident_gets_a_certificate_at_the_kiosk(page, live_server, axe_check, city):
    serial = cards.card_issue(by_name("山田 太郎").atena_no, PIN)
    page.goto(f"{live_server.url}/kiosk/")
    axe_check(page, "kiosk start")
    page.get_by_role("link", name="はじめる").click()
    axe_check(page, "kiosk card")
    page.locator(f"button[value='{serial}']").click()
    page.wait_for_url(re.compile(r"/kiosk/pin/"))
    axe_check(page, "kiosk pin")
    for remaining in (2, 1):
        page.get_by_label("暗証番号（数字4桁）").fill("9999")
        page.get_by_role("button", name="確認").click()
        page.wait_for_load_state()
        assert f"あと{remaining}回" in page.content()
    axe_check(page, "kiosk pin with error")
    page.get_by_label("暗証番号（数字4桁）").fill(PIN)
    page.get_by_role("button", name="確認").click()
    page.wait_for_url(re.compile(r"/kiosk/menu/"))
    assert "山田 太郎 様" in page.content()
    axe_check(page, "kiosk menu")
    page.get_by_role("link", name=re.compile("住民票の写し")).click()
    axe_check(page, "kiosk options")
    assert "200円" in page.content()
    page.get_by_label("世帯主・続柄").check()
    page.get_by_role("button", name="支払って印刷する").click()
    page.wait_for_url(re.compile(r"/kiosk/print/"))
    axe_check(page, "kiosk print")
    issuance = Issuance.objects.get()
    pdf = page.request.get(f"{live_server.url}/kiosk/print/{issuance.number}/pdf/")
    assert pdf.headers["content-type"] == "application/pdf"
    data = pdf.body()

    text = flat(
        subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()
    )
    assert "住民票の写し" in text and "山田太郎" in text and "山田花子" not in text
    image = pdf_page_png(data)
    qr_text = decode_qr(image)
    assert qr_text.startswith("http") and issuance.verification_code in qr_text
    # The seal is printed: dark pixels right of the mayor's name near the bottom of the page.
    height = image.shape[0]
    assert (image[int(height * 0.75) :, :] < 80).sum() > 2000

    page.get_by_role("button", name="印刷できました").click()
    page.wait_for_load_state()
    assert "ご利用ありがとうございました" in page.content()
    axe_check(page, "kiosk done")
    issuance.refresh_from_db()
    assert issuance.state == "printed" and issuance.payment == "paid"

    # Anyone checks the printed certificate through its QR code.
    page.goto(qr_text.replace("http://127.0.0.1:8000", live_server.url))
    assert "住民票の写し（1ページ）です。" in page.content()
    axe_check(page, "verify")


def test_a_locked_card_is_refused_until_the_window_unlocks_it(page, live_server, axe_check, city):
    serial = cards.card_issue(by_name("山田 花子").atena_no, PIN)
    for _ in range(3):
        page.goto(f"{live_server.url}/kiosk/card/")
        page.locator(f"button[value='{serial}']").click()
        page.get_by_label("暗証番号（数字4桁）").fill("0000")
        page.get_by_role("button", name="確認").click()
        page.wait_for_load_state()
    page.get_by_label("暗証番号（数字4桁）").fill(PIN)
    page.get_by_role("button", name="確認").click()
    page.wait_for_load_state()
    assert "ロックされています" in page.content()

    staff = page.context.browser.new_context(locale="ja-JP").new_page()
    sign_in(staff, live_server, city)
    staff.goto(f"{live_server.url}/certificates/people/{by_name('山田 花子').atena_no}/")
    axe_check(staff, "window issue page with a locked card")
    staff.get_by_role("button", name=re.compile("ロックを解除する")).click()
    staff.wait_for_load_state()
    assert "ロックを解除しました" in staff.content()
    assert cards.cards_for(by_name("山田 花子").atena_no)[0].locked is False


def test_a_clerk_registers_a_seal_and_issues_its_certificate(page, live_server, axe_check, city, tmp_path):
    taro = by_name("山田 太郎")
    sign_in(page, live_server, city)
    page.get_by_role("link", name="印鑑登録").first.click()
    axe_check(page, "seals search")
    page.get_by_label("宛名番号・氏名・フリガナ").fill("やまだ たろう")
    page.get_by_role("button", name="探す").click()
    page.get_by_role("link", name="山田 太郎").click()
    axe_check(page, "seal registration form")
    seal_file = tmp_path / "seal.png"
    seal_file.write_bytes(impression(15))
    page.get_by_label("印影の画像（PNG・JPEG）").set_input_files(str(seal_file))
    page.get_by_label("本人確認の方法").select_option("photo_id")
    page.get_by_label("ゴム印など変形しやすい印鑑ではないことを確認した").check()
    page.get_by_label("氏名（または氏・名）だけを表した印鑑であることを確認した").check()
    page.get_by_role("button", name="登録する").click()
    page.wait_for_load_state()
    assert "印鑑登録証番号" in page.content()
    axe_check(page, "seal registered")

    page.goto(f"{live_server.url}/certificates/people/{taro.atena_no}/")
    axe_check(page, "window issue form")
    page.get_by_label("証明書の種類").select_option("inkan")
    page.get_by_role("button", name="発行する").click()
    page.wait_for_url(re.compile(r"/certificates/issued/"))
    axe_check(page, "issued")
    assert "300円" in page.content() and "未収" in page.content()
    issuance = Issuance.objects.get()
    assert issuance.type == "inkan" and issuance.channel == "window"

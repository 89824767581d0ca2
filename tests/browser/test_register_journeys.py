"""The window register in a real browser: 窓口 花子 rings up two 住民票 and the resident pays 10,000 yen
in cash and gets 9,400 yen change; a second resident pays a 戸籍謄本 by QR code; 会計 七子 closes the
day 100 yen short, with a reason. Every page is checked with axe-core."""

import io
import re

import pytest
from pypdf import PdfReader

from tests.browser.test_clerk_journeys import sign_in, sign_out
from tests.payments.test_register import _Out
from tests.personas import make_persona
from yakuba.payments.demo import demo_load
from yakuba.payments.models import DailyClose, Payment

pytestmark = pytest.mark.django_db(transaction=True)


def _ring_up(page, live_server, items: dict[str, str]) -> None:
    page.goto(f"{live_server.url}/payments/register/")
    for label, qty in items.items():
        page.get_by_label(f"{label} 数量").fill(qty)
    page.get_by_role("button", name="会計へ進む").click()
    page.wait_for_url(re.compile(r"/payments/sales/[0-9]+-R01-[0-9]+/$"))


def test_cash_and_cashless_sales_then_a_short_close(page, live_server, axe_check):
    demo_load(stdout=_Out())
    clerk, treasurer = make_persona("madoguchi"), make_persona("kaikei")
    sign_in(page, live_server, clerk)
    page.goto(f"{live_server.url}/payments/register/")
    axe_check(page, "register")

    # Sale 1: two 住民票の写し, 600 yen, paid with a 10,000-yen note.
    _ring_up(page, live_server, {"住民票の写し": "2"})
    assert page.locator("#sale-total").inner_text() == "600円"
    axe_check(page, "sale (open)")
    page.get_by_role("link", name="お支払い画面を開く").click()
    axe_check(page, "self-pay screen")
    page.get_by_label("支払方法").select_option("cash")
    page.get_by_label("お預かり（円）").fill("１００００")
    page.get_by_role("button", name="支払う").click()
    page.locator("#pay-done").wait_for()
    assert page.locator("#pay-change").inner_text() == "9400円"
    axe_check(page, "self-pay done")
    payment = Payment.objects.get()
    assert (payment.amount, payment.tendered, payment.change) == (600, 10000, 9400)
    assert payment.change_coins == {"5000": 1, "1000": 4, "100": 4}
    receipt = page.request.get(f"{live_server.url}/payments/payments/{payment.number}/receipt.pdf")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(receipt.body())).pages).replace(" ", "")
    assert "領収書" in text and "お釣り\u30009,400円" in text

    # Sale 2: a 戸籍謄本 by QR code, no cash touched.
    _ring_up(page, live_server, {"戸籍全部事項証明書（戸籍謄本）": "1"})
    page.get_by_role("link", name="お支払い画面を開く").click()
    page.get_by_label("支払方法").select_option("qr")
    page.get_by_role("button", name="支払う").click()
    page.locator("#pay-done").wait_for()
    qr = Payment.objects.get(method="qr")
    assert (qr.state, qr.amount, qr.fee_yen) == ("captured", 450, 13)  # 2.9% of 450 = 13.05
    sign_out(page)

    # The close: the book says 30,000 (change fund) + 600 = 30,600; the drawer holds 30,500.
    sign_in(page, live_server, treasurer)
    page.goto(f"{live_server.url}/payments/close/")
    assert page.locator("#expected-cash").inner_text() == "30600円"
    axe_check(page, "close")
    counts = {
        "10,000円": "1",
        "5,000円": "1",
        "1,000円": "6",
        "500円": "10",
        "100円": "35",
        "50円": "10",
        "10円": "40",
        "5円": "10",
        "1円": "50",
    }
    for label, n in counts.items():
        page.get_by_label(label, exact=True).fill(n)
    page.get_by_role("button", name="日計を締める").click()
    assert "100 円不足しています" in page.locator(".messages").inner_text()
    assert DailyClose.objects.count() == 0
    for label, n in counts.items():
        page.get_by_label(label, exact=True).fill(n)
    page.get_by_label("過不足の理由").fill("釣銭の渡し過ぎ（100円）")
    page.get_by_role("button", name="日計を締める").click()
    page.wait_for_url(re.compile(r"/payments/close/R01/"))
    assert page.locator("#close-over-short").inner_text() == "-100円"
    axe_check(page, "close detail")
    close = DailyClose.objects.get()
    assert (close.expected_cash, close.counted_cash, close.over_short) == (30600, 30500, -100)
    href = page.get_by_role("link", name="財務会計システム用CSV").get_attribute("href")
    csv_text = page.request.get(f"{live_server.url}{href}").text()
    assert ",支払方法,qr,QRコード決済,1,450" in csv_text
    page.goto(f"{live_server.url}/payments/fees/")
    axe_check(page, "fee table")

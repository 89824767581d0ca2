"""User story in a real browser: a 保育担当 clerk enrols a child, registers the parents' bank account,
generates the month's 口座振替, downloads the request file, uploads the bank's result file and sees who
paid and who did not. Every new page is checked with axe-core."""

import datetime as dt
import re
from pathlib import Path

import pytest

from tests.browser.test_clerk_journeys import sign_in
from tests.payments import test_debit as shared
from tests.payments.test_debit import FY, SATO_ACCOUNT, SUZUKI_ACCOUNT, atena, register_account, result_file
from yakuba.payments import debit, zengin
from yakuba.payments.models import DebitRun

pytestmark = pytest.mark.django_db(transaction=True)

# The service tests' fixtures: the four families in the register with their assessments, Hoiku Midori.
families, hoiku = shared.families, shared.hoiku


def test_a_childcare_clerk_collects_a_month_of_fees(page, live_server, axe_check, families, hoiku):
    # 鈴木's account and enrolment were registered last month (through the services).
    suzuki = register_account(hoiku, "鈴木 一", SUZUKI_ACCOUNT, "ｽｽﾞｷ ﾊｼﾞﾒ", bank=("0005", "001"))
    debit.enrol(
        actor=hoiku,
        child_atena_no=atena("鈴木 三郎"),
        parent_atena_nos=[atena("鈴木 一"), atena("鈴木 二子")],
        facility_code="H01",
        standard_hours=False,
        starts_on=dt.date(2026, 4, 1),
        account_id=suzuki.pk,
    )

    sign_in(page, live_server, hoiku)
    page.get_by_role("link", name="保育料の口座振替").first.click()
    page.wait_for_url(re.compile(r"/payments/childcare/$"))
    axe_check(page, "childcare index")

    # 入所: 佐藤 陽菜 (1歳児), without an account yet.
    page.get_by_role("link", name="入所を登録する").click()
    axe_check(page, "enrol form")
    page.get_by_label("児童の宛名番号").fill(atena("佐藤 陽菜"))
    page.get_by_label("保護者1の宛名番号").fill(atena("佐藤 健"))
    page.get_by_label("保護者2の宛名番号").fill(atena("佐藤 恵"))
    page.get_by_label("施設").select_option("H01")
    page.get_by_label("保育標準時間（11時間まで）").check()
    page.get_by_label("入所日").fill("2026-04-01")
    page.get_by_role("button", name="入所を登録する").click()
    page.wait_for_url(re.compile(r"/payments/childcare/enrolments/\d+/"))
    assert "入所を登録しました" in page.content()
    enrolment_url = page.url
    axe_check(page, "enrolment page")

    # 口座振替依頼書: a kanji name is refused first, then the kana from the form.
    page.goto(f"{live_server.url}/payments/childcare/accounts/new/")
    axe_check(page, "account form")
    page.get_by_label("口座名義人の宛名番号").fill(atena("佐藤 健"))
    page.get_by_label("金融機関コード（4桁）").fill("0001")
    page.get_by_label("支店コード（3桁）").fill("001")
    page.get_by_label("口座番号").fill(SATO_ACCOUNT)
    page.get_by_label("預金者名（カナ）").fill("佐藤 健")
    page.get_by_label("依頼書の受付日").fill("2026-05-01")
    page.get_by_role("button", name="口座を登録する").click()
    page.wait_for_load_state()
    assert "使えない文字があります: 「佐」「藤」「健」" in page.content()
    assert SATO_ACCOUNT not in page.content()
    axe_check(page, "account form with errors")
    page.get_by_label("口座番号").fill(SATO_ACCOUNT)
    page.get_by_label("預金者名（カナ）").fill("サトウ　ケン")
    page.get_by_role("button", name="口座を登録する").click()
    page.wait_for_url(re.compile(r"/payments/childcare/\?q="))
    assert "ﾐｽﾞﾎ ﾄｳｷﾖｳ ****321" in page.content()
    customer = "00000000000000000002"

    page.goto(enrolment_url)
    page.get_by_label("振替口座の顧客番号").fill(customer)
    page.get_by_role("button", name="振替口座を変更する").click()
    page.wait_for_load_state()
    assert "振替口座を変更しました。" in page.content()

    # The month.
    page.get_by_role("link", name="保育料の口座振替").first.click()
    page.get_by_role("link", name="月ごとの口座振替").click()
    axe_check(page, "runs page")
    page.get_by_label("年度（西暦）").fill(str(FY))
    page.locator("#id_month").select_option("6")
    page.get_by_label("引落日").fill("2026-06-26")
    page.get_by_role("button", name="内容を確認する").click()
    page.wait_for_load_state()
    assert "令和8年6月分の内容（まだ作成していません）" in page.content()
    axe_check(page, "run preview")
    page.get_by_role("button", name="依頼データを作成する").click()
    page.wait_for_url(re.compile(r"/payments/childcare/runs/\d+/"))
    assert "令和8年6月分の口座振替データを作成しました（2件、63,600円）。" in page.content()
    axe_check(page, "run page")

    with page.expect_download() as download:
        page.get_by_role("link", name="依頼データをダウンロード").click()
    assert download.value.suggested_filename == "KOFURI-202606.txt"
    sent = Path(download.value.path()).read_bytes()
    run = DebitRun.objects.get()
    assert sent == bytes(run.request_file)
    assert [(r.customer_number, r.amount, r.new_code) for r in zengin.parse_file(sent).records] == [
        ("00000000000000000001", 19_100, "1"),
        ("00000000000000000002", 44_500, "1"),
    ]

    # The bank answers: 佐藤 paid, 鈴木 did not (資金不足). A file with LF line ends is refused first.
    answer = result_file(run, {"00000000000000000001": "1"})
    page.get_by_label("振替結果のファイル").set_input_files(
        files=[{"name": "kekka.txt", "mimeType": "text/plain", "buffer": answer.replace(b"\r\n", b"\n")}]
    )
    page.get_by_role("button", name="振替結果を取り込む").click()
    page.wait_for_load_state()
    assert "1行目 改行コード: 改行コードが CRLF ではありません（LF のみ）" in page.content()
    axe_check(page, "run page with upload errors")
    page.get_by_label("振替結果のファイル").set_input_files(
        files=[{"name": "kekka.txt", "mimeType": "text/plain", "buffer": answer}]
    )
    page.get_by_role("button", name="振替結果を取り込む").click()
    page.wait_for_load_state()
    assert "振替結果を取り込みました（振替済 1件、振替不能 1件）。" in page.content()
    rows = page.locator("table[aria-labelledby=items-heading] tbody tr")
    assert "振替不能：資金不足（1）" in rows.nth(0).inner_text()
    assert "振替済" in rows.nth(1).inner_text()
    axe_check(page, "run page with results")

    page.get_by_role("link", name="未納の一覧").click()
    axe_check(page, "arrears")
    unpaid = page.locator("table tbody tr")
    assert unpaid.count() == 1
    assert "鈴木 一" in unpaid.nth(0).inner_text() and "19100円" in unpaid.nth(0).inner_text()
    assert "佐藤" not in page.locator("table").inner_text()
    page.get_by_role("button", name="鈴木 一さん 令和8年6月分を納付済みにする").click()
    page.wait_for_load_state()
    assert "未納はありません。" in page.content()
    for number in (SATO_ACCOUNT, SUZUKI_ACCOUNT):
        assert number not in page.content()

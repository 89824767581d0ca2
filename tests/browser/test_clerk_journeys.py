"""User stories in a real browser: a clerk enters a 転入, an approver approves it, and the new household
appears in search and in the delta extract. Every page visited is checked with axe-core."""

import re

import pytest

from tests.factories import register_household
from tests.personas import PASSWORD, current_code, make_persona
from yakuba.core.apiclients import api_client_create

pytestmark = pytest.mark.django_db(transaction=True)


def sign_in(page, live_server, user, axe_check=None):
    page.goto(f"{live_server.url}/login/")
    if axe_check:
        axe_check(page, "login")
    page.get_by_label("職員ID").fill(user.username)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="次へ").click()
    page.wait_for_url(re.compile(r"/login/otp/"))
    if axe_check:
        axe_check(page, "login otp")
    page.get_by_label("確認コード（6桁）").fill(current_code(user))
    page.get_by_role("button", name="ログイン").click()
    page.wait_for_url(f"{live_server.url}/")


def sign_out(page):
    page.get_by_role("button", name="ログアウト").click()
    page.wait_for_url(re.compile(r"/login/"))


def test_a_clerk_registers_a_move_in_that_an_approver_approves(page, live_server, axe_check):
    clerk, approver = make_persona("madoguchi"), make_persona("kessai")
    _client, token = api_client_create(actor="test", name="tax", scopes=["residents"])

    sign_in(page, live_server, clerk, axe_check)
    axe_check(page, "home")
    page.get_by_role("link", name="転入の入力").first.click()
    axe_check(page, "move-in form")
    page.locator("#id_idou_date").fill("令和6年4月1日")
    page.locator("#id_previous_address").fill("東京都千代田区千代田1番1号")
    page.locator("#id_address").fill("一ノ森市本町三丁目1番1号")
    page.locator("#id_m0-name").fill("佐藤 健")
    page.locator("#id_m0-name_kana").fill("さとう けん")
    page.locator("#id_m0-birth_date").fill("昭和55年1月1日")
    page.locator("#id_m0-sex").select_option("1")
    page.get_by_role("button", name="入力する人を1人増やす").click()
    page.locator("#id_m1-name").fill("佐藤 恵")
    page.locator("#id_m1-name_kana").fill("ｻﾄｳ ﾒｸﾞﾐ")
    page.locator("#id_m1-birth_date").fill("1982-05-05")
    page.locator("#id_m1-sex").select_option("2")
    page.locator("#id_m1-relationship").fill("妻")
    page.get_by_role("button", name="仮登録する").click()
    page.wait_for_url(re.compile(r"/residents/idou/\d+/"))
    assert "仮登録しました" in page.content()
    axe_check(page, "idou detail (pending)")

    # 仮登録 is invisible to search and to the extract.
    page.goto(f"{live_server.url}/residents/?name=さとう")
    assert "0件見つかりました。" in page.content()
    empty = page.request.get(
        f"{live_server.url}/api/v1/residents/changes", headers={"Authorization": f"Bearer {token}"}
    )
    assert empty.json()["items"] == []
    sign_out(page)

    sign_in(page, live_server, approver)
    page.get_by_role("link", name="決裁待ちの異動").first.click()
    axe_check(page, "pending list")
    page.get_by_role("link", name=re.compile(r"^\d+$")).first.click()
    page.get_by_role("button", name="本登録する").click()
    page.wait_for_load_state()
    assert "本登録しました。" in page.content()
    sign_out(page)

    sign_in(page, live_server, clerk)
    page.get_by_role("link", name="住民検索").first.click()
    page.get_by_label("氏名・フリガナ").fill("ｻﾄｳ")
    page.get_by_role("button", name="検索").click()
    page.wait_for_load_state()
    assert "2件見つかりました。" in page.content()
    axe_check(page, "search results")
    page.get_by_role("link", name="佐藤 健").click()
    axe_check(page, "resident page")
    page.get_by_role("link", name=re.compile(r"^\d{10}$")).first.click()
    axe_check(page, "household page")
    rows = page.locator("table tbody tr")
    assert rows.nth(0).inner_text().startswith("世帯主\t佐藤 健")
    assert rows.nth(1).inner_text().startswith("妻\t佐藤 恵")

    delta = page.request.get(
        f"{live_server.url}/api/v1/residents/changes", headers={"Authorization": f"Bearer {token}"}
    )
    assert [(row["name"], row["relationship"]) for row in delta.json()["items"]] == [
        ("佐藤 健", "世帯主"),
        ("佐藤 恵", "妻"),
    ]


def test_every_entry_form_passes_axe(page, live_server, axe_check):
    clerk, approver = make_persona("madoguchi"), make_persona("kessai")
    household = register_household(clerk, approver)
    member = household.members.order_by("atena_no").first()
    sign_in(page, live_server, clerk)
    for path in [
        f"/residents/idou/new/{household.setai_no}/address-change/",
        f"/residents/idou/new/{household.setai_no}/move-out/",
        f"/residents/idou/new/{household.setai_no}/birth/",
        f"/residents/idou/new/{household.setai_no}/split/",
        f"/residents/idou/new/{household.setai_no}/merge/",
        f"/residents/idou/new/{household.setai_no}/head-change/",
        f"/residents/idou/new/person/{member.atena_no}/death/",
        f"/residents/idou/new/person/{member.atena_no}/correction/",
    ]:
        page.goto(live_server.url + path)
        axe_check(page, path)
    # A form sent back with errors is accessible too.
    page.goto(f"{live_server.url}/residents/idou/new/move-in/")
    page.get_by_role("button", name="仮登録する").click()
    page.wait_for_load_state()
    assert "このフィールドは必須です。" in page.content()
    axe_check(page, "move-in form with errors")


@pytest.mark.parametrize("width", [320, 390])
def test_pages_reflow_on_a_phone_and_at_400_percent_zoom(browser, live_server, width):
    clerk, approver = make_persona("madoguchi"), make_persona("kessai")
    household = register_household(clerk, approver)
    context = browser.new_context(locale="ja-JP", viewport={"width": width, "height": 800})
    page = context.new_page()
    try:
        sign_in(page, live_server, clerk)
        for path in [
            "/residents/?name=やまだ",
            f"/residents/households/{household.setai_no}/",
            "/residents/idou/new/move-in/",
        ]:
            page.goto(live_server.url + path)
            overflow = page.evaluate(
                "() => [...document.querySelectorAll('body *')].filter(e => !e.closest('.table-wrap'))"
                ".some(e => e.getBoundingClientRect().right > window.innerWidth + 1)"
            )
            assert not overflow, f"{path} scrolls sideways at {width}px"
    finally:
        context.close()


def test_a_new_member_of_staff_enrols_an_authenticator(page, live_server, axe_check):
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from yakuba.core.models import StaffUser

    StaffUser.objects.create_user(username="shinjin", password=PASSWORD)
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("職員ID").fill("shinjin")
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="次へ").click()
    page.wait_for_url(re.compile(r"/login/otp/"))
    assert page.get_by_role("img", name="認証アプリ登録用のQRコード").is_visible()
    axe_check(page, "authenticator enrolment")
    device = TOTPDevice.objects.get(user__username="shinjin")
    code = str(TOTP(device.bin_key, step=device.step, t0=device.t0, digits=device.digits).token()).zfill(6)
    page.get_by_label("確認コード（6桁）").fill(code)
    page.get_by_role("button", name="ログイン").click()
    page.wait_for_url(f"{live_server.url}/")
    axe_check(page, "home without roles")

"""The 会計管理者 opens the cashless cost model in a real browser: the chart, the table and the form pass
axe-core, with the default figures, after a recalculation and with an input error."""

import re

import pytest

from tests.browser.test_clerk_journeys import sign_in
from tests.payments.test_cost_model_page import make_accountant

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_cost_model_page_is_accessible(page, live_server, axe_check):
    sign_in(page, live_server, make_accountant())
    page.get_by_role("link", name="キャッシュレスの費用試算").first.click()
    page.wait_for_url(re.compile(r"/payments/cost-model/"))
    assert "キャッシュレス比率が 19.0% を超えると" in page.content()
    assert page.get_by_role("img", name="キャッシュレス利用率ごとの年間費用").is_visible()
    axe_check(page, "cost model")

    page.get_by_label("窓口での年間の支払件数").fill("５０，０００")
    page.get_by_role("button", name="試算する").click()
    page.wait_for_url(re.compile(r"yearly_transactions="))
    assert page.get_by_role("cell", name="111,600", exact=True).is_visible()
    axe_check(page, "cost model, recalculated")

    page.get_by_label("1件あたりの平均の支払額（円）").fill("-300")
    page.get_by_role("button", name="試算する").click()
    page.get_by_role("alert").first.wait_for()
    assert "0以上にしてください" in page.content()
    axe_check(page, "cost model, input error")

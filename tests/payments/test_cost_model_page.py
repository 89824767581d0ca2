"""The 会計管理者 models what cashless payment at the window would cost (キャッシュレスの費用試算): the page,
its form, the city's own history, the CSV download and the ``cost_model`` command."""

import csv
import dataclasses
import io
import json
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.personas import PASSWORD, totp_key
from yakuba.core.models import StaffUser
from yakuba.payments import costmodel
from yakuba.payments.costmodel import CostInputs, break_even_uptake, yearly_cost
from yakuba.payments.forms_costmodel import CostModelForm
from yakuba.payments.models import Drawer, Payment, Sale
from yakuba.payments.views_costmodel import COMPONENT_LABELS

URL = reverse("payments:cost_model")


def make_accountant() -> StaffUser:
    """会計管理者 is not among the personas: a user with that role (the group comes from the manifest)."""
    user = StaffUser.objects.create_user(username="kaikei", password=PASSWORD, display_name="会計 管理")
    user.groups.add(Group.objects.get(name="会計管理者"))
    TOTPDevice.objects.create(user=user, name="test", key=totp_key("kaikei"), confirmed=True)
    return user


@pytest.fixture
def accountant(db):
    return make_accountant()


def figures(**changes) -> dict[str, str]:
    """The form as first shown (every initial value), with ``changes``."""
    data = {name: str(f.initial) for name, f in CostModelForm.base_fields.items() if f.initial is not None}
    return {**data, **{k: str(v) for k, v in changes.items()}}


def pct(fraction: float) -> str:
    return f"{(Decimal(repr(fraction)) * 100).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP):f}"


def yen(amount: int) -> str:
    return f"<td>{amount:,}</td>"


def result_section(html: str) -> str:
    """From the results heading to the end of the table (the CSV link carries the query string)."""
    return html[html.index('<h2 id="result-heading">') : html.index("</table>")]


def test_component_labels_follow_the_model():
    assert [(k, str(v)) for k, v in COMPONENT_LABELS.items()] == list(costmodel.COMPONENTS)


def test_a_clerk_may_not_see_the_cost_model(clerk, as_user):
    assert as_user(clerk).get(URL).status_code == 403
    assert as_user(clerk).get(URL, {"format": "csv"}).status_code == 403


def test_post_is_refused(accountant, as_user):
    assert as_user(accountant).post(URL, figures()).status_code == 405


def test_the_accountant_sees_the_default_figures_and_the_break_even(accountant, as_user):
    response = as_user(accountant).get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    defaults = CostInputs()
    be = break_even_uptake(defaults)
    assert be is not None and 0 < be < 1
    assert f"キャッシュレス比率が {pct(be)}% を超えると、キャッシュレスの方が税負担が小さくなります" in html
    assert pct(be) == "19.0"
    # Initial values are the model's defaults, in yen and in percent.
    assert 'name="yearly_transactions" value="100000"' in html
    assert 'name="qr_fee_rate" value="2.9"' in html
    assert 'name="card_share" value="30"' in html
    # The table: every scenario, every component in yen.
    for uptake in (0.0, 0.1, 0.2, 0.3, 0.4, 0.5):
        row = yearly_cost(defaults, uptake)
        for name, _label in costmodel.COMPONENTS:
            assert yen(getattr(row, name)) in html
    assert yen(148_800) in html  # fees at 20 %: 20,000 payments · 300 yen · 2.48 %
    assert "<td>-109,250</td>" in html and "<td>+399,600</td>" in html
    assert "比率 0%（現在）" in html
    assert "キャッシュレス決済を導入せず、現金のみで受け付けた場合の年間費用は8,260,950円です。" in html
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in html and 'role="img"' in html
    assert "<caption" in html and 'scope="row"' in html and 'scope="col"' in html
    assert "style=" not in html and "<script" not in html


def test_submitted_figures_change_the_table(accountant, as_user):
    response = as_user(accountant).get(URL, figures(yearly_transactions=50_000))
    assert response.status_code == 200
    html = response.content.decode()
    # Fees at 30 %: 15,000 cashless payments · 300 yen · (0.3·2.2 % + 0.3·2.2 % + 0.4·2.9 % = 2.48 %).
    assert yen(111_600) in html
    assert yen(223_200) not in html  # the default's fees at 30 %
    inputs = dataclasses.replace(CostInputs(), yearly_transactions=50_000)
    assert yen(yearly_cost(inputs, 0.3).total) in html
    be = break_even_uptake(inputs)
    assert be is not None
    assert f"キャッシュレス比率が {pct(be)}% を超えると" in html


def test_a_current_uptake_adds_its_own_column(accountant, as_user):
    html = as_user(accountant).get(URL, figures(current_uptake="25")).content.decode()
    assert "比率 25%（現在）" in html
    assert yen(yearly_cost(CostInputs(), 0.25).staff_cash) in html  # 75,000 cash payments: 5,625,000


def test_full_width_digits_are_accepted(accountant, as_user):
    client = as_user(accountant)
    half = client.get(URL, figures(yearly_transactions="50000", card_fee_rate="2.2")).content.decode()
    full = client.get(
        URL, figures(yearly_transactions="５０，０００", card_fee_rate="２．２")
    ).content.decode()
    assert yen(111_600) in full
    assert "入力に誤り" not in full
    assert result_section(full) == result_section(half)


def test_no_cashless_cost_at_all_means_it_pays_off_from_zero(accountant, as_user):
    free = figures(
        fixed_monthly_fees_yen=0,
        equipment_cost_yen=0,
        yearly_maintenance_yen=0,
        cash_transport_variable_yen=0,
    )
    html = as_user(accountant).get(URL, free).content.decode()
    assert "キャッシュレス比率が0%を少しでも超えれば、キャッシュレスの方が税負担が小さくなります" in html


def test_when_cashless_never_pays_off_the_page_says_so(accountant, as_user):
    html = as_user(accountant).get(URL, figures(staff_minutes_per_cashless_transaction="3")).content.decode()
    assert (
        break_even_uptake(dataclasses.replace(CostInputs(), staff_minutes_per_cashless_transaction=3.0))
        is None
    )
    assert "現金のみの方が税負担が小さくなります（損益分岐点はありません）" in html


def test_negative_figures_are_refused_in_japanese(accountant, as_user):
    response = as_user(accountant).get(URL, figures(average_payment_yen="-300"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "入力に誤りがあるため、試算していません" in html
    assert "1件あたりの平均の支払額（円）は0以上にしてください。" in html
    assert 'id="result-heading"' not in html


def test_shares_must_add_up_to_100(accountant, as_user):
    response = as_user(accountant).get(URL, figures(card_share="30", emoney_share="30", qr_share="30"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "合計が100%になるようにしてください（いまの合計は90%です）。" in html
    assert 'id="result-heading"' not in html


def test_words_are_not_numbers(accountant, as_user):
    html = as_user(accountant).get(URL, figures(yearly_transactions="たくさん")).content.decode()
    assert "窓口での年間の支払件数は半角または全角の数字で入れてください。" in html


# --- the city's own history ------------------------------------------------------------------------


def add_payments(*specs: tuple[int, str, int, str]) -> None:
    """(amount, method, days ago, state) per payment, each of its own sale."""
    drawer, _created = Drawer.objects.get_or_create(code="R1", defaults={"name": "1番窓口"})
    now = timezone.now()
    today = timezone.localdate()
    start = Payment.objects.count()
    for i, (amount, method, days_ago, state) in enumerate(specs, start=start):
        day = today - timedelta(days=days_ago)
        sale = Sale.objects.create(
            number=f"S-{i:04d}",
            drawer=drawer,
            clerk="madoguchi",
            state=Sale.State.PAID if state == "captured" else Sale.State.VOIDED,
            total=amount,
            business_date=day,
            created_at=now,
        )
        Payment.objects.create(
            number=f"P-{i:04d}",
            sale=sale,
            drawer=drawer,
            idempotency_key=f"key-{i}",
            method=method,
            state=state,
            amount=amount,
            business_date=day,
            created_at=now,
            captured_at=now if state == "captured" else None,
            clerk="madoguchi",
        )


HISTORY = (
    *[(300, "cash", 1, "captured")] * 6,
    (300, "card", 0, "captured"),
    (300, "card", 30, "captured"),
    (450, "emoney", 60, "captured"),
    (450, "qr", 89, "captured"),
    # Left out: older than 90 days, voided.
    (10_000, "card", 90, "captured"),
    (10_000, "qr", 2, "voided"),
)


def test_figures_from_the_citys_own_payments(accountant, as_user):
    add_payments(*HISTORY)
    history = costmodel.from_history(
        [(300, "cash")] * 6 + [(300, "card"), (300, "card"), (450, "emoney"), (450, "qr")], 90
    )
    # 10 payments in 90 days: 41 a year; 3,300 yen / 10 = 330 yen; 4 of 10 cashless, half of them card.
    assert history == {
        "yearly_transactions": 41,
        "average_payment_yen": 330,
        "current_uptake": 0.4,
        "card_share": 0.5,
        "emoney_share": 0.25,
        "qr_share": 0.25,
    }
    response = as_user(accountant).get(URL, figures(use_history="on", history_days="９０"))
    html = response.content.decode()
    assert "直近90日の窓口収納（支払済み10件）から計算した次の数値" in html
    assert "41件（90日分を1年に換算）" in html and "330円" in html
    assert "クレジットカード等 50.0%・電子マネー 25.0%・QRコード決済 25.0%" in html
    assert "比率 40%（現在）" in html
    inputs = dataclasses.replace(CostInputs(), **history)
    row = yearly_cost(inputs, 0.4)
    # 41 · 0.4 · 330 · (0.5·2.2 % + 0.25·2.2 % + 0.25·2.9 %) = 129.26 yen
    assert row.fees == 129
    assert yen(row.fees) in html and yen(row.total) in html
    be = break_even_uptake(inputs)
    expected = (
        f"キャッシュレス比率が {pct(be)}% を超えると"
        if be
        else "損益分岐点はありません"
        if be is None
        else "0%を少し"
    )
    assert expected in html


def test_all_cash_history_keeps_the_entered_mix(accountant, as_user):
    add_payments((300, "cash", 0, "captured"), (300, "cash", 1, "captured"))
    html = as_user(accountant).get(URL, figures(use_history="on", history_days="30")).content.decode()
    assert "直近30日の窓口収納（支払済み2件）" in html
    assert "実績にキャッシュレスの支払がないため、入力した内訳を使っています。" in html


def test_without_history_the_entered_figures_are_used(accountant, as_user):
    add_payments((300, "cash", 200, "captured"))
    html = as_user(accountant).get(URL, figures(use_history="on")).content.decode()
    assert "直近90日には支払済みの窓口収納がありません。入力欄の数値で試算しています。" in html
    assert yen(148_800) in html  # the default figures' fees at 20 %


# --- CSV and the command ---------------------------------------------------------------------------


def test_csv_download(accountant, as_user):
    response = as_user(accountant).get(URL, {**figures(yearly_transactions=50_000), "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == [
        "キャッシュレス比率（%）",
        "決済手数料（円）",
        "月額固定費（円）",
        "機器（償却・保守）（円）",
        "職員時間（現金）（円）",
        "職員時間（キャッシュレス）（円）",
        "硬貨預入手数料（円）",
        "現金輸送・警備（円）",
        "合計（円）",
        "現金のみの合計（円）",
        "現金のみとの差（円）",
    ]
    assert [r[0] for r in rows[1:]] == ["0.0", "10.0", "20.0", "30.0", "40.0", "50.0"]
    inputs = dataclasses.replace(CostInputs(), yearly_transactions=50_000)
    expected = yearly_cost(inputs, 0.3)
    assert rows[4][1] == "111600"
    assert rows[4][1:] == [
        str(v)
        for v in (
            *(getattr(expected, name) for name, _label in costmodel.COMPONENTS),
            expected.total,
            expected.cash_only_total,
            expected.net_vs_cash_only,
        )
    ]


def test_csv_of_the_default_page(accountant, as_user):
    response = as_user(accountant).get(URL, {"format": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[3][1] == "148800"


def test_command_prints_the_table_and_the_break_even():
    out = io.StringIO()
    call_command("cost_model", "--transactions", "50000", stdout=out)
    text = out.getvalue()
    be = break_even_uptake(dataclasses.replace(CostInputs(), yearly_transactions=50_000))
    assert f"キャッシュレス比率が {pct(be)}% を超えると" in text
    assert "111,600" in text and "決済手数料" in text


def test_command_json():
    out = io.StringIO()
    call_command(
        "cost_model", "--transactions", "50000", "--average", "300", "--uptake", "0.25", "--json", stdout=out
    )
    data = json.loads(out.getvalue())
    assert {"break_even_uptake", "scenarios", "inputs"} <= set(data)
    inputs = dataclasses.replace(CostInputs(), yearly_transactions=50_000, current_uptake=0.25)
    assert data["break_even_uptake"] == break_even_uptake(inputs)
    assert [s["uptake"] for s in data["scenarios"]] == [0.0, 0.1, 0.2, 0.25, 0.3, 0.4, 0.5]
    assert data["scenarios"][4] == costmodel.table_rows([yearly_cost(inputs, 0.3)])[0]
    assert data["inputs"]["yearly_transactions"] == 50_000 and data["inputs"]["current_uptake"] == 0.25


@pytest.mark.django_db
def test_command_from_history():
    add_payments(*HISTORY)
    out = io.StringIO()
    call_command("cost_model", "--from-history", "90", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["inputs"]["yearly_transactions"] == 41 and data["inputs"]["average_payment_yen"] == 330
    assert data["history"] == {"days": 90, "payments": 10, "applied": True}

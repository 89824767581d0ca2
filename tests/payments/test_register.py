"""The window register through its services and pages: a clerk (窓口 花子) rings up fees, the resident
pays cash with change or cashless, the treasurer (会計 七子) voids and closes the day."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from yakuba.core.models import AuditEntry
from yakuba.payments import adapters, services, states
from yakuba.payments.demo import demo_load
from yakuba.payments.models import (
    CampaignPrice,
    ChangeStock,
    DailyClose,
    Drawer,
    FeeItem,
    GatewayTransaction,
    IdempotencyKey,
    Payment,
    PendingCharge,
    Sale,
)
from yakuba.payments.services import IdempotencyConflict, LineRequest, PaymentError

pytestmark = pytest.mark.django_db


class _Out:
    def write(self, _text: str) -> None:
        pass


@pytest.fixture
def city(db):
    demo_load(stdout=_Out())
    return Drawer.objects.get(code="R01")


def stock(drawer: Drawer) -> dict[int, int]:
    return dict(ChangeStock.objects.filter(drawer=drawer).values_list("denomination", "count"))


def sale(**kwargs) -> Sale:
    lines = kwargs.pop("lines", [LineRequest("cert.juminhyo", 2)])
    return services.sale_create(actor="madoguchi", drawer_code="R01", lines=lines, **kwargs)


# --- prices ------------------------------------------------------------------------------------


def test_price_from_the_fee_table_and_campaigns(city):
    today = services.business_date()
    assert services.price_for(code="cert.juminhyo", channel="window") == 300
    assert services.price_for(code="cert.juminhyo", channel="kiosk") == 200
    assert services.price_for(code="seal.card_reissue", channel="kiosk") is None
    assert services.price_for(code="no.such", channel="window") is None
    item = FeeItem.objects.get(code="cert.juminhyo")
    CampaignPrice.objects.create(
        item=item, channel="kiosk", price=100, starts_on=today, ends_on=today, label="1日限り"
    )
    assert services.price_for(code="cert.juminhyo", channel="kiosk") == 100
    assert services.price_for(code="cert.juminhyo", channel="kiosk", on=today + dt.timedelta(days=1)) == 200
    assert services.price_for(code="cert.juminhyo", channel="window") == 300


def test_exemption_is_window_only_and_costs_nothing(city):
    s = sale(lines=[LineRequest("cert.juminhyo", 1, "official"), LineRequest("koseki.tohon", 1)])
    assert s.total == 450
    with pytest.raises(PaymentError, match="免除の理由"):
        sale(lines=[LineRequest("cert.juminhyo", 1, "birthday")])


# --- cash --------------------------------------------------------------------------------------


def test_cash_with_change_from_the_machine(city):
    before = stock(city)
    s = sale()  # 2 x 住民票 = 600
    payment = services.pay(
        actor="madoguchi", sale_number=s.number, method="cash", tendered=10000, idempotency_key="cash-0001"
    )
    assert (payment.state, payment.amount, payment.tendered, payment.change) == ("captured", 600, 10000, 9400)
    assert payment.change_coins == {"5000": 1, "1000": 4, "100": 4}
    after = stock(city)
    assert after[10000] == before[10000] + 1
    assert after[5000] == before[5000] - 1
    assert after[1000] == before[1000] - 4
    assert after[100] == before[100] - 4
    s.refresh_from_db()
    assert s.state == "paid"


def test_cash_short_or_no_change_changes_nothing(city):
    s = sale()
    with pytest.raises(PaymentError, match="300 円足りません"):
        services.pay(
            actor="m", sale_number=s.number, method="cash", tendered=300, idempotency_key="cash-0002"
        )
    ChangeStock.objects.filter(drawer=city, denomination__lt=10000).update(count=0)
    with pytest.raises(PaymentError, match="お釣りが足りません"):
        services.pay(
            actor="m", sale_number=s.number, method="cash", tendered=1000, idempotency_key="cash-0003"
        )
    assert Payment.objects.count() == 0
    assert IdempotencyKey.objects.count() == 0
    # exact money needs no change
    payment = services.pay(
        actor="m", sale_number=s.number, method="cash", tendered=600, idempotency_key="cash-0004"
    )
    assert (payment.state, payment.change) == ("captured", 0)


def test_plan_change_with_a_finite_stock():
    assert adapters.plan_change(660, {500: 1, 100: 1, 50: 1, 10: 1}) == {500: 1, 100: 1, 50: 1, 10: 1}
    assert adapters.plan_change(660, {500: 0, 100: 6, 50: 0, 10: 6}) == {100: 6, 10: 6}
    assert adapters.plan_change(60, {50: 1, 5: 1}) is None
    assert adapters.plan_change(0, {}) == {}


# --- idempotency -------------------------------------------------------------------------------


def test_same_key_same_request_is_the_same_payment(city):
    s = sale()
    first = services.pay(
        actor="m", sale_number=s.number, method="cash", tendered=1000, idempotency_key="same-key-1"
    )
    again = services.pay(
        actor="m", sale_number=s.number, method="cash", tendered=1000, idempotency_key="same-key-1"
    )
    assert again.pk == first.pk
    assert Payment.objects.count() == 1
    assert stock(city)[100] == 40 - 4  # the change was paid once


def test_same_key_other_request_is_a_conflict(city):
    s = sale()
    services.pay(actor="m", sale_number=s.number, method="cash", tendered=1000, idempotency_key="same-key-2")
    with pytest.raises(IdempotencyConflict):
        services.pay(
            actor="m", sale_number=s.number, method="cash", tendered=5000, idempotency_key="same-key-2"
        )


def test_keys_expire_after_24_hours(city, monkeypatch):
    s1 = sale()
    services.pay(actor="m", sale_number=s1.number, method="cash", tendered=600, idempotency_key="old-key-01")
    later = services._now() + dt.timedelta(hours=24, seconds=1)
    monkeypatch.setattr(services, "_now", lambda: later)
    s2 = sale()
    second = services.pay(
        actor="m", sale_number=s2.number, method="cash", tendered=600, idempotency_key="old-key-01"
    )
    assert second.sale_id == s2.pk
    assert Payment.objects.count() == 2


def test_a_paid_sale_cannot_be_paid_again(city):
    s = sale()
    services.pay(actor="m", sale_number=s.number, method="cash", tendered=600, idempotency_key="pay-once-1")
    with pytest.raises(PaymentError, match="支払済み"):
        services.pay(actor="m", sale_number=s.number, method="card", idempotency_key="pay-once-2")


# --- cashless ----------------------------------------------------------------------------------


def test_cashless_fee_and_no_mixing(city):
    s = sale(lines=[LineRequest("koseki.tohon", 1)])
    payment = services.pay(
        actor="m", sale_number=s.number, method="card", tendered=9999, idempotency_key="card-0001"
    )
    assert (payment.state, payment.tendered, payment.change) == ("captured", 0, 0)
    assert (payment.fee_rate_bp, payment.fee_yen) == (220, 10)  # 450 x 2.2% = 9.9 -> 10
    txn = GatewayTransaction.objects.get(merchant_key=payment.number)
    assert (txn.state, txn.captures, txn.amount) == ("captured", 1, 450)


def test_declined_card_fails_and_the_sale_stays_open(city, monkeypatch):
    monkeypatch.setattr(adapters.SimulatedGateway, "declines", {600})
    s = sale()
    payment = services.pay(actor="m", sale_number=s.number, method="card", idempotency_key="card-decl1")
    assert (payment.state, payment.failure) == ("failed", "declined")
    s.refresh_from_db()
    assert s.state == "open"
    cash = services.pay(
        actor="m", sale_number=s.number, method="cash", tendered=1000, idempotency_key="card-decl2"
    )
    assert cash.state == "captured"


def test_interrupted_cashless_is_finished_by_reconcile(city):
    s = sale()
    # A crash after the processor captured but before we recorded it:
    payment = services._create_cashless("m", s.number, "emoney", "crash-key-1", "h")
    gw = adapters.SimulatedGateway()
    result = gw.authorise(merchant_key=payment.number, method="emoney", amount=600)
    gw.capture(ref=result.ref)
    assert services.reconcile(older_than=dt.timedelta(0)) == 1
    payment.refresh_from_db()
    assert (payment.state, payment.fee_yen) == ("captured", 13)
    assert GatewayTransaction.objects.get(merchant_key=payment.number).captures == 1
    # and one only authorised there is released
    s2 = sale()
    p2 = services._create_cashless("m", s2.number, "qr", "crash-key-2", "h")
    gw.authorise(merchant_key=p2.number, method="qr", amount=600)
    services.reconcile(older_than=dt.timedelta(0))
    p2.refresh_from_db()
    assert p2.state == "failed"
    assert GatewayTransaction.objects.get(merchant_key=p2.number).state == "voided"


# --- voids and the state table -----------------------------------------------------------------


def test_void_same_day_only(city, monkeypatch):
    s = sale()
    payment = services.pay(actor="m", sale_number=s.number, method="card", idempotency_key="void-0001")
    voided = services.payment_void(actor="kaikei", number=payment.number, reason="二重に受け付けた")
    assert voided.state == "voided"
    assert GatewayTransaction.objects.get(merchant_key=payment.number).state == "voided"
    s2 = sale()
    p2 = services.pay(actor="m", sale_number=s2.number, method="qr", idempotency_key="void-0002")
    tomorrow = services.business_date() + dt.timedelta(days=1)
    monkeypatch.setattr(services, "business_date", lambda: tomorrow)
    with pytest.raises(PaymentError, match="支払った日のうち"):
        services.payment_void(actor="kaikei", number=p2.number, reason="翌日")


def test_void_returns_a_certificate_charge_to_the_uncollected(city):
    services.charge_request(
        source="certificates", ref="C-1", item_code="cert.juminhyo", description="", amount=300
    )
    charge = PendingCharge.objects.get()
    assert charge.description == "住民票の写し"
    s = services.sale_create(actor="m", drawer_code="R01", charge_ids=[charge.pk])
    p = services.pay(
        actor="m", sale_number=s.number, method="cash", tendered=300, idempotency_key="void-0003"
    )
    charge.refresh_from_db()
    assert charge.state == "paid"
    services.payment_void(actor="kaikei", number=p.number, reason="誤り")
    charge.refresh_from_db()
    assert (charge.state, charge.sale_id) == ("open", None)
    assert [c.ref for c in services.open_charges()] == ["C-1"]


ALLOWED = {
    ("created", "authorised"),
    ("created", "failed"),
    ("authorised", "captured"),
    ("authorised", "voided"),
    ("authorised", "failed"),
    ("captured", "voided"),
}


@pytest.mark.parametrize("current", Payment.State.values)
@pytest.mark.parametrize("wanted", Payment.State.values)
def test_state_table(current, wanted):
    if (current, wanted) in ALLOWED:
        states.check_transition(current, wanted)
    else:
        with pytest.raises(states.InvalidTransition):
            states.check_transition(current, wanted)


# --- the daily close ---------------------------------------------------------------------------


def _pieces(amount: int) -> dict[int, int]:
    return adapters.breakdown(amount, denominations=adapters.DENOMINATIONS)


def test_daily_close_with_a_shortage(city):
    s1 = sale()  # 600 cash
    services.pay(actor="m", sale_number=s1.number, method="cash", tendered=1000, idempotency_key="close-001")
    s2 = sale(lines=[LineRequest("koseki.tohon", 2)])  # 900 by QR
    services.pay(actor="m", sale_number=s2.number, method="qr", idempotency_key="close-002")
    today = services.business_date()
    totals = services.day_totals(drawer_code="R01", day=today)
    assert totals.by_method["cash"] == (1, 600)
    assert totals.by_method["qr"] == (1, 900)
    assert totals.by_item == {
        "cert.juminhyo": ("住民票の写し", 2, 600),
        "koseki.tohon": ("戸籍全部事項証明書（戸籍謄本）", 2, 900),
    }
    assert totals.fees_yen == 26  # 900 x 2.9% = 26.1
    assert totals.expected_cash == 30600
    with pytest.raises(PaymentError, match="100 円不足"):
        services.day_close(actor="kaikei", drawer_code="R01", day=today, counted_pieces=_pieces(30500))
    close = services.day_close(
        actor="kaikei", drawer_code="R01", day=today, counted_pieces=_pieces(30500), reason="釣銭の渡し過ぎ"
    )
    assert (close.expected_cash, close.counted_cash, close.over_short) == (30600, 30500, -100)
    # the takings went to the bank: the machine holds the change fund again
    assert services.to_bank(close) == 500
    assert {d: n for d, n in stock(city).items() if n} == {
        5000: 2,
        1000: 10,
        500: 10,
        100: 40,
        50: 10,
        10: 40,
        5: 10,
        1: 50,
    }
    # a closed day is immutable
    with pytest.raises(PaymentError, match="締め済み"):
        sale()
    p = Payment.objects.get(method="cash")
    with pytest.raises(PaymentError, match="締め済み"):
        services.payment_void(actor="kaikei", number=p.number, reason="x")
    with pytest.raises(PaymentError, match="締め済み"):
        services.day_close(actor="kaikei", drawer_code="R01", day=today, counted_pieces=_pieces(30600))
    assert DailyClose.objects.count() == 1
    assert AuditEntry.objects.filter(action="day_close").count() == 1


# --- pages -------------------------------------------------------------------------------------


def test_register_pages_cash_sale(city, clerk, as_user):
    client = as_user(clerk)
    page = client.get(reverse("payments:register"))
    assert page.status_code == 200
    response = client.post(
        reverse("payments:register"), {"drawer": "R01", "qty_cert.juminhyo": "２", "ex_cert.juminhyo": ""}
    )
    s = Sale.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("payments:sale", args=[s.number])
    pay_page = client.get(reverse("payments:pay", args=[s.number]))
    key = pay_page.context["form"]["key"].value()
    done = client.post(
        reverse("payments:pay", args=[s.number]), {"method": "cash", "tendered": "1,000", "key": key}
    )
    assert done.status_code == 200
    html = done.content.decode()
    assert "お支払いが完了しました" in html
    assert 'id="pay-change" class="kiosk-fee">400円' in html
    # the receipt
    p = Payment.objects.get()
    receipt = client.get(reverse("payments:receipt", args=[p.number]))
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(receipt.content)).pages)
    assert "領収書" in text.replace(" ", "")
    assert "600円" in text


def test_register_refusals_are_in_japanese_and_change_nothing(city, clerk, as_user):
    client = as_user(clerk)
    response = client.post(reverse("payments:register"), {"drawer": "R01"})
    assert "会計する項目を選んでください" in response.content.decode()
    s = sale()
    response = client.post(
        reverse("payments:pay", args=[s.number]), {"method": "cash", "tendered": "500", "key": "k" * 20}
    )
    assert "100 円足りません" in response.content.decode()
    assert Payment.objects.count() == 0


def test_roles(city, clerk, treasurer, outsider, as_user):
    assert as_user(outsider).get(reverse("payments:register")).status_code == 403
    assert as_user(clerk).get(reverse("payments:close")).status_code == 403
    assert as_user(clerk).get(reverse("payments:fees")).status_code == 403
    assert as_user(treasurer).get(reverse("payments:close")).status_code == 200
    s = sale()
    p = services.pay(
        actor="m", sale_number=s.number, method="cash", tendered=600, idempotency_key="roles-001"
    )
    assert as_user(clerk).post(reverse("payments:void", args=[p.number]), {"reason": "x"}).status_code == 403


def test_close_pages_csv_and_pdf(city, treasurer, as_user):
    s = sale()
    services.pay(actor="m", sale_number=s.number, method="cash", tendered=600, idempotency_key="close-p-01")
    client = as_user(treasurer)
    today = services.business_date().isoformat()
    fields = {f"n{d}": str(n) for d, n in _pieces(30600).items()}
    fields.update({"drawer": "R01", "day": today, "reason": ""})
    response = client.post(reverse("payments:close"), fields)
    assert response.status_code == 302
    csv_text = client.get(reverse("payments:close_csv", args=["R01", today])).content.decode("utf-8-sig")
    rows = csv_text.split("\r\n")
    assert rows[0] == "会計日,レジ,区分,コード,名称,件数,金額"
    assert f"{today},R01,支払方法,cash,現金,1,600" in rows
    assert f"{today},R01,現金,over_short,過不足,,0" in rows
    assert f"{today},R01,現金,to_bank,預入額（実査額から釣銭準備金を除く）,,600" in rows
    report = client.get(reverse("payments:close_pdf", args=["R01", today]))
    assert report.content.startswith(b"%PDF")


def test_fee_table_edit_is_audited(city, treasurer, as_user):
    client = as_user(treasurer)
    form = client.get(reverse("payments:fees")).context["form"]
    data = {
        name: ("" if field.value() is None else field.value())
        for name, field in ((n, form[n]) for n in form.fields)
    }
    data["w_cert.juminhyo"] = "３５０"
    assert client.post(reverse("payments:fees"), data).status_code == 302
    assert FeeItem.objects.get(code="cert.juminhyo").window_price == 350
    entry = AuditEntry.objects.get(action="fee_change")
    assert entry.detail["changes"] == [["cert.juminhyo", 300, 200, 350, 200]]

"""Certificates and payments linked through interfaces and events only: the fee comes from the fee
table, a window certificate becomes an uncollected charge, the register settles it, a void reopens it."""

import datetime as dt

import pytest

from tests.certificates.helpers import PIN, insert_card, kiosk_open, set_fees
from tests.factories import by_name, register_household
from tests.payments.test_register import _Out
from yakuba.cardsim import interface as cards
from yakuba.certificates import services as certificates
from yakuba.certificates.documents import Options
from yakuba.certificates.models import Issuance
from yakuba.payments import services
from yakuba.payments.demo import demo_load
from yakuba.payments.models import CampaignPrice, FeeItem, PendingCharge


@pytest.fixture
def yamada(clerk, approver, monkeypatch):
    set_fees()
    demo_load(stdout=_Out())
    kiosk_open(monkeypatch)
    return register_household(clerk, approver)


def test_window_certificate_is_collected_at_the_register(yamada, clerk, django_capture_on_commit_callbacks):
    FeeItem.objects.filter(code="cert.juminhyo").update(window_price=350)
    taro = by_name("山田 太郎")
    with django_capture_on_commit_callbacks(execute=True):
        issuance = certificates.window_issue(
            actor=clerk, type_code="juminhyo", subject_atena_no=taro.atena_no, atena_nos=[taro.atena_no]
        )
    assert (issuance.fee, issuance.payment) == (350, "due")
    charge = PendingCharge.objects.get(source="certificates", ref=issuance.number)
    assert (charge.amount, charge.description, charge.state) == (350, "住民票の写し", "open")
    sale = services.sale_create(actor=clerk, drawer_code="R01", charge_ids=[charge.pk])
    with django_capture_on_commit_callbacks(execute=True):
        payment = services.pay(
            actor=clerk, sale_number=sale.number, method="cash", tendered=500, idempotency_key="cert-link-1"
        )
    assert payment.change == 150
    issuance.refresh_from_db()
    assert (issuance.payment, issuance.payment_ref) == ("paid", payment.number)
    with django_capture_on_commit_callbacks(execute=True):
        services.payment_void(actor="kaikei", number=payment.number, reason="別の方の分だった")
    issuance.refresh_from_db()
    assert (issuance.payment, issuance.payment_ref) == ("due", "")


def test_a_voided_certificate_withdraws_its_charge(yamada, clerk, django_capture_on_commit_callbacks):
    taro = by_name("山田 太郎")
    with django_capture_on_commit_callbacks(execute=True):
        issuance = certificates.window_issue(
            actor=clerk, type_code="juminhyo", subject_atena_no=taro.atena_no, atena_nos=[taro.atena_no]
        )
    with django_capture_on_commit_callbacks(execute=True):
        certificates.issuance_void(actor=clerk, number=issuance.number, reason="記載誤り")
    assert PendingCharge.objects.get(ref=issuance.number).state == "cancelled"
    assert services.open_charges() == []


def test_kiosk_fee_follows_a_campaign(yamada):
    today = dt.date(2026, 6, 10)  # kiosk_open's day
    CampaignPrice.objects.create(
        item=FeeItem.objects.get(code="cert.juminhyo"),
        channel="kiosk",
        price=100,
        starts_on=today - dt.timedelta(days=1),
        ends_on=today + dt.timedelta(days=1),
        label="キャンペーン",
    )
    serial = cards.card_issue(by_name("山田 太郎").atena_no, PIN)
    session = insert_card(terminal="K001", serial=serial)
    services_today = services.business_date
    try:
        services.business_date = lambda: today
        issuance = certificates.kiosk_issue(
            token=session.token,
            terminal="K001",
            type_code="juminhyo",
            scope="self",
            options=Options(),
            idempotency_key="kiosk-campaign-1",
        )
    finally:
        services.business_date = services_today
    assert (issuance.fee, issuance.payment) == (100, "paid")
    assert Issuance.objects.get().fee == 100

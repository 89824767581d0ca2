"""A resident at the convenience-store kiosk: card, PIN, certificate, payment, print."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.certificates.helpers import PIN, flat, insert_card, kiosk_open, pdf_text, set_fees
from tests.factories import by_name, pd, person, register_household, yamada_family
from yakuba.cardsim import interface as cards
from yakuba.certificates import services
from yakuba.certificates.documents import Options
from yakuba.certificates.models import Issuance
from yakuba.certificates.services import CertificateError, IdempotencyConflict
from yakuba.core.models import AuditEntry, ClosedDay
from yakuba.residents import services as register


@pytest.fixture
def yamada(clerk, approver, monkeypatch):
    set_fees()
    kiosk_open(monkeypatch)
    return register_household(clerk, approver)


@pytest.fixture
def taro_card(yamada):
    return cards.card_issue(by_name("山田 太郎").atena_no, PIN)


def _issue(session, *, key="key-1", scope="self", type_code="juminhyo", options=None):
    return services.kiosk_issue(
        token=session.token,
        terminal=session.terminal,
        type_code=type_code,
        scope=scope,
        options=options or Options(),
        idempotency_key=key,
    )


def test_card_pin_certificate_print(taro_card):
    session = insert_card(terminal="K001", serial=taro_card)
    holder, choices, refusal = services.kiosk_menu(token=session.token, terminal="K001")
    assert holder.name == "山田 太郎" and refusal == ""
    assert (choices[0].code, choices[0].fee, choices[0].refusal) == ("juminhyo", 200, "")
    issuance = _issue(session)
    assert (issuance.fee, issuance.payment, issuance.channel) == (200, "paid", "kiosk")
    pdf = services.kiosk_pdf(token=session.token, terminal="K001", number=issuance.number)
    text = pdf_text(pdf)
    assert flat("山田 太郎") in text and flat("山田 花子") not in text
    services.kiosk_printed(token=session.token, terminal="K001", number=issuance.number, ok=True)
    with pytest.raises(CertificateError):
        services.kiosk_pdf(token=session.token, terminal="K001", number=issuance.number)


def test_household_certificate_at_the_kiosk(taro_card):
    session = insert_card(terminal="K001", serial=taro_card)
    issuance = _issue(session, scope="household", options=Options(relationship=True))
    text = pdf_text(bytes(issuance.pdf))
    entry = AuditEntry.objects.get(action="certificate_issued", target_id=issuance.number)
    assert sorted(entry.detail["atena_nos"]) == sorted(
        r.atena_no for r in by_name("山田 太郎").household.members.all()
    )
    assert all(flat(name) in text for name in ("山田 太郎", "山田 花子", "山田 一郎"))


def test_wrong_pin_twice_then_right_resets(taro_card):
    for remaining in (2, 1):
        with pytest.raises(cards.WrongPin) as exc:
            insert_card(terminal="K001", serial=taro_card, pin="9999")
        assert f"あと{remaining}回" in str(exc.value)
    assert insert_card(terminal="K001", serial=taro_card).atena_no == by_name("山田 太郎").atena_no
    assert cards.cards_for(by_name("山田 太郎").atena_no)[0].pin_failures == 0


def test_three_wrong_pins_lock_until_the_window_unlocks(taro_card, clerk):
    for _ in range(3):
        with pytest.raises(cards.CardError):
            insert_card(terminal="K001", serial=taro_card, pin="0000")
    with pytest.raises(cards.CardLocked, match="ロックされています"):
        insert_card(terminal="K001", serial=taro_card)
    checks = AuditEntry.objects.filter(action="pin_check", target_id=taro_card).count()
    assert checks == 3
    cards.card_unlock(taro_card, actor="madoguchi")
    assert insert_card(terminal="K001", serial=taro_card).atena_no == by_name("山田 太郎").atena_no


def test_same_key_same_certificate_no_second_charge_other_request_409(taro_card):
    session = insert_card(terminal="K001", serial=taro_card)
    first = _issue(session, key="store-123")
    again = _issue(session, key="store-123")
    assert again.pk == first.pk and Issuance.objects.count() == 1
    with pytest.raises(IdempotencyConflict):
        _issue(session, key="store-123", scope="household")


def test_print_failure_voids_the_whole_issuance(taro_card):
    session = insert_card(terminal="K001", serial=taro_card)
    issuance = _issue(session)
    services.kiosk_printed(token=session.token, terminal="K001", number=issuance.number, ok=False)
    issuance.refresh_from_db()
    assert issuance.state == "voided" and bytes(issuance.pdf) == b""
    with pytest.raises(CertificateError):
        services.kiosk_pdf(token=session.token, terminal="K001", number=issuance.number)


def test_print_timeout_voids_and_never_reaches_another_session(taro_card, yamada):
    session = insert_card(terminal="K001", serial=taro_card)
    issuance = _issue(session)
    later = timezone.now() + dt.timedelta(seconds=services.PRINT_SECONDS + 1)
    assert services.void_unprinted(now=later) == 1
    hanako_card = cards.card_issue(by_name("山田 花子").atena_no, PIN)
    other = insert_card(terminal="K001", serial=hanako_card)
    for token in (session.token, other.token):
        with pytest.raises(CertificateError):
            services.kiosk_pdf(token=token, terminal="K001", number=issuance.number)


def test_watchdog_command_voids_abandoned_prints(taro_card):
    from django.core.management import call_command

    session = insert_card(terminal="K001", serial=taro_card)
    issuance = _issue(session)
    Issuance.objects.filter(pk=issuance.pk).update(print_deadline=timezone.now() - dt.timedelta(seconds=1))
    call_command("kiosk_watchdog")
    issuance.refresh_from_db()
    assert issuance.state == "voided"


def test_another_terminal_cannot_use_a_session(taro_card):
    session = insert_card(terminal="K001", serial=taro_card)
    with pytest.raises(CertificateError):
        services.kiosk_menu(token=session.token, terminal="K002")


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("child", "15歳未満の方はコンビニ交付を利用できません"),
        ("moving_out", "転出の届出がされているため"),
        ("dv", "コンビニ交付では発行できません。窓口でお申し込みください。"),
        ("gaiji", "標準外の文字"),
        ("pending", "手続き中"),
    ],
)
def test_refusals_with_a_clear_reason(clerk, approver, monkeypatch, case, message):
    set_fees()
    kiosk_open(monkeypatch)
    members = yamada_family()
    if case == "child":
        members.append(person("山田 小太郎", "ヤマダ コタロウ", "2018-05-05", "1", "子", mynumber=""))
        subject = "山田 小太郎"
    elif case == "dv":
        members[1]["support_measure"] = True
        subject = "山田 花子"
    elif case == "gaiji":
        members[1]["name"] = "山田 𠮷子"  # 𠮷 (tsuchi-yoshi) is outside JIS X 0208
        subject = "山田 𠮷子"
    else:
        subject = "山田 太郎"
    household = register_household(clerk, approver, members)
    target = by_name(subject)
    if case == "moving_out":
        tomorrow = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
        hanako = by_name("山田 花子")
        idou = register.idou_enter_move_out(
            actor=clerk,
            setai_no=household.setai_no,
            atena_nos=[hanako.atena_no],
            planned_date=pd(tomorrow),
            notified_on=None,
            destination="仙台市",
        )
        register.idou_approve(actor=approver, idou_id=idou.pk)
    if case == "pending":
        register.idou_enter_correction(
            actor=clerk,
            atena_no=target.atena_no,
            changes={"former_surname": "佐藤"},
            reason="旧氏",
            idou_date=pd("2024-01-01"),
        )
    serial = cards.card_issue(target.atena_no, PIN)
    session = insert_card(terminal="K001", serial=serial)
    if case == "moving_out":
        # Taro himself is not leaving, but his household is: no 世帯 certificate at the kiosk.
        with pytest.raises(CertificateError, match="世帯に転出の届出をした方がいる"):
            _issue(session, scope="household")
        return
    _holder, _choices, refusal = services.kiosk_menu(token=session.token, terminal="K001")
    assert message in refusal
    with pytest.raises(CertificateError, match=message):
        _issue(session)
    assert Issuance.objects.count() == 0
    # The read of the refused person's record is audited, with the reason.
    refused = AuditEntry.objects.get(action="kiosk_refused", target_id=target.atena_no)
    assert message in refused.detail["reason"]


def test_moved_out_residents_card_is_revoked(taro_card, clerk, approver, django_capture_on_commit_callbacks):
    household = by_name("山田 太郎").household
    with django_capture_on_commit_callbacks(execute=True):
        idou = register.idou_enter_move_out(
            actor=clerk,
            setai_no=household.setai_no,
            atena_nos=[r.atena_no for r in household.members.all()],
            planned_date=pd("2024-06-01"),
            notified_on=None,
            destination="仙台市",
        )
        register.idou_approve(actor=approver, idou_id=idou.pk)
    with pytest.raises(CertificateError, match="失効"):
        insert_card(terminal="K001", serial=taro_card)


def test_hours_and_year_end(taro_card, monkeypatch):
    session = insert_card(terminal="K001", serial=taro_card)
    monkeypatch.setattr(services, "local_now", lambda: timezone.make_aware(dt.datetime(2026, 6, 10, 23, 30)))
    with pytest.raises(CertificateError, match="6:30〜23:00"):
        _issue(session)
    monkeypatch.setattr(services, "local_now", lambda: timezone.make_aware(dt.datetime(2026, 12, 30, 12, 0)))
    with pytest.raises(CertificateError, match="年末年始"):
        _issue(session)
    ClosedDay.objects.create(
        date=dt.date(2026, 6, 11), kind="maintenance", reason="システム保守", service="kiosk"
    )
    monkeypatch.setattr(services, "local_now", lambda: timezone.make_aware(dt.datetime(2026, 6, 11, 12, 0)))
    with pytest.raises(CertificateError, match="システム保守"):
        _issue(session)

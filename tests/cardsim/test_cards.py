"""The My Number Card at the kiosk, simulated: the card checks the PIN and signs, the server verifies
the certificate chain, the validity period, the revocation status and the signature."""

import datetime as dt
import io
import secrets

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from tests.factories import by_name, pd, register_household
from yakuba.cardsim import ca, interface, services
from yakuba.cardsim.apps import _on_died, _on_moved_out
from yakuba.cardsim.demo import MAX_CARDS, demo_load
from yakuba.cardsim.interface import CardError, CardLocked, WrongPin
from yakuba.cardsim.models import Card
from yakuba.certificates.cardauth import CardAuthError, atena_no_for_serial, verify_card_response
from yakuba.core.audit import audit_verify
from yakuba.core.models import AuditEntry
from yakuba.residents import services as residents_services
from yakuba.residents.demo import demo_load as residents_demo_load
from yakuba.residents.interface import ResidentDied, ResidentMovedOut

pytestmark = pytest.mark.django_db

ATENA = "0000000019"
LOCKED_MESSAGE = (
    "暗証番号の誤りが続いたため、カードがロックされています。市役所の窓口でロックを解除してください。"
)


def kiosk(serial, pin="1234", *, challenge=None, now=None):
    """What the kiosk does: read the certificate, have the card sign a fresh challenge, ask the server."""
    certificate = interface.card_read_certificate(serial)
    challenge = challenge or secrets.token_bytes(32)
    signature = interface.card_sign(serial, pin, challenge)
    return verify_card_response(
        certificate_pem=certificate, challenge=challenge, signature=signature, now=now
    )


def pin_checks(serial):
    return AuditEntry.objects.filter(action="pin_check", target_id=serial).count()


def test_issue_sign_verify(settings):
    serial = interface.card_issue(ATENA, "1234")
    assert kiosk(serial) == serial
    assert atena_no_for_serial(serial) == ATENA
    assert interface.revocation_status(serial) == "good"
    assert interface.revocation_status("999") == "unknown"
    [info] = interface.cards_for(ATENA)
    assert (info.serial, info.locked, info.pin_failures, info.revoked) == (serial, False, 0, False)
    # A 利用者証明用電子証明書 names nobody: only a random identifier, valid five years.
    certificate = x509.load_pem_x509_certificate(interface.card_read_certificate(serial))
    [cn] = certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    assert str(cn.value).startswith("YKB-") and len(certificate.subject) == 1
    assert certificate.serial_number == int(serial)
    years = (certificate.not_valid_after_utc - certificate.not_valid_before_utc).days / 365.25
    assert 4.99 < years < 5.01
    assert certificate.extensions.get_extension_for_class(x509.KeyUsage).value.digital_signature
    assert certificate.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is False
    ca_certificate = x509.load_pem_x509_certificate(interface.ca_certificate_pem())
    assert "デモ認証局" in ca_certificate.subject.rfc4514_string()
    # The secrets are stored encrypted (and the PIN hashed with a salt).
    card = Card.objects.get(serial=serial)
    assert "PRIVATE KEY" not in card.private_key_enc and "1234" not in card.pin_hash
    assert card.pin_hash.startswith("scrypt$")
    assert audit_verify().ok


def test_serials_come_from_the_ca_counter_and_pins_are_salted():
    first = interface.card_issue(ATENA, "1234")
    second = interface.card_issue(ATENA, "1234")
    assert int(second) == int(first) + 1
    hashes_ = list(Card.objects.values_list("pin_hash", flat=True))
    assert hashes_[0] != hashes_[1]
    assert ca.ca_get().next_serial == int(second) + 1


@pytest.mark.parametrize("pin", ["123", "12345", "abcd", "１２３４", "12 4", ""])
def test_pin_must_be_four_ascii_digits(pin):
    with pytest.raises(CardError, match="暗証番号は4桁の数字で入力してください"):
        interface.card_issue(ATENA, pin)
    serial = interface.card_issue(ATENA, "1234")
    with pytest.raises(CardError, match="4桁"):
        interface.card_sign(serial, pin, b"challenge")
    # The kiosk refuses it before the card sees it: not a PIN check, not a failure.
    assert pin_checks(serial) == 0 and Card.objects.get(serial=serial).pin_failures == 0


def test_two_wrong_pins_then_the_right_one_resets_the_count():
    serial = interface.card_issue(ATENA, "1234")
    with pytest.raises(WrongPin) as first:
        interface.card_sign(serial, "0000", b"c")
    assert first.value.remaining == 2
    assert first.value.message == "暗証番号が違います。あと2回間違えるとカードがロックされます。"
    with pytest.raises(WrongPin) as second:
        interface.card_sign(serial, "1111", b"c")
    assert second.value.remaining == 1
    assert interface.cards_for(ATENA)[0].pin_failures == 2
    assert kiosk(serial) == serial
    assert interface.cards_for(ATENA)[0].pin_failures == 0
    # And the count starts again from three.
    with pytest.raises(WrongPin) as again:
        interface.card_sign(serial, "0000", b"c")
    assert again.value.remaining == 2
    checks = list(
        AuditEntry.objects.filter(action="pin_check").order_by("seq").values_list("actor", "detail")
    )
    assert checks == [(f"card:{serial}", {"ok": ok}) for ok in (False, False, True, False)]


def test_three_wrong_pins_lock_and_the_right_pin_is_then_not_even_checked():
    serial = interface.card_issue(ATENA, "1234")
    for remaining in (2, 1):
        with pytest.raises(WrongPin, match=f"あと{remaining}回"):
            interface.card_sign(serial, "9999", b"c")
    with pytest.raises(WrongPin) as third:
        interface.card_sign(serial, "9999", b"c")
    assert third.value.remaining == 0 and third.value.message == LOCKED_MESSAGE
    card = Card.objects.get(serial=serial)
    assert card.locked and card.pin_failures == 3
    before = services.pin_checks_performed()
    with pytest.raises(CardLocked) as fourth:
        interface.card_sign(serial, "1234", b"c")
    assert fourth.value.message == LOCKED_MESSAGE
    assert not isinstance(fourth.value, WrongPin)
    assert services.pin_checks_performed() == before
    assert pin_checks(serial) == 3
    assert Card.objects.get(serial=serial).pin_failures == 3


def test_the_window_unlocks(clerk):
    serial = interface.card_issue(ATENA, "1234")
    for _ in range(3):
        with pytest.raises(WrongPin):
            interface.card_sign(serial, "9999", b"c")
    assert interface.cards_for(ATENA)[0].locked
    interface.card_unlock(serial, actor=clerk)
    info = interface.cards_for(ATENA)[0]
    assert (info.locked, info.pin_failures) == (False, 0)
    assert kiosk(serial) == serial
    entry = AuditEntry.objects.get(action="card_unlock")
    assert entry.actor == clerk.username and entry.detail == {"locked": True, "pin_failures": 3}
    assert interface.UNLOCK_PERMISSION == "cardsim.unlock_card"


def test_unknown_card():
    with pytest.raises(CardError, match="カードを読み取れませんでした"):
        interface.card_read_certificate("42")
    with pytest.raises(CardError, match="カードを読み取れませんでした"):
        interface.card_sign("42", "1234", b"c")
    assert atena_no_for_serial("42") is None


def test_revoked_card_still_signs_but_the_server_refuses():
    serial = interface.card_issue(ATENA, "1234")
    assert services.card_revoke(atena_no=ATENA, reason="転出") == 1
    assert services.card_revoke(atena_no=ATENA, reason="転出") == 0
    assert interface.revocation_status(serial) == "revoked"
    with pytest.raises(CardAuthError) as exc:
        kiosk(serial)  # card_sign succeeded inside: the card cannot know
    assert exc.value.message == "このカードの電子証明書は失効しています。"
    assert AuditEntry.objects.filter(action="card_revoke").count() == 1


def test_expired_certificate_is_refused():
    now = timezone.now()
    serial = services.card_issue(
        atena_no=ATENA,
        pin="1234",
        not_before=now - dt.timedelta(days=6 * 365),
        not_after=now - dt.timedelta(days=365),
    )
    with pytest.raises(CardAuthError, match="電子証明書の有効期限が切れています"):
        kiosk(serial)
    # ... and a valid one is refused once its five years have passed.
    fresh = interface.card_issue(ATENA, "1234")
    with pytest.raises(CardAuthError, match="有効期限が切れています"):
        kiosk(fresh, now=now + dt.timedelta(days=5 * 366))


def _rogue_card_certificate(serial: int) -> tuple[bytes, ec.EllipticCurvePrivateKey]:
    """A CA with the very same name as the city's, issuing a certificate with a real card's serial."""
    rogue_key = ec.generate_private_key(ec.SECP256R1())
    real_ca = x509.load_pem_x509_certificate(interface.ca_certificate_pem())
    card_key = ec.generate_private_key(ec.SECP256R1())
    now = timezone.now()
    certificate = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "YKB-ROGUE")]))
        .issuer_name(real_ca.subject)
        .public_key(card_key.public_key())
        .serial_number(serial)
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(rogue_key, hashes.SHA256())
    )
    return certificate.public_bytes(serialization.Encoding.PEM), card_key


def test_certificate_from_another_ca_is_refused():
    serial = interface.card_issue(ATENA, "1234")
    pem, card_key = _rogue_card_certificate(int(serial))
    challenge = secrets.token_bytes(32)
    signature = card_key.sign(challenge, ec.ECDSA(hashes.SHA256()))
    with pytest.raises(CardAuthError, match="カードを確認できませんでした"):
        verify_card_response(certificate_pem=pem, challenge=challenge, signature=signature)


def test_signature_over_another_challenge_is_refused():
    serial = interface.card_issue(ATENA, "1234")
    certificate = interface.card_read_certificate(serial)
    signature = interface.card_sign(serial, "1234", b"yesterday's challenge")
    with pytest.raises(CardAuthError, match="カードを確認できませんでした"):
        verify_card_response(certificate_pem=certificate, challenge=b"today's challenge", signature=signature)
    # Another card's signature over the right challenge does not do either.
    other = interface.card_issue("0000000027", "1234")
    stolen = interface.card_sign(other, "1234", b"today's challenge")
    with pytest.raises(CardAuthError, match="カードを確認できませんでした"):
        verify_card_response(certificate_pem=certificate, challenge=b"today's challenge", signature=stolen)


@pytest.mark.parametrize("pem", [b"", b"not a certificate", b"-----BEGIN CERTIFICATE-----\nAAAA\n"])
def test_garbage_certificate_is_refused(pem):
    with pytest.raises(CardAuthError, match="カードを確認できませんでした"):
        verify_card_response(certificate_pem=pem, challenge=b"c", signature=b"s")


def test_the_ca_certificate_itself_is_not_a_card():
    ca_pem = interface.ca_certificate_pem()
    with pytest.raises(CardAuthError, match="カードを確認できませんでした"):
        verify_card_response(certificate_pem=ca_pem, challenge=b"c", signature=b"s")


def test_moving_out_revokes_the_card(clerk, approver, django_capture_on_commit_callbacks):
    household = register_household(clerk, approver)
    taro, hanako = by_name("山田 太郎"), by_name("山田 花子")
    serial = interface.card_issue(taro.atena_no, "1234")
    other = interface.card_issue(hanako.atena_no, "1234")
    assert kiosk(serial) == serial
    idou = residents_services.idou_enter_move_out(
        actor=clerk,
        setai_no=household.setai_no,
        atena_nos=[r.atena_no for r in household.members.all()],
        planned_date=pd(timezone.localdate().isoformat()),
        notified_on=None,
        destination="宮城県仙台市青葉区1番",
    )
    with django_capture_on_commit_callbacks(execute=True):
        residents_services.idou_approve(actor=approver, idou_id=idou.pk)
    assert interface.revocation_status(serial) == "revoked"
    assert interface.revocation_status(other) == "revoked"
    assert Card.objects.get(serial=serial).revoked_reason == "転出"
    with pytest.raises(CardAuthError, match="失効しています"):
        kiosk(serial)


def test_death_revokes_and_handlers_are_idempotent(clerk, approver, django_capture_on_commit_callbacks):
    register_household(clerk, approver)
    taro = by_name("山田 太郎")
    serial = interface.card_issue(taro.atena_no, "1234")
    idou = residents_services.idou_enter_death(
        actor=clerk, atena_no=taro.atena_no, idou_date=pd("2024-06-01"), notified_on=None
    )
    with django_capture_on_commit_callbacks(execute=True):
        residents_services.idou_approve(actor=approver, idou_id=idou.pk)
    card = Card.objects.get(serial=serial)
    assert card.revoked_reason == "死亡" and card.revoked_at is not None
    revoked_at = card.revoked_at
    # Delivered again (a retry): nothing changes, nothing more is recorded.
    _on_died(ResidentDied(atena_no=taro.atena_no, idou_id=idou.pk))
    _on_moved_out(ResidentMovedOut(atena_nos=(taro.atena_no,), planned_date="2024-06-01", idou_id=idou.pk))
    card.refresh_from_db()
    assert (card.revoked_at, card.revoked_reason) == (revoked_at, "死亡")
    assert AuditEntry.objects.filter(action="card_revoke").count() == 1


def test_cardsim_issue_command(clerk, approver, settings):
    register_household(clerk, approver)
    taro = by_name("山田 太郎")
    out = io.StringIO()
    call_command("cardsim_issue", taro.atena_no, "--pin", "4321", stdout=out)
    serial = out.getvalue().strip()
    assert kiosk(serial, "4321") == serial
    with pytest.raises(CommandError, match="住民が見つかりません"):
        call_command("cardsim_issue", "9999999999", "--pin", "1234")
    with pytest.raises(CommandError, match="4桁"):
        call_command("cardsim_issue", taro.atena_no, "--pin", "12")
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="本番環境"):
        call_command("cardsim_issue", taro.atena_no, "--pin", "1234")


def test_demo_cards():
    residents_demo_load(residents=1500, stdout=io.StringIO(), seed=1)
    out = io.StringIO()
    demo_load(residents=1500, stdout=out, seed=1)
    text = out.getvalue()
    assert "PIN 1234" in text and "try at the kiosk" in text
    total = Card.objects.count()
    assert total == MAX_CARDS + 2
    picker = interface.demo_cards(limit=5)
    assert len(picker) == 5
    assert picker[0][2] == "デモカード 1" and picker[1][2] == "デモカード 2（失効）"
    assert all("山" not in label for _s, _a, label in interface.demo_cards(limit=400))
    good = picker[2][0]
    assert good in text and kiosk(good) == good
    assert kiosk(picker[0][0]) == picker[0][0]  # the child's card works: refusing is the kiosk's job
    with pytest.raises(CardAuthError, match="失効"):
        kiosk(picker[1][0])
    # Loading again does not issue more.
    demo_load(residents=1500, stdout=io.StringIO(), seed=1)
    assert Card.objects.count() == total

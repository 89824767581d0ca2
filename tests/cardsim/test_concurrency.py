"""Fifty wrong PINs at once: the card checks three and refuses the rest without checking. Proven on
PostgreSQL (row locks); SQLite serialises writers with IMMEDIATE transactions."""

import pytest

from tests.concurrency import race
from yakuba.cardsim import interface, services
from yakuba.cardsim.interface import CardLocked, WrongPin
from yakuba.cardsim.models import Card
from yakuba.core.audit import audit_verify
from yakuba.core.models import AuditEntry

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("postgres_only"),
]


def test_fifty_simultaneous_wrong_pins_perform_exactly_three_checks():
    serial = interface.card_issue("0000000019", "1234")
    before = services.pin_checks_performed()
    results = race([lambda: interface.card_sign(serial, "0000", b"challenge") for _ in range(50)])
    errors = [value for kind, value in results if kind == "error"]
    assert len(errors) == 50
    wrong = [e for e in errors if isinstance(e, WrongPin)]
    locked = [e for e in errors if isinstance(e, CardLocked)]
    assert sorted(e.remaining for e in wrong) == [0, 1, 2]
    assert len(locked) == 47
    assert services.pin_checks_performed() - before == 3
    assert AuditEntry.objects.filter(action="pin_check", target_id=serial).count() == 3
    card = Card.objects.get(serial=serial)
    assert card.locked and card.pin_failures == 3
    assert audit_verify().ok


def test_right_pins_racing_a_wrong_one_never_lose_the_count():
    serial = interface.card_issue("0000000019", "1234")
    results = race(
        [lambda: interface.card_sign(serial, "0000", b"c") for _ in range(2)]
        + [lambda: interface.card_sign(serial, "1234", b"c") for _ in range(8)]
    )
    assert sum(1 for kind, _v in results if kind == "ok") == 8
    assert AuditEntry.objects.filter(action="pin_check", target_id=serial).count() == 10
    card = Card.objects.get(serial=serial)
    assert not card.locked and card.pin_failures <= 2

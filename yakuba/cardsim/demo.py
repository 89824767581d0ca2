"""Demo cards for `yakuba demo`: PIN 1234 for up to 300 adult residents, plus two cards that the kiosk
must refuse (a child under 15, and a resident who moved out, whose certificate is revoked).

Demo seeding is exempt from the interface rule: ``yakuba.residents.interface`` has no way to list
residents, so this file (and only this file) reads ``yakuba.residents.models.Resident``.
"""

import datetime as dt
import random
import time
from typing import Any

from django.apps import apps
from django.db import transaction
from django.utils import timezone

from yakuba.cardsim import services
from yakuba.cardsim.models import Card

DEMO_PIN = "1234"
MAX_CARDS = 300
MIN_AGE = 15


def _age(born: dt.date, today: dt.date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def demo_load(*, residents: int, stdout: Any, seed: int = 1) -> None:
    """Issue demo cards (appending: people who already have a card are skipped, and the total stays
    at most ``MAX_CARDS`` plus the two refusal cards). ``residents`` is the size of the demo city and
    is not otherwise used."""
    if not apps.is_installed("yakuba.residents"):
        stdout.write("No resident register installed: no demo cards issued.\n")
        return
    from yakuba.residents.models import Resident, Status  # demo seeding only (see the docstring)

    started = time.monotonic()
    today = timezone.localdate()
    rng = random.Random(seed)
    first_run = not Card.objects.exists()
    have_card = set(Card.objects.values_list("atena_no", flat=True))
    adults: list[str] = []
    children: list[str] = []
    moved_out: list[str] = []
    rows = (
        Resident.objects.filter(
            support_measure=False,  # DV等支援措置: コンビニ交付 is stopped for them
            status__in=[Status.RESIDENT, Status.MOVED_OUT],
        )
        .order_by("atena_no")
        .values_list("atena_no", "status", "birth_date")
    )
    for atena_no, status, birth in rows.iterator(chunk_size=5000):
        if atena_no in have_card:
            continue
        born = birth.as_date() if birth is not None and birth.is_complete else None
        if status == Status.MOVED_OUT:
            moved_out.append(atena_no)
        elif born is not None:
            (adults if _age(born, today) >= MIN_AGE else children).append(atena_no)

    wanted = max(0, MAX_CARDS - Card.objects.filter(revoked_at__isnull=True).count())
    chosen = sorted(rng.sample(adults, min(wanted, len(adults))))
    child_serial = revoked_serial = ""
    with transaction.atomic():
        # The refusal cards first, so that they head the demo kiosk's card picker.
        if first_run and children:
            child_serial = services.card_issue(atena_no=rng.choice(children), pin=DEMO_PIN)
        if first_run and moved_out:
            atena_no = rng.choice(moved_out)
            revoked_serial = services.card_issue(atena_no=atena_no, pin=DEMO_PIN)
            services.card_revoke(atena_no=atena_no, reason=services.REASON_MOVED_OUT)
        serials = [services.card_issue(atena_no=atena_no, pin=DEMO_PIN) for atena_no in chosen]

    elapsed = time.monotonic() - started
    issued = len(serials) + bool(child_serial) + bool(revoked_serial)
    examples = [f"{serials[0]} (works)"] if serials else []
    if child_serial:
        examples.append(f"{child_serial} (under {MIN_AGE}: refused)")
    if revoked_serial:
        examples.append(f"{revoked_serial} (moved out, revoked: refused)")
    stdout.write(
        f"Issued {issued:,} demo My Number Cards (PIN {DEMO_PIN}) in {elapsed:.1f}s; "
        f"try at the kiosk: {', '.join(examples) or 'no card issued'}\n"
    )

"""The failure this module must make impossible (Yokohama 2023: another person's 住民票 printed after a
print timeout): 10,000 kiosk issuances from 10 concurrent terminals for different residents, with a
print timeout on 5% of jobs, and not one document naming anyone but the card holder.

Runs on PostgreSQL (CI's second run), in 10 processes. ``YAKUBA_STRESS_ISSUANCES`` sets the total.
"""

import multiprocessing
import os
from collections import Counter

import pytest
from django.conf import settings
from django.db import connections

from tests.certificates import stress_worker
from tests.certificates.helpers import PIN, set_fees
from tests.factories import mynumber, person, register_household
from tests.personas import make_persona
from yakuba.cardsim import interface as cards
from yakuba.certificates.models import Issuance
from yakuba.core.audit import audit_verify

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("postgres_only"),
]
TERMINALS = 10
TOTAL = int(os.environ.get("YAKUBA_STRESS_ISSUANCES", "10000"))
TIMEOUT_SHARE = 0.05


def test_ten_thousand_issuances_never_print_another_persons_certificate():
    set_fees()
    clerk, approver = make_persona("madoguchi"), make_persona("kessai")
    holders = []
    for i in range(TERMINALS):
        name = f"試験 {'一二三四五六七八九十'[i]}郎"
        household = register_household(
            clerk,
            approver,
            [
                person(
                    name,
                    f"シケン {'アイウエオカキクケコ'[i]}ロウ",
                    f"198{i}-01-01",
                    "1",
                    "世帯主",
                    mynumber=mynumber(50_000_000 + i),
                )
            ],
            address=f"一ノ森市試験町{i + 1}番",
        )
        resident = household.members.get()
        holders.append((cards.card_issue(resident.atena_no, PIN), resident.atena_no, name))
    per_terminal = TOTAL // TERMINALS
    jobs = [
        (i, serial, atena_no, name, per_terminal, TIMEOUT_SHARE)
        for i, (serial, atena_no, name) in enumerate(holders)
    ]
    db = settings.DATABASES["default"]
    url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
    connections.close_all()
    # "spawn": the browser tests leave threads in this process, and forking a threaded process is unsafe.
    with multiprocessing.get_context("spawn").Pool(
        TERMINALS, initializer=stress_worker.setup, initargs=(url,)
    ) as pool:
        problems = [p for result in pool.map(stress_worker.terminal, jobs) for p in result]
    assert problems == []

    issuances = list(
        Issuance.objects.defer("pdf").values(
            "atena_nos", "subject_atena_no", "state", "terminal", "kiosk_session"
        )
    )
    assert len(issuances) == per_terminal * TERMINALS
    holder_of_terminal = {f"T{i:03d}": atena_no for i, (_s, atena_no, _n) in enumerate(holders)}
    assert all(i["atena_nos"] == [holder_of_terminal[i["terminal"]]] for i in issuances)
    states = Counter(i["state"] for i in issuances)
    assert set(states) == {"printed", "voided"} and states["voided"] > 0
    # Every voided document is gone as a whole: no PDF left to print.
    assert not Issuance.objects.filter(state="voided").exclude(pdf=b"").exists()
    assert audit_verify().ok

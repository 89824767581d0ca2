"""Killing the server during a capture leaves the payment captured once or not at all.

A real `yakuba` process pays against a throwaway database and is killed with SIGKILL at a chosen
moment; another process then inspects (and reconciles) the database."""

import subprocess
import sys

import pytest

from tests.certificates.test_crash import ROOT, _env, _kill_when, _run, database_url  # noqa: F401

SETUP = """
from yakuba.payments import services
from yakuba.payments.demo import demo_load
from yakuba.payments.services import LineRequest
class Out:
    def write(self, text): pass
demo_load(stdout=Out())
sale = services.sale_create(actor="madoguchi", drawer_code="R01", lines=[LineRequest("cert.juminhyo", 2)])
print(sale.number, flush=True)
"""

HANG = """
import time
from yakuba.payments import adapters, services
from yakuba.payments.models import Sale
where = {where!r}
if where == "cash":
    original = services._settle_sale
    def settle_then_hang(sale, payment):
        original(sale, payment)
        print("inside", flush=True)
        time.sleep(60)  # killed here: the transaction never commits
    services._settle_sale = settle_then_hang
    services.pay(actor="m", sale_number=Sale.objects.get().number, method="cash", tendered=1000, idempotency_key="crash-cash-1")
else:
    original = adapters.SimulatedGateway.capture
    def capture_then_hang(self, *, ref):
        result = original(self, ref=ref)
        if where == "after-capture":
            print("inside", flush=True)
            time.sleep(60)  # the processor captured; we never recorded it
        return result
    def authorise_then_hang(self, **kwargs):
        result = original_authorise(self, **kwargs)
        if where == "after-authorise":
            print("inside", flush=True)
            time.sleep(60)
        return result
    original_authorise = adapters.SimulatedGateway.authorise
    adapters.SimulatedGateway.capture = capture_then_hang
    adapters.SimulatedGateway.authorise = authorise_then_hang
    services.pay(actor="m", sale_number=Sale.objects.get().number, method="card", idempotency_key="crash-card-1")
"""

INSPECT = """
import datetime as dt
from yakuba.core.audit import audit_verify
from yakuba.payments import services
from yakuba.payments.models import ChangeStock, GatewayTransaction, Payment, Sale
services.reconcile(older_than=dt.timedelta(0))
captured = Payment.objects.filter(state="captured").count()
gateway = sum(t.captures for t in GatewayTransaction.objects.filter(state="captured"))
hundreds = ChangeStock.objects.get(drawer__code="R01", denomination=100).count
print(captured, gateway, Sale.objects.get().state, hundreds, audit_verify().ok)
"""


@pytest.fixture
def pay_db(database_url):  # noqa: F811
    subprocess.run(
        [sys.executable, "-m", "yakuba.cli", "migrate", "-v", "0"],
        cwd=ROOT,
        env=_env(database_url),
        check=True,
    )
    _run(SETUP, database_url)
    return database_url


def test_cash_killed_before_commit_leaves_nothing(pay_db):
    _kill_when(HANG.format(where="cash"), pay_db, "inside")
    assert _run(INSPECT, pay_db) == "0 0 open 40 True"


def test_card_killed_after_the_processor_captured_is_captured_once(pay_db):
    _kill_when(HANG.format(where="after-capture"), pay_db, "inside")
    assert _run(INSPECT, pay_db) == "1 1 paid 40 True"


def test_card_killed_after_authorisation_is_released(pay_db):
    _kill_when(HANG.format(where="after-authorise"), pay_db, "inside")
    assert _run(INSPECT, pay_db) == "0 0 open 40 True"

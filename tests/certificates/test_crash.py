"""Killing the server in the middle of an issuance leaves a complete issuance or none.

Each test runs a real `yakuba` process against a throwaway database (a SQLite file, or a fresh
PostgreSQL database when the suite runs on PostgreSQL), kills it with SIGKILL at a chosen moment,
and inspects the database from another process.
"""

import os
import signal
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]

SETUP = """
from tests.certificates.helpers import set_fees
from tests.factories import register_household, by_name
from tests.personas import make_persona
set_fees()
register_household(make_persona("madoguchi"), make_persona("kessai"))
print("ready", flush=True)
"""

ISSUE_AND_HANG = """
import time
from yakuba.certificates import services
from yakuba.core.models import StaffUser
from tests.factories import by_name
original = services._store
def store_then_hang(**kwargs):
    issuance = original(**kwargs)
    print("stored-inside-transaction", flush=True)
    time.sleep(60)  # killed here: the transaction never commits
    return issuance
services._store = store_then_hang
taro = by_name("山田 太郎")
services.window_issue(actor=StaffUser.objects.get(username="madoguchi"), type_code="juminhyo",
                      subject_atena_no=taro.atena_no, atena_nos=[], idempotency_key="crash-1")
"""

ISSUE_THEN_HANG = """
import time
from yakuba.certificates import services
from yakuba.core.models import StaffUser
from tests.factories import by_name
taro = by_name("山田 太郎")
services.window_issue(actor=StaffUser.objects.get(username="madoguchi"), type_code="juminhyo",
                      subject_atena_no=taro.atena_no, atena_nos=[], idempotency_key="crash-2")
print("committed", flush=True)
time.sleep(60)
"""

INSPECT = """
import hashlib
from yakuba.certificates.models import Issuance
from yakuba.core.audit import audit_verify
rows = list(Issuance.objects.all())
complete = all(bytes(i.pdf).startswith(b"%PDF") and hashlib.sha256(bytes(i.pdf)).hexdigest() == i.pdf_sha256 for i in rows)
print(len(rows), complete, audit_verify().ok)
"""


@pytest.fixture
def database_url():
    engine = settings.DATABASES["default"]["ENGINE"]
    if "postgresql" in engine:
        import psycopg

        name = f"yakuba_crash_{uuid.uuid4().hex[:8]}"
        base = settings.DATABASES["default"]
        conninfo = f"host={base['HOST']} port={base['PORT'] or 5432} user={base['USER']} dbname=postgres"
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        yield f"postgres://{base['USER']}@{base['HOST']}:{base['PORT'] or 5432}/{name}"
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        path = Path(f"/tmp/yakuba-crash-{uuid.uuid4().hex[:8]}.sqlite3")
        yield f"sqlite:///{path}"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)


def _env(url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update({"DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "yakuba.settings", "PYTHONPATH": str(ROOT)})
    return env


def _python(code: str, url: str) -> subprocess.Popen:
    script = "import django\ndjango.setup()\n" + textwrap.dedent(code)
    return subprocess.Popen(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=_env(url),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _run(code: str, url: str) -> str:
    process = _python(code, url)
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    return out.strip().splitlines()[-1]


def _kill_when(code: str, url: str, marker: str) -> None:
    process = _python(code, url)
    assert process.stdout is not None
    for line in process.stdout:
        if line.strip() == marker:
            break
    else:
        raise AssertionError(process.stderr.read() if process.stderr else "process ended early")
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)


@pytest.fixture
def crash_db(database_url):
    subprocess.run(
        [sys.executable, "-m", "yakuba.cli", "migrate", "-v", "0"],
        cwd=ROOT,
        env=_env(database_url),
        check=True,
    )
    assert _run(SETUP, database_url) == "ready"
    return database_url


def test_killed_before_commit_leaves_no_issuance(crash_db):
    _kill_when(ISSUE_AND_HANG, crash_db, "stored-inside-transaction")
    assert _run(INSPECT, crash_db) == "0 True True"


def test_killed_after_commit_leaves_a_complete_issuance(crash_db):
    _kill_when(ISSUE_THEN_HANG, crash_db, "committed")
    assert _run(INSPECT, crash_db) == "1 True True"

import pytest
from django.test import Client
from django.utils import translation

from tests.personas import make_persona, verified_login


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    # Real password hashing costs ~0.3 s per persona; the login tests do not depend on its strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # A request in English leaves English active in the thread; every test starts in Japanese.
    translation.activate("ja")


@pytest.fixture
def postgres_only():
    """Races on row locks are proven on PostgreSQL (CI's second run); SQLite serialises writers."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("runs on PostgreSQL only (DATABASE_URL=postgres://...)")


@pytest.fixture
def clerk(db):
    return make_persona("madoguchi")


@pytest.fixture
def approver(db):
    return make_persona("kessai")


@pytest.fixture
def approver2(db):
    return make_persona("kessai2")


@pytest.fixture
def admin_user(db):
    return make_persona("kanri")


@pytest.fixture
def auditor(db):
    return make_persona("kansa")


@pytest.fixture
def linkage_user(db):
    return make_persona("renkei")


@pytest.fixture
def outsider(db):
    return make_persona("tanin")


@pytest.fixture
def treasurer(db):
    return make_persona("kaikei")


@pytest.fixture
def as_user():
    """as_user(user) -> a test client signed in as ``user`` with both factors."""

    def make(user):
        client = Client()
        verified_login(client, user)
        return client

    return make

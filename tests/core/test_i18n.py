"""Japanese first, English provided: every string has a translation and English pages render."""

from pathlib import Path

import polib
import pytest

CATALOGUE = Path(__file__).resolve().parents[2] / "locale" / "en" / "LC_MESSAGES" / "django.po"


def test_every_message_has_an_english_translation():
    po = polib.pofile(str(CATALOGUE))
    assert po.untranslated_entries() == []
    assert [e.msgid for e in po.fuzzy_entries()] == []


@pytest.fixture
def compiled_catalogue():
    """The compiled catalogue, as `make setup` builds it (compiled again here when run without make)."""
    from django.utils.translation import trans_real

    mo = CATALOGUE.with_suffix(".mo")
    if not mo.exists() or mo.stat().st_mtime < CATALOGUE.stat().st_mtime:
        polib.pofile(str(CATALOGUE)).save_as_mofile(str(mo))
    trans_real._translations = {}


def test_login_page_in_japanese_by_default_and_in_english_on_request(client, db, compiled_catalogue):
    assert "職員ログイン" in client.get("/login/").content.decode()
    client.cookies["django_language"] = "en"
    page = client.get("/login/").content.decode()
    assert 'lang="en"' in page and "Staff login" in page and "職員ログイン" not in page

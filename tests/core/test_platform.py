import logging
import os
import secrets
import subprocess
import sys

import pytest
from django.db import transaction

from yakuba.core import events, registry
from yakuba.core.crypto import blind_index, decrypt, encrypt
from yakuba.core.redaction import RedactMyNumberFilter


def test_encryption_round_trips_and_hides_the_value():
    token = encrypt("123456789018")
    assert "123456789018" not in token
    assert decrypt(token) == "123456789018"
    assert blind_index("123456789018", purpose="mynumber") == blind_index("123456789018", purpose="mynumber")


def test_logs_never_carry_a_mynumber(caplog):
    logger = logging.getLogger("yakuba.test")
    logger.addFilter(RedactMyNumberFilter())
    with caplog.at_level(logging.WARNING):
        logger.warning("lookup failed for %s", "1234 5678 9018")
    assert "5678" not in caplog.text
    assert "************" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_events_are_delivered_only_after_commit():
    class Happened:
        pass

    seen = []
    events.subscribe(Happened, seen.append)
    try:
        with transaction.atomic():
            events.publish(Happened())
            assert seen == []
        assert len(seen) == 1
        try:
            with transaction.atomic():
                events.publish(Happened())
                raise RuntimeError
        except RuntimeError:
            pass
        assert len(seen) == 1
    finally:
        events.unsubscribe(Happened, seen.append)


def test_registry_lists_the_residents_module(clerk):
    names = [m.name for m in registry.manifests()]
    assert names == ["core", "residents", "cardsim", "certificates", "tax", "payments", "kairan", "assistant"]
    labels = [str(entry.label) for entry in registry.nav_entries(clerk)]
    assert labels == ["住民検索", "転入の入力", "決裁待ちの異動", "証明書の発行", "印鑑登録", "レジ"]


def test_roles_come_from_the_manifests(db):
    from django.contrib.auth.models import Group

    clerk_perms = set(Group.objects.get(name="窓口担当").permissions.values_list("codename", flat=True))
    assert clerk_perms == {
        "view_resident",
        "enter_idou",
        "unlock_card",
        "issue_window",
        "register_seal",
        "view_issuance",
        "use_register",
    }


def _yakuba(*args, env_extra=None):
    env = {**os.environ, **(env_extra or {})}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the browser tests for their own process only
    return subprocess.run(
        [sys.executable, "-m", "yakuba.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_platform_runs_with_the_residents_module_switched_off(tmp_path):
    env = {"YAKUBA_MODULES": "", "DATABASE_URL": f"sqlite:///{tmp_path / 'off.sqlite3'}"}
    assert _yakuba("migrate", "-v", "0", env_extra=env).returncode == 0
    result = _yakuba(
        "shell",
        "-c",
        "from yakuba.core import registry; print([m.name for m in registry.manifests()])",
        env_extra=env,
    )
    assert result.stdout.strip().splitlines()[-1] == "['core']", result.stderr


def test_deploy_check_is_clean_with_production_settings():
    env = {
        "YAKUBA_PRODUCTION": "1",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "YAKUBA_FIELD_KEY": "ZGV2LW9ubHktZmllbGQta2V5LW5vdC1mb3ItcHJvZC0=",
        "YAKUBA_SIGNING_KEY": "c2lnbmluZy1rZXktZm9yLXRoZS1kZXBsb3ktY2hlY2s=",
        "ALLOWED_HOSTS": "yakuba.example.jp",
    }
    result = _yakuba("check", "--deploy", "--fail-level", "WARNING", env_extra=env)
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_secrets():
    result = _yakuba("check", env_extra={"YAKUBA_PRODUCTION": "1", "SECRET_KEY": ""})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_public_facts_carry_the_city_contact_and_closed_days(db):
    import datetime as dt

    from django.utils import timezone

    from yakuba.core.models import ClosedDay, Municipality

    Municipality.objects.update_or_create(pk=1, defaults={"name": "一ノ森市", "phone": "0191-00-0000"})
    year = timezone.localdate().year
    ClosedDay.objects.create(date=dt.date(year + 1, 1, 2), reason="年末年始")
    facts = {fact.key: fact.value for fact in registry.public_facts()}
    assert facts["core.name"] == "一ノ森市" and facts["core.phone"] == "0191-00-0000"
    assert "1月2日（年末年始）" in facts["core.closed_days"]

"""``yakuba demo``: a fictional city a newcomer can explore (staff logins, settings, residents)."""

import datetime as dt
import hashlib
from typing import Any

from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django_otp.plugins.otp_totp.models import TOTPDevice

from yakuba.core import registry
from yakuba.core.apiclients import api_client_create
from yakuba.core.models import ApiClient, ClosedDay, Municipality, StaffUser
from yakuba.core.roles import roles_sync

DEMO_PASSWORD = "yakuba-demo-2026"  # noqa: S105 - demo data only; printed for the newcomer

# username, display name, department, roles, administrator
DEMO_STAFF: tuple[tuple[str, str, str, tuple[str, ...], bool], ...] = (
    ("madoguchi", "窓口 花子", "市民課", ("窓口担当",), False),
    ("kessai", "決裁 一郎", "市民課", ("決裁者", "個人番号閲覧"), False),
    ("kanri", "管理 次郎", "情報政策課", ("システム管理者",), True),
    ("kansa", "監査 三奈", "監査委員事務局", ("監査担当",), True),
    ("renkei", "連携 四郎", "情報政策課", ("連携管理",), False),
    ("kaikei", "会計 七子", "会計課", ("会計管理者",), False),
    ("hoiku", "保育 八郎", "こども家庭課", ("保育担当",), False),
    ("zeimu", "税務 幸子", "税務課", ("税務担当",), False),
    ("koho", "広報 久美子", "総務課", ("広報担当",), False),
)


def demo_totp_key(username: str) -> str:
    """A fixed, public secret per demo user, so `yakuba otp` and tests can produce codes."""
    return hashlib.sha1(f"yakuba-demo-{username}".encode()).hexdigest()  # noqa: S324 - not a security hash


class Command(BaseCommand):
    help = "Load the demo city: settings, staff with two-factor devices, and each module's demo data."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--residents", type=int, default=5000, help="number of residents (default 5000)")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--if-empty", action="store_true", help="do nothing if staff users already exist")

    def handle(self, *args: Any, **options: Any) -> None:
        from django.conf import settings

        if settings.PRODUCTION:
            raise CommandError("yakuba demo refuses to run with YAKUBA_PRODUCTION=1")
        if options["if_empty"] and StaffUser.objects.exists():
            self.stdout.write("Database already has data; demo not loaded again.")
            self._print_logins("")
            return
        self._municipality()
        roles_sync()
        self._staff()
        token = self._api_client()
        for manifest in registry.manifests():
            if manifest.seed:
                import_string(manifest.seed)(
                    residents=options["residents"], stdout=self.stdout, seed=options["seed"]
                )
        self._print_logins(token)

    def _municipality(self) -> None:
        Municipality.objects.update_or_create(
            pk=1,
            defaults={
                "name": "一ノ森市",
                "name_kana": "イチノモリシ",
                "name_en": "Ichinomori City (fictional)",
                "prefecture": "岩手県",
                "lgcode": "039993",
                "mayor_title": "市長",
                "mayor_name": "森川 誠",
                "address": "岩手県一ノ森市本町一丁目1番1号",
                "phone": "0191-00-0000",
                "window_hours": "平日 8:30〜17:15（第2・第4日曜 9:00〜12:00）",
            },
        )
        year = timezone.localdate().year
        for y in (year, year + 1):
            for day in (
                dt.date(y, 12, 29),
                dt.date(y, 12, 30),
                dt.date(y, 12, 31),
                dt.date(y + 1, 1, 1),
                dt.date(y + 1, 1, 2),
                dt.date(y + 1, 1, 3),
            ):
                ClosedDay.objects.get_or_create(date=day, service="", defaults={"reason": "年末年始"})

    @transaction.atomic
    def _staff(self) -> None:
        for username, display, department, roles, admin in DEMO_STAFF:
            user, created = StaffUser.objects.get_or_create(
                username=username,
                defaults={"display_name": display, "department": department, "is_staff": admin},
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save()
            user.groups.set(Group.objects.filter(name__in=roles))
            TOTPDevice.objects.get_or_create(
                user=user, name="demo", defaults={"key": demo_totp_key(username), "confirmed": True}
            )

    def _api_client(self) -> str:
        if ApiClient.objects.filter(name="demo-linkage").exists():
            return ""
        _client, token = api_client_create(actor="demo", name="demo-linkage", scopes=["residents"])
        return token

    def _print_logins(self, token: str) -> None:
        w = self.stdout.write
        w("")
        w(self.style.SUCCESS("Demo city 一ノ森市 is ready."))
        w(f"Staff logins (password for all: {DEMO_PASSWORD}):")
        for username, display, _dept, roles, _admin in DEMO_STAFF:
            w(f"  {username:<10} {display}（{'、'.join(roles)}）")
        w("One-time code for the second step:  yakuba otp <username>   (e.g. .venv/bin/yakuba otp madoguchi)")
        if token:
            w(f"Linkage API token (demo-linkage, shown once): {token}")
            w(
                "  curl -H 'Authorization: Bearer <token>' http://127.0.0.1:8000/api/v1/residents/changes?since=0"
            )

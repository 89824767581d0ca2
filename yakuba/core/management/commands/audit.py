"""``yakuba audit verify``: check the audit log's hash chain."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from yakuba.core.audit import audit_verify


class Command(BaseCommand):
    help = "Audit log tools. `verify` checks the hash chain and names the first broken entry."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args: Any, **options: Any) -> None:
        result = audit_verify()
        if not result.ok:
            raise CommandError(
                f"audit log BROKEN at entry #{result.first_broken_seq}: {result.reason} "
                f"({result.checked} entries verified before it)"
            )
        self.stdout.write(self.style.SUCCESS(f"audit log OK: {result.checked} entries, chain intact"))

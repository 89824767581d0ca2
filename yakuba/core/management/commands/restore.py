"""``yakuba restore FILE``: replace all data with a backup made by ``yakuba backup``."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from yakuba.core.audit import audit_verify
from yakuba.core.backup import backup_restore


class Command(BaseCommand):
    help = "Restore a backup made by `yakuba backup` (run `yakuba migrate` first). Replaces all data."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["file"].exists():
            raise CommandError(f"{options['file']} does not exist")
        if not options["yes"]:
            answer = input("This replaces ALL data in the database. Type 'yes' to continue: ")
            if answer.strip() != "yes":
                raise CommandError("restore cancelled")
        backup_restore(options["file"])
        result = audit_verify()
        status = "intact" if result.ok else f"BROKEN at #{result.first_broken_seq}"
        self.stdout.write(self.style.SUCCESS(f"restored from {options['file']}; audit chain {status}"))

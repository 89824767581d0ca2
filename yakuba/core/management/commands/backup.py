"""``yakuba backup FILE``: write all data and media files to FILE (.tar.gz)."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from yakuba.core.audit import audit_record
from yakuba.core.backup import backup_create


class Command(BaseCommand):
    help = "Back up the database and media files into one .tar.gz (restore with `yakuba restore`)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        audit_record(actor="system", action="backup_created", detail={"file": options["file"].name})
        media = backup_create(options["file"])
        self.stdout.write(self.style.SUCCESS(f"backup written to {options['file']} ({media} media files)"))

"""``yakuba residents_export FILE [--since N] [--with-mynumber]``: the register as a CSV file."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from yakuba.residents.tasks import extract_export


class Command(BaseCommand):
    help = "Write a full (default) or delta (--since N) extract of the register as CSV (docs/residents.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument("--since", type=int, default=None, help="only changes after this sequence number")
        parser.add_argument("--with-mynumber", action="store_true", help="fill the 個人番号 column")

    def handle(self, *args: Any, **options: Any) -> None:
        result = extract_export.enqueue(
            path=options["file"], since=options["since"], with_mynumber=options["with_mynumber"]
        )
        if result.is_finished:
            value = result.return_value
            self.stdout.write(
                f"{value['rows']} rows written to {value['path']}; next --since {value['last_seq']}"
            )
        else:
            self.stdout.write(f"export queued as task {result.id}; the worker writes {options['file']}")

"""``yakuba payments_reconcile``: finish or undo cashless payments left half-way (see docs/payments.md)."""

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from yakuba.payments import services


class Command(BaseCommand):
    help = "Settle cashless payments that a crash or a lost connection left half-way."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--minutes", type=int, default=2, help="only payments older than this")

    def handle(self, *args: Any, **options: Any) -> None:
        settled = services.reconcile(older_than=dt.timedelta(minutes=options["minutes"]))
        self.stdout.write(f"settled {settled} payment(s)\n")

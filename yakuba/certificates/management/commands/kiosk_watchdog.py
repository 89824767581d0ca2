"""``yakuba kiosk_watchdog``: void kiosk issuances whose print was never confirmed in time.

Run it every minute (cron or a systemd timer). The kiosk also voids a job when its terminal asks for
the PDF too late; this catches terminals that never come back."""

from typing import Any

from django.core.management.base import BaseCommand

from yakuba.certificates.services import void_unprinted


class Command(BaseCommand):
    help = "Void kiosk issuances whose print deadline has passed."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"{void_unprinted()} unprinted kiosk issuances voided")

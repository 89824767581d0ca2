"""``yakuba kairan_notify [--watch] [--digest]``: send the kairan outbox once (cron or a worker).

Run every few minutes from cron; ``--watch`` once or a few times a day (見守り alerts, at most one per
household a day anyway); ``--digest`` after ``YAKUBA_KAIRAN_DIGEST_HOUR`` (it does nothing before it
and sends each digest member one message a day).
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from yakuba.kairan import notify, watch


class Command(BaseCommand):
    help = (
        "Send queued kairan notifications (email, LINE); --watch checks 見守り, --digest sends daily digests."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--watch", action="store_true", help="queue today's 見守り alerts first")
        parser.add_argument(
            "--digest", action="store_true", help="also send the daily digests (from the digest hour)"
        )
        parser.add_argument("--limit", type=int, default=500, help="at most this many queued notifications")

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        if options["watch"]:
            queued = watch.check_watches(now)
            self.stdout.write(f"watch: {queued} alerts queued")
        sent, failed = notify.deliver_queued(limit=options["limit"])
        self.stdout.write(f"queued: {sent} sent, {failed} failed")
        if options["digest"]:
            digest_sent, digest_failed = notify.deliver_digests(now)
            self.stdout.write(f"digest: {digest_sent} sent, {digest_failed} failed")

"""``yakuba cardsim_issue ATENA_NO --pin 1234``: issue a simulated My Number Card (not in production)."""

from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from yakuba.cardsim import services
from yakuba.cardsim.interface import CardError


class Command(BaseCommand):
    help = "Issue a simulated My Number Card (利用者証明用電子証明書) to a resident; prints its serial."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("atena_no", help="宛名番号 of the holder")
        parser.add_argument("--pin", required=True, help="4-digit PIN the card will check")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError(_("模擬カードは本番環境（YAKUBA_PRODUCTION=1）では発行できません。"))
        atena_no = options["atena_no"]
        if apps.is_installed("yakuba.residents"):
            from yakuba.residents.interface import resident_get

            record = resident_get(atena_no, actor="cardsim_issue")
            if record is None:
                raise CommandError(_("宛名番号 %(no)s の住民が見つかりません。") % {"no": atena_no})
            if not record.is_resident:
                raise CommandError(_("宛名番号 %(no)s の方は住民ではありません。") % {"no": atena_no})
        try:
            serial = services.card_issue(atena_no=atena_no, pin=options["pin"])
        except CardError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(serial)

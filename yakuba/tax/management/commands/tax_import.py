"""``yakuba tax_import --year YYYY FILE``: import the tax system's yearly CSV (docs/tax.md), as the
staff page does, with the actor ``cli``."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from yakuba.tax import services
from yakuba.tax.wareki import nendo

MAX_SHOWN_ERRORS = 20


class Command(BaseCommand):
    help = "Import one 課税年度 of 市町村民税 assessments from CSV, replacing that year's rows (docs/tax.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the CSV file (UTF-8 or Shift_JIS)")
        parser.add_argument("--year", type=int, required=True, help="課税年度 (西暦, e.g. 2025)")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("ファイルが見つかりません: %(path)s") % {"path": path})
        if path.stat().st_size > services.MAX_FILE_BYTES:
            raise CommandError(_("ファイルが大きすぎます（20MBまで）。"))
        year = options["year"]
        try:
            batch = services.assessments_import(
                actor="cli", year=year, file_name=path.name, data=path.read_bytes()
            )
        except services.TaxImportError as exc:
            for error in exc.errors[:MAX_SHOWN_ERRORS]:
                self.stderr.write(error)
            if len(exc.errors) > MAX_SHOWN_ERRORS:
                self.stderr.write(
                    _("ほかに%(n)d件の誤りがあります。") % {"n": len(exc.errors) - MAX_SHOWN_ERRORS}
                )
            raise CommandError(_("取り込みませんでした（1件も取り込まれていません）。")) from exc
        self.stdout.write(
            _("%(nendo)sの課税データを%(rows)s件取り込みました")
            % {"nendo": nendo(year), "rows": f"{batch.rows:,}"}
        )

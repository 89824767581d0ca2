"""``yakuba debit``: the month's 口座振替 from the command line, as the staff pages do it, with the actor
``cli``. Thin over ``yakuba.payments.debit``.

- ``yakuba debit generate --year 2026 --month 6 --debit-date 2026-06-26 [--output FILE]``
- ``yakuba debit import --run ID FILE``
- ``yakuba debit arrears``
"""

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from yakuba.payments import debit

ACTOR = "cli"


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(_("日付は YYYY-MM-DD で指定してください（「%(t)s」）。") % {"t": text}) from None


class Command(BaseCommand):
    help = "Day-care fees by 口座振替: generate a month's request file, import the bank's result file, list arrears."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        generate = sub.add_parser("generate", help="create the month's run and its request file")
        generate.add_argument("--year", type=int, required=True, help="年度 (西暦, e.g. 2026)")
        generate.add_argument("--month", type=int, required=True, help="月 (1-12)")
        generate.add_argument("--debit-date", required=True, help="引落日 (YYYY-MM-DD)")
        generate.add_argument("--output", help="also write the request file here")
        imp = sub.add_parser("import", help="import the bank's result file for a run (all or nothing)")
        imp.add_argument("--run", type=int, required=True, help="the run's id")
        imp.add_argument("file", help="the result file (全銀協 120-byte records)")
        sub.add_parser("arrears", help="list the debits that failed and are not paid yet")

    def _fail(self, exc: debit.DebitError) -> CommandError:
        for message in exc.messages[1:]:
            self.stderr.write(message)
        return CommandError(exc.messages[0] if exc.messages else str(exc))

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "generate":
            self._generate(options)
        elif action == "import":
            self._import(options)
        else:
            self._arrears()

    def _generate(self, options: dict[str, Any]) -> None:
        try:
            run = debit.run_generate(
                actor=ACTOR,
                fiscal_year=options["year"],
                month=options["month"],
                debit_date=_date(options["debit_date"]),
            )
        except debit.DebitError as exc:
            raise self._fail(exc) from exc
        self.stdout.write(
            _("%(month)s分の口座振替を作成しました: ID %(id)d、%(n)s件、%(yen)s円、除外 %(left)d件")
            % {
                "month": debit.month_label(run.fiscal_year, run.month),
                "id": run.pk,
                "n": f"{run.records:,}",
                "yen": f"{run.total:,}",
                "left": len(run.notes),
            }
        )
        for note in run.notes:
            who = note.get("child") or note.get("customer_number", "")
            self.stdout.write(f"  {who}: {note['message']}")
        if options.get("output"):
            _run, data = debit.request_file_read(actor=ACTOR, run_id=run.pk)
            Path(options["output"]).write_bytes(data)
            self.stdout.write(_("依頼データを書き出しました: %(path)s") % {"path": options["output"]})

    def _import(self, options: dict[str, Any]) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("ファイルが見つかりません: %(path)s") % {"path": path})
        if path.stat().st_size > debit.MAX_RESULT_FILE_BYTES:
            raise CommandError(_("ファイルが大きすぎます（20MBまで）。"))
        try:
            run = debit.run_import_results(actor=ACTOR, run_id=options["run"], data=path.read_bytes())
        except debit.DebitError as exc:
            raise self._fail(exc) from exc
        self.stdout.write(
            _(
                "振替結果を取り込みました: 振替済 %(paid)s件 %(paid_yen)s円、振替不能 %(unpaid)s件 %(unpaid_yen)s円"
            )
            % {
                "paid": f"{run.paid_count:,}",
                "paid_yen": f"{run.paid_total:,}",
                "unpaid": f"{run.records - run.paid_count:,}",
                "unpaid_yen": f"{run.total - run.paid_total:,}",
            }
        )

    def _arrears(self) -> None:
        rows = debit.arrears()
        for row in rows:
            self.stdout.write(
                f"{row.item_id}\t{row.month_label}\t{row.customer_number}\t{row.payer_atena_no}\t"
                f"{row.amount:,}円\t{row.result_code} {row.reason}"
            )
        self.stdout.write(
            _("未納 %(n)d件、合計 %(yen)s円") % {"n": len(rows), "yen": f"{sum(r.amount for r in rows):,}"}
        )

"""``yakuba cost_model [--transactions N] [--average YEN] [--uptake 0.2] [--from-history DAYS] [--json]``:
the cashless cost model of the staff page (キャッシュレスの費用試算) in a terminal. Prints the yearly cost
per cashless uptake (0 % to 50 % by 10 points, plus today's uptake) and the break-even uptake; ``--json``
prints one object ``{"break_even_uptake", "scenarios", "inputs", "history"}`` instead. Figures not given
keep the defaults of :class:`CostInputs` (assumptions to replace with the city's own)."""

import dataclasses
import json
import unicodedata
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from yakuba.payments import costmodel
from yakuba.payments.costmodel import CostBreakdown, CostInputs
from yakuba.payments.forms_costmodel import MAX_HISTORY_DAYS
from yakuba.payments.views_costmodel import (
    CityHistory,
    apply_history,
    city_history,
    percent_text,
    scenario_uptakes,
)


def _width(text: str) -> int:
    """Columns a terminal gives ``text``: two for full-width (East Asian wide) characters."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int, *, right: bool) -> str:
    gap = " " * max(0, width - _width(text))
    return gap + text if right else text + gap


def format_table(rows: list[CostBreakdown], current: float) -> str:
    """One column per uptake, one line per component, then the total and the difference to cash only;
    figures right-aligned in yen."""
    header = [_("費用の項目（円）")] + [
        percent_text(r.uptake).removesuffix(".0") + "%" + ("*" if abs(r.uptake - current) < 1e-9 else "")
        for r in rows
    ]
    lines = [[label, *(f"{getattr(r, name):,}" for r in rows)] for name, label in costmodel.COMPONENTS]
    lines.append([_("合計"), *(f"{r.total:,}" for r in rows)])
    lines.append(
        [_("現金のみとの差"), *((f"{r.net_vs_cash_only:+,}" if r.net_vs_cash_only else "0") for r in rows)]
    )
    table = [header, *lines]
    widths = [max(_width(line[i]) for line in table) for i in range(len(header))]
    out = []
    for n, line in enumerate(table):
        cells = [_pad(line[0], widths[0], right=False)]
        cells += [_pad(cell, widths[i], right=True) for i, cell in enumerate(line[1:], start=1)]
        out.append("  ".join(cells).rstrip())
        if n == 0 or n == len(lines) - 2:
            out.append("-" * (sum(widths) + 2 * (len(widths) - 1)))
    return "\n".join(out)


def break_even_text(break_even: float | None) -> str:
    if break_even is None:
        return _(
            "この条件では、キャッシュレス比率が0%から100%のどこであっても、現金のみの方が税負担が小さくなります（損益分岐点はありません）。"
        )
    if break_even == 0:
        return _(
            "この条件では、キャッシュレス比率が0%を少しでも超えれば、キャッシュレスの方が税負担が小さくなります。"
        )
    return _("キャッシュレス比率が %(pct)s%% を超えると、キャッシュレスの方が税負担が小さくなります。") % {
        "pct": percent_text(break_even)
    }


class Command(BaseCommand):
    help = (
        "The cashless cost model (キャッシュレスの費用試算): yearly cost per cashless uptake and the "
        "break-even uptake. Figures not given keep the model's defaults."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--transactions", type=int, help="payments a year at the window (cash and cashless)"
        )
        parser.add_argument("--average", type=int, help="average payment in yen")
        parser.add_argument(
            "--uptake", type=float, help="today's cashless share of payments, 0 to 1 (e.g. 0.2)"
        )
        parser.add_argument(
            "--from-history",
            type=int,
            metavar="DAYS",
            help="take transactions, average, uptake and method mix from captured payments of the last DAYS days",
        )
        parser.add_argument("--json", action="store_true", help="print one JSON object instead of the table")

    def handle(self, *args: Any, **options: Any) -> None:
        changes: dict[str, Any] = {}
        if options["transactions"] is not None:
            changes["yearly_transactions"] = options["transactions"]
        if options["average"] is not None:
            changes["average_payment_yen"] = options["average"]
        if options["uptake"] is not None:
            changes["current_uptake"] = options["uptake"]
        try:
            inputs = CostInputs(**changes)
        except (TypeError, ValueError) as exc:
            raise CommandError(_("試算できない数値です: %(error)s") % {"error": exc}) from exc
        history: CityHistory | None = None
        days = options["from_history"]
        if days is not None:
            if not 1 <= days <= MAX_HISTORY_DAYS:
                raise CommandError(
                    _("--from-history は1から%(max)s日までにしてください。") % {"max": MAX_HISTORY_DAYS}
                )
            history = city_history(days)
            if history.overrides is None:
                self.stderr.write(
                    _("直近%(days)s日には支払済みの窓口収納がありません。指定した数値で試算します。")
                    % {"days": days}
                )
            inputs = apply_history(inputs, history)
        rows = costmodel.scenarios(inputs, scenario_uptakes(inputs))
        break_even = costmodel.break_even_uptake(inputs)
        if options["json"]:
            payload = {
                "break_even_uptake": break_even,
                "scenarios": costmodel.table_rows(rows),
                "inputs": dataclasses.asdict(inputs),
                "history": (
                    {
                        "days": history.days,
                        "payments": history.payments,
                        "applied": history.overrides is not None,
                    }
                    if history is not None
                    else None
                ),
            }
            self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2))
            return
        if history is not None and history.overrides is not None:
            self.stdout.write(
                _(
                    "直近%(days)s日の窓口収納（支払済み%(n)s件）から: 年間%(tx)s件、平均%(avg)s円、"
                    "キャッシュレス比率%(uptake)s%%"
                )
                % {
                    "days": history.days,
                    "n": f"{history.payments:,}",
                    "tx": f"{inputs.yearly_transactions:,}",
                    "avg": f"{inputs.average_payment_yen:,}",
                    "uptake": percent_text(inputs.current_uptake),
                }
            )
        self.stdout.write(format_table(rows, inputs.current_uptake))
        self.stdout.write(_("* 現在のキャッシュレス比率"))
        self.stdout.write(_("現金のみの年間費用: %(yen)s円") % {"yen": f"{rows[0].cash_only_total:,}"})
        self.stdout.write(break_even_text(break_even))

"""キャッシュレスの費用試算: what accepting cards, e-money and QR payments at the window would cost the
city, against taking cash only (``costmodel`` does the arithmetic). GET only: the figures travel in the
query string, so a result can be bookmarked and shared; ``?format=csv`` downloads the table.

Thin: the form collects and validates, ``costmodel`` computes, ``access`` decides. The one database
read is the city's own history (``city_history``): captured window payments of the last N days."""

import csv
import dataclasses
import io
from dataclasses import dataclass
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from yakuba.payments import access, costmodel
from yakuba.payments.costmodel import CostBreakdown, CostInputs, HistoryOverrides
from yakuba.payments.forms_costmodel import CostModelForm
from yakuba.payments.models import Payment

SCENARIO_UPTAKES = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5)

# The labels of costmodel.COMPONENTS, translatable (same Japanese text, same order).
COMPONENT_LABELS = {
    "fees": gettext_lazy("決済手数料"),
    "fixed_fees": gettext_lazy("月額固定費"),
    "equipment": gettext_lazy("機器（償却・保守）"),
    "staff_cash": gettext_lazy("職員時間（現金）"),
    "staff_cashless": gettext_lazy("職員時間（キャッシュレス）"),
    "coin_deposits": gettext_lazy("硬貨預入手数料"),
    "transport": gettext_lazy("現金輸送・警備"),
}


@dataclass(frozen=True)
class CityHistory:
    """The city's own captured window payments over ``days`` days; ``overrides`` is None without any."""

    days: int
    payments: int
    overrides: HistoryOverrides | None


def city_history(days: int) -> CityHistory:
    """Captured payments whose business date lies in the last ``days`` days, today included, fed to
    :func:`costmodel.from_history` as ``(amount, method)`` pairs."""
    today = timezone.localdate()
    pairs = list(
        Payment.objects.filter(
            state=Payment.State.CAPTURED,
            business_date__gt=today - timedelta(days=days),
            business_date__lte=today,
        ).values_list("amount", "method")
    )
    if not pairs:
        return CityHistory(days=days, payments=0, overrides=None)
    return CityHistory(days=days, payments=len(pairs), overrides=costmodel.from_history(pairs, days))


def apply_history(inputs: CostInputs, history: CityHistory | None) -> CostInputs:
    if history is None or history.overrides is None:
        return inputs
    return dataclasses.replace(inputs, **history.overrides)


def percent_text(fraction: float) -> str:
    """``0.19`` → ``"19.0"``, ``0.123456`` → ``"12.3"``: one decimal, rounded half up."""
    value = (Decimal(repr(float(fraction))) * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return f"{value:f}"


def _short_percent(fraction: float) -> str:
    return percent_text(fraction).removesuffix(".0") + "%"


def scenario_uptakes(inputs: CostInputs) -> list[float]:
    """0 % to 50 % by 10 points, and today's uptake if it is not one of them."""
    uptakes = list(SCENARIO_UPTAKES)
    if not any(abs(u - inputs.current_uptake) < 1e-9 for u in uptakes):
        uptakes.append(inputs.current_uptake)
    return sorted(uptakes)


def _signed_yen(yen: int) -> str:
    return f"{yen:+,}" if yen else "0"


def _table(rows: list[CostBreakdown], current: float) -> dict[str, Any]:
    """The scenario table turned for the screen: one column per uptake, one row per component, then the
    total and the difference to cash only (it fits the page without scrolling sideways)."""
    return {
        "columns": [
            {"uptake": _short_percent(row.uptake), "current": abs(row.uptake - current) < 1e-9}
            for row in rows
        ],
        "components": [
            {"label": label, "values": [f"{getattr(row, name):,}" for row in rows]}
            for name, label in COMPONENT_LABELS.items()
        ],
        "totals": [f"{row.total:,}" for row in rows],
        "nets": [_signed_yen(row.net_vs_cash_only) for row in rows],
    }


def _csv_response(rows: list[CostBreakdown]) -> HttpResponse:
    """The scenario table for a spreadsheet: UTF-8 with BOM (Excel reads it as UTF-8), plain numbers."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(
        [
            "キャッシュレス比率（%）",
            *(f"{label}（円）" for _name, label in costmodel.COMPONENTS),
            "合計（円）",
            "現金のみの合計（円）",
            "現金のみとの差（円）",
        ]
    )
    for row in rows:
        writer.writerow(
            [
                percent_text(row.uptake),
                *(getattr(row, name) for name, _label in costmodel.COMPONENTS),
                row.total,
                row.cash_only_total,
                row.net_vs_cash_only,
            ]
        )
    response = HttpResponse(("\ufeff" + out.getvalue()).encode(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="cashless-cost-model.csv"'
    return response


def _history_summary(history: CityHistory, inputs: CostInputs) -> dict[str, Any]:
    return {
        "days": history.days,
        "payments": f"{history.payments:,}",
        "found": history.overrides is not None,
        "yearly_transactions": f"{inputs.yearly_transactions:,}",
        "average_payment_yen": f"{inputs.average_payment_yen:,}",
        "uptake": percent_text(inputs.current_uptake),
        "mix_from_history": history.overrides is not None and "card_share" in history.overrides,
        "card": percent_text(inputs.card_share),
        "emoney": percent_text(inputs.emoney_share),
        "qr": percent_text(inputs.qr_share),
    }


def _tariff(inputs: CostInputs) -> dict[str, Any]:
    """The coin deposit tariff the model uses (the form does not change it; the page shows it)."""
    return {
        "tiers": [
            {"max": f"{max_coins:,}", "charge": f"{charge:,}"}
            for max_coins, charge in inputs.coin_deposit_tiers
        ],
        "extra_block": f"{inputs.coin_extra_block_size:,}",
        "extra_charge": f"{inputs.coin_extra_block_charge_yen:,}",
    }


@require_http_methods(["GET"])
def cost_model_view(request: HttpRequest) -> HttpResponse:
    access.require(request.user, access.COST_MODEL)
    submitted = any(name in request.GET for name in CostModelForm.base_fields)
    form = CostModelForm(request.GET if submitted else None)
    context: dict[str, Any] = {"form": form, "submitted": submitted, **_tariff(CostInputs())}
    if submitted and not form.is_valid():
        return render(request, "payments/cost_model.html", context)
    inputs = form.cost_inputs() if submitted else CostInputs()
    history = None
    if submitted and form.cleaned_data["use_history"]:
        history = city_history(form.cleaned_data["history_days"])
        inputs = apply_history(inputs, history)
    rows = costmodel.scenarios(inputs, scenario_uptakes(inputs))
    if request.GET.get("format") == "csv":
        return _csv_response(rows)
    break_even = costmodel.break_even_uptake(inputs)
    context.update(
        {
            "result": True,
            "history": _history_summary(history, inputs) if history is not None else None,
            "break_even": break_even,
            "break_even_pct": percent_text(break_even) if break_even else "",
            "cash_only_total": f"{rows[0].cash_only_total:,}",
            "table": _table(rows, inputs.current_uptake),
            # chart_svg escapes every text it writes (titles, labels, the description) and takes no
            # markup from the request: the numbers are computed here. That is the only reason the
            # template may insert it with |safe.
            "chart": costmodel.chart_svg(
                rows, title=_("キャッシュレス利用率ごとの年間費用"), break_even=break_even
            ),
        }
    )
    return render(request, "payments/cost_model.html", context)

"""The daily close as rows for the page, the PDF and the finance system's CSV.

CSV layout (UTF-8 with BOM, CRLF; one row per figure), for the finance system (財務会計):
``会計日,レジ,区分,コード,名称,件数,金額`` where 区分 is 支払方法 (cash/card/emoney/qr), 手数料 (a fee
item code), 取消, 決済手数料, 現金 (帳簿残高 / 実査額 / 過不足 / 預入額).
"""

import csv
import io
from typing import Any

from django.utils.translation import gettext as _

from yakuba.payments.models import DailyClose, Payment


def method_rows(by_method: dict[str, Any]) -> list[tuple[str, int, int]]:
    labels = dict(Payment.Method.choices)
    return [(str(labels[m]), int(v[0]), int(v[1])) for m, v in by_method.items()]


def close_context(close: DailyClose) -> dict[str, Any]:
    totals = close.totals
    return {
        "methods": method_rows(totals["by_method"]),
        "items": [(code, v[0], v[1], v[2]) for code, v in totals["by_item"].items()],
        "voided": totals["voided"],
        "fees_yen": totals["fees_yen"],
        "change_fund": totals["change_fund"],
        "coins": sorted(((int(d), n, int(d) * n) for d, n in close.counted_coins.items()), reverse=True),
        "sales_total": sum(v[1] for v in totals["by_method"].values()),
        "to_bank": close.counted_cash - int(totals["change_fund"]),
    }


def close_csv(close: DailyClose) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["会計日", "レジ", "区分", "コード", "名称", "件数", "金額"])
    day, drawer = close.business_date.isoformat(), close.drawer.code
    labels = dict(Payment.Method.choices)
    totals = close.totals
    for method, (count, yen) in totals["by_method"].items():
        writer.writerow([day, drawer, "支払方法", method, str(labels[method]), count, yen])
    for code, (name, qty, yen) in totals["by_item"].items():
        writer.writerow([day, drawer, "手数料", code, name, qty, yen])
    writer.writerow([day, drawer, "取消", "void", _("取消し"), totals["voided"][0], totals["voided"][1]])
    writer.writerow([day, drawer, "決済手数料", "fee", _("キャッシュレス決済手数料"), "", totals["fees_yen"]])
    writer.writerow(
        [day, drawer, "現金", "expected", _("帳簿残高（釣銭準備金を含む）"), "", close.expected_cash]
    )
    writer.writerow([day, drawer, "現金", "counted", _("実査額"), "", close.counted_cash])
    writer.writerow([day, drawer, "現金", "over_short", _("過不足"), "", close.over_short])
    writer.writerow(
        [
            day,
            drawer,
            "現金",
            "to_bank",
            _("預入額（実査額から釣銭準備金を除く）"),
            "",
            close.counted_cash - int(totals["change_fund"]),
        ]
    )
    return ("\ufeff" + out.getvalue()).encode("utf-8")

"""PDFs of payments: the receipt (領収書), the daily close report (日計表) and the reminder letter for
an unpaid direct debit (督促・納付のお願い). A4 (the receipt A6-ish on A4 for any office printer),
Japanese font embedded, dates in 和暦."""

import io
from collections.abc import Sequence

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from yakuba.core.era import wareki
from yakuba.core.models import Municipality
from yakuba.core.pdffonts import japanese_fonts
from yakuba.payments.models import DailyClose, Payment
from yakuba.payments.reports import close_context

PAGE_W, PAGE_H = A4
LEFT = 20 * mm
RIGHT = PAGE_W - 20 * mm


class _Doc:
    def __init__(self, title: str) -> None:
        self.fonts = japanese_fonts()
        self.buffer = io.BytesIO()
        self.c = Canvas(self.buffer, pagesize=A4, invariant=1, pageCompression=1)
        self.c.setTitle(title)
        self.c.setCreator("Yakuba")
        self.y = PAGE_H - 25 * mm

    def text(
        self, x: float, y: float, s: str, size: float = 10.5, *, head: bool = False, align: str = "left"
    ) -> None:
        font = self.fonts.head if head else self.fonts.body
        self.c.setFont(font, size)
        if align == "right":
            self.c.drawRightString(x, y, s)
        elif align == "centre":
            self.c.drawCentredString(x, y, s)
        else:
            self.c.drawString(x, y, s)

    def line(self, s: str, size: float = 10.5, *, gap: float = 6.5, head: bool = False) -> None:
        self.text(LEFT, self.y, s, size, head=head)
        self.y -= gap * mm

    def table(self, header: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[float]) -> None:
        """Left-aligned first column, right-aligned numbers; a rule under the header."""
        xs = [LEFT]
        for w in widths[:-1]:
            xs.append(xs[-1] + w * mm)
        for r, row in enumerate([header, *rows]):
            if self.y < 25 * mm:
                self.c.showPage()
                self.y = PAGE_H - 25 * mm
            for i, cell in enumerate(row):
                if i == 0:
                    self.text(xs[i], self.y, cell, 10, head=r == 0)
                else:
                    self.text(xs[i] + widths[i] * mm, self.y, cell, 10, head=r == 0, align="right")
            if r == 0:
                self.c.setLineWidth(0.5)
                self.c.line(LEFT, self.y - 2 * mm, xs[-1] + widths[-1] * mm, self.y - 2 * mm)
            self.y -= 6.5 * mm

    def finish(self) -> bytes:
        self.c.showPage()
        self.c.save()
        return self.buffer.getvalue()


def _city() -> Municipality:
    return Municipality.objects.first() or Municipality()


def receipt_pdf(payment: Payment) -> bytes:
    city = _city()
    doc = _Doc(f"領収書 {payment.number}")
    doc.text(PAGE_W / 2, doc.y, "領 収 書", 20, head=True, align="centre")
    doc.y -= 14 * mm
    if payment.state == Payment.State.VOIDED:
        doc.text(PAGE_W / 2, doc.y, "【取消済み】", 14, head=True, align="centre")
        doc.y -= 10 * mm
    doc.text(RIGHT, doc.y, f"{wareki(payment.business_date)}", 10.5, align="right")
    doc.y -= 7 * mm
    doc.text(RIGHT, doc.y, f"領収番号 {payment.number}", 9, align="right")
    doc.y -= 12 * mm
    doc.text(LEFT, doc.y, f"金額　{payment.amount:,}円", 16, head=True)
    doc.y -= 12 * mm
    rows = [
        [
            line.description + (f"（{line.exemption}により免除）" if line.exemption else ""),
            f"{line.quantity}",
            f"{line.unit_price:,}円",
            f"{line.amount:,}円",
        ]
        for line in payment.sale.lines.all()
    ]
    doc.table(["内容", "数量", "単価", "金額"], rows, [95, 20, 25, 30])
    doc.y -= 4 * mm
    method = dict(Payment.Method.choices)[payment.method]
    doc.line(f"お支払い方法　{method}")
    if payment.method == Payment.Method.CASH:
        doc.line(f"お預かり　{payment.tendered:,}円　　お釣り　{payment.change:,}円")
    doc.line("上記のとおり領収しました。（手数料は非課税です）", 10)
    doc.y -= 8 * mm
    doc.text(RIGHT, doc.y, f"{city.name}　会計 {payment.drawer.code}", 11, align="right")
    return doc.finish()


def close_pdf(close: DailyClose) -> bytes:
    city = _city()
    ctx = close_context(close)
    doc = _Doc(f"日計表 {close.drawer.code} {close.business_date}")
    doc.text(PAGE_W / 2, doc.y, "日 計 表", 18, head=True, align="centre")
    doc.y -= 12 * mm
    doc.line(f"{city.name}　レジ {close.drawer.code} {close.drawer.name}　{wareki(close.business_date)}", 11)
    doc.y -= 2 * mm
    doc.line("支払方法別", 12, head=True)
    doc.table(
        ["支払方法", "件数", "金額"], [[m, f"{n}", f"{y:,}円"] for m, n, y in ctx["methods"]], [80, 30, 40]
    )
    doc.line(
        f"合計　{ctx['sales_total']:,}円　　取消し　{ctx['voided'][0]}件 {ctx['voided'][1]:,}円　　決済手数料　{ctx['fees_yen']:,}円",
        10,
    )
    doc.y -= 2 * mm
    doc.line("手数料別", 12, head=True)
    doc.table(
        ["項目", "数量", "金額"],
        [[name, f"{q}", f"{y:,}円"] for _c, name, q, y in ctx["items"]],
        [80, 30, 40],
    )
    doc.y -= 2 * mm
    doc.line("現金の実査", 12, head=True)
    doc.table(
        ["金種", "枚数", "金額"], [[f"{d:,}円", f"{n}", f"{t:,}円"] for d, n, t in ctx["coins"]], [80, 30, 40]
    )
    doc.line(f"帳簿残高（釣銭準備金 {ctx['change_fund']:,}円を含む）　{close.expected_cash:,}円")
    doc.line(f"実査額　{close.counted_cash:,}円")
    sign = "過剰" if close.over_short > 0 else "不足" if close.over_short < 0 else "過不足なし"
    doc.line(f"過不足　{abs(close.over_short):,}円（{sign}）", 11, head=True)
    if close.reason:
        doc.line(f"理由　{close.reason}", 10)
    doc.line(f"預入額（実査額から釣銭準備金を除く）　{ctx['to_bank']:,}円", 11)
    doc.y -= 6 * mm
    doc.line(f"締め　{close.closed_by}　{close.closed_at:%Y-%m-%d %H:%M}", 9)
    return doc.finish()


def reminder_pdf(
    *,
    payer_name: str,
    address: str,
    month_label: str,
    amount: int,
    reason: str,
    breakdown: Sequence[tuple[str, int]],
    pay_by: str,
    contact: str,
    issued_on: str,
) -> bytes:
    """納付のお願い: the debit did not go through; what is owed and how to pay it."""
    city = _city()
    doc = _Doc("保育料納付のお願い")
    doc.text(RIGHT, doc.y, issued_on, 10.5, align="right")
    doc.y -= 10 * mm
    doc.line(address, 10.5)
    doc.line(f"{payer_name}　様", 13, gap=12)
    doc.text(RIGHT, doc.y, f"{city.name}長", 11, align="right")
    doc.y -= 14 * mm
    doc.text(PAGE_W / 2, doc.y, "保育料の納付のお願い", 16, head=True, align="centre")
    doc.y -= 14 * mm
    doc.line(f"{month_label}分の保育料等は、口座から引き落としができませんでした（{reason}）。", 10.5)
    doc.line(
        f"お手数ですが、{pay_by}までに同封の納付書で、または市役所の窓口でお支払いください。", 10.5, gap=10
    )
    doc.table(["内訳", "金額"], [[label, f"{yen:,}円"] for label, yen in breakdown], [110, 40])
    doc.line(f"合計　{amount:,}円", 13, head=True, gap=12)
    doc.line("口座の残高不足のほか、口座の解約・変更があった場合は、お手続きをお願いします。", 10)
    doc.line("行き違いでお支払い済みの場合はご容赦ください。", 10, gap=12)
    doc.line(f"お問い合わせ　{contact}", 10)
    return doc.finish()

"""PDFs of the officers: invitation letters (one household a page of A4, or two A5 letters on an A4
sheet to cut in half; large type, a QR code of the join URL and the 8-character code) and the route
sheet that travels with a paper board (the 班's order, a box to tick and a blank 「受け取った日」 per
household, and the circular's text if one is given). Japanese fonts embedded, dates in 和暦.

The functions take plain values, not models: the views decide what is printed."""

import dataclasses
import datetime as dt
import html
import io
import re
from collections.abc import Sequence

import nh3
import segno
from django.utils import timezone
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from yakuba.core.era import wareki
from yakuba.core.pdffonts import Fonts, japanese_fonts
from yakuba.kairan import text

PAGE_W, PAGE_H = A4
LEFT = 20 * mm
RIGHT = PAGE_W - 20 * mm
WIDTH = RIGHT - LEFT
QR_MM = 55
A5_SCALE = (PAGE_H / 2) / PAGE_W  # an A4 portrait letter shrunk onto half a landscape A4 (A5)
NO_LINE_START = set("、。，．・：；？！ー）」』】〕〉》”’ゝゞぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ")


@dataclasses.dataclass(frozen=True)
class Letter:
    household_name: str
    code: str  # 8 characters, printed as ABCD-EFGH
    url: str  # the absolute join URL of the QR code
    expires_on: dt.date


@dataclasses.dataclass(frozen=True)
class RouteRow:
    number: int
    name: str
    address: str


@dataclasses.dataclass(frozen=True)
class CircularText:
    title: str
    due_on: dt.date | None
    body_html: str  # sanitised HTML as stored


def wrap(s: str, font: str, size: float, width: float) -> list[str]:
    """Lines of at most ``width`` points, broken between characters (Japanese has no spaces);
    punctuation never starts a line, and explicit newlines are kept."""
    lines: list[str] = []
    for paragraph in s.split("\n"):
        line = ""
        for ch in paragraph:
            if line and stringWidth(line + ch, font, size) > width and ch not in NO_LINE_START:
                lines.append(line)
                line = ""
            line += ch
        lines.append(line)
    return lines


def _fit(s: str, font: str, size: float, width: float) -> str:
    if stringWidth(s, font, size) <= width:
        return s
    while s and stringWidth(s + "…", font, size) > width:
        s = s[:-1]
    return s + "…"


def _qr(c: Canvas, data: str, x: float, y: float, side: float) -> None:
    """The QR code as black squares (vector: sharp at any scale) with a white quiet zone of 4
    modules, inside the square (x, y, side) whose lower-left corner is (x, y)."""
    matrix = segno.make(data, error="m", micro=False).matrix
    n = len(matrix)
    module = side / (n + 8)
    c.saveState()
    c.setFillGray(1)
    c.rect(x, y, side, side, stroke=0, fill=1)
    c.setFillGray(0)
    path = c.beginPath()
    for r, row in enumerate(matrix):
        top = y + side - (4 + r + 1) * module
        col = 0
        while col < n:
            if row[col]:
                start = col
                while col < n and row[col]:
                    col += 1
                path.rect(x + (4 + start) * module, top, (col - start) * module, module)
            else:
                col += 1
    c.drawPath(path, stroke=0, fill=1)
    c.restoreState()


class _Writer:
    """Lines of text from the top of an A4 portrait page down."""

    def __init__(self, c: Canvas, fonts: Fonts) -> None:
        self.c = c
        self.fonts = fonts
        self.y = PAGE_H - 22 * mm

    def draw(self, x: float, s: str, size: float, *, head: bool = False, align: str = "left") -> None:
        self.c.setFont(self.fonts.head if head else self.fonts.body, size)
        if align == "centre":
            self.c.drawCentredString(x, self.y, s)
        elif align == "right":
            self.c.drawRightString(x, self.y, s)
        else:
            self.c.drawString(x, self.y, s)

    def para(self, s: str, size: float, *, head: bool = False, gap: float = 1.5, indent: float = 0) -> None:
        font = self.fonts.head if head else self.fonts.body
        for line in wrap(s, font, size, WIDTH - indent):
            self.draw(LEFT + indent, line, size, head=head)
            self.y -= size * gap


def _letter(
    c: Canvas, fonts: Fonts, association: str, letter: Letter, join_url: str, issued_on: dt.date
) -> None:
    """One letter on an A4 portrait page (drawn scaled for A5)."""
    w = _Writer(c, fonts)
    w.draw(LEFT, _fit(association, fonts.head, 16, WIDTH * 0.65), 16, head=True)
    w.draw(RIGHT, wareki(issued_on), 11, align="right")
    w.y -= 20 * mm
    w.draw(PAGE_W / 2, "回覧板のご案内", 28, head=True, align="centre")
    w.y -= 18 * mm
    w.draw(LEFT, _fit(f"{letter.household_name} 様", fonts.head, 24, WIDTH), 24, head=True)
    w.y -= 12 * mm
    w.para(
        "自治会の回覧板を、スマートフォンでも読めるようになりました。"
        "パスワードやメールアドレスはいりません。紙の回覧板もこれまでどおりまわります。",
        15,
    )
    w.y -= 6 * mm
    w.para("１　スマートフォンのカメラで、下のQRコードを読み取ります。", 16, head=True)
    w.y -= 2 * mm
    qr_side = QR_MM * mm
    qr_bottom = w.y - qr_side
    _qr(c, letter.url, LEFT, qr_bottom, qr_side)
    # Beside the QR code: the code to type when the QR code cannot be read.
    box_x = LEFT + qr_side + 8 * mm
    w.y -= 10 * mm
    w.draw(box_x, "招待コード（8文字）", 13)
    w.y -= 18 * mm
    w.draw(box_x, letter.code[:4] + "-" + letter.code[4:], 40, head=True)
    w.y -= 12 * mm
    w.draw(box_x, "QRコードが読めないときは", 13)
    w.y -= 6.5 * mm
    w.draw(box_x, _fit(join_url, fonts.body, 13, RIGHT - box_x), 13)
    w.y -= 6.5 * mm
    w.draw(box_x, "を開いて、このコードを入れます。", 13)
    w.y = qr_bottom - 12 * mm
    w.para("２　画面の案内にしたがって、お名前を入れます。", 16, head=True)
    w.para("３　これで回覧板が読めます。次からは、そのまま開けます。", 16, head=True)
    w.y -= 8 * mm
    w.para(f"有効期限　{wareki(letter.expires_on)}まで（1回だけ使えます）", 17, head=True)
    w.y -= 4 * mm
    w.para(
        "ご家族も読むときや、期限が切れたときは、自治会の役員に新しい招待状をお願いしてください。"
        "新しい招待状を作ると、前の招待状は使えなくなります。",
        13,
    )
    w.para("この紙は、ほかの人に見せたり渡したりしないでください。", 13)


def invitations_pdf(
    *, association_name: str, letters: Sequence[Letter], join_url: str, layout: str = "a4"
) -> bytes:
    """One letter a page of A4 (``layout="a4"``), or two A5 letters side by side on a landscape A4
    (``"a5"``) with a dashed line to cut along. ``join_url`` is the page where the code is typed."""
    fonts = japanese_fonts()
    buffer = io.BytesIO()
    two_up = layout == "a5"
    c = Canvas(buffer, pagesize=landscape(A4) if two_up else A4, invariant=1, pageCompression=1)
    c.setTitle(f"回覧板のご案内 {association_name}")
    c.setCreator("Yakuba")
    issued_on = timezone.localdate()
    per_page = 2 if two_up else 1
    for first in range(0, len(letters), per_page):
        for slot, letter in enumerate(letters[first : first + per_page]):
            c.saveState()
            if two_up:
                c.translate(slot * PAGE_H / 2, 0)
                c.scale(A5_SCALE, A5_SCALE)
            _letter(c, fonts, association_name, letter, join_url, issued_on)
            c.restoreState()
        if two_up:
            c.saveState()
            c.setDash(4, 4)
            c.setLineWidth(0.3)
            c.line(PAGE_H / 2, 5 * mm, PAGE_H / 2, PAGE_W - 5 * mm)
            c.restoreState()
        c.showPage()
    if not letters:
        c.showPage()
    c.save()
    return buffer.getvalue()


_BREAKS = re.compile(r"<br\s*/?>|</(?:p|li|h2|h3|blockquote)>", re.IGNORECASE)
_ITEMS = re.compile(r"<li\b[^>]*>", re.IGNORECASE)


def body_text(body_html: str) -> str:
    """The circular's sanitised HTML as plain text: one line a paragraph or list item ("・"), the
    links' text kept, nothing else of the markup."""
    marked = _ITEMS.sub("・", _BREAKS.sub("\n", body_html or ""))
    plain = html.unescape(nh3.clean(marked, tags=set()))
    lines = [" ".join(text.normalise(line).split()) for line in plain.split("\n")]
    return "\n".join(line for line in lines if line)


# Columns of the route sheet: number, household, address, tick, date received (millimetres).
_COLUMNS = ((12, "順"), (62, "世帯名"), (52, "住所"), (16, "確認"), (28, "受け取った日"))
ROW_MM = 11


def _sheet_header(c: Canvas, fonts: Fonts, y: float) -> float:
    c.setLineWidth(0.8)
    x = LEFT
    c.setFont(fonts.head, 10.5)
    for width, label in _COLUMNS:
        c.drawCentredString(x + width * mm / 2, y - 6 * mm, label)
        x += width * mm
    c.line(LEFT, y, x, y)
    c.line(LEFT, y - 9 * mm, x, y - 9 * mm)
    return y - 9 * mm


def route_sheet_pdf(
    *,
    association_name: str,
    han_name: str,
    rows: Sequence[RouteRow],
    closed: bool,
    circular: CircularText | None = None,
) -> bytes:
    """The route sheet: the order of the 班 (table continued over pages), then the circular."""
    fonts = japanese_fonts()
    buffer = io.BytesIO()
    c = Canvas(buffer, pagesize=A4, invariant=1, pageCompression=1)
    c.setTitle(f"回覧順 {han_name}")
    c.setCreator("Yakuba")
    w = _Writer(c, fonts)
    w.draw(LEFT, _fit(f"回覧板　回覧順（{han_name}）", fonts.head, 18, WIDTH), 18, head=True)
    w.y -= 8 * mm
    w.draw(LEFT, _fit(association_name, fonts.body, 11, WIDTH), 11)
    w.y -= 7 * mm
    if circular is not None:
        w.para(f"回覧：{circular.title}", 12, head=True)
        if circular.due_on:
            w.para(f"期限：{wareki(circular.due_on)}", 12)
    ending = "最後の世帯から班長に戻してください。" if closed else "最後の世帯で止めてください。"
    w.para(f"読み終えたら「確認」に印をつけ、受け取った日を書いて、次の世帯に回してください。{ending}", 10.5)
    w.y -= 2 * mm
    widths = [width * mm for width, _label in _COLUMNS]
    table_right = LEFT + sum(widths)
    w.y = _sheet_header(c, fonts, w.y)
    top = w.y + 9 * mm
    for row in rows:
        if w.y - ROW_MM * mm < 18 * mm:
            _grid(c, widths, top, w.y)
            c.showPage()
            w.y = _sheet_header(c, fonts, PAGE_H - 20 * mm)
            top = w.y + 9 * mm
        base = w.y - ROW_MM * mm + 3.8 * mm
        x = LEFT
        c.setFont(fonts.body, 11)
        c.drawCentredString(x + widths[0] / 2, base, str(row.number))
        x += widths[0]
        c.drawString(x + 2 * mm, base, _fit(row.name, fonts.body, 11, widths[1] - 4 * mm))
        x += widths[1]
        c.setFont(fonts.body, 9)
        c.drawString(x + 2 * mm, base, _fit(row.address, fonts.body, 9, widths[2] - 4 * mm))
        x += widths[2]
        box = 5 * mm
        c.rect(x + (widths[3] - box) / 2, base - 1 * mm, box, box, stroke=1, fill=0)
        w.y -= ROW_MM * mm
        c.setLineWidth(0.4)
        c.line(LEFT, w.y, table_right, w.y)
    _grid(c, widths, top, w.y)
    if circular is not None:
        body = body_text(circular.body_html)
        w.y -= 12 * mm
        for line in _circular_lines(fonts, circular, body):
            if w.y < 20 * mm:
                c.showPage()
                w.y = PAGE_H - 22 * mm
            size, head, s = line
            w.draw(LEFT, s, size, head=head)
            w.y -= size * 1.6
    c.showPage()
    c.save()
    return buffer.getvalue()


def _grid(c: Canvas, widths: Sequence[float], top: float, bottom: float) -> None:
    c.setLineWidth(0.4)
    x = LEFT
    c.line(x, top, x, bottom)
    for width in widths:
        x += width
        c.line(x, top, x, bottom)


def _circular_lines(fonts: Fonts, circular: CircularText, body: str) -> list[tuple[float, bool, str]]:
    lines: list[tuple[float, bool, str]] = [
        (14, True, line) for line in wrap(circular.title, fonts.head, 14, WIDTH)
    ]
    lines.append((6, False, ""))
    lines.extend((10.5, False, line) for line in wrap(body, fonts.body, 10.5, WIDTH))
    return lines

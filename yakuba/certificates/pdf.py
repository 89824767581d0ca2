"""Renderer of municipal certificates (住民票の写し, 住民票記載事項証明書, 印鑑登録証明書) as A4 PDFs.

Pure ReportLab, no templates: ``render_pdf(doc)`` draws the document described by a
``CertificateDocument`` (already formatted strings; this module knows nothing about the register) and
returns the PDF bytes. The output is deterministic (``invariant=1``): the same document renders to the
same bytes, so a hash of the PDF can be kept with the issue record.

Every page carries:

* a background pattern (地紋) in which the word 「複写」 is hidden: coarse, larger dots inside the
  letters (they survive a photocopier) and fine dots around them (which copiers drop), with the same
  average tone, so the word is hardly visible on the original and shows on a copy;
* the title, a bordered table in the 世帯連記式 (up to 4 persons a page), 個人票 (one person a page) or
  印鑑登録証明書 layout; every optional item the clerk chose not to print shows 「省略」;
* the footer: 認証文, date, 「市長名」 with the electronic seal (公印) printed black over the end of the
  name, the 発行番号 with the page (``… 1/2``) and a QR code of the verification URL.

Speed: the fonts are registered once per process; the pattern, the processed seal and the processed
印影 are PDF operator strings cached per process and emitted once per document as Form XObjects.

Fonts: IPAex Mincho (body) and IPAex Gothic (headings, labels) from Debian's ``fonts-ipaexfont-mincho``
and ``fonts-ipaexfont-gothic``. ``YAKUBA_PDF_FONT`` overrides the body font file (any TrueType font
with Japanese glyphs), ``YAKUBA_PDF_HEADING_FONT`` the heading font (else IPAex Gothic, else the body
font).
"""

import binascii
import hashlib
import io
import random
import threading
import zlib
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import segno
from PIL import Image, ImageDraw, ImageFont
from reportlab import rl_config
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfbase.pdfdoc import (
    PDFArray,
    PDFDictionary,
    PDFName,
    PDFObjectReference,
    PDFResourceDictionary,
    PDFStream,
)
from reportlab.pdfgen.canvas import Canvas

from yakuba.core.pdffonts import Fonts, japanese_fonts

__all__ = ["CertificateDocument", "PersonEntry", "page_count", "render_pdf"]


@dataclass(frozen=True)
class PersonEntry:
    name: str
    name_kana: str
    birth: str  # already formatted (和暦 for Japanese, 西暦 for foreign residents)
    sex: str  # "男" / "女"
    relationship: str = ""  # 続柄; empty = omitted (printed as 「省略」 where the layout has the column)
    honseki: str = ""  # 本籍; empty = omitted
    hittousha: str = ""  # 筆頭者
    juminhyo_code: str = ""  # empty = omitted
    mynumber: str = ""  # 個人番号; empty = omitted
    became_resident_on: str = ""  # 住民となった日 (formatted)
    address_set_on: str = ""  # 住定日
    notified_on: str = ""  # 届出日
    previous_address: str = ""  # 従前の住所 / 転入前住所
    former_surname: str = ""  # 旧氏
    nationality: str = ""  # foreign residents: 国籍・地域
    alphabet_name: str = ""
    tsusho: str = ""
    residence_status: str = ""  # 在留資格
    residence_period: str = ""
    residence_expires_on: str = ""
    art30_45: str = ""  # 30条の45区分 label
    status_note: str = ""  # e.g. 「令和8年4月1日 転出予定」 if any

    @property
    def is_foreign(self) -> bool:
        return bool(self.nationality or self.residence_status or self.art30_45)


@dataclass(frozen=True)
class CertificateDocument:
    kind: str  # "juminhyo" | "kisai_jiko" | "inkan"
    title: str  # e.g. 「住民票の写し」
    layout: str  # "individual" (個人票: one person per page) | "household" (世帯連記式: up to 4 per page)
    municipality_name: str  # 一ノ森市
    mayor_title: str  # 市長
    mayor_name: str
    address: str
    katagaki: str
    head_name: str  # 世帯主氏名; empty = omitted
    persons: tuple[PersonEntry, ...]
    certification_text: str  # 認証文, e.g. 「この写しは、住民票の原本と相違ないことを証明する。」
    issued_on: str  # 和暦 date, e.g. 令和8年11月26日
    issue_number: str  # 発行番号 without the page part, e.g. "20261126-01-K003-000123"
    qr_text: str  # text to encode in the QR code (a verification URL)
    verification_code: str  # printed under the QR in human-readable form
    seal_png: bytes | None = None  # the city's electronic seal (公印), any size; printed black, 24 mm square
    impression_png: bytes | None = None  # 印鑑登録証明書: the registered seal impression
    impression_mm: float = 0.0  # its real width in mm (printed at real size)
    inkan_card_number: str = ""  # 印鑑登録証番号 (for kind "inkan")
    remarks: tuple[str, ...] = ()  # 備考 lines


KINDS = ("juminhyo", "kisai_jiko", "inkan")
LAYOUTS = ("individual", "household")
OMITTED = "省略"
IDEOGRAPHIC_SPACE = "\u3000"
DEFAULT_CERTIFICATION = {
    "juminhyo": "この写しは、住民票の原本と相違ないことを証明する。",
    "kisai_jiko": "上記の事項は、住民票に記載されている事項と相違ないことを証明する。",
    "inkan": "この写しは、登録されている印影と相違ないことを証明する。",
}

# ---------------------------------------------------------------------------------------------------
# Fonts


def _fonts() -> Fonts:
    return japanese_fonts()


def _width(text: str, font: str, size: float) -> float:
    return float(pdfmetrics.stringWidth(text, font, size))


def _wrap(text: str, font: str, size: float, max_width: float) -> list[str]:
    """Wraps Japanese text character by character (and on newlines)."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for char in paragraph:
            if line and _width(line + char, font, size) > max_width:
                lines.append(line)
                line = char.lstrip() if char == " " else char
            else:
                line += char
        lines.append(line)
    return lines


# ---------------------------------------------------------------------------------------------------
# Geometry (points; origin at the bottom left of an A4 page)

PAGE_W, PAGE_H = A4
MARGIN = 15 * mm
LEFT, RIGHT = MARGIN, PAGE_W - MARGIN
CONTENT_W = RIGHT - LEFT
TITLE_BASELINE = 275 * mm
TABLE_TOP = 268 * mm
FOOTER_TOP = 76 * mm  # the table and remarks stay above this line
REMARKS_GAP = 2 * mm

CERT_TEXT_Y = 71 * mm
CERT_TEXT_X = 20 * mm
CERT_TEXT_SIZE = 10.5
MAYOR_BASELINE = 49 * mm
MAYOR_NAME_END = 138 * mm
MAYOR_SIZE = 14.0
SEAL_MM = 24.0
QR_SYMBOL_MM = 22.0
QR_RIGHT = RIGHT
QR_BOTTOM = 36 * mm
ISSUE_Y = 18 * mm

HOUSEHOLD_PER_PAGE = 4
HOUSEHOLD_HEADER_H = (9 + 6) * mm
HOUSEHOLD_BLOCK_H = (12 + 5 * 6) * mm
REMARK_LINE_H = 4.4 * mm
REMARK_SIZE = 8.5
REMARK_TEXT_W = CONTENT_W - 22 * mm - 3 * mm

INK = "0 g 0 G"


def _f(value: float) -> str:
    """A number for a PDF operator (deterministic, short)."""
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return "0" if text in {"", "-0"} else text


# ---------------------------------------------------------------------------------------------------
# 地紋: fine dots everywhere, coarse dots of the same average tone inside the letters of 「複写」

DOT_GRAY = 0.62
FINE_PITCH, FINE_DOT = 1.0, 0.5  # 0.18 mm dots, coverage 25 %
COARSE_PITCH, COARSE_DOT = 2.4, 1.2  # 0.42 mm dots, coverage 25 %: the same tone
FINE_TILE_CELLS, COARSE_TILE_CELLS = 36, 4  # dots per side of a pattern tile (coarse: even, rows staggered)
WORD = "複写"
WORD_CHAR = 112.0  # points per character of the hidden word
WORD_CENTRES = (
    (150.0, 700.0),
    (445.0, 640.0),
    (150.0, 440.0),
    (445.0, 380.0),
    (150.0, 180.0),
    (445.0, 120.0),
)


@lru_cache(maxsize=4)
def _dot_tile(pitch: float, dot: float, cells: int, jitter: bool) -> str:
    """The content of a tiling-pattern cell: ``cells`` x ``cells`` square dots, one in each cell of
    the grid. Fine dots are placed at random in their cell (a fixed seed: the same every time), as a
    regular fine grid beats with the pixels of a screen into visible stripes (moiré); coarse dots are
    staggered. Dots are filled squares, not dashed strokes: viewers widen strokes thinner than a
    pixel, which would darken the fine background and give the hidden word away on screen."""
    rng = random.Random(f"yakuba-chimon-{pitch}-{dot}-{cells}")
    ops = [f"{_f(DOT_GRAY)} g"]
    for r in range(cells):
        for c in range(cells):
            if jitter:
                dx, dy = rng.uniform(0, pitch - dot), rng.uniform(0, pitch - dot)
            else:
                dx, dy = (pitch / 2 if r % 2 else 0.0), 0.0
            ops.append(f"{_f(c * pitch + dx)} {_f(r * pitch + dy)} {_f(dot)} {_f(dot)} re")
    ops.append("f")
    return "\n".join(ops)


@lru_cache(maxsize=4)
def _word_clip(font_path: str) -> tuple[str, float, float]:
    """The letters of the hidden word as a clipping path of whole cells of the coarse grid:
    ``(operators, width, height)`` in points."""
    cell_px = 4  # supersampling per cell
    font = ImageFont.truetype(font_path, round(WORD_CHAR / COARSE_PITCH * cell_px))
    left, top, right, bottom = (round(v) for v in font.getbbox(WORD))
    image = Image.new("L", (right - left + 2 * cell_px, bottom - top + 2 * cell_px), 0)
    ImageDraw.Draw(image).text((cell_px - left, cell_px - top), WORD, font=font, fill=255)
    cols, rows = image.width // cell_px, image.height // cell_px
    cells = image.crop((0, 0, cols * cell_px, rows * cell_px)).resize((cols, rows), Image.Resampling.BOX)
    ink = np.asarray(cells) >= 100
    clip: list[str] = []
    for r in range(rows):
        y = (rows - 1 - r) * COARSE_PITCH
        row = ink[r]
        c = 0
        while c < cols:
            if row[c]:
                start = c
                while c < cols and row[c]:
                    c += 1
                clip.append(
                    f"{_f(start * COARSE_PITCH)} {_f(y)} {_f((c - start) * COARSE_PITCH)} {_f(COARSE_PITCH)} re"
                )
            else:
                c += 1
    return "\n".join(clip), cols * COARSE_PITCH, rows * COARSE_PITCH


@lru_cache(maxsize=8)
def _compressed(text: str) -> bytes:
    return zlib.compress(text.encode("ascii"), 9)


def _pattern(
    canvas: Canvas, name: str, pitch: float, dot: float, cells: int, jitter: bool
) -> PDFObjectReference:
    step = pitch * cells
    stream = PDFStream(
        PDFDictionary(
            {
                "Type": PDFName("Pattern"),
                "PatternType": 1,
                "PaintType": 1,
                "TilingType": 1,
                "BBox": PDFArray([0, 0, step, step]),
                "XStep": step,
                "YStep": step,
                "Resources": PDFDictionary({}),
                "Filter": PDFName("FlateDecode"),  # compressed once per process
            }
        ),
        _compressed(_dot_tile(pitch, dot, cells, jitter)),
    )
    canvas._doc.Reference(stream, name)
    return PDFObjectReference(name)


# ---------------------------------------------------------------------------------------------------
# Images printed black: the seal (公印) and the registered impression (印影), as 1-bit image masks

_mask_lock = threading.Lock()
_mask_cache: OrderedDict[tuple[bytes, int], tuple[str, int, int]] = OrderedDict()
_MASK_CACHE_SIZE = 32


def _ink_mask(png: bytes, max_px: int) -> tuple[str, int, int]:
    """An inline /ImageMask of the ink of ``png`` (any colour on white or transparent), at most
    ``max_px`` pixels on its longer side, drawn in the unit square: ``(operators, width_px, height_px)``.
    Cached by the hash of the bytes."""
    key = (hashlib.sha256(png).digest(), max_px)
    with _mask_lock:
        cached = _mask_cache.get(key)
        if cached is not None:
            _mask_cache.move_to_end(key)
            return cached
    try:
        with Image.open(io.BytesIO(png)) as source:
            image = source.convert("RGBA")
    except Exception as exc:
        raise ValueError(f"not a readable image: {exc}") from exc
    factor = min(1.0, max_px / max(image.size))
    if factor < 1.0:
        image = image.resize(
            (max(1, round(image.width * factor)), max(1, round(image.height * factor))),
            Image.Resampling.LANCZOS,
        )
    rgba = np.asarray(image).astype(np.float32) / 255.0
    # ink = opacity x distance from white of the lightest channel: red, black, blue ink all count
    ink = rgba[..., 3] * (1.0 - rgba[..., :3].min(axis=2))
    paint = ink >= 0.4
    h, w = paint.shape
    bits = np.packbits(~paint, axis=1)  # image masks paint where the sample is 0
    data = binascii.hexlify(zlib.compress(bits.tobytes(), 9)).decode("ascii").upper()
    ops = f"BI /W {w} /H {h} /IM true /BPC 1 /F [/AHx /Fl] ID\n{data}>\nEI"
    result = (ops, w, h)
    with _mask_lock:
        _mask_cache[key] = result
        while len(_mask_cache) > _MASK_CACHE_SIZE:
            _mask_cache.popitem(last=False)
    return result


@lru_cache(maxsize=16)
def _qr_ops(text: str) -> tuple[str, float]:
    """The QR code as black rectangles on a white quiet zone, in a square of side ``size`` points
    whose symbol is QR_SYMBOL_MM wide. Returns (operators, size)."""
    # A fixed mask: choosing the "best" one costs ~12 ms a code, and every mask decodes the same.
    qr = segno.make(text, error="m", micro=False, mask=2)
    matrix = qr.matrix
    n = len(matrix)
    module = QR_SYMBOL_MM * mm / n
    quiet = 4 * module
    size = n * module + 2 * quiet
    ops = [f"q 1 g 0 0 {_f(size)} {_f(size)} re f 0 g"]
    # Draw in module units (a scaling `cm`), so each run of dark modules is four small integers.
    ops.append(f"q {_f(module)} 0 0 {_f(module)} {_f(quiet)} {_f(quiet)} cm")
    for r, row in enumerate(matrix):
        y = n - 1 - r
        c = 0
        while c < n:
            if row[c]:
                start = c
                while c < n and row[c]:
                    c += 1
                ops.append(f"{start} {y} {c - start} 1 re")
            else:
                c += 1
    ops.append("f Q Q")
    return "\n".join(ops), size


# ---------------------------------------------------------------------------------------------------
# Pagination (shared by render_pdf and page_count)


def _check(doc: CertificateDocument) -> None:
    if doc.kind not in KINDS:
        raise ValueError(f"unknown certificate kind {doc.kind!r} (expected one of {', '.join(KINDS)})")
    if doc.kind != "inkan" and doc.layout not in LAYOUTS:
        raise ValueError(f"unknown layout {doc.layout!r} (expected one of {', '.join(LAYOUTS)})")


def _remark_lines(doc: CertificateDocument, fonts: Fonts) -> list[str]:
    lines: list[str] = []
    for remark in doc.remarks:
        lines.extend(_wrap(remark, fonts.body, REMARK_SIZE, REMARK_TEXT_W))
    return lines


def _remarks_height(lines: Sequence[str]) -> float:
    return len(lines) * REMARK_LINE_H + 1.6 * mm if lines else 0.0


def _table_bottom(doc: CertificateDocument, persons: Sequence[PersonEntry]) -> float:
    """Where the table of a page with ``persons`` ends (the top of the 備考 box)."""
    if doc.kind == "inkan" or doc.layout == "individual":
        if not persons:
            return TABLE_TOP
        rows = _inkan_rows(doc, persons[0]) if doc.kind == "inkan" else _individual_rows(doc, persons[0])
        return TABLE_TOP - sum(height for height, _cells in rows) * mm
    return TABLE_TOP - HOUSEHOLD_HEADER_H - len(persons) * HOUSEHOLD_BLOCK_H


def _remark_room(top: float) -> int:
    """How many lines of 備考 fit below ``top``."""
    return max(0, int((top - REMARKS_GAP - 1.6 * mm - FOOTER_TOP) / REMARK_LINE_H))


def _pages(doc: CertificateDocument, fonts: Fonts) -> list[tuple[PersonEntry, ...]]:
    """The persons on each page; the 備考 go below the table of the last page, on a page of their own
    (with the header and the footer) when they do not fit there."""
    _check(doc)
    persons = doc.persons
    per_page = 1 if doc.kind == "inkan" or doc.layout == "individual" else HOUSEHOLD_PER_PAGE
    pages: list[tuple[PersonEntry, ...]] = [
        persons[i : i + per_page] for i in range(0, len(persons), per_page)
    ]
    if not pages:
        pages.append(())
    remarks = _remark_lines(doc, fonts)
    if remarks and pages[-1] and len(remarks) > _remark_room(_table_bottom(doc, pages[-1])):
        pages.append(())
    return pages


def page_count(doc: CertificateDocument) -> int:
    """Number of pages ``render_pdf(doc)`` produces."""
    return len(_pages(doc, _fonts()))


# ---------------------------------------------------------------------------------------------------
# Drawing

Value = str | Callable[["_Painter", float, float, float, float], None]  # text, or drawn in (x, y, w, h)


@dataclass(frozen=True)
class _Cell:
    label: str
    label_w: float  # mm
    value: Value
    value_w: float  # mm
    size: float = 9.0


class _Painter:
    def __init__(self, canvas: Canvas, fonts: Fonts) -> None:
        self.c = canvas
        self.fonts = fonts

    def text(
        self,
        x: float,
        y: float,
        text: str,
        *,
        size: float,
        font: str | None = None,
        max_w: float | None = None,
        align: str = "left",
        min_size: float = 6.5,
        char_space: float = 0.0,
    ) -> float:
        """Draws one line; shrinks it (then condenses it, 長体) to fit ``max_w``. Returns its width."""
        if not text:
            return 0.0
        font = font or self.fonts.body
        # An ideographic space (「森川　健一」) is drawn as an ASCII space widened by word spacing to 3/4
        # em: text extractors (pdftotext) split a line at a gap of a whole em into separate blocks.
        word_space = 0.0
        if IDEOGRAPHIC_SPACE in text and " " not in text:
            text = text.replace(IDEOGRAPHIC_SPACE, " ")
            word_space = max(0.0, 0.75 - _width(" ", font, 1.0))  # in em
        width = (
            _width(text, font, size)
            + word_space * size * text.count(" ")
            + char_space * max(0, len(text) - 1)
        )
        scale = 1.0
        if max_w is not None and width > max_w:
            smaller = max(min_size, size * max_w / width)
            width = width * smaller / size
            size = smaller
            if width > max_w:
                scale = max_w / width
                width = max_w
        if align == "center":
            x -= width / 2
        elif align == "right":
            x -= width
        t = self.c.beginText(x, y)
        t.setFont(font, size)
        if char_space:
            t.setCharSpace(char_space)
        if word_space:
            t.setWordSpace(word_space * size)
        if scale != 1.0:
            t.setHorizScale(scale * 100)
        t.textOut(text)
        # Tc, Tw and Tz belong to the graphics state: they would carry over to the next text
        if char_space:
            t.setCharSpace(0)
        if word_space:
            t.setWordSpace(0)
        if scale != 1.0:
            t.setHorizScale(100)
        self.c.drawText(t)
        return width

    def label(self, x: float, y: float, w: float, h: float, text: str) -> None:
        size = 7.5
        self.text(
            x + w / 2,
            y + h / 2 - 0.36 * size,
            text,
            size=size,
            font=self.fonts.head,
            max_w=w - 1.6 * mm,
            align="center",
            min_size=6.0,
        )

    def value(self, x: float, y: float, w: float, h: float, text: str, size: float = 9.0) -> None:
        self.text(x + 1.6 * mm, y + h / 2 - 0.36 * size, text, size=size, max_w=w - 3.2 * mm)

    def rows(self, x: float, top: float, rows: Sequence[tuple[float, Sequence[_Cell]]]) -> float:
        """Draws rows of label/value cells from ``top`` down; returns the bottom. Row heights in mm."""
        c = self.c
        y = top
        c.setLineWidth(0.4)
        for height_mm, cells in rows:
            h = height_mm * mm
            y -= h
            cx = x
            for i, cell in enumerate(cells):
                lw, vw = cell.label_w * mm, cell.value_w * mm
                if i:
                    c.line(cx, y, cx, y + h)
                self.label(cx, y, lw, h, cell.label)
                c.line(cx + lw, y, cx + lw, y + h)
                if callable(cell.value):
                    cell.value(self, cx + lw, y, vw, h)
                else:
                    self.value(cx + lw, y, vw, h, cell.value, cell.size)
                cx += lw + vw
            c.line(x, y, x + CONTENT_W, y)
        return y

    def frame(self, top: float, bottom: float, width: float = 0.9) -> None:
        self.c.setLineWidth(width)
        self.c.rect(LEFT, bottom, CONTENT_W, top - bottom, stroke=1, fill=0)


def _omit(value: str) -> str:
    return value or OMITTED


def _name_value(person: PersonEntry, size: float, kana_size: float) -> Value:
    def draw(p: _Painter, x: float, y: float, w: float, h: float) -> None:
        pad = 1.6 * mm
        kana_y = y + h - 1.2 * mm - kana_size
        p.text(x + pad, kana_y, person.name_kana, size=kana_size, max_w=w * 0.6 - pad)
        if person.alphabet_name and person.alphabet_name != person.name:
            p.text(
                x + w - pad, kana_y, person.alphabet_name, size=kana_size, max_w=w * 0.4 - pad, align="right"
            )
        p.text(x + pad, y + 1.6 * mm + 0.12 * size, person.name, size=size, max_w=w - 2 * pad)

    return draw


def _address_value(address: str, katagaki: str, size: float) -> Value:
    def draw(p: _Painter, x: float, y: float, w: float, h: float) -> None:
        pad = 1.6 * mm
        if katagaki:
            p.text(x + pad, y + h / 2 + 0.6 * mm, address, size=size, max_w=w - 2 * pad)
            p.text(x + pad, y + 1.5 * mm, katagaki, size=size - 1, max_w=w - 2 * pad)
        else:
            p.text(x + pad, y + h / 2 - 0.36 * size, address, size=size, max_w=w - 2 * pad)

    return draw


def _household_block(person: PersonEntry) -> list[tuple[float, list[_Cell]]]:
    rows: list[tuple[float, list[_Cell]]] = [
        (
            12,
            [
                _Cell("氏名", 16, _name_value(person, 12.5, 6.5), 68),
                _Cell("生年月日", 16, person.birth, 34),
                _Cell("性別", 10, person.sex, 8),
                _Cell("続柄", 10, _omit(person.relationship), 18),
            ],
        ),
        (
            6,
            [
                _Cell("住民となった日", 22, person.became_resident_on, 38),
                _Cell("住定日", 18, person.address_set_on, 42),
                _Cell("届出日", 18, person.notified_on, 42),
            ],
        ),
        (6, [_Cell("従前の住所", 22, person.previous_address, 158)]),
    ]
    if person.is_foreign:
        rows += [
            (
                6,
                [
                    _Cell("国籍・地域", 22, person.nationality, 38),
                    _Cell("在留資格", 18, person.residence_status, 42),
                    _Cell("30条の45区分", 18, person.art30_45, 42),
                ],
            ),
            (
                6,
                [
                    _Cell("在留期間", 22, person.residence_period, 38),
                    _Cell("満了日", 18, person.residence_expires_on, 42),
                    _Cell("通称", 18, person.tsusho, 42),
                ],
            ),
            (
                6,
                [
                    _Cell("住民票コード", 22, _omit(person.juminhyo_code), 38),
                    _Cell("個人番号", 18, _omit(person.mynumber), 42),
                    _Cell("備考", 18, person.status_note, 42),
                ],
            ),
        ]
    else:
        rows += [
            (
                6,
                [
                    _Cell("本籍", 22, _omit(person.honseki), 98),
                    _Cell("筆頭者", 18, _omit(person.hittousha), 42),
                ],
            ),
            (
                6,
                [
                    _Cell("住民票コード", 22, _omit(person.juminhyo_code), 38),
                    _Cell("個人番号", 18, _omit(person.mynumber), 42),
                    _Cell("旧氏", 18, person.former_surname, 42),
                ],
            ),
            (6, [_Cell("備考", 22, person.status_note, 158)]),
        ]
    return rows


def _individual_rows(doc: CertificateDocument, person: PersonEntry) -> list[tuple[float, list[_Cell]]]:
    rows: list[tuple[float, list[_Cell]]] = [
        (15, [_Cell("氏名", 30, _name_value(person, 15, 7.5), 150)]),
        (8, [_Cell("生年月日", 30, person.birth, 75, 10), _Cell("性別", 25, person.sex, 50, 10)]),
        (12, [_Cell("住所", 30, _address_value(doc.address, doc.katagaki, 10.5), 150)]),
        (
            8,
            [
                _Cell("世帯主", 30, _omit(doc.head_name), 75, 10),
                _Cell("続柄", 25, _omit(person.relationship), 50, 10),
            ],
        ),
        (8, [_Cell("住民となった日", 30, person.became_resident_on, 150, 10)]),
        (
            8,
            [
                _Cell("住定日", 30, person.address_set_on, 75, 10),
                _Cell("届出日", 25, person.notified_on, 50, 10),
            ],
        ),
        (8, [_Cell("従前の住所", 30, person.previous_address, 150, 10)]),
    ]
    if person.is_foreign:
        rows += [
            (
                8,
                [
                    _Cell("国籍・地域", 30, person.nationality, 75, 10),
                    _Cell("30条の45区分", 25, person.art30_45, 50, 10),
                ],
            ),
            (
                8,
                [
                    _Cell("在留資格", 30, person.residence_status, 75, 10),
                    _Cell("在留期間", 25, person.residence_period, 50, 10),
                ],
            ),
            (
                8,
                [
                    _Cell("在留期間等の満了の日", 30, person.residence_expires_on, 75, 10),
                    _Cell("通称", 25, person.tsusho, 50, 10),
                ],
            ),
        ]
    else:
        rows += [
            (8, [_Cell("本籍", 30, _omit(person.honseki), 150, 10)]),
            (
                8,
                [
                    _Cell("筆頭者", 30, _omit(person.hittousha), 75, 10),
                    _Cell("旧氏", 25, person.former_surname, 50, 10),
                ],
            ),
        ]
    rows += [
        (8, [_Cell("住民票コード", 30, _omit(person.juminhyo_code), 150, 10)]),
        (8, [_Cell("個人番号", 30, _omit(person.mynumber), 150, 10)]),
        (8, [_Cell("備考", 30, person.status_note, 150, 10)]),
    ]
    return rows


def _impression_box(doc: CertificateDocument) -> Value:
    def draw(p: _Painter, x: float, y: float, w: float, h: float) -> None:
        if not doc.impression_png:
            p.text(x + w / 2, y + h / 2 - 3, "（印影なし）", size=9, align="center")
            return
        real_w = (doc.impression_mm or 15.0) * mm
        ops, px_w, px_h = _ink_mask(doc.impression_png, max(64, round(real_w / mm / 25.4 * 600)))
        real_h = real_w * px_h / px_w
        x0, y0 = x + (w - real_w) / 2, y + (h - real_h) / 2
        p.c.addLiteral(f"q {INK} {_f(real_w)} 0 0 {_f(real_h)} {_f(x0)} {_f(y0)} cm\n{ops}\nQ")

    return draw


def _inkan_rows(doc: CertificateDocument, person: PersonEntry) -> list[tuple[float, list[_Cell]]]:
    # the impression box, then the registered person's particulars
    box = max(50.0, (doc.impression_mm or 0) * 1.25 + 10)
    rows: list[tuple[float, list[_Cell]]] = [
        (box, [_Cell("印影", 22, _impression_box(doc), 158)]),
        (15, [_Cell("氏名", 22, _name_value(person, 15, 7.5), 158)]),
        (9, [_Cell("生年月日", 22, person.birth, 88, 10.5), _Cell("性別", 22, person.sex, 48, 10.5)]),
        (13, [_Cell("住所", 22, _address_value(doc.address, doc.katagaki, 10.5), 158)]),
    ]
    if person.is_foreign and (person.tsusho or person.nationality):
        rows.append(
            (
                9,
                [
                    _Cell("通称", 22, person.tsusho, 88, 10.5),
                    _Cell("国籍・地域", 22, person.nationality, 48, 10.5),
                ],
            )
        )
    rows.append((9, [_Cell("印鑑登録証番号", 22, doc.inkan_card_number, 158, 10.5)]))
    return rows


def _seal_rect(doc: CertificateDocument) -> tuple[float, float, float, float]:
    """Where the seal is drawn: (x, y, width, height) in mm from the bottom left of the page."""
    x = MAYOR_NAME_END - 6 * mm  # overlaps the end of the name
    y = MAYOR_BASELINE + 0.36 * MAYOR_SIZE - SEAL_MM * mm / 2
    return x / mm, y / mm, SEAL_MM, SEAL_MM


def _qr_rect(doc: CertificateDocument) -> tuple[float, float, float, float]:
    """Where the QR code (with its quiet zone) is drawn, in mm as for ``_seal_rect``."""
    _ops, size = _qr_ops(doc.qr_text)
    return (QR_RIGHT - size) / mm, QR_BOTTOM / mm, size / mm, size / mm


def _mayor_line(doc: CertificateDocument) -> str:
    """「一ノ森市長　高橋　誠一郎」: the 市 of 「一ノ森市」 and of 「市長」 is written once."""
    city, title = doc.municipality_name, doc.mayor_title
    if city and title[:1] in {"市", "町", "村", "区"} and city.endswith(title[:1]):
        title = title[1:]
    return f"{city}{title}　{doc.mayor_name}"


class _Renderer:
    def __init__(self, doc: CertificateDocument, fonts: Fonts) -> None:
        self.doc = doc
        self.fonts = fonts
        self.buffer = io.BytesIO()
        self.c = Canvas(self.buffer, pagesize=A4, invariant=1, pageCompression=1)
        self.p = _Painter(self.c, fonts)
        c = self.c
        c.setTitle(doc.title)
        c.setAuthor(f"{doc.municipality_name}{doc.mayor_title}")
        c.setSubject(f"{doc.title} {doc.issue_number}")
        c.setCreator("Yakuba")
        c.setProducer("Yakuba (ReportLab)")
        self.word_w, self.word_h = self._define_forms()

    def _define_forms(self) -> tuple[float, float]:
        c, doc = self.c, self.doc
        # 地紋: the page filled with the fine pattern, then each word: clipped to its letters, erased
        # and filled with the coarse pattern
        fine = _pattern(c, "YakubaChimonFine", FINE_PITCH, FINE_DOT, FINE_TILE_CELLS, jitter=True)
        coarse = _pattern(c, "YakubaChimonCoarse", COARSE_PITCH, COARSE_DOT, COARSE_TILE_CELLS, jitter=False)
        c.beginForm("chimon", 0, 0, PAGE_W, PAGE_H)
        c.addLiteral(f"/Pattern cs /Pf scn 0 0 {_f(PAGE_W)} {_f(PAGE_H)} re f")
        c.endForm(Resources=PDFResourceDictionary(Pattern={"Pf": fine}))
        clip, word_w, word_h = _word_clip(self.fonts.head_path)
        box = f"0 0 {_f(word_w)} {_f(word_h)} re"
        c.beginForm("chimon-word", 0, 0, word_w, word_h)
        c.addLiteral(f"{clip}\nW n 1 g {box} f /Pattern cs /Pc scn {box} f")
        c.endForm(Resources=PDFResourceDictionary(Pattern={"Pc": coarse}))
        self.qr_size = 26 * mm  # room kept for the QR code even without one (a draft)
        if doc.qr_text:
            qr_ops, self.qr_size = _qr_ops(doc.qr_text)
            c.beginForm("qr", 0, 0, self.qr_size, self.qr_size)
            c.addLiteral(qr_ops)
            c.endForm()
        if doc.seal_png:
            ops, _w, _h = _ink_mask(doc.seal_png, max_px=round(SEAL_MM / 25.4 * 400))
            c.beginForm("seal", 0, 0, 1, 1)
            c.addLiteral(f"{INK}\n{ops}")
            c.endForm()
        return word_w, word_h

    def render(self) -> bytes:
        doc = self.doc
        pages = _pages(doc, self.fonts)
        remarks = _remark_lines(doc, self.fonts)
        for number, persons in enumerate(pages, 1):
            last = number == len(pages)
            self._background()
            self._title()
            if doc.kind == "inkan":
                bottom = self._inkan(persons)
            elif doc.layout == "individual":
                bottom = self._individual(persons)
            else:
                bottom = self._household(persons)
            if last:
                bottom = self._remarks(remarks[: _remark_room(bottom)], bottom)
                if bottom - 6 * mm >= FOOTER_TOP:
                    self.p.text(RIGHT - 2 * mm, bottom - 5 * mm, "以下余白", size=9, align="right")
            self._footer(number, len(pages))
            self.c.showPage()
        self.c.save()
        return self.buffer.getvalue()

    def _background(self) -> None:
        c = self.c
        c.doForm("chimon")
        for cx, cy in WORD_CENTRES:
            c.saveState()
            c.translate(cx - self.word_w / 2, cy - self.word_h / 2)
            c.doForm("chimon-word")
            c.restoreState()

    def _title(self) -> None:
        title = self.doc.title
        size = 20.0
        space = 5.0 if len(title) <= 8 else 2.5  # wider gaps make pdftotext split the title
        self.p.text(
            PAGE_W / 2,
            TITLE_BASELINE,
            title,
            size=size,
            font=self.fonts.head,
            align="center",
            char_space=space,
            max_w=CONTENT_W,
        )

    def _household(self, persons: Sequence[PersonEntry]) -> float:
        doc, p = self.doc, self.p
        top = TABLE_TOP
        bottom = p.rows(
            LEFT,
            top,
            [
                (9, [_Cell("住所", 22, _address_value(doc.address, doc.katagaki, 10.5), 158)]),
                (6, [_Cell("世帯主", 22, _omit(doc.head_name), 158, 10)]),
            ],
        )
        for person in persons:
            self.c.setLineWidth(0.9)
            self.c.line(LEFT, bottom, RIGHT, bottom)
            bottom = p.rows(LEFT, bottom, _household_block(person))
        p.frame(top, bottom)
        return bottom

    def _individual(self, persons: Sequence[PersonEntry]) -> float:
        top = TABLE_TOP
        if not persons:
            return top
        bottom = self.p.rows(LEFT, top, _individual_rows(self.doc, persons[0]))
        self.p.frame(top, bottom)
        return bottom

    def _inkan(self, persons: Sequence[PersonEntry]) -> float:
        top = TABLE_TOP
        if not persons:
            return top
        bottom = self.p.rows(LEFT, top, _inkan_rows(self.doc, persons[0]))
        self.p.frame(top, bottom)
        return bottom

    def _remarks(self, lines: Sequence[str], top: float) -> float:
        if not lines:
            return top
        top -= REMARKS_GAP
        height = _remarks_height(lines)
        bottom = top - height
        p, c = self.p, self.c
        c.setLineWidth(0.4)
        c.line(LEFT + 22 * mm, bottom, LEFT + 22 * mm, top)
        p.label(LEFT, bottom, 22 * mm, height, "備考")
        y = top - (height - len(lines) * REMARK_LINE_H) / 2 - REMARK_LINE_H + 1.2 * mm
        for line in lines:
            p.text(LEFT + 25 * mm, y, line, size=REMARK_SIZE, max_w=REMARK_TEXT_W)
            y -= REMARK_LINE_H
        p.frame(top, bottom, 0.9)
        return bottom

    def _footer(self, number: int, pages: int) -> None:
        doc, p, c = self.doc, self.p, self.c
        text = doc.certification_text or DEFAULT_CERTIFICATION[doc.kind]
        text_w = QR_RIGHT - self.qr_size - 6 * mm - CERT_TEXT_X
        y = CERT_TEXT_Y
        for line in _wrap(text, self.fonts.body, CERT_TEXT_SIZE, text_w)[:3]:
            p.text(CERT_TEXT_X, y, line, size=CERT_TEXT_SIZE, max_w=text_w)
            y -= 5.5 * mm
        p.text(CERT_TEXT_X + 5 * mm, min(y - 1.5 * mm, 62 * mm), doc.issued_on, size=CERT_TEXT_SIZE)

        seal_x, seal_y, seal_w, seal_h = _seal_rect(doc)
        name_end = MAYOR_NAME_END
        p.text(
            name_end, MAYOR_BASELINE, _mayor_line(doc), size=MAYOR_SIZE, align="right", max_w=name_end - LEFT
        )
        if doc.seal_png:
            c.saveState()
            c.translate(seal_x * mm, seal_y * mm)
            c.scale(seal_w * mm, seal_h * mm)
            c.doForm("seal")
            c.restoreState()

        qx = QR_RIGHT - self.qr_size
        if doc.qr_text:
            c.saveState()
            c.translate(qx, QR_BOTTOM)
            c.doForm("qr")
            c.restoreState()
        centre = qx + self.qr_size / 2
        p.text(
            centre,
            QR_BOTTOM - 3.2 * mm,
            doc.verification_code,
            size=7.5,
            font=self.fonts.head,
            align="center",
        )
        p.text(
            RIGHT,
            QR_BOTTOM - 8.5 * mm,
            f"この証明書は {doc.municipality_name} の確認ページで真正性を確認できます",
            size=7,
            align="right",
            max_w=CONTENT_W,
        )
        p.text(LEFT, ISSUE_Y, "発行番号", size=8, font=self.fonts.head)
        p.text(
            LEFT + 13 * mm,
            ISSUE_Y,
            f"{doc.issue_number}  {number}/{pages}",
            size=8.5,
            max_w=CONTENT_W - 13 * mm,
        )


_render_lock = threading.Lock()


class _FastZlib:
    @staticmethod
    def compress(data: bytes) -> bytes:
        return zlib.compress(data, 1)


def render_pdf(doc: CertificateDocument) -> bytes:
    """The certificate as PDF bytes (A4, fonts embedded, deterministic)."""
    fonts = _fonts()
    _check(doc)
    # ReportLab wraps every stream in ASCII85 (in pure Python here) unless rl_config.useA85 is off; the
    # flag is global, so renders are serialised while it is switched off (they hold the GIL anyway).
    with _render_lock:
        previous = rl_config.useA85
        rl_config.useA85 = 0
        # Fast deflate: the streams are small and the font subset is most of the bytes; level 1 costs
        # a third of the default's time for a few percent more size.
        pdfdoc.zlib = _FastZlib
        try:
            return _Renderer(doc, fonts).render()
        finally:
            rl_config.useA85 = previous
            pdfdoc.zlib = zlib

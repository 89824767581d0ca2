"""Bring the city's website into the assistant: fetch pages, extract clean text, store passages.

A ``Source`` is a sitemap, a list of URLs, or a folder of HTML/Markdown/text/PDF files (offline
installs). ``sync_source`` lists its pages, fetches each one (a conditional GET with the stored
ETag/Last-Modified; for files the modification time and size), and when the content changed extracts
it (``extract``), cuts it into passages (``chunk``) and replaces the page's ``Passage`` rows in one
transaction. Pages that are no longer listed are deleted; a page that fails keeps its previous
passages (one failed fetch never loses data), and nothing is deleted when the listing itself could
not be read completely. ``IndexState.bump()`` runs once when anything changed.

Extraction decides the format by content (``%PDF-``, HTML markup, else Markdown/plain text); the
HTTP content type and the file extension are hints only. HTML keeps only the main content and drops
everything a reader does not see (``hidden``, ``aria-hidden``, ``display:none``, comments, scripts,
templates...) as well as the site's header, navigation and footer: hidden text is where prompt
injection hides. The contact block names the page's department and is kept out of the passages.
"""

from __future__ import annotations

import codecs
import datetime as dt
import email.utils
import gzip
import hashlib
import http.client
import io
import logging
import mimetypes
import os
import re
import unicodedata
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, unquote, urljoin, urlsplit

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from yakuba.assistant.models import Department, IndexState, Page, Passage, Source
from yakuba.core.era import InvalidDate, parse_date

logger = logging.getLogger(__name__)

MAX_BYTES = 5 * 1024 * 1024  # one page, one file or one sitemap
MAX_URLS = 20_000  # per source
MAX_PDF_PAGES = 500
MAX_DEPTH = 150  # HTML nesting kept as structure; deeper visible elements are flattened
TIMEOUT = 10.0
USER_AGENT = "Yakuba-assistant/1.0"
FOLDER_SUFFIXES = (".html", ".htm", ".md", ".markdown", ".txt", ".pdf")

# Page and Passage column sizes (models.py)
_URL_MAX = 500
_TITLE_MAX = 300
_HEADING_MAX = 300
_TAG_MAX = 200  # Page.etag
_STAMP_MAX = 100  # Page.last_modified


class IngestError(Exception):
    """A page or a source that cannot be taken in; the message is Japanese and shown to staff."""


# --- extraction: the result ------------------------------------------------------------------------


@dataclass(frozen=True)
class Extracted:
    title: str
    sections: list[tuple[str, str]]  # (heading, text); text is lines joined by "\n"
    department: str | None  # the raw department name found in the page's contact block
    updated_on: dt.date | None
    contact: str = ""  # the whole contact block (to match a Department when the name is inexact)


# --- text helpers ----------------------------------------------------------------------------------

_CJK = "\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff01-\uff60"
_CJK_NEWLINE = re.compile(rf"(?<=[{_CJK}])[ \t\r\f\v]*\n\s*(?=[{_CJK}])")
_SPACES = re.compile(r"\s+")
# zero-width and bidi-control characters: invisible, and a way to smuggle text past a reader
_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
_COMPAT_IDEOGRAPHS = re.compile("[\u2e80-\u2fdf\uf900-\ufaff]")  # ⽇ (Kangxi radical) → 日


def _clean_inline(text: str) -> str:
    """One line of visible text: invisible characters removed, a source line break between two
    Japanese characters removed (as CSS does for East Asian text), other whitespace collapsed."""
    text = _INVISIBLE.sub("", text.replace("\xa0", " "))
    text = _CJK_NEWLINE.sub("", text)
    return _SPACES.sub(" ", text).strip()


def _join_wrapped(parts: Iterable[str]) -> str:
    """Join hard-wrapped lines of one paragraph: no space between Japanese characters."""
    out = ""
    for part in parts:
        part = part.strip()
        if not part:
            continue
        if out and not (re.match(rf"[{_CJK}]", out[-1]) and re.match(rf"[{_CJK}]", part[0])):
            out += " "
        out += part
    return out


def _is_cjk_char(char: str) -> bool:
    return bool(re.match(rf"[{_CJK}]", char))


# --- dates -----------------------------------------------------------------------------------------

_DATE = (
    r"(?:\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日"
    r"|\d{4}[-/.]\d{1,2}[-/.]\d{1,2}"
    r"|(?:令和|平成|昭和)\s*(?:元|\d{1,2})\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)"
)
_UPDATED_TEXT = re.compile(rf"更新(?:日時|日)?[^\n\d]{{0,6}}?({_DATE})|({_DATE})[^\n\d]{{0,4}}?更新")
_UPDATED_LINE = re.compile(rf"^\s*(?:最終)?更新(?:日時|日)?\s*[:：]|^\s*{_DATE}\s*(?:最終)?更新\s*$")
_WESTERN_DATE = re.compile(r"(\d{4})\s*(?:年|[-/.])\s*(\d{1,2})\s*(?:月|[-/.])\s*(\d{1,2})")


def _parse_day(text: str) -> dt.date | None:
    """A date written as ``2026-10-01``, ``2026/10/1``, ``2026年10月1日``, ``令和8年10月1日`` or as an
    HTTP date (``Thu, 01 Oct 2026 00:00:00 GMT``); None when there is none."""
    value = unicodedata.normalize("NFKC", text or "").strip()
    if not value:
        return None
    era = re.search(r"(?:令和|平成|昭和)\s*(?:元|\d{1,2})\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日", value)
    if era:
        try:
            return parse_date(era.group().replace(" ", ""))
        except InvalidDate:
            return None
    match = _WESTERN_DATE.search(value)
    if match:
        try:
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            return None
    try:
        return email.utils.parsedate_to_datetime(value).date()
    except (TypeError, ValueError, IndexError):
        return None


def _updated_in_text(text: str) -> dt.date | None:
    """The date next to 更新/更新日 in visible text (``更新日：令和8年10月1日``, ``2026年10月1日更新``)."""
    for match in _UPDATED_TEXT.finditer(unicodedata.normalize("NFKC", text)):
        day = _parse_day(match[1] or match[2])
        if day:
            return day
    return None


def _drop_updated_lines(lines: list[str]) -> list[str]:
    """The 「更新日：…」 line is stored as ``updated_on``; as a passage it would only be noise."""
    return [
        line
        for line in lines
        if not (len(line) < 60 and _UPDATED_LINE.search(unicodedata.normalize("NFKC", line)))
    ]


# --- departments -----------------------------------------------------------------------------------

_CONTACT_HEADING = re.compile(r"問い?合わ?せ")
_NOT_CONTACT = re.compile(r"よくある|質問|FAQ|Q\s*&\s*A", re.IGNORECASE)
_DEPARTMENT_SUFFIXES = ("課", "室", "局", "係", "センター", "所")
_NOT_DEPARTMENTS = frozenset({"住所", "場所", "担当課", "担当係", "担当室", "担当局", "所在", "担当所"})
_WORD_SPLIT = re.compile(r"[\s　：:、，,（）()「」『』【】\[\]／/・|｜]+")


def _is_contact_heading(text: str) -> bool:
    return len(text) <= 40 and bool(_CONTACT_HEADING.search(text)) and not _NOT_CONTACT.search(text)


def _department_name(lines: Iterable[str]) -> str | None:
    """The first word ending in 課/室/局/係/センター/所 on the contact block's first text line (the
    block's own 「お問い合わせ」 heading is skipped): 「市民課 住民記録係」 → 「市民課」."""
    for line in lines:
        line = line.strip()
        if not line or (_is_contact_heading(line) and len(line) <= 20):
            continue
        for word in _WORD_SPLIT.split(line):
            if len(word) > 1 and word.endswith(_DEPARTMENT_SUFFIXES) and word not in _NOT_DEPARTMENTS:
                return word
        return None
    return None


# --- sniffing and decoding -------------------------------------------------------------------------

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.IGNORECASE)
_CT_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_\-:.]+)", re.IGNORECASE)
_HTML_START = re.compile(r"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)[\s>]", re.I | re.S)
_HTML_TAGS = re.compile(
    r"<(?:p|div|h[1-6]|table|ul|ol|br|a|span|section|main|article|title|meta|body|html)[\s>/]", re.I
)


def _sniff_binary(raw: bytes) -> str | None:
    """A Japanese message when ``raw`` is a known binary format (images, office documents...)."""
    head = raw[:16]
    if head.startswith(
        (b"\x89PNG", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"BM", b"II*\x00", b"MM\x00*")
    ) or (head.startswith(b"RIFF") and head[8:12] == b"WEBP"):
        return _(
            "画像ファイルは取り込めません。文字の情報はHTML・Markdown・テキスト・PDFで用意してください。"
        )
    if head.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        return _("WordやExcelなどのファイルは取り込めません。PDFかHTMLに変換してください。")
    return None


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    try:
        codec = codecs.lookup(name.strip().strip("\"'")).name
    except LookupError:
        return None
    # Shift_JIS pages use Microsoft's extensions (①, ㈱, 髙...): decode them as cp932
    return "cp932" if codec in {"shift_jis", "shift-jis"} else codec


def _decode(raw: bytes, *, declared: str | None) -> str:
    """BOM, then the declared charset, then UTF-8, EUC-JP or Shift_JIS when one decodes cleanly,
    else UTF-8 with replacement characters."""
    for bom, codec in _BOMS:
        if raw.startswith(bom):
            return raw[len(bom) :].decode(codec, errors="replace")
    if declared:
        return raw.decode(declared, errors="replace")
    for codec in ("utf-8", "euc_jp", "cp932"):
        try:
            return raw.decode(codec)
        except UnicodeDecodeError:
            continue
    return raw.decode("utf-8", errors="replace")


def _looks_binary(text: str) -> bool:
    sample = text[:20_000]
    if not sample:
        return False
    control = sum(1 for c in sample if (ord(c) < 32 and c not in "\t\n\r\f") or c == "\ufffd")
    return control / len(sample) > 0.05


def extract(raw: bytes, *, url: str, content_type: str | None = None) -> Extracted:
    """Clean text of one page, in sections. The format is decided by content (``%PDF-``, HTML
    markup, else Markdown or plain text); ``content_type`` and the extension of ``url`` are only
    hints. Raises ``IngestError`` (Japanese message) for empty, binary or image content, or when
    no text is left."""
    if not raw or not raw.strip():
        raise IngestError(_("内容が空です。"))
    if b"%PDF-" in raw[:1024]:
        return _extract_pdf(raw, url=url)
    refused = _sniff_binary(raw)
    if refused:
        raise IngestError(refused)
    utf16 = raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    if b"\x00" in raw[:8192] and not utf16:
        raise IngestError(
            _("文字の情報ではないため取り込めません（HTML・Markdown・テキスト・PDFに対応しています）。")
        )
    hint = (content_type or "").split(";")[0].strip().lower()
    path = urlsplit(url).path.lower()
    hinted_html = hint in {"text/html", "application/xhtml+xml"} or path.endswith((".html", ".htm", "/"))
    header_charset = _codec(m[1]) if (m := _CT_CHARSET.search(content_type or "")) else None
    meta = _CHARSET.search(raw[:4096])
    meta_charset = _codec(meta[1].decode("ascii", "replace")) if meta else None
    if header_charset in {"latin-1", "iso8859-1", "ascii", "cp1252"} and meta_charset:
        header_charset = None  # a server's default, not the page's own declaration
    text = _decode(raw, declared=header_charset or meta_charset)
    if _looks_binary(text):
        raise IngestError(
            _("文字の情報ではないため取り込めません（HTML・Markdown・テキスト・PDFに対応しています）。")
        )
    start = text.lstrip()[:2048].lower()
    hinted_markdown = hint in {"text/markdown", "text/x-markdown", "text/plain"} or path.endswith(
        (".md", ".markdown", ".txt")
    )
    if _HTML_START.match(text[:4096]) or (start.startswith("<?xml") and "<html" in start):
        result = _extract_html(text, url=url)
    elif start.startswith("<svg") or (start.startswith("<?xml") and "<svg" in start):
        raise IngestError(
            _("画像ファイルは取り込めません。文字の情報はHTML・Markdown・テキスト・PDFで用意してください。")
        )
    elif start.startswith("<?xml"):
        raise IngestError(
            _("このXMLファイルの形式には対応していません（HTML・Markdown・テキスト・PDFに対応しています）。")
        )
    elif (start.startswith("<") or hinted_html) and not hinted_markdown and _HTML_TAGS.search(text[:20_000]):
        result = _extract_html(text, url=url)
    else:  # Markdown or plain text (embedded HTML is still cleaned of hidden elements)
        result = _extract_markdown(text, url=url)
    if not any(text for _heading, text in result.sections):
        raise IngestError(_("本文が見つかりませんでした。"))
    return result


def _title_from_url(url: str) -> str:
    parts = urlsplit(url)
    name = unquote(parts.path.rstrip("/").rsplit("/", 1)[-1])
    name = re.sub(r"\.(html?|md|markdown|txt|pdf)$", "", name, flags=re.IGNORECASE)
    return name or parts.netloc or url


# --- HTML: a small tree on the standard library's tokenizer ----------------------------------------

_VOID = frozenset(
    "area base br col embed hr img input keygen link meta param source track wbr basefont frame".split()
)
# never shown to a reader (or not text): dropped with everything inside
_NEVER_SHOWN = frozenset(
    "script style noscript template iframe svg math object embed canvas head title meta link base "
    "select textarea option optgroup datalist audio video map input frameset frame noframes".split()
)
# the site's furniture around the content: dropped from the passages
_CHROME = frozenset("header nav footer aside form button".split())
_CHROME_ROLES = frozenset({"navigation", "banner", "contentinfo", "complementary", "search"})
_CHROME_CLASSES = frozenset({"breadcrumb", "breadcrumbs", "pankuzu", "topicpath", "skip", "skip-link"})
_HIDDEN_CLASSES = frozenset({"hidden", "d-none", "is-hidden", "invisible", "display-none", "hide"})
_HIDDEN_STYLE = re.compile(
    r"display\s*:\s*none|visibility\s*:\s*(?:hidden|collapse)"
    r"|(?:^|[;\s])opacity\s*:\s*0*(?:\.0+)?\s*(?:;|!|$)"
    r"|font-size\s*:\s*0*(?:\.0+)?(?:px|pt|em|rem|%)?\s*(?:;|!|$)"
)
_INLINE = frozenset(
    "a abbr b bdi bdo big cite code data dfn em font i kbd mark nobr q rp rt ruby s samp small span "
    "strike strong sub sup time tt u var label".split()
)
_P_CLOSERS = frozenset(
    "address article aside blockquote details dialog div dl dd dt fieldset figcaption figure footer form "
    "h1 h2 h3 h4 h5 h6 header hgroup hr li main menu nav ol p pre section table ul".split()
)
_BLOCK = frozenset(
    "address article blockquote caption center details dialog dir div dl dd dt fieldset figcaption figure "
    "h1 h2 h3 h4 h5 h6 hgroup hr li main menu ol p pre section summary table tbody thead tfoot tr td th "
    "ul body html header footer nav aside form".split()
)
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_TABLE_PARTS = frozenset({"table", "thead", "tbody", "tfoot", "tr", "td", "th", "caption"})
_SCOPE_BOUNDARIES = frozenset({"table", "td", "th", "caption", "template", "object", "marquee", "applet"})
_CSS_RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
_CSS_SIMPLE_SELECTOR = re.compile(r"^[a-z0-9]*(?:([.#])([a-z0-9_-]+))$", re.I)


class _Node:
    __slots__ = ("attrs", "children", "chrome", "hidden", "parent", "tag")

    def __init__(self, tag: str, attrs: dict[str, str], parent: _Node | None) -> None:
        self.tag = tag
        self.attrs = attrs
        self.parent = parent
        self.children: list[_Node | str] = []
        self.hidden = _is_hidden(tag, attrs)
        self.chrome = tag in _CHROME or _is_chrome(attrs)

    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").lower().split())

    def dropped(self, lenient: bool) -> bool:
        return self.hidden or (self.chrome and not lenient)


def _is_hidden(tag: str, attrs: dict[str, str]) -> bool:
    if tag in _NEVER_SHOWN or (tag == "dialog" and "open" not in attrs):
        return True
    if "hidden" in attrs or attrs.get("aria-hidden", "").strip().lower() == "true":
        return True
    style = re.sub(r"/\*.*?\*/", "", attrs.get("style", "").lower(), flags=re.S)
    if style and _HIDDEN_STYLE.search(style):
        return True
    return bool(set(attrs.get("class", "").lower().split()) & _HIDDEN_CLASSES)


def _is_chrome(attrs: dict[str, str]) -> bool:
    if attrs.get("role", "").strip().lower() in _CHROME_ROLES:
        return True
    return bool(set(attrs.get("class", "").lower().split()) & _CHROME_CLASSES)


class _TreeBuilder(HTMLParser):
    """Builds a lenient tree. Comments, processing instructions and declarations are dropped.
    Implicit end tags (p, li, td...) follow the HTML rules closely enough for text; they never
    close a hidden element, so an author's mistake cannot reveal hidden text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = _Node("#root", {}, None)
        self.stack: list[_Node] = [self.root]
        self.hidden_open = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes: dict[str, str] = {}
        for name, value in attrs:
            attributes.setdefault(name.lower(), value or "")
        self._close_implied(tag)
        parent = self.stack[-1]
        node = _Node(tag, attributes, parent)
        parent.children.append(node)
        if tag in _VOID:
            return
        if len(self.stack) > MAX_DEPTH and not node.hidden and not self.hidden_open:
            return  # flattened: its content goes to the parent (only visible elements are flattened)
        self.stack.append(node)
        self.hidden_open += node.hidden

    # ``<div hidden/>`` is an open tag in HTML (the slash is ignored): what follows stays hidden
    handle_startendtag = handle_starttag

    def handle_endtag(self, tag: str) -> None:
        if tag == "br":
            self.handle_starttag("br", [])
            return
        for index in range(len(self.stack) - 1, 0, -1):
            if self.stack[index].tag == tag:
                above = self.stack[index + 1 :]
                # Never end a hidden element through another element's end tag, nor cross a table:
                # browsers keep those open (adoption agency, scope), so the text after stays hidden.
                if any(node.hidden for node in above):
                    return
                if tag not in _TABLE_PARTS and any(node.tag in _SCOPE_BOUNDARIES for node in above):
                    return
                self._pop_to(index)
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)

    def _pop_to(self, index: int) -> None:
        self.hidden_open -= sum(node.hidden for node in self.stack[index:])
        del self.stack[index:]

    def _close_in_scope(self, tags: frozenset[str] | set[str], stop: set[str] | frozenset[str]) -> None:
        for index in range(len(self.stack) - 1, 0, -1):
            node = self.stack[index]
            if node.hidden:
                return
            if node.tag in tags:
                self._pop_to(index)
                return
            if node.tag in stop:
                return

    def _close_implied(self, tag: str) -> None:
        if tag in _P_CLOSERS:
            for index in range(len(self.stack) - 1, 0, -1):
                node = self.stack[index]
                if node.tag == "p" and not node.hidden:
                    self._pop_to(index)
                    break
                if node.tag not in _INLINE or node.hidden:
                    break
        if tag == "li":
            self._close_in_scope({"li"}, {"ul", "ol", "menu", "table", "td", "th"})
        elif tag in {"dt", "dd"}:
            self._close_in_scope({"dt", "dd"}, {"dl", "table", "td", "th"})
        elif tag == "tr":
            self._close_in_scope({"tr"}, {"table", "thead", "tbody", "tfoot"})
        elif tag in {"td", "th"}:
            self._close_in_scope({"td", "th"}, {"tr", "table"})
        elif tag in {"thead", "tbody", "tfoot"}:
            self._close_in_scope({"thead", "tbody", "tfoot"}, {"table"})
        elif tag in _HEADINGS and self.stack[-1].tag in _HEADINGS and not self.stack[-1].hidden:
            self._pop_to(len(self.stack) - 1)


def _parse_html(text: str) -> _Node:
    builder = _TreeBuilder()
    try:
        builder.feed(text)
        builder.close()
    except Exception as exc:  # the tokenizer is lenient; this is a last resort
        raise IngestError(_("HTMLを読み取れませんでした。")) from exc
    _hide_by_page_styles(builder.root)
    return builder.root


def _hide_by_page_styles(root: _Node) -> None:
    """Also hide elements that the page's own ``<style>`` hides with a simple selector
    (``.note { display: none }``, ``#x { visibility: hidden }``). Stylesheets in other files are not
    read."""
    classes: set[str] = set()
    ids: set[str] = set()
    nodes = list(_all_nodes(root))
    for node in nodes:
        if node.tag != "style":
            continue
        css = re.sub(r"/\*.*?\*/", "", "".join(c for c in node.children if isinstance(c, str)), flags=re.S)
        for selectors, body in _CSS_RULE.findall(css.lower()):
            if not _HIDDEN_STYLE.search(body):
                continue
            for selector in selectors.split(","):
                match = _CSS_SIMPLE_SELECTOR.match(selector.strip())
                if match:
                    (classes if match[1] == "." else ids).add(match[2])
    if not classes and not ids:
        return
    for node in nodes:
        if node.classes() & classes or node.attrs.get("id", "").lower() in ids:
            node.hidden = True


def _iter_nodes(node: _Node, *, lenient: bool) -> Iterator[_Node]:
    """Descendants in document order, without dropped subtrees (iterative: no recursion limit)."""
    stack: list[_Node] = [child for child in reversed(node.children) if isinstance(child, _Node)]
    while stack:
        current = stack.pop()
        if current.dropped(lenient):
            continue
        yield current
        stack.extend(child for child in reversed(current.children) if isinstance(child, _Node))


def _raw_text(node: _Node, *, lenient: bool) -> str:
    """Visible text of ``node`` with a newline at each block boundary (not yet cleaned)."""
    parts: list[str] = []
    stack: list[_Node | str] = list(reversed(node.children))
    while stack:
        current = stack.pop()
        if isinstance(current, str):
            parts.append(current)
            continue
        if current.dropped(lenient):
            continue
        if current.tag in _BLOCK or current.tag == "br":
            parts.append("\n")
            stack.append("\n")
        stack.extend(reversed(current.children))
    return "".join(parts)


def _text_of(node: _Node, *, lenient: bool = False) -> str:
    """Visible text of ``node`` on one line."""
    lines = (_clean_inline(line) for line in _raw_text(node, lenient=lenient).split("\n"))
    return " ".join(line for line in lines if line)


def _row_line(cells: list[str], headers: list[str] | None) -> str:
    """One table row as a line: 「住民票の写し：300円」, or with three columns or more
    「住民票の写し：300円（窓口）、200円（コンビニ）」 (the column headers label the cells)."""
    if len(cells) == 1:
        return cells[0]
    first, rest = cells[0], cells[1:]
    if headers and len(headers) == len(cells) and len(cells) >= 3:
        rest = [
            f"{cell}（{label}）" if label and cell else cell
            for label, cell in zip(headers[1:], rest, strict=True)
        ]
    rest = [cell for cell in rest if cell]
    if not first:
        return "、".join(rest)
    if not rest:
        return first
    return f"{first}：{'、'.join(rest)}"


def _table_lines(table: _Node, *, lenient: bool) -> list[str]:
    lines: list[str] = []
    rows: list[_Node] = []
    stack: list[_Node] = [c for c in reversed(table.children) if isinstance(c, _Node)]
    while stack:
        node = stack.pop()
        if node.dropped(lenient):
            continue
        if node.tag == "caption":
            caption = _text_of(node, lenient=lenient)
            if caption:
                lines.append(caption)
        elif node.tag == "tr":
            rows.append(node)
        elif node.tag != "table":  # thead, tbody, tfoot, stray wrappers; not nested tables
            stack.extend(c for c in reversed(node.children) if isinstance(c, _Node))
    headers: list[str] | None = None
    for index, row in enumerate(rows):
        cells = [
            c
            for c in row.children
            if isinstance(c, _Node) and c.tag in {"td", "th"} and not c.dropped(lenient)
        ]
        texts = [_text_of(cell, lenient=lenient) for cell in cells]
        if not any(texts):
            continue
        if index == 0 and cells and all(cell.tag == "th" for cell in cells):
            headers = texts
        line = _row_line(texts, None if headers is texts else headers)
        if line:
            lines.append(line)
    return lines


def _dl_lines(dl: _Node, *, lenient: bool) -> list[str]:
    """A definition list as 「受付時間：平日 8:30〜17:15」 lines."""
    lines: list[str] = []
    term, used = "", False
    for child in dl.children:
        if not isinstance(child, _Node) or child.dropped(lenient):
            continue
        nodes = (
            [child]
            if child.tag in {"dt", "dd"}
            else [
                c
                for c in child.children
                if isinstance(c, _Node) and c.tag in {"dt", "dd"} and not c.dropped(lenient)
            ]
        )  # <div> groups inside <dl>
        for node in nodes:
            text = _text_of(node, lenient=lenient)
            if node.tag == "dt":
                if term and not used:
                    lines.append(term)
                term, used = text, False
            elif text:
                lines.append(f"{term}：{text}" if term else text)
                used = True
    if term and not used:
        lines.append(term)
    return lines


def _is_contact_container(node: _Node) -> bool:
    return "contact" in node.classes() or node.attrs.get("id", "").lower() == "contact"


class _Collector:
    """Walks the content: h2/h3 start sections, other blocks become lines, the contact block and
    the section under a 「お問い合わせ」 heading go to ``contact`` instead."""

    def __init__(self, *, lenient: bool = False) -> None:
        self.lenient = lenient
        self.sections: list[tuple[str, list[str]]] = [("", [])]
        self.contact: list[str] = []
        self.h1 = ""
        self._buffer: list[str] = []
        self._in_contact_block = 0
        self._contact_level = 0  # > 0 while under a 「お問い合わせ」 heading of that level

    def _target(self) -> list[str]:
        return self.contact if self._in_contact_block or self._contact_level else self.sections[-1][1]

    def flush(self) -> None:
        text = _clean_inline("".join(self._buffer))
        self._buffer.clear()
        if text:
            self._target().append(text)

    def line(self, text: str) -> None:
        self.flush()
        if text:
            self._target().append(text)

    def walk(self, node: _Node) -> None:
        for child in node.children:
            if isinstance(child, str):
                self._buffer.append(child)
            else:
                self.visit(child)

    def visit(self, node: _Node) -> None:
        if node.dropped(self.lenient):
            return
        tag = node.tag
        if tag == "br":
            self.flush()
        elif _is_contact_container(node) and not self._in_contact_block:
            self.flush()
            self._in_contact_block += 1
            self.walk(node)
            self.flush()
            self._in_contact_block -= 1
        elif tag in _HEADINGS:
            self._heading(node)
        elif tag == "table":
            self.flush()
            for line in _table_lines(node, lenient=self.lenient):
                self.line(line)
        elif tag == "dl":
            self.flush()
            for line in _dl_lines(node, lenient=self.lenient):
                self.line(line)
        elif tag == "pre":
            self.flush()
            for line in _raw_text(node, lenient=self.lenient).split("\n"):
                self.line(_clean_inline(line))
        elif tag in _BLOCK:
            self.flush()
            self.walk(node)
            self.flush()
        else:
            self.walk(node)

    def _heading(self, node: _Node) -> None:
        self.flush()
        text = _text_of(node, lenient=self.lenient)
        if not text:
            return
        level = int(node.tag[1])
        if self._contact_level and level <= self._contact_level:
            self._contact_level = 0
        if self._in_contact_block or self._contact_level:
            self.contact.append(text)
        elif level >= 2 and _is_contact_heading(text):
            self._contact_level = level
            self.contact.append(text)
        elif level == 1 and not self.h1:
            self.h1 = text
        elif level <= 3:
            self.sections.append((text[:_HEADING_MAX], []))
        else:
            self.sections[-1][1].append(text)


_SITE_SUFFIX = re.compile(r"^(.*?\S)\s*(?:[｜|]|\s[-‐–—－]\s)[^｜|]*$")


def _strip_site_suffix(title: str) -> str:
    """「住民票の写しの請求｜一森市」 → 「住民票の写しの請求」 (also 「 - 一森市」 and 「 | 一森市」)."""
    match = _SITE_SUFFIX.match(title)
    return match[1].strip() if match else title


def _content_root(root: _Node) -> _Node:
    """``<main>``, else the one ``<article>``, else ``[role=main]``, else ``<body>``."""
    nodes = list(_iter_nodes(root, lenient=False))
    for node in nodes:
        if node.tag == "main":
            return node
    articles = [node for node in nodes if node.tag == "article"]
    top_articles = [a for a in articles if not any(b is not a and _is_inside(a, b) for b in articles)]
    if len(top_articles) == 1:
        return top_articles[0]
    for node in nodes:
        if node.attrs.get("role", "").strip().lower() == "main":
            return node
    return next((node for node in nodes if node.tag == "body"), root)


def _is_inside(node: _Node, ancestor: _Node) -> bool:
    current = node.parent
    while current is not None:
        if current is ancestor:
            return True
        current = current.parent
    return False


def _html_updated_on(root: _Node, content: _Node, lines: list[str]) -> dt.date | None:
    """``<time datetime>`` inside an element saying 更新, else 「更新日：…」 text, else a meta tag."""
    for scope, lenient in ((content, False), (root, True)):
        for node in _iter_nodes(scope, lenient=lenient):
            if node.tag != "time" or not node.attrs.get("datetime"):
                continue
            ancestor, steps = node.parent, 0
            while ancestor is not None and steps < 3 and ancestor.tag not in {"body", "main", "#root"}:
                text = _text_of(ancestor, lenient=True)
                if len(text) <= 200 and "更新" in text:
                    day = _parse_day(node.attrs["datetime"])
                    if day:
                        return day
                    break
                ancestor, steps = ancestor.parent, steps + 1
    day = _updated_in_text("\n".join(lines)) or _updated_in_text(_raw_text(root, lenient=True))
    if day:
        return day
    for node in _all_nodes(root):
        if node.tag != "meta":
            continue
        name = (
            node.attrs.get("name") or node.attrs.get("property") or node.attrs.get("http-equiv") or ""
        ).lower()
        if name in {"last-modified", "dcterms.modified", "dc.date.modified", "article:modified_time"}:
            day = _parse_day(node.attrs.get("content", ""))
            if day:
                return day
    return None


def _all_nodes(root: _Node) -> Iterator[_Node]:
    stack: list[_Node] = [root]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(c for c in reversed(node.children) if isinstance(c, _Node))


def _html_title(root: _Node, content: _Node, collector: _Collector) -> str:
    if collector.h1:
        return collector.h1
    for node in _iter_nodes(content, lenient=True):  # in the content's own <header> (article > header > h1)
        if node.tag == "h1" and (text := _text_of(node, lenient=True)):
            return text
    for node in _all_nodes(root):
        if node.tag == "title":
            text = _clean_inline("".join(c for c in node.children if isinstance(c, str)))
            if text:
                return _strip_site_suffix(text)
    for node in _iter_nodes(root, lenient=True):  # last: often the site's logo
        if node.tag == "h1" and (text := _text_of(node, lenient=True)):
            return text
    return ""


def _extract_html(text: str, *, url: str) -> Extracted:
    root = _parse_html(text)
    content = _content_root(root)
    collector = _Collector()
    if content is root:
        collector.walk(root)
    else:
        collector.visit(content)
    collector.flush()
    if not any(lines for _h, lines in collector.sections) and content.tag != "body":
        body = next((n for n in _iter_nodes(root, lenient=False) if n.tag == "body"), root)
        if body is not content:
            content = body
            collector = _Collector()
            collector.walk(body)
            collector.flush()
    contact = collector.contact
    if not contact:  # a contact block outside <main> (but not in the site's header or footer)
        for node in _iter_nodes(root, lenient=False):
            if _is_contact_container(node) and not _is_inside(node, content) and node is not content:
                outside = _Collector()
                outside.visit(node)
                outside.flush()
                contact = outside.contact
                break
    all_lines = [line for _h, lines in collector.sections for line in lines]
    updated_on = _html_updated_on(root, content, all_lines + contact)
    sections = [
        (heading, "\n".join(kept))
        for heading, lines in collector.sections
        if (kept := _drop_updated_lines(lines))
    ]
    title = _html_title(root, content, collector) or _title_from_url(url)
    return Extracted(
        title=title[:_TITLE_MAX],
        sections=sections,
        department=_department_name(contact),
        updated_on=updated_on,
        contact="\n".join(contact),
    )


# --- Markdown and plain text -----------------------------------------------------------------------

_ATX = re.compile(r"^\s{0,3}(#{1,6})(?:\s+(.*?))?\s*#*\s*$")
_SETEXT = re.compile(r"^\s{0,3}(=+|-+)\s*$")
_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
_HR = re.compile(r"^\s{0,3}([-*_])(?:\s*\1){2,}\s*$")
_REF_DEF = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*\S+")
_LIST_ITEM = re.compile(r"^(?:[-*+]|\d{1,9}[.)])\s+(.*)$")
_TABLE_SEPARATOR = re.compile(r"^\s*:?-{1,}:?\s*$")
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n---[ \t]*(?:\n|\Z)", re.S)
_MD_INLINE = (
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), r"\1"),  # image → its alt text
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),  # [text](url) → text
    (re.compile(r"\[([^\]]+)\]\[[^\]]*\]"), r"\1"),  # [text][ref] → text
    (re.compile(r"`([^`]+)`"), r"\1"),
    (re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*"), r"\1"),
    (re.compile(r"(?<![A-Za-z0-9])__(?=\S)(.+?)(?<=\S)__(?![A-Za-z0-9])"), r"\1"),
    (re.compile(r"\*(?=\S)(.+?)(?<=\S)\*"), r"\1"),
    (re.compile(r"(?<![A-Za-z0-9])_(?=\S)(.+?)(?<=\S)_(?![A-Za-z0-9])"), r"\1"),  # snake_case stays
    (re.compile(r"~~(?=\S)(.+?)(?<=\S)~~"), r"\1"),
    (re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~])"), r"\1"),
)


def _md_inline(text: str) -> str:
    for pattern, replacement in _MD_INLINE:
        text = pattern.sub(replacement, text)
    return _clean_inline(text)


def _front_matter(text: str) -> tuple[dict[str, str], str]:
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    values: dict[str, str] = {}
    for line in match[1].split("\n"):
        key, sep, value = line.partition(":")
        if sep:
            values[key.strip().lower()] = value.strip().strip("\"'")
    return values, text[match.end() :]


def _visible_markup_text(text: str) -> str:
    """Markdown may embed HTML: keep the text of what is shown, drop comments, scripts and hidden
    elements (``<div hidden>``, ``style="display:none"``...). Markdown syntax is plain text here."""
    root = _parse_html(text)
    parts: list[str] = []
    stack: list[_Node | str] = list(reversed(root.children))
    while stack:
        current = stack.pop()
        if isinstance(current, str):
            parts.append(current)
        elif not current.hidden:
            if current.tag in _BLOCK or current.tag == "br":
                parts.append("\n")
                stack.append("\n")
            stack.extend(reversed(current.children))
    return "".join(parts)


def _md_table_lines(rows: list[str]) -> list[str]:
    table: list[list[str]] = []
    headers: list[str] | None = None
    for index, row in enumerate(rows):
        body = row.strip().strip("|")
        cells = [_md_inline(cell.replace("\\|", "|")) for cell in re.split(r"(?<!\\)\|", body)]
        if all(_TABLE_SEPARATOR.match(cell) for cell in cells if cell) and any(cells):
            if index == 1 and table:
                headers = table[0]
            continue
        table.append(cells)
    lines = []
    for cells in table:
        line = _row_line(cells, None if cells is headers else headers)
        if line:
            lines.append(line)
    return lines


def _extract_markdown(text: str, *, url: str) -> Extracted:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    meta, text = _front_matter(text)
    text = re.sub(r"<(https?://[^>\s]+)>", r"\1", text)  # autolinks, before the HTML pass
    if re.search(r"<[A-Za-z!/?]", text):
        text = _visible_markup_text(text)
    title = ""
    sections: list[tuple[str, list[str]]] = [("", [])]
    contact: list[str] = []
    contact_level = 0
    paragraph: list[str] = []
    table: list[str] = []
    fence = ""

    def emit(line: str) -> None:
        if line:
            (contact if contact_level else sections[-1][1]).append(line)

    def end_blocks() -> None:
        if paragraph:
            emit(_join_wrapped(paragraph))
            paragraph.clear()
        if table:
            for line in _md_table_lines(table):
                emit(line)
            table.clear()

    lines = text.split("\n")
    index = 0
    while index < len(lines):
        raw = lines[index]
        stripped = raw.strip()
        index += 1
        if fence:
            if stripped.startswith(fence):
                fence = ""
            else:
                emit(_clean_inline(stripped))
            continue
        if match := _FENCE.match(raw):
            end_blocks()
            fence = match[1]
            continue
        heading: tuple[int, str] | None = None
        if (match := _ATX.match(raw)) and not raw.lstrip().startswith("#!"):
            heading = (len(match[1]), _md_inline(match[2] or ""))
        elif (
            stripped
            and not paragraph
            and not table
            and index < len(lines)
            and (underline := _SETEXT.match(lines[index]))
            and not _LIST_ITEM.match(stripped)
        ):
            heading = (1 if underline[1].startswith("=") else 2, _md_inline(stripped))
            index += 1
        if heading:
            end_blocks()
            level, heading_text = heading
            if not heading_text:
                continue
            if contact_level and level <= contact_level:
                contact_level = 0
            if contact_level:
                contact.append(heading_text)
            elif level == 1 and not title:
                title = heading_text
            elif level >= 2 and _is_contact_heading(heading_text):
                contact_level = level
                contact.append(heading_text)
            else:
                sections.append((heading_text[:_HEADING_MAX], []))
            continue
        if not stripped or _HR.match(raw):
            end_blocks()
            continue
        if _REF_DEF.match(raw):
            continue
        stripped = re.sub(r"^(?:>\s?)+", "", stripped).strip()
        if stripped.startswith("|") or (table and "|" in stripped):
            if paragraph:
                emit(_join_wrapped(paragraph))
                paragraph.clear()
            table.append(stripped)
            continue
        if table:
            end_blocks()
        if match := _LIST_ITEM.match(stripped):
            end_blocks()
            emit(_md_inline(re.sub(r"^\[[ xX]\]\s+", "", match[1])))
            continue
        paragraph.append(_md_inline(stripped))
    end_blocks()

    all_lines = [line for _h, body in sections for line in body]
    title = title or meta.get("title", "")
    if not title:
        first = next((line for line in all_lines), "")
        title = first if 0 < len(first) <= 80 else _title_from_url(url)
    updated_on = None
    for key in ("updated", "updated_on", "last_modified", "lastmod", "modified", "date", "更新日"):
        if meta.get(key) and (updated_on := _parse_day(meta[key])):
            break
    updated_on = updated_on or _updated_in_text("\n".join(all_lines + contact))
    department = meta.get("department") or meta.get("担当") or _department_name(contact)
    return Extracted(
        title=title[:_TITLE_MAX],
        sections=[
            (heading, "\n".join(kept)) for heading, body in sections if (kept := _drop_updated_lines(body))
        ],
        department=department or None,
        updated_on=updated_on,
        contact="\n".join(contact),
    )


# --- PDF -------------------------------------------------------------------------------------------

_JUNK_PDF_TITLE = re.compile(
    r"^(untitled|無題|microsoft (word|excel|powerpoint) - )|\.(docx?|xlsx?|pptx?|pdf)$", re.I
)


def _extract_pdf(raw: bytes, *, url: str) -> Extracted:
    try:
        from pypdf import PdfReader
    except ImportError as exc:  # pragma: no cover - a packaging mistake
        raise IngestError(_("PDFを読むための部品（pypdf）がインストールされていません。")) from exc
    try:
        reader = PdfReader(io.BytesIO(raw))
        if reader.is_encrypted and not reader.decrypt(""):
            raise IngestError(_("パスワードで保護されたPDFは取り込めません。"))
        texts = [page.extract_text() or "" for page in reader.pages[:MAX_PDF_PAGES]]
        info = reader.metadata
        meta_title = str(info.title or "") if info else ""
        modified = info.modification_date if info else None
    except IngestError:
        raise
    except Exception as exc:
        raise IngestError(_("PDFを読み取れませんでした。")) from exc

    def clean(text: str) -> str:
        text = _COMPAT_IDEOGRAPHS.sub(lambda m: unicodedata.normalize("NFKC", m[0]), text)
        return _INVISIBLE.sub("", text).replace("\xa0", " ")

    pages = [[_SPACES.sub(" ", line).strip() for line in clean(text).split("\n")] for text in texts]
    pages = [[line for line in lines if line] for lines in pages]
    all_lines = [line for lines in pages for line in lines]
    # the contact: the line saying 問い合わせ (what follows its 「：」) and the next lines
    contact: list[str] = []
    for index, line in enumerate(all_lines):
        if _CONTACT_HEADING.search(line) and not _NOT_CONTACT.search(line):
            rest = re.split(r"[:：]", line, maxsplit=1)
            contact = ([rest[1].strip()] if len(rest) > 1 and rest[1].strip() else []) + all_lines[
                index + 1 : index + 4
            ]
            break
    meta_title = _clean_inline(meta_title)
    if meta_title and not _JUNK_PDF_TITLE.search(meta_title):
        title = meta_title
    else:
        first = all_lines[0] if all_lines else ""
        title = first[:100] if first else _title_from_url(url)
    updated_on = _updated_in_text("\n".join(all_lines))
    if updated_on is None and isinstance(modified, dt.datetime):
        updated_on = modified.date()
    sections: list[tuple[str, str]] = []
    for number, lines in enumerate(pages, start=1):
        kept = _drop_updated_lines(lines)
        if kept:
            sections.append((f"{number}ページ" if len(pages) > 1 else "", "\n".join(kept)))
    return Extracted(
        title=title[:_TITLE_MAX],
        sections=sections,
        department=_department_name(contact),
        updated_on=updated_on,
        contact="\n".join(contact),
    )


# --- chunking --------------------------------------------------------------------------------------

# a sentence ends at 「。」「！」「？」 (with the closing brackets that follow) or at ". "
_SENTENCE = re.compile(r".*?(?:[。！？!?]+[」』）)\]]*|\.(?=\s)|$)")


def _hard_split(text: str, max_chars: int) -> Iterator[str]:
    """A sentence longer than ``max_chars``: cut at the last 「、」 or space in the window."""
    while len(text) > max_chars:
        window = text[:max_chars]
        cut = max(window.rfind("、"), window.rfind("，"), window.rfind(","), window.rfind(" "))
        cut = cut + 1 if cut >= max_chars // 2 else max_chars
        yield text[:cut].strip()
        text = text[cut:].strip()
    if text:
        yield text


def chunk(sections: Iterable[tuple[str, str]], max_chars: int = 500) -> list[tuple[str, str]]:
    """Passages of at most ``max_chars`` characters, each keeping its section's heading. Long
    sections are split at sentence ends (「。」, 「！」, 「？」) and line breaks; a sentence longer
    than ``max_chars`` is cut at a 「、」 or a space. Empty passages are dropped."""
    if max_chars < 1:
        raise ValueError("max_chars must be positive")
    passages: list[tuple[str, str]] = []
    for heading, text in sections:
        heading = _clean_inline(heading)[:_HEADING_MAX]
        lines = [line.strip() for line in (text or "").split("\n")]
        body = "\n".join(line for line in lines if line)
        if not body:
            continue
        if len(body) <= max_chars:
            passages.append((heading, body))
            continue
        current = ""
        for line in body.split("\n"):
            new_line = True
            for sentence in _SENTENCE.findall(line):
                for part in _hard_split(sentence.strip(), max_chars):
                    if not part:
                        continue
                    if not current:
                        separator = ""
                    elif new_line:
                        separator = "\n"
                    else:
                        separator = "" if _is_cjk_char(current[-1]) or _is_cjk_char(part[0]) else " "
                    if len(current) + len(separator) + len(part) > max_chars:
                        passages.append((heading, current))
                        current = part
                    else:
                        current += separator + part
                    new_line = False
        if current:
            passages.append((heading, current))
    return passages


# --- fetching --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FetchResult:
    status: int  # 200 (or another 2xx), or 304 when unchanged (then ``body`` is empty)
    body: bytes
    etag: str = ""
    last_modified: str = ""
    content_type: str = ""
    final_url: str = ""


class _RedirectHandler(urllib.request.HTTPRedirectHandler):
    max_redirections = 5

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
        if urlsplit(newurl).scheme.lower() not in {"http", "https"}:
            fp.close()
            raise IngestError(_("http・https以外への転送には従いません（%(url)s）。") % {"url": newurl})
        return super().redirect_request(req, fp, code, msg, headers, newurl)


class Fetcher:
    """HTTP(S) GET with urllib: conditional requests, a timeout and a size cap.

    Only http and https (also after redirects); proxies from the usual environment variables are
    honoured (``no_proxy`` for internal hosts)."""

    def __init__(
        self, *, timeout: float = TIMEOUT, max_bytes: int = MAX_BYTES, user_agent: str = USER_AGENT
    ) -> None:
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.user_agent = user_agent
        self._opener = urllib.request.OpenerDirector()
        for handler in (
            urllib.request.ProxyHandler(),
            urllib.request.HTTPHandler(),
            urllib.request.HTTPSHandler(),
            urllib.request.HTTPDefaultErrorHandler(),
            _RedirectHandler(),
            urllib.request.HTTPErrorProcessor(),
        ):
            self._opener.add_handler(handler)

    def get(self, url: str, *, etag: str = "", last_modified: str = "") -> FetchResult:
        """Fetch ``url``. Returns status 304 with an empty body when the stored ``etag`` or
        ``last_modified`` still hold. Raises ``IngestError`` for other HTTP errors, network errors,
        non-http(s) URLs and bodies over the size cap."""
        if urlsplit(url).scheme.lower() not in {"http", "https"} or not urlsplit(url).netloc:
            raise IngestError(_("http または https のURLではありません。"))
        headers = {"User-Agent": self.user_agent, "Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        request = urllib.request.Request(url, headers=headers)  # noqa: S310 - scheme checked above
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                length = response.headers.get("Content-Length", "")
                if length.isdigit() and int(length) > self.max_bytes:
                    raise self._too_large()
                body = response.read(self.max_bytes + 1)
                if len(body) > self.max_bytes:
                    raise self._too_large()
                return FetchResult(
                    status=response.status,
                    body=body,
                    etag=response.headers.get("ETag", "")[:_TAG_MAX],
                    last_modified=response.headers.get("Last-Modified", "")[:_STAMP_MAX],
                    content_type=response.headers.get("Content-Type", ""),
                    final_url=response.geturl(),
                )
        except urllib.error.HTTPError as exc:
            with exc:
                if exc.code == 304:
                    return FetchResult(
                        status=304,
                        body=b"",
                        etag=(exc.headers.get("ETag", "") or etag)[:_TAG_MAX],
                        last_modified=(exc.headers.get("Last-Modified", "") or last_modified)[:_STAMP_MAX],
                        content_type=exc.headers.get("Content-Type", ""),
                        final_url=exc.geturl() or url,
                    )
                raise IngestError(
                    _("サーバーがエラーを返しました（HTTP %(status)d）。") % {"status": exc.code}
                ) from None
        except IngestError:
            raise
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, TimeoutError):
                raise IngestError(
                    _("%(seconds)d秒以内に応答がありませんでした。") % {"seconds": self.timeout}
                ) from None
            raise IngestError(_("接続できませんでした（%(reason)s）。") % {"reason": exc.reason}) from None
        except TimeoutError:
            raise IngestError(
                _("%(seconds)d秒以内に応答がありませんでした。") % {"seconds": self.timeout}
            ) from None
        except (http.client.HTTPException, OSError, ValueError) as exc:
            raise IngestError(_("取得できませんでした（%(reason)s）。") % {"reason": exc}) from None

    def _too_large(self) -> IngestError:
        return _too_large(self.max_bytes)


def _too_large(limit: int) -> IngestError:
    size = f"{limit // (1024 * 1024)} MB" if limit >= 1024 * 1024 else f"{max(1, limit // 1024)} KB"
    return IngestError(_("大きすぎるため取り込みません（上限 %(size)s）。") % {"size": size})


# --- listing a source ------------------------------------------------------------------------------


@dataclass
class SyncResult:
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    removed: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)  # (URL or location, Japanese message)
    notes: list[str] = field(default_factory=list)  # Japanese remarks that are not failures

    @property
    def touched(self) -> bool:
        return bool(self.added or self.changed or self.removed)

    def summary(self) -> str:
        """「追加 3件、更新 1件、変更なし 10件、削除 0件、失敗 1件」 and the failures, one a line."""
        lines = [
            _(
                "追加 %(added)d件、更新 %(changed)d件、変更なし %(unchanged)d件、削除 %(removed)d件、失敗 %(failed)d件"
            )
            % {
                "added": self.added,
                "changed": self.changed,
                "unchanged": self.unchanged,
                "removed": self.removed,
                "failed": len(self.failed),
            }
        ]
        for url, message in self.failed[:20]:
            lines.append(_("失敗：%(url)s（%(message)s）") % {"url": url, "message": message})
        if len(self.failed) > 20:
            lines.append(_("ほかに %(count)d件の失敗があります。") % {"count": len(self.failed) - 20})
        lines.extend(self.notes)
        return "\n".join(lines)


@dataclass
class _Listing:
    urls: list[str] = field(default_factory=list)
    files: dict[str, Path] = field(default_factory=dict)  # folder sources: URL → file
    complete: bool = True  # False: some part could not be read, so nothing may be deleted
    failed: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, url: str) -> bool:
        if len(self.urls) >= MAX_URLS:
            return False
        self.urls.append(url)
        return True


def _local_name(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _read_sitemap(body: bytes) -> ET.Element:
    if body[:2] == b"\x1f\x8b":
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(body)) as unzipped:
                body = unzipped.read(10 * MAX_BYTES + 1)
        except (OSError, EOFError) as exc:
            raise IngestError(_("圧縮されたサイトマップを展開できませんでした。")) from exc
        if len(body) > 10 * MAX_BYTES:
            raise IngestError(_("サイトマップが大きすぎます。"))
    if re.search(rb"<!(DOCTYPE|ENTITY)", body[:4096], re.IGNORECASE):
        raise IngestError(_("DOCTYPEや実体宣言を含むサイトマップは読みません。"))
    try:
        return ET.fromstring(body)  # noqa: S314 - no DTD (refused above): no entity expansion
    except ET.ParseError as exc:
        raise IngestError(_("サイトマップ（XML）を読み取れませんでした。")) from exc


def _sitemap_locs(root: ET.Element, kind: str) -> list[str]:
    return [
        (loc.text or "").strip()
        for entry in root
        if _local_name(entry.tag) == kind
        for loc in entry
        if _local_name(loc.tag) == "loc" and (loc.text or "").strip()
    ]


def _list_sitemap(location: str, fetcher: Fetcher) -> _Listing:
    listing = _Listing()
    location = location.strip()
    try:
        root = _read_sitemap(fetcher.get(location).body)
    except IngestError as exc:
        listing.complete = False
        listing.failed.append((location, str(exc)))
        return listing
    kind = _local_name(root.tag)
    if kind == "sitemapindex":
        children = [urljoin(location, loc) for loc in _sitemap_locs(root, "sitemap")]
        pages: list[str] = []
        for child in children:  # one level down only
            try:
                child_root = _read_sitemap(fetcher.get(child).body)
            except IngestError as exc:
                listing.complete = False
                listing.failed.append((child, str(exc)))
                continue
            child_kind = _local_name(child_root.tag)
            if child_kind == "sitemapindex":
                listing.notes.append(_("入れ子のサイトマップ索引は読みません：%(url)s") % {"url": child})
                continue
            if child_kind != "urlset":
                listing.complete = False
                listing.failed.append(
                    (child, _("サイトマップ（urlset または sitemapindex）ではありません。"))
                )
                continue
            pages.extend(urljoin(child, loc) for loc in _sitemap_locs(child_root, "url"))
    elif kind == "urlset":
        pages = [urljoin(location, loc) for loc in _sitemap_locs(root, "url")]
    else:
        listing.complete = False
        listing.failed.append((location, _("サイトマップ（urlset または sitemapindex）ではありません。")))
        return listing
    _add_urls(listing, pages)
    if not listing.urls and listing.complete:
        listing.complete = False  # an empty sitemap is more likely a broken server than an empty site
        listing.failed.append((location, _("サイトマップにURLがありません。")))
    return listing


def _add_urls(listing: _Listing, urls: Iterable[str]) -> None:
    seen: set[str] = set(listing.urls)
    for url in urls:
        url = url.strip()
        if not url or url in seen:
            continue
        seen.add(url)
        parts = urlsplit(url)
        if parts.scheme.lower() not in {"http", "https"} or not parts.netloc:
            listing.failed.append((url, _("http または https のURLではありません。")))
            continue
        if len(url) > _URL_MAX:
            listing.failed.append((url[:200], _("URLが長すぎます（500文字まで）。")))
            continue
        if not listing.add(url):
            listing.notes.append(
                _("URLが多すぎるため、最初の %(count)d件だけを取り込みました。") % {"count": MAX_URLS}
            )
            return


def _list_urls(location: str) -> _Listing:
    listing = _Listing()
    lines = (line.strip() for line in location.splitlines())
    _add_urls(listing, (line for line in lines if line and not line.startswith("#")))
    return listing


def _list_folder(source: Source) -> _Listing:
    listing = _Listing()
    folder = Path(source.location.strip()).expanduser()
    if not folder.is_dir():
        listing.complete = False
        listing.failed.append((str(folder), _("フォルダが見つかりません。")))
        return listing
    real_root = folder.resolve()
    base = source.base_url.strip()
    if base and not base.endswith("/"):
        base += "/"

    def on_error(error: OSError) -> None:
        listing.complete = False
        listing.failed.append((str(error.filename or folder), _("フォルダを読めませんでした。")))

    for directory, dirnames, filenames in os.walk(folder, onerror=on_error):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith(".") or not name.lower().endswith(FOLDER_SUFFIXES):
                continue
            path = Path(directory) / name
            if not path.resolve().is_relative_to(real_root):
                continue  # a symbolic link out of the folder
            relative = path.relative_to(folder).as_posix()
            url = urljoin(base, quote(relative, safe="/")) if base else path.resolve().as_uri()
            if len(url) > _URL_MAX:
                listing.failed.append((relative, _("URLが長すぎます（500文字まで）。")))
                continue
            if not listing.add(url):
                listing.notes.append(
                    _("ファイルが多すぎるため、最初の %(count)d件だけを取り込みました。")
                    % {"count": MAX_URLS}
                )
                return listing
            listing.files[url] = path
    if not listing.urls and listing.complete:
        listing.complete = False
        listing.failed.append(
            (str(folder), _("取り込めるファイル（HTML・Markdown・テキスト・PDF）がありません。"))
        )
    return listing


# --- syncing ---------------------------------------------------------------------------------------


def _resolve_department(
    extracted: Extracted, departments: list[Department], default: Department | None
) -> Department | None:
    """The Department named exactly, else the longest Department name in the contact block."""
    if extracted.department:
        for department in departments:
            if department.name == extracted.department:
                return department
    text = extracted.contact or extracted.department or ""
    found = [d for d in departments if d.name and d.name in text]
    if found:
        return max(found, key=lambda d: len(d.name))
    return default


class _Syncer:
    def __init__(self, source: Source, fetcher: Fetcher, *, force: bool) -> None:
        self.source = source
        self.fetcher = fetcher
        self.force = force
        self.departments = list(Department.objects.all())
        self.result = SyncResult()

    def run(self) -> SyncResult:
        source = self.source
        kind = source.kind
        if kind == "sitemap":
            listing = _list_sitemap(source.location, self.fetcher)
        elif kind == "urls":
            listing = _list_urls(source.location)
        elif kind == "folder":
            listing = _list_folder(source)
        else:
            listing = _Listing(complete=False, failed=[(source.name, _("情報源の種類が正しくありません。"))])
        self.result.failed.extend(listing.failed)
        self.result.notes.extend(dict.fromkeys(listing.notes))
        existing = {page.url: page for page in Page.objects.filter(source=source)}
        for url in listing.urls:
            try:
                self._sync_page(url, existing.get(url), listing.files.get(url))
            except IngestError as exc:
                self.result.failed.append((url, str(exc)))
            except Exception as exc:  # one broken page must not stop the others
                logger.exception("assistant sync: %s", url)
                self.result.failed.append(
                    (url, _("予期しないエラー（%(error)s）。") % {"error": type(exc).__name__})
                )
        if listing.complete:
            listed = set(listing.urls)
            gone = [page.pk for url, page in existing.items() if url not in listed]
            if gone:
                Page.objects.filter(pk__in=gone).delete()
                self.result.removed = len(gone)
        elif existing:
            self.result.notes.append(_("一覧を最後まで読めなかったため、ページは削除していません。"))
        return self.result

    def _fetch(self, url: str, page: Page | None, path: Path | None) -> FetchResult:
        if path is None:
            fetched = self.fetcher.get(
                url,
                etag="" if self.force or page is None else page.etag,
                last_modified="" if self.force or page is None else page.last_modified,
            )
            return fetched
        try:
            stat = path.stat()
            stamp = f"{stat.st_mtime_ns}:{stat.st_size}"
            if page is not None and not self.force and page.last_modified == stamp:
                return FetchResult(304, b"", "", stamp, "", url)
            if stat.st_size > MAX_BYTES:
                raise _too_large(MAX_BYTES)
            body = path.read_bytes()
        except OSError as exc:
            raise IngestError(
                _("ファイルを読めませんでした（%(reason)s）。") % {"reason": exc.strerror or exc}
            ) from None
        return FetchResult(200, body, "", stamp, mimetypes.guess_type(path.name)[0] or "", url)

    def _sync_page(self, url: str, page: Page | None, path: Path | None) -> None:
        now = timezone.now()
        fetched = self._fetch(url, page, path)
        if fetched.status == 304:
            if page is None:
                raise IngestError(_("サーバーが「変更なし」と答えましたが、まだ取り込んでいません。"))
            Page.objects.filter(pk=page.pk).update(
                fetched_at=now, last_modified=fetched.last_modified or page.last_modified
            )
            self.result.unchanged += 1
            return
        digest = hashlib.sha256(fetched.body).hexdigest()
        validators = {"etag": fetched.etag, "last_modified": fetched.last_modified, "fetched_at": now}
        if page is not None and not self.force and digest == page.content_hash:
            Page.objects.filter(pk=page.pk).update(**validators)
            self.result.unchanged += 1
            return
        if page is None:
            other = Page.objects.filter(url=url).select_related("source").first()
            if other is not None:
                raise IngestError(
                    _("このURLは別の情報源「%(name)s」で取り込み済みです。") % {"name": other.source.name}
                )
        extracted = extract(fetched.body, url=fetched.final_url or url, content_type=fetched.content_type)
        passages = chunk(extracted.sections)
        if not passages:
            raise IngestError(_("本文が見つかりませんでした。"))
        department = _resolve_department(extracted, self.departments, self.source.department)
        fields = {
            "title": extracted.title[:_TITLE_MAX] or _title_from_url(url)[:_TITLE_MAX],
            "department": department,
            "updated_on": extracted.updated_on,
            "content_hash": digest,
            **validators,
        }
        if page is not None and self._same_content(page, fields, passages):
            Page.objects.filter(pk=page.pk).update(**validators, content_hash=digest)
            self.result.unchanged += 1  # the bytes moved (a token, a clock) but not the text
            return
        with transaction.atomic():
            if page is None:
                page = Page.objects.create(source=self.source, url=url, **fields)
                self.result.added += 1
            else:
                for name, value in fields.items():
                    setattr(page, name, value)
                page.save()
                page.passages.all().delete()
                self.result.changed += 1
            Passage.objects.bulk_create(
                Passage(page=page, position=position, heading=heading, text=text)
                for position, (heading, text) in enumerate(passages)
            )

    @staticmethod
    def _same_content(page: Page, fields: dict[str, object], passages: list[tuple[str, str]]) -> bool:
        department = fields["department"]
        department_id = department.pk if isinstance(department, Department) else None
        if (
            page.title != fields["title"]
            or page.updated_on != fields["updated_on"]
            or page.department_id != department_id
        ):
            return False
        stored = list(page.passages.order_by("position").values_list("heading", "text"))
        return stored == passages


# A sync that has not finished after this long is taken for dead (a killed process): the source may be
# synced again.
SYNC_STALE_AFTER = dt.timedelta(hours=2)


def sync_source(source: Source, *, fetcher: Fetcher | None = None, force: bool = False) -> SyncResult:
    """Sync one source: add new pages, update changed ones (all of them with ``force``), delete
    pages no longer listed, and bump ``IndexState`` once when anything changed. Records the
    Japanese summary in ``source.last_result``."""
    started = timezone.now()
    claimed = (
        Source.objects.filter(pk=source.pk)
        .filter(Q(sync_started_at__isnull=True) | Q(sync_started_at__lt=started - SYNC_STALE_AFTER))
        .update(sync_started_at=started)
    )
    if not claimed:
        return SyncResult(
            failed=[(source.name, _("この情報源はいま同期中です。終わってからもう一度試してください。"))]
        )
    try:
        result = _Syncer(source, fetcher or Fetcher(), force=force).run()
    finally:
        Source.objects.filter(pk=source.pk, sync_started_at=started).update(sync_started_at=None)
    if result.touched:
        IndexState.bump()
    source.last_synced_at = timezone.now()
    source.last_result = result.summary()
    source.save(update_fields=["last_synced_at", "last_result"])
    logger.info("assistant sync of %s: %s", source.name, result.summary().split("\n", 1)[0])
    return result


def sync_all(
    *, source_id: int | None = None, fetcher: Fetcher | None = None, force: bool = False
) -> list[tuple[Source, SyncResult]]:
    """Sync every active source (or only the active source ``source_id``)."""
    sources = Source.objects.filter(active=True).select_related("department").order_by("pk")
    if source_id is not None:
        sources = sources.filter(pk=source_id)
    fetcher = fetcher or Fetcher()
    results: list[tuple[Source, SyncResult]] = []
    for source in sources:
        try:
            result = sync_source(source, fetcher=fetcher, force=force)
        except Exception as exc:  # one source's crash must not stop the others
            logger.exception("assistant sync of source %s", source.pk)
            result = SyncResult(
                failed=[(source.name, _("予期しないエラー（%(error)s）。") % {"error": type(exc).__name__})]
            )
        results.append((source, result))
    return results


__all__ = [
    "Extracted",
    "FetchResult",
    "Fetcher",
    "IngestError",
    "SyncResult",
    "chunk",
    "extract",
    "sync_all",
    "sync_source",
]

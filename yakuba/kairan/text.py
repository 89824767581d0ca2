"""Text from associations' officers and members, made safe: HTML bodies sanitised with nh3 (an
allow-list), titles and file names plain text. Input is normalised (NFKC) first, so that a full-width
「＜script＞」 becomes ``<script>`` before the sanitiser sees it, never after."""

import re
import unicodedata

import nh3

TAGS = {
    "p",
    "br",
    "strong",
    "b",
    "em",
    "i",
    "u",
    "ul",
    "ol",
    "li",
    "h2",
    "h3",
    "blockquote",
    "a",
    "ruby",
    "rt",
    "rp",
}
ATTRIBUTES = {"a": {"href"}}
URL_SCHEMES = {"http", "https", "mailto", "tel"}
_BLOCKS = re.compile(r"<(p|br|ul|ol|li|h2|h3|blockquote)\b", re.IGNORECASE)


def normalise(text: str) -> str:
    """NFKC (full-width ASCII to half-width, half-width kana to full-width) and no control characters
    other than newlines and tabs."""
    text = unicodedata.normalize("NFKC", text or "")
    return "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C")


def clean_html(html: str) -> str:
    """The body of a circular: formatting kept, scripts, styles, event handlers and javascript: URLs
    removed; links open safely."""
    text = normalise(html)
    if not _BLOCKS.search(text):
        # Typed into the box as text: blank lines are paragraphs, newlines are line breaks.
        paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
        text = "".join("<p>" + p.replace("\n", "<br>") + "</p>" for p in paragraphs)
    return nh3.clean(
        text,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def plain(text: str, *, max_length: int) -> str:
    """A one-line plain text (a title, a name): normalised, tags are just characters (escaped when
    shown), no line breaks."""
    return " ".join(normalise(text).split())[:max_length]


def safe_file_name(name: str) -> str:
    """A file name for display and download: no path, no control or quote characters."""
    base = normalise(name).replace("\\", "/").rsplit("/", 1)[-1]
    base = re.sub(r'[<>:"|?*\x00-\x1f]', "_", base).strip(" .") or "file"
    return base[:150]


def search_key(text: str) -> str:
    """Japanese-aware folding for the archive search: NFKC, katakana to hiragana, lower case, no
    spaces (so 「ゴミ」, 「ごみ」 and 「ｺﾞﾐ」 match each other)."""
    import jaconv

    text = nh3.clean(normalise(text), tags=set())  # tags dropped, text kept
    return "".join(jaconv.kata2hira(text).lower().split())

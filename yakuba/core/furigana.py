"""ふりがな: kanji words get their reading as HTML ruby (SudachiPy, dictionary "core"): for 回覧板
members who asked for it in their settings, and for the assistant's やさしい日本語 answers. Readings come
from a dictionary, so a name may be read wrongly (names have many readings): household names use the
furigana the officers entered instead."""

import html
import re
from functools import lru_cache
from typing import Any

import jaconv

_KANJI = re.compile(r"[\u3400-\u9fff\uf900-\ufaff々〆ヶ]")
_TAG = re.compile(r"(<[^>]+>)")


@lru_cache(maxsize=1)
def _tokenizer() -> Any:
    from sudachipy import dictionary

    return dictionary.Dictionary(dict="core").tokenizer()


def _split(surface: str, reading: str) -> list[tuple[str, str]]:
    """One word as (text, reading) pieces: kana around the kanji get no reading (読んで → 読/よ, んで)."""
    head = tail = ""
    while (
        surface and reading and not _KANJI.match(surface[-1]) and jaconv.kata2hira(surface[-1]) == reading[-1]
    ):
        tail = surface[-1] + tail
        surface, reading = surface[:-1], reading[:-1]
    while surface and reading and not _KANJI.match(surface[0]) and jaconv.kata2hira(surface[0]) == reading[0]:
        head += surface[0]
        surface, reading = surface[1:], reading[1:]
    if not surface or not reading or reading == jaconv.kata2hira(surface):
        return [(head + surface + tail, "")]
    return [(piece, r) for piece, r in ((head, ""), (surface, reading), (tail, "")) if piece]


def segments(text: str) -> list[tuple[str, str]]:
    """Plain text as (text, reading) pieces, the reading in hiragana for kanji words and empty for the
    rest; neighbouring pieces without a reading are joined. For scripts that build ruby elements."""
    if not _KANJI.search(text or ""):
        return [(text, "")] if text else []
    out: list[tuple[str, str]] = []
    for m in _tokenizer().tokenize(text):
        surface = m.surface()
        pieces = (
            _split(surface, jaconv.kata2hira(m.reading_form())) if _KANJI.search(surface) else [(surface, "")]
        )
        for piece, reading in pieces:
            if not reading and out and not out[-1][1]:
                out[-1] = (out[-1][0] + piece, "")
            else:
                out.append((piece, reading))
    return out


def ruby_text(text: str) -> str:
    """Plain text → HTML with ruby over its kanji words (everything escaped)."""
    out = []
    for piece, reading in segments(text or ""):
        if reading:
            out.append(
                f"<ruby>{html.escape(piece)}<rp>（</rp><rt>{html.escape(reading)}</rt><rp>）</rp></ruby>"
            )
        else:
            out.append(html.escape(piece))
    return "".join(out)


def ruby_html(sanitised: str) -> str:
    """Sanitised HTML (a circular's body) → the same HTML with ruby in its text, tags untouched."""
    parts = _TAG.split(sanitised or "")
    inside_ruby = False
    for i, part in enumerate(parts):
        if part.startswith("<"):
            name = part[1:].split(">")[0].split()[0].lower() if len(part) > 2 else ""
            if name == "ruby":
                inside_ruby = True
            elif name == "/ruby":
                inside_ruby = False
            continue
        if part and not inside_ruby:
            parts[i] = ruby_text(html.unescape(part))
    return "".join(parts)

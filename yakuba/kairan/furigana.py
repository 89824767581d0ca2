"""ふりがな on request: kanji words get their reading as HTML ruby (SudachiPy, dictionary "core"), for
members who asked for it in their settings. Readings come from a dictionary, so a name may be read
wrongly (names have many readings): household names use the furigana the officers entered instead."""

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


def _ruby(surface: str, reading: str) -> str:
    """One word: kana written around the kanji stay outside the ruby (読んで → 読<rt>よ</rt>んで)."""
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
        return html.escape(head + surface + tail)
    return (
        f"{html.escape(head)}<ruby>{html.escape(surface)}<rp>（</rp><rt>{html.escape(reading)}</rt>"
        f"<rp>）</rp></ruby>{html.escape(tail)}"
    )


def ruby_text(text: str) -> str:
    """Plain text → HTML with ruby over its kanji words (everything escaped)."""
    if not _KANJI.search(text or ""):
        return html.escape(text or "")
    out = []
    for m in _tokenizer().tokenize(text):
        surface = m.surface()
        if _KANJI.search(surface):
            out.append(_ruby(surface, jaconv.kata2hira(m.reading_form())))
        else:
            out.append(html.escape(surface))
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

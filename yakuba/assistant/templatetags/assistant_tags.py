"""Rendering of answer text: escaped, line breaks kept, 「[n]」 citation marks linked to the numbered
sources of the same answer, and in やさしい日本語 ruby readings over the kanji."""

import re

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from yakuba.core.furigana import ruby_text

register = template.Library()
_MARK = re.compile(r"\[(\d{1,2})\]")


@register.filter
def cite_links(text: str, exchange_id: int) -> SafeString:
    return _linked(escape(text or ""), exchange_id)


@register.filter
def cite_links_ruby(text: str, exchange_id: int) -> SafeString:
    return _linked(ruby_text(text or ""), exchange_id)  # ruby_text escapes every piece of text


def _linked(escaped: str, exchange_id: int) -> SafeString:
    linked = _MARK.sub(
        lambda m: f'<a class="chat__cite" href="#x-{int(exchange_id)}-c{m.group(1)}">[{m.group(1)}]</a>',
        escaped,
    )
    return mark_safe(linked.replace("\n", "<br>"))  # noqa: S308 - built from escaped text

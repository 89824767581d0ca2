"""Rendering of answer text: escaped, line breaks kept, and 「[n]」 citation marks linked to the
numbered sources of the same answer."""

import re

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()
_MARK = re.compile(r"\[(\d{1,2})\]")


@register.filter
def cite_links(text: str, exchange_id: int) -> SafeString:
    escaped = escape(text or "")
    linked = _MARK.sub(
        lambda m: f'<a class="chat__cite" href="#x-{int(exchange_id)}-c{m.group(1)}">[{m.group(1)}]</a>',
        escaped,
    )
    return mark_safe(linked.replace("\n", "<br>"))  # noqa: S308 - built from escaped text

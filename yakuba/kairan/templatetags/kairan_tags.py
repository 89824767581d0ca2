"""``{{ text|furigana:member }}`` and ``{{ body|furigana_html:member }}``: ruby readings for members who
asked for ふりがな; unchanged (and escaped as usual) for everyone else."""

from typing import Any

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from yakuba.core import furigana as ruby

register = template.Library()


def _wants(member: Any) -> bool:
    return bool(getattr(member, "furigana", False))


@register.filter
def furigana(text: Any, member: Any) -> SafeString:
    if not _wants(member):
        return conditional_escape(text)
    return mark_safe(ruby.ruby_text(str(text)))  # noqa: S308 - ruby_text escapes every piece of text


@register.filter
def furigana_html(body: Any, member: Any) -> SafeString:
    """For a circular's body, already sanitised with nh3 when it was saved."""
    if not _wants(member):
        return mark_safe(str(body))  # noqa: S308 - sanitised on save (text.clean_html)
    return mark_safe(ruby.ruby_html(str(body)))  # noqa: S308 - tags kept from the sanitised body, text escaped

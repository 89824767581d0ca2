"""Checks on short text from clients (codes, numbers, keys)."""


def is_plain_text(value: object, *, printable: bool = True, line_breaks: bool = False) -> bool:
    """Whether ``value`` is a ``str`` a terminal or a person would send, so that a refusal can be a
    clear 400 rather than a server error (PostgreSQL cannot store NUL, UTF-8 cannot encode a lone
    surrogate).

    ``printable=True``: every character is printable (``str.isprintable``): no control, format,
    private-use, unassigned or surrogate characters, and no whitespace but the ASCII space.
    ``printable=False``: only C0 control characters (NUL, tab, newline…) and lone surrogates are
    refused; DEL, other spaces (such as the ideographic space) and format characters pass.
    ``line_breaks=True`` (text typed in a text area): line feeds, carriage returns and tabs pass too."""
    if not isinstance(value, str):
        return False
    if line_breaks:
        value = value.replace("\r", "").replace("\n", "").replace("\t", "")
    if printable:
        return value.isprintable()
    return not any(ord(ch) < 32 or 0xD800 <= ord(ch) <= 0xDFFF for ch in value)

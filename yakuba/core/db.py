"""Database helpers that keep queries index-friendly on both SQLite and PostgreSQL."""

from django.db import connection
from django.db.models import Q


def prefix_q(field: str, prefix: str) -> Q:
    """``field`` starts with ``prefix``, using the column's B-tree index.

    PostgreSQL answers ``LIKE 'x%'`` from the ``varchar_pattern_ops`` index Django creates for indexed
    CharFields. SQLite's LIKE is case-insensitive and skips an ordinary index, so there a range on
    the binary (code point) order is used instead: every string starting with ``prefix`` sorts in
    ``[prefix, prefix + U+10FFFF)``."""
    if connection.vendor == "sqlite":
        return Q(**{f"{field}__gte": prefix, f"{field}__lt": prefix + "\U0010ffff"})
    return Q(**{f"{field}__startswith": prefix})

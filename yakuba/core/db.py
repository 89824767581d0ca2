"""Database helpers that keep queries index-friendly and correct on both SQLite and PostgreSQL."""

from django.db import connection
from django.db.models import F
from django.db.models.functions import Collate
from django.db.models.lookups import GreaterThanOrEqual, LessThan

# Sorts after every character, so [prefix, prefix + MAX_CHAR) holds exactly the strings that start with prefix.
MAX_CHAR = "\U0010ffff"


def binary_text(field: str) -> F | Collate:
    """``field`` compared by code point: SQLite's default (BINARY); on PostgreSQL ``COLLATE "C"``,
    whatever the database's own collation (a locale collation may ignore spaces or punctuation)."""
    if connection.vendor == "postgresql":
        return Collate(F(field), "C")
    return F(field)


def prefix_conditions(field: str, prefix: str) -> tuple[GreaterThanOrEqual, LessThan]:
    """``field`` starts with ``prefix``, as a range that a B-tree index on ``binary_text(field)``
    answers (SQLite's LIKE is case-insensitive and skips ordinary indexes)."""
    expression = binary_text(field)
    return GreaterThanOrEqual(expression, prefix), LessThan(expression, prefix + MAX_CHAR)

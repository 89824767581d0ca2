"""Gap-free, commit-ordered serial numbers (see ``NumberSequence``)."""

from django.db import transaction

from yakuba.core.models import NumberSequence


def sequence_next(*, name: str, count: int = 1) -> int:
    """Reserve ``count`` serials of series ``name`` and return the first. Must run inside the
    caller's transaction: the row stays locked until it commits, which orders the series by commit."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("sequence_next() must run inside transaction.atomic")
    table = NumberSequence._meta.db_table
    # One statement: the UPDATE takes the row lock (the whole database on SQLite) until commit.
    # RETURNING needs SQLite 3.35 or newer.
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET last_value = last_value + %s WHERE name = %s RETURNING last_value",  # noqa: S608
            [count, name],
        )
        row = cursor.fetchone()
    if row is None:
        NumberSequence.objects.get_or_create(name=name)
        return sequence_next(name=name, count=count)
    return int(row[0]) - count + 1

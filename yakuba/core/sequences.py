"""Gap-free, commit-ordered serial numbers (see ``NumberSequence``)."""

from django.db import transaction
from django.db.models import F

from yakuba.core.models import NumberSequence


def sequence_next(*, name: str, count: int = 1) -> int:
    """Reserve ``count`` serials of series ``name`` and return the first. Must run inside the
    caller's transaction: the row stays locked until it commits, which orders the series by commit."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("sequence_next() must run inside transaction.atomic")
    NumberSequence.objects.get_or_create(name=name)
    row = NumberSequence.objects.select_for_update().get(name=name)
    NumberSequence.objects.filter(pk=row.pk).update(last_value=F("last_value") + count)
    return row.last_value + 1


def sequence_current(*, name: str) -> int:
    row = NumberSequence.objects.filter(name=name).values_list("last_value", flat=True).first()
    return row or 0

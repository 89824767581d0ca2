"""The hash-chained audit log.

Every read of a resident's personal data, every change and every extract is recorded with
``audit_record``. Entries are chained: each stores the previous entry's hash, and ``audit_verify``
recomputes the chain and names the first entry that was edited, removed or inserted.
"""

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from yakuba.core.models import AuditEntry, NumberSequence

GENESIS = "0" * 64
_HEAD = "audit"


def _canonical(entry: AuditEntry) -> bytes:
    content = {
        "seq": entry.seq,
        "at": entry.at.isoformat(),
        "actor": entry.actor,
        "action": entry.action,
        "target_type": entry.target_type,
        "target_id": entry.target_id,
        "mynumber_shown": entry.mynumber_shown,
        "detail": entry.detail,
    }
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def _hash(prev_hash: str, entry: AuditEntry) -> str:
    return hashlib.sha256(prev_hash.encode() + _canonical(entry)).hexdigest()


def _now_ms() -> dt.datetime:
    now = timezone.now()
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def _actor_name(actor: Any) -> str:
    if actor is None:
        return "system"
    if isinstance(actor, str):
        return actor
    return str(getattr(actor, "username", actor))


def audit_record(
    *,
    actor: Any,
    action: str,
    target_type: str = "",
    target_id: str = "",
    mynumber_shown: bool = False,
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry. Joins the caller's transaction if there is one, so a change and its audit
    entry commit or roll back together."""
    # savepoint=False: inside the caller's transaction, the entry shares its fate without the cost of
    # a savepoint; on its own it is a transaction of its own.
    with transaction.atomic(savepoint=False):
        # The head row serialises writers: the chain stays linear under concurrency.
        head = NumberSequence.objects.select_for_update().filter(name=_HEAD).first()
        if head is None:
            NumberSequence.objects.get_or_create(name=_HEAD)
            head = NumberSequence.objects.select_for_update().get(name=_HEAD)
        prev_hash = head.last_hash
        if not prev_hash and head.last_value:
            last = AuditEntry.objects.filter(seq=head.last_value).only("entry_hash").first()
            prev_hash = last.entry_hash if last else ""
        entry = AuditEntry(
            seq=head.last_value + 1,
            # Milliseconds: what Django's serialisers keep, so a backup restores verifiable hashes.
            at=_now_ms(),
            actor=_actor_name(actor),
            action=action,
            target_type=target_type,
            target_id=str(target_id),
            mynumber_shown=mynumber_shown,
            detail=json.loads(json.dumps(detail or {}, ensure_ascii=False, default=str)),
            prev_hash=prev_hash or GENESIS,
        )
        entry.entry_hash = _hash(entry.prev_hash, entry)
        _append(entry, head_pk=head.pk)
    return entry


_INSERT = (
    f"INSERT INTO {AuditEntry._meta.db_table} "  # noqa: S608 - table names from the models, values bound
    "(seq, at, actor, action, target_type, target_id, mynumber_shown, detail, prev_hash, entry_hash) "
    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING id; "
    f"UPDATE {NumberSequence._meta.db_table} SET last_value = %s, last_hash = %s WHERE id = %s"
)


def _append(entry: AuditEntry, *, head_pk: int) -> None:
    """Insert the entry and move the head. On PostgreSQL both statements go in one round trip (the
    head row is locked for every writer in the city, so its hold time is the audit's throughput)."""
    connection = transaction.get_connection()
    if connection.vendor != "postgresql":
        entry.save(force_insert=True)
        NumberSequence.objects.filter(pk=head_pk).update(last_value=entry.seq, last_hash=entry.entry_hash)
        return
    with connection.cursor() as cursor:
        cursor.execute(
            _INSERT,
            [
                entry.seq,
                entry.at,
                entry.actor,
                entry.action,
                entry.target_type,
                entry.target_id,
                entry.mynumber_shown,
                json.dumps(entry.detail, ensure_ascii=False),
                entry.prev_hash,
                entry.entry_hash,
                entry.seq,
                entry.entry_hash,
                head_pk,
            ],
        )
        row = cursor.fetchone()
    entry.pk = row[0]
    entry._state.adding = False


@dataclass(frozen=True)
class AuditVerification:
    ok: bool
    checked: int
    first_broken_seq: int | None = None
    reason: str = ""


def audit_verify() -> AuditVerification:
    """Walk the whole chain in order. Detects an edited entry (its hash no longer matches), a deleted
    or inserted entry (a gap in ``seq`` or a ``prev_hash`` that does not match), and a deleted tail
    (the head counter is ahead of the last entry)."""
    prev_hash = GENESIS
    expected_seq = 1
    checked = 0
    for entry in AuditEntry.objects.order_by("seq").iterator(chunk_size=2000):
        if entry.seq != expected_seq:
            return AuditVerification(False, checked, expected_seq, f"entry #{expected_seq} is missing")
        if entry.prev_hash != prev_hash:
            return AuditVerification(
                False, checked, entry.seq, f"entry #{entry.seq} does not follow its predecessor"
            )
        if _hash(prev_hash, entry) != entry.entry_hash:
            return AuditVerification(False, checked, entry.seq, f"entry #{entry.seq} was altered")
        prev_hash = entry.entry_hash
        expected_seq += 1
        checked += 1
    head = NumberSequence.objects.filter(name=_HEAD).values_list("last_value", "last_hash").first() or (0, "")
    if head[0] != checked or (head[1] and head[1] != prev_hash):
        return AuditVerification(False, checked, checked + 1, f"entries after #{checked} are missing")
    return AuditVerification(True, checked)

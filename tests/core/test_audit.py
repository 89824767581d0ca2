import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from yakuba.core.audit import audit_record, audit_verify
from yakuba.core.models import AuditEntry


@pytest.fixture
def three_entries(db):
    for i in range(3):
        audit_record(
            actor="madoguchi", action="resident_read", target_type="resident", target_id=f"00000000{i}"
        )


def test_an_untouched_chain_verifies(three_entries, capsys):
    assert audit_verify().ok
    call_command("audit", "verify")
    assert "audit log OK: 3 entries" in capsys.readouterr().out


def test_editing_an_entry_names_it(three_entries):
    AuditEntry.objects.filter(seq=2).update(actor="someone-else")
    result = audit_verify()
    assert (result.ok, result.first_broken_seq) == (False, 2)
    with pytest.raises(CommandError, match="BROKEN at entry #2"):
        call_command("audit", "verify")


def test_deleting_an_entry_in_the_middle_is_detected(three_entries):
    AuditEntry.objects.filter(seq=2).delete()
    result = audit_verify()
    assert (result.ok, result.first_broken_seq) == (False, 2)


def test_deleting_the_newest_entry_is_detected(three_entries):
    AuditEntry.objects.filter(seq=3).delete()
    result = audit_verify()
    assert (result.ok, result.first_broken_seq) == (False, 3)


def test_rewriting_an_entry_and_its_hash_breaks_the_next_link(three_entries):
    from yakuba.core.audit import _hash

    entry = AuditEntry.objects.get(seq=1)
    entry.actor = "intruder"
    entry.entry_hash = _hash(entry.prev_hash, entry)
    entry.save()
    result = audit_verify()
    assert (result.ok, result.first_broken_seq) == (False, 2)


def test_entries_record_whether_the_mynumber_was_shown(db):
    entry = audit_record(actor="kessai", action="resident_read", target_id="1", mynumber_shown=True)
    assert AuditEntry.objects.get(pk=entry.pk).mynumber_shown is True

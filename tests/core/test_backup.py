import pytest
from django.core.management import call_command

from tests.factories import register_household
from yakuba.core.audit import audit_verify
from yakuba.core.crypto import decrypt
from yakuba.core.models import AuditEntry, StaffUser
from yakuba.residents.models import Household, Resident, ResidentHistory


@pytest.mark.django_db(transaction=True)
def test_backup_and_restore_round_trip(clerk, approver, tmp_path, settings):
    register_household(clerk, approver)
    seal = settings.MEDIA_ROOT / "seal" / "seal.png"
    seal.parent.mkdir(parents=True)
    seal.write_bytes(b"\x89PNG fake seal for the round trip")
    before = {
        "residents": sorted(Resident.objects.values_list("atena_no", "name", "mynumber_enc")),
        "history": ResidentHistory.objects.count(),
        "audit": list(AuditEntry.objects.values_list("seq", "entry_hash")),
    }
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", str(archive))
    audit_count = AuditEntry.objects.count()

    Resident.objects.all().delete()
    ResidentHistory.objects.all().delete()
    Household.objects.all().delete()
    seal.unlink()

    call_command("restore", str(archive), "--yes")

    assert sorted(Resident.objects.values_list("atena_no", "name", "mynumber_enc")) == before["residents"]
    assert ResidentHistory.objects.count() == before["history"]
    assert AuditEntry.objects.count() == audit_count
    assert (
        list(AuditEntry.objects.values_list("seq", "entry_hash"))[: len(before["audit"])] == before["audit"]
    )
    assert audit_verify().ok
    taro = Resident.objects.get(name="山田 太郎")
    assert len(decrypt(taro.mynumber_enc)) == 12
    assert seal.read_bytes() == b"\x89PNG fake seal for the round trip"
    # Staff, roles and two-factor devices come back too: the clerk can still sign in.
    assert StaffUser.objects.get(username="madoguchi").groups.filter(name="窓口担当").exists()

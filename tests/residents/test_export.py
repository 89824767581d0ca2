import csv

from django.core.management import call_command

from tests.factories import by_name, pd, register_household
from yakuba.core.models import AuditEntry
from yakuba.residents import services


def test_full_and_delta_files_for_file_exchange(clerk, approver, tmp_path, capsys):
    register_household(clerk, approver)
    full = tmp_path / "out" / "full.csv"
    call_command("residents_export", str(full))
    assert "3 rows written" in capsys.readouterr().out
    rows = list(csv.reader(full.open(encoding="utf-8")))
    assert rows[0][:3] == ["変更連番", "宛名番号", "履歴番号"] and len(rows) == 4
    assert {r[27] for r in rows[1:]} == {""}  # 個人番号 left empty unless asked for

    hanako = by_name("山田 花子")
    idou = services.idou_enter_death(
        actor=clerk, atena_no=hanako.atena_no, idou_date=pd("2024-06-01"), notified_on=None
    )
    services.idou_approve(actor=approver, idou_id=idou.pk)
    delta = tmp_path / "delta.csv"
    call_command("residents_export", str(delta), "--since", "3")
    rows = list(csv.reader(delta.open(encoding="utf-8")))
    assert [(r[6], r[4]) for r in rows[1:]] == [("山田 花子", "deceased")]
    assert not list(tmp_path.rglob("*.part"))
    assert AuditEntry.objects.filter(action="extract_delta_file", actor="system:export").count() == 1

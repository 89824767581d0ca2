"""異動 as the city handles them: Madoguchi enters (仮登録), Kessai approves (本登録)."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.factories import by_name, mynumber, pd, person, register_household, yamada_family
from yakuba.core import events
from yakuba.core.checkdigit import number_is_valid
from yakuba.core.crypto import decrypt
from yakuba.core.models import AuditEntry
from yakuba.residents import interface, services
from yakuba.residents.models import Household, Idou, Resident, ResidentHistory
from yakuba.residents.records import RecordError
from yakuba.residents.services import IdouError, StaleVersion


def enter_move_in(actor, *, members=None, idou_date="2024-04-01", address="一ノ森市本町1番"):
    return services.idou_enter_move_in(
        actor=actor,
        idou_date=pd(idou_date),
        notified_on=None,
        members=members or yamada_family(),
        previous_address="東京都",
        address=address,
    )


def _approve(approver, idou):
    return services.idou_approve(actor=approver, idou_id=idou.pk)


def test_move_in_is_invisible_until_approved(clerk, approver):
    idou = services.idou_enter_move_in(
        actor=clerk,
        idou_date=pd("2024-04-01"),
        notified_on=dt.date(2024, 4, 2),
        members=yamada_family(),
        previous_address="東京都千代田区千代田1番1号",
        address="一ノ森市本町二丁目3番4号",
        katagaki="コーポ森 201",
    )
    assert idou.state == Idou.State.PENDING
    assert Resident.objects.count() == 0 and Household.objects.count() == 0
    assert ResidentHistory.objects.count() == 0
    assert interface.household_get("000000001", actor="test") is None

    _approve(approver, idou)

    idou.refresh_from_db()
    assert idou.state == Idou.State.APPROVED and idou.decided_by == approver
    household = Household.objects.get()
    assert number_is_valid(household.setai_no, 10)
    members = list(household.members.order_by("atena_no"))
    assert [m.name for m in members] == ["山田 太郎", "山田 花子", "山田 一郎"]
    assert [m.relationship for m in members] == ["世帯主", "妻", "子"]
    assert all(number_is_valid(m.atena_no, 10) for m in members)
    assert [m.atena_no for m in members] == idou.result["atena_nos"]
    taro = members[0]
    assert taro.became_resident_on == pd("2024-04-01")
    assert taro.previous_address == "東京都千代田区千代田1番1号"
    assert taro.notified_on == dt.date(2024, 4, 2)
    assert taro.rireki_no == 1
    assert by_name("山田 花子").birth_date.display() == "昭和53年7月7日"
    # Stored encrypted; the ciphertext never contains the number.
    assert len(decrypt(taro.mynumber_enc)) == 12 and decrypt(taro.mynumber_enc) not in taro.mynumber_enc
    history = ResidentHistory.objects.get(atena_no=taro.atena_no)
    assert (history.rireki_no, history.idou_type, history.snapshot["head_name"]) == (
        1,
        "move_in",
        "山田 太郎",
    )
    assert (
        history.snapshot["address"] == "一ノ森市本町二丁目3番4号"
        and history.snapshot["katagaki"] == "コーポ森 201"
    )


def test_events_follow_approval_after_commit(clerk, approver, django_capture_on_commit_callbacks):
    seen = []
    events.subscribe(interface.ResidentMovedIn, seen.append)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            household = register_household(clerk, approver)
        assert len(seen) == 1
        assert seen[0].setai_no == household.setai_no and len(seen[0].atena_nos) == 3
    finally:
        events.unsubscribe(interface.ResidentMovedIn, seen.append)


def test_approving_ones_own_entry_is_refused(clerk, approver):
    idou = enter_move_in(approver)
    with pytest.raises(IdouError, match="自分が入力した異動は決裁できません"):
        _approve(approver, idou)
    assert Resident.objects.count() == 0


def test_clerk_cannot_approve(clerk, approver):
    idou = enter_move_in(approver)
    with pytest.raises(IdouError, match="権限がありません"):
        _approve(clerk, idou)
    assert Resident.objects.count() == 0


def test_second_approval_is_refused(clerk, approver, approver2):
    idou = enter_move_in(clerk)
    _approve(approver, idou)
    with pytest.raises(IdouError, match="すでに本登録されています"):
        _approve(approver2, idou)
    assert Resident.objects.count() == 3


def test_returned_entry_changes_nothing_and_cannot_be_approved(clerk, approver):
    idou = enter_move_in(clerk)
    services.idou_return(actor=approver, idou_id=idou.pk, reason="転入前住所の記載漏れ")
    with pytest.raises(IdouError, match="すでに差戻しされています"):
        _approve(approver, idou)
    assert Resident.objects.count() == 0


def test_move_in_of_someone_already_resident_is_refused(clerk, approver):
    members = yamada_family()
    register_household(clerk, approver, members)
    again = [
        person("山田 太郎", "ヤマダ タロウ", "1975-04-01", "1", "世帯主", mynumber=members[0]["mynumber"])
    ]
    with pytest.raises(IdouError, match="この個人番号の方はすでに住民として登録されています"):
        enter_move_in(clerk, members=again, idou_date="2024-05-01", address="一ノ森市駅前1番")
    same_person_no_number = [person("山田 太郎", "やまだ たろう", "1975-04-01", "1", "世帯主", mynumber="")]
    with pytest.raises(IdouError, match="同じフリガナ・生年月日・性別の住民"):
        enter_move_in(clerk, members=same_person_no_number, idou_date="2024-05-01", address="一ノ森市駅前1番")
    assert Idou.objects.filter(state=Idou.State.PENDING).count() == 0


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"name_kana": "山田"}, "フリガナはカタカナ（またはひらがな）で入力してください。"),
        ({"birth_date": "2023-02-30"}, "存在しない日付です。"),
        (
            {"relationship": "祖父"},
            "「祖父」は続柄に使えません。「父の父 / 母の父」のように記載してください。",
        ),
        ({"relationship": "子の子の子の子の子"}, "「の」でつなげる続柄は4つまでです"),
        ({"relationship": "準世帯主"}, "「準世帯主」は続柄に使えません"),
        ({"mynumber": "123456789010"}, "個人番号は12桁の数字で、検査数字が正しいものを入力してください。"),
        ({"birth_date": "2099-01-01"}, "生年月日に未来の日付は入力できません。"),
    ],
)
def test_bad_input_gets_a_clear_message_and_changes_nothing(clerk, change, message):
    members = [{**person("佐藤 健", "サトウ ケン", "1980-01-01", "1", "世帯主"), **change}]
    with pytest.raises(RecordError) as exc:
        enter_move_in(clerk, members=members)
    assert message in exc.value.message
    assert Idou.objects.count() == 0
    assert "123456789010" not in str(exc.value)


def test_idou_date_in_the_future_is_refused_except_move_out(clerk, approver):
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    with pytest.raises(IdouError, match="異動日に未来の日付は入力できません"):
        services.idou_enter_move_in(
            actor=clerk,
            idou_date=pd(tomorrow),
            notified_on=None,
            members=yamada_family(),
            previous_address="東京都",
            address="一ノ森市本町1番",
        )
    household = register_household(clerk, approver)
    taro = by_name("山田 太郎")
    idou = services.idou_enter_move_out(
        actor=clerk,
        setai_no=household.setai_no,
        atena_nos=[r.atena_no for r in household.members.all()],
        planned_date=pd(tomorrow),
        notified_on=None,
        destination="宮城県仙台市青葉区1番",
    )
    _approve(approver, idou)
    record = interface.resident_get(taro.atena_no, actor="test")
    assert record.status == "moved_out"
    assert record.moving_out_planned(timezone.localdate()) is True
    household.refresh_from_db()
    assert household.active is False


def test_partly_unknown_death_date(clerk, approver):
    register_household(clerk, approver)
    taro = by_name("山田 太郎")
    idou = services.idou_enter_death(
        actor=clerk, atena_no=taro.atena_no, idou_date=pd("令和5年頃"), notified_on=None
    )
    _approve(approver, idou)
    taro.refresh_from_db()
    assert taro.status == "deceased" and taro.left_on.display() == "令和5年頃" and taro.rireki_no == 2
    history = list(ResidentHistory.objects.filter(atena_no=taro.atena_no).order_by("rireki_no"))
    assert [(h.rireki_no, h.idou_type, h.snapshot["status"]) for h in history] == [
        (1, "move_in", "resident"),
        (2, "death", "deceased"),
    ]


def test_birth_joins_the_household(clerk, approver):
    household = register_household(clerk, approver)
    child = person("山田 二郎", "ヤマダ ジロウ", "2024-06-01", "1", "子", mynumber="", juminhyo_code="")
    idou = services.idou_enter_birth(actor=clerk, setai_no=household.setai_no, notified_on=None, person=child)
    _approve(approver, idou)
    jiro = by_name("山田 二郎")
    assert jiro.household == household and jiro.became_resident_on == pd("2024-06-01")
    assert jiro.last_idou_kind == "birth"


def test_address_change_moves_the_whole_household(clerk, approver):
    household = register_household(clerk, approver)
    idou = services.idou_enter_address_change(
        actor=clerk,
        setai_no=household.setai_no,
        idou_date=pd("2024-08-01"),
        notified_on=None,
        address="一ノ森市駅前一丁目5番6号",
    )
    _approve(approver, idou)
    household.refresh_from_db()
    assert household.address == "一ノ森市駅前一丁目5番6号"
    assert {r.address_set_on for r in household.members.all()} == {pd("2024-08-01")}
    assert set(ResidentHistory.objects.filter(idou=idou).values_list("rireki_no", flat=True)) == {2}


def test_split_merge_and_head_change(clerk, approver):
    household = register_household(clerk, approver)
    hanako, ichiro = by_name("山田 花子"), by_name("山田 一郎")
    split = services.idou_enter_split(
        actor=clerk,
        setai_no=household.setai_no,
        relationships={ichiro.atena_no: "世帯主"},
        idou_date=pd("2024-09-01"),
        notified_on=None,
        katagaki="離れ",
    )
    _approve(approver, split)
    ichiro.refresh_from_db()
    assert ichiro.relationship == "世帯主" and ichiro.household != household
    new_household = ichiro.household
    assert new_household.address == household.address and new_household.katagaki == "離れ"

    merge = services.idou_enter_merge(
        actor=clerk,
        from_setai_no=new_household.setai_no,
        into_setai_no=household.setai_no,
        relationships={ichiro.atena_no: "子"},
        idou_date=pd("2024-10-01"),
        notified_on=None,
    )
    _approve(approver, merge)
    ichiro.refresh_from_db()
    new_household.refresh_from_db()
    assert ichiro.household == household and ichiro.relationship == "子" and new_household.active is False

    taro = by_name("山田 太郎")
    change = services.idou_enter_head_change(
        actor=clerk,
        setai_no=household.setai_no,
        relationships={taro.atena_no: "夫", hanako.atena_no: "世帯主", ichiro.atena_no: "子"},
        idou_date=pd("2024-11-01"),
        notified_on=None,
    )
    _approve(approver, change)
    record = interface.household_get(household.setai_no, actor="test")
    assert record.head_name == "山田 花子"
    assert [(m.name, m.relationship) for m in record.members] == [
        ("山田 花子", "世帯主"),
        ("山田 太郎", "夫"),
        ("山田 一郎", "子"),
    ]


def test_household_rules(clerk, approver):
    household = register_household(clerk, approver)
    taro, hanako, ichiro = by_name("山田 太郎"), by_name("山田 花子"), by_name("山田 一郎")
    with pytest.raises(IdouError, match="世帯主はちょうど1人にしてください（現在2人）"):
        services.idou_enter_head_change(
            actor=clerk,
            setai_no=household.setai_no,
            relationships={taro.atena_no: "世帯主", hanako.atena_no: "世帯主", ichiro.atena_no: "子"},
            idou_date=pd("2024-11-01"),
            notified_on=None,
        )
    with pytest.raises(IdouError, match="先に世帯主変更をしてください"):
        services.idou_enter_move_out(
            actor=clerk,
            setai_no=household.setai_no,
            atena_nos=[taro.atena_no],
            planned_date=pd("2024-11-01"),
            notified_on=None,
            destination="東京都",
        )
    assert Idou.objects.filter(state=Idou.State.PENDING).count() == 0


def test_correction_and_stale_versions(clerk, approver):
    register_household(clerk, approver)
    hanako = by_name("山田 花子")
    seen = {f"R:{hanako.atena_no}": hanako.rireki_no}
    idou = services.idou_enter_correction(
        actor=clerk,
        atena_no=hanako.atena_no,
        changes={"name_kana": "ヤマダ ハナ"},
        reason="届出書の記載誤り",
        idou_date=pd("2024-05-01"),
        expected_versions=seen,
    )
    _approve(approver, idou)
    hanako.refresh_from_db()
    assert hanako.name_kana == "ヤマダ ハナ" and hanako.rireki_no == 2
    # A second clerk's screen still shows version 1: the edit is refused and nothing changes.
    with pytest.raises(StaleVersion, match="画面を開いた後に更新されています"):
        services.idou_enter_correction(
            actor=clerk,
            atena_no=hanako.atena_no,
            changes={"former_surname": "佐藤"},
            reason="旧氏の記載",
            idou_date=pd("2024-05-01"),
            expected_versions=seen,
        )
    assert Idou.objects.filter(state=Idou.State.PENDING).count() == 0


def test_approval_refused_when_the_record_changed_after_entry(clerk, approver):
    register_household(clerk, approver)
    hanako = by_name("山田 花子")
    first = services.idou_enter_correction(
        actor=clerk,
        atena_no=hanako.atena_no,
        changes={"former_surname": "佐藤"},
        reason="旧氏",
        idou_date=pd("2024-05-01"),
    )
    # Simulate a change that landed between entry and approval (another path bumped the record).
    Resident.objects.filter(pk=hanako.pk).update(rireki_no=5)
    with pytest.raises(StaleVersion, match="入力後に対象の記録が更新されたため本登録できません"):
        _approve(approver, first)
    first.refresh_from_db()
    assert first.state == Idou.State.PENDING
    hanako.refresh_from_db()
    assert hanako.former_surname == ""


def test_a_second_entry_for_the_same_person_waits_for_the_first(clerk, approver):
    register_household(clerk, approver)
    hanako = by_name("山田 花子")
    services.idou_enter_correction(
        actor=clerk,
        atena_no=hanako.atena_no,
        changes={"former_surname": "佐藤"},
        reason="旧氏",
        idou_date=pd("2024-05-01"),
    )
    with pytest.raises(IdouError, match="決裁待ちの異動"):
        services.idou_enter_death(
            actor=clerk, atena_no=hanako.atena_no, idou_date=pd("2024-06-01"), notified_on=None
        )


def test_correcting_the_mynumber_reencrypts_it(clerk, approver):
    register_household(clerk, approver)
    hanako = by_name("山田 花子")
    new_number = mynumber(77_777_777)
    idou = services.idou_enter_correction(
        actor=clerk,
        atena_no=hanako.atena_no,
        changes={"mynumber": new_number},
        reason="番号の誤り",
        idou_date=pd("2024-05-01"),
    )
    assert new_number not in str(idou.payload)
    _approve(approver, idou)
    hanako.refresh_from_db()
    assert decrypt(hanako.mynumber_enc) == new_number


def test_every_change_is_audited(clerk, approver):
    register_household(clerk, approver)
    actions = list(AuditEntry.objects.values_list("actor", "action"))
    assert ("madoguchi", "idou_entered") in actions and ("kessai", "idou_approved") in actions


def test_foreign_resident_needs_nationality(clerk):
    foreigner = person(
        "グエン ヴァン アン",
        "グエン ヴァン アン",
        "1998-03-15",
        "1",
        "世帯主",
        kind="foreign",
        nationality="",
        art30_45="1",
        alphabet_name="Nguyen Van An",
    )
    with pytest.raises(RecordError, match="国籍・地域を入力してください"):
        services.idou_enter_move_in(
            actor=clerk,
            idou_date=pd("2024-04-01"),
            notified_on=None,
            members=[foreigner],
            previous_address="ベトナム",
            address="一ノ森市本町1番",
        )

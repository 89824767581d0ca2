"""The clerk's pages, driven over HTTP, with each persona's rights."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import by_name, mynumber, person, register_household, yamada_family
from yakuba.core.models import AuditEntry
from yakuba.residents.models import Idou, Resident


@pytest.fixture
def yamada(clerk, approver):
    members = yamada_family()
    members[0]["mynumber"] = mynumber(12_345_678)
    return register_household(clerk, approver, members)


@pytest.mark.parametrize("typed", ["やまだ", "ﾔﾏﾀﾞ", "ヤマダ　タ", "山田 花", "花子"])
def test_search_by_kana_or_kanji_ignores_width_and_kana_kind(yamada, clerk, as_user, typed):
    page = as_user(clerk).get("/residents/", {"name": typed}).content.decode()
    assert "山田" in page
    assert "件見つかりました" in page


def test_search_by_birth_date_in_wareki_and_by_address(yamada, clerk, as_user):
    client = as_user(clerk)
    page = client.get("/residents/", {"birth_date": "S53.7.7"}).content.decode()
    assert "山田 花子" in page and "山田 太郎" not in page
    page = client.get("/residents/", {"address": "本町二丁目"}).content.decode()
    assert "3件見つかりました。" in page


def test_bad_search_date_gets_a_message(yamada, clerk, as_user):
    page = as_user(clerk).get("/residents/", {"birth_date": "2023-02-30"}).content.decode()
    assert "存在しない日付です。" in page


def test_searches_are_audited(yamada, clerk, as_user):
    as_user(clerk).get("/residents/", {"name": "やまだ"})
    entry = AuditEntry.objects.filter(action="resident_search").get()
    assert entry.actor == "madoguchi" and entry.detail["count"] == 3


def test_household_page_lists_members_in_standard_order(yamada, clerk, as_user):
    page = as_user(clerk).get(f"/residents/households/{yamada.setai_no}/").content.decode()
    assert page.index("山田 太郎") < page.index("山田 花子") < page.index("山田 一郎")
    assert "昭和53年7月7日" in page


def test_household_page_runs_a_constant_number_of_queries(clerk, approver, as_user):
    small = register_household(
        clerk, approver, [person("鈴木 一", "スズキ ハジメ", "1950-01-01", "1", "世帯主")]
    )
    big_members = [person("高橋 父", "タカハシ チチ", "1960-01-01", "1", "世帯主")] + [
        person(f"高橋 子{i}", f"タカハシ コ{'ア' * (i + 1)}", f"199{i}-01-01", "2", "子") for i in range(6)
    ]
    big = register_household(clerk, approver, big_members, address="一ノ森市駅前2番")
    client = as_user(clerk)
    client.get("/")  # first request of a session creates the settings row
    counts = []
    for household in (small, big):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/residents/households/{household.setai_no}/").status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_mynumber_is_masked_for_clerks_and_revealed_only_on_request(yamada, clerk, approver, as_user):
    taro = by_name("山田 太郎")
    number = mynumber(12_345_678)
    page = as_user(clerk).get(f"/residents/people/{taro.atena_no}/").content.decode()
    assert number not in page and "************" in page and "個人番号を表示" not in page
    assert taro.juminhyo_code not in page
    client = as_user(approver)
    page = client.get(f"/residents/people/{taro.atena_no}/").content.decode()
    assert number not in page and "個人番号を表示（記録されます）" in page
    page = client.get(f"/residents/people/{taro.atena_no}/", {"show": "mynumber"}).content.decode()
    assert number in page
    shown = AuditEntry.objects.filter(action="resident_read", target_id=taro.atena_no, mynumber_shown=True)
    assert list(shown.values_list("actor", flat=True)) == ["kessai"]
    # Clerks asking for it get the masked page, and the log says it was not shown.
    page = as_user(clerk).get(f"/residents/people/{taro.atena_no}/", {"show": "mynumber"}).content.decode()
    assert number not in page


def test_resident_page_shows_full_history(yamada, clerk, as_user):
    taro = by_name("山田 太郎")
    page = as_user(clerk).get(f"/residents/people/{taro.atena_no}/").content.decode()
    assert "履歴" in page and "転入" in page


@pytest.mark.parametrize(
    ("persona", "search", "move_in"),
    [
        ("madoguchi", 200, 200),  # clerk: sees and enters
        ("kessai", 200, 200),  # approver: sees and enters
        ("kanri", 403, 403),  # administrator: manages staff, not residents
        ("kansa", 403, 403),  # auditor: reads the audit log only
        ("tanin", 403, 403),  # no role at all
    ],
)
def test_who_may_open_what(persona, search, move_in, as_user, db):
    from tests.personas import make_persona

    client = as_user(make_persona(persona))
    assert client.get("/residents/").status_code == search
    assert client.get("/residents/idou/new/move-in/").status_code == move_in


def test_clerk_enters_move_in_through_the_form_and_approver_approves(clerk, approver, as_user):
    clerk_client = as_user(clerk)
    form = {
        "idou_date": "令和6年4月1日",
        "notified_on": "2024-04-02",
        "previous_address": "東京都千代田区千代田1番1号",
        "address": "一ノ森市本町三丁目1番1号",
        "member_count": "1",
        "m0-name": "佐藤 健",
        "m0-name_kana": "さとう けん",
        "m0-birth_date": "1980-01-01",
        "m0-sex": "1",
        "m0-relationship": "世帯主",
        "m0-kind": "japanese",
        "m0-mynumber": mynumber(99_999_999),
    }
    response = clerk_client.post("/residents/idou/new/move-in/", form)
    assert response.status_code == 302
    idou = Idou.objects.get()
    assert idou.payload["members"][0]["name_kana"] == "サトウ ケン"
    # The clerk cannot approve their own entry; the page does not even offer it.
    page = clerk_client.get(f"/residents/idou/{idou.pk}/").content.decode()
    assert "本登録する" not in page
    response = as_user(approver).post(f"/residents/idou/{idou.pk}/", {"action": "approve"})
    assert response.status_code == 302
    assert Resident.objects.get().name == "佐藤 健"


def test_form_errors_are_shown_in_japanese_and_nothing_is_saved(clerk, as_user):
    form = {
        "idou_date": "2024-04-01",
        "previous_address": "東京都",
        "address": "一ノ森市本町1番",
        "member_count": "1",
        "m0-name": "佐藤 健",
        "m0-name_kana": "Sato",
        "m0-birth_date": "1980-01-01",
        "m0-sex": "1",
        "m0-relationship": "孫",
        "m0-kind": "japanese",
    }
    page = as_user(clerk).post("/residents/idou/new/move-in/", form).content.decode()
    assert "フリガナはカタカナ（またはひらがな）で入力してください。" in page
    assert Idou.objects.count() == 0


def test_adding_a_person_keeps_what_was_typed(clerk, as_user):
    form = {
        "idou_date": "2024-04-01",
        "previous_address": "東京都",
        "member_count": "1",
        "m0-name": "佐藤 健",
        "add_member": "1",
    }
    page = as_user(clerk).post("/residents/idou/new/move-in/", form).content.decode()
    assert 'name="m1-name"' in page and 'value="佐藤 健"' in page
    assert "入力してください" not in page

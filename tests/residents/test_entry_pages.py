"""Each 異動 form, posted as the clerk would, becomes one 仮登録 with the expected content."""

import pytest

from tests.factories import by_name, register_household
from yakuba.residents.models import Household, Idou


@pytest.fixture
def yamada(clerk, approver):
    return register_household(clerk, approver)


def _post(client, path, data):
    response = client.post(path, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return Idou.objects.order_by("-pk").first()


def test_address_change_form(yamada, clerk, as_user):
    idou = _post(
        as_user(clerk),
        f"/residents/idou/new/{yamada.setai_no}/address-change/",
        {"idou_date": "2024-08-01", "address": "一ノ森市駅前一丁目5番6号", "katagaki": "", "postal_code": ""},
    )
    assert (idou.type, idou.payload["address"]) == ("address_change", "一ノ森市駅前一丁目5番6号")


def test_move_out_form_with_planned_date(yamada, clerk, as_user):
    atena = [r.atena_no for r in yamada.members.all()]
    idou = _post(
        as_user(clerk),
        f"/residents/idou/new/{yamada.setai_no}/move-out/",
        {"idou_date": "令和9年4月1日", "destination": "宮城県仙台市青葉区1番", "atena_nos": atena},
    )
    assert idou.type == "move_out" and idou.idou_date.to_db() == "2027-04-01"
    assert sorted(idou.payload["atena_nos"]) == sorted(atena)


def test_birth_form(yamada, clerk, as_user):
    idou = _post(
        as_user(clerk),
        f"/residents/idou/new/{yamada.setai_no}/birth/",
        {
            "m0-name": "山田 二郎",
            "m0-name_kana": "やまだ じろう",
            "m0-birth_date": "2024-06-01",
            "m0-sex": "1",
            "m0-relationship": "子",
            "m0-kind": "japanese",
        },
    )
    assert idou.type == "birth" and idou.payload["person"]["name_kana"] == "ヤマダ ジロウ"


def test_death_form_accepts_an_unknown_day(yamada, clerk, as_user):
    taro = by_name("山田 太郎")
    idou = _post(
        as_user(clerk), f"/residents/idou/new/person/{taro.atena_no}/death/", {"idou_date": "令和5年10月"}
    )
    assert idou.type == "death" and idou.idou_date.display() == "令和5年10月日不詳"


def test_head_change_form(yamada, clerk, as_user):
    taro, hanako, ichiro = by_name("山田 太郎"), by_name("山田 花子"), by_name("山田 一郎")
    idou = _post(
        as_user(clerk),
        f"/residents/idou/new/{yamada.setai_no}/head-change/",
        {
            "idou_date": "2024-11-01",
            f"rel_{taro.atena_no}": "夫",
            f"rel_{hanako.atena_no}": "世帯主",
            f"rel_{ichiro.atena_no}": "子",
        },
    )
    assert idou.payload["relationships"][hanako.atena_no] == "世帯主"


def test_split_then_merge_forms(yamada, clerk, approver, as_user):
    from yakuba.residents import services

    ichiro = by_name("山田 一郎")
    client = as_user(clerk)
    split = _post(
        client,
        f"/residents/idou/new/{yamada.setai_no}/split/",
        {"idou_date": "2024-09-01", f"rel_{ichiro.atena_no}": "世帯主"},
    )
    services.idou_approve(actor=approver, idou_id=split.pk)
    ichiro.refresh_from_db()
    merge = _post(
        client,
        f"/residents/idou/new/{ichiro.household.setai_no}/merge/",
        {"idou_date": "2024-10-01", "into_setai_no": yamada.setai_no, f"rel_{ichiro.atena_no}": "子"},
    )
    assert merge.payload == {
        "from_setai_no": ichiro.household.setai_no,
        "into_setai_no": yamada.setai_no,
        "relationships": {ichiro.atena_no: "子"},
    }


def test_correction_form_changes_only_what_was_edited(yamada, clerk, as_user):
    hanako = by_name("山田 花子")
    client = as_user(clerk)
    page = client.get(f"/residents/idou/new/person/{hanako.atena_no}/correction/").content.decode()
    assert 'value="ヤマダ ハナコ"' in page
    # The clerk role may not see or edit 個人番号, 住民票コード or 本籍 in the form.
    assert 'name="m0-mynumber"' not in page and 'name="m0-honseki"' not in page
    idou = _post(
        client,
        f"/residents/idou/new/person/{hanako.atena_no}/correction/",
        {
            "idou_date": "2024-05-01",
            "reason": "届出書の記載誤り",
            "m0-name": "山田 花子",
            "m0-name_kana": "ヤマダ ハナ",
            "m0-kana_confirmed": "on",
            "m0-birth_date": "昭和53年7月7日",
            "m0-sex": "2",
            "m0-kind": "japanese",
        },
    )
    assert idou.payload["changes"] == {"name_kana": "ヤマダ ハナ"}


def test_stale_form_is_refused_with_a_message(yamada, clerk, as_user):
    client = as_user(clerk)
    data = {
        "idou_date": "2024-08-01",
        "address": "一ノ森市駅前1番",
        "versions": f'{{"H:{yamada.setai_no}": 0}}',
    }
    page = client.post(f"/residents/idou/new/{yamada.setai_no}/address-change/", data).content.decode()
    assert "最新の内容を開き直してから入力してください" in page
    assert Idou.objects.filter(state="pending").count() == 0
    assert Household.objects.get(pk=yamada.pk).address == "一ノ森市本町二丁目3番4号"

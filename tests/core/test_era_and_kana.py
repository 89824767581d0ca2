import datetime as dt

import pytest

from yakuba.core.era import InvalidDate, PartialDate, parse_partial_date, wareki
from yakuba.core.kana import InvalidKana, clean_furigana, search_key


@pytest.mark.parametrize(
    ("text", "stored", "shown"),
    [
        ("1950-04-01", "1950-04-01", "昭和25年4月1日"),
        ("昭和25年4月1日", "1950-04-01", "昭和25年4月1日"),
        ("Ｓ２５．４．１", "1950-04-01", "昭和25年4月1日"),
        ("平成元年1月8日", "1989-01-08", "平成元年1月8日"),
        ("昭和64年1月7日", "1989-01-07", "昭和64年1月7日"),
        ("令和元年5月1日", "2019-05-01", "令和元年5月1日"),
        ("令和5年頃", "2023-00-00~", "令和5年頃"),
        ("昭和25年4月", "1950-04-00", "昭和25年4月日不詳"),
        ("年月日不詳", "0000-00-00", "年月日不詳"),
    ],
)
def test_partial_dates_parse_store_and_show(text, stored, shown):
    value = parse_partial_date(text)
    assert value.to_db() == stored
    assert value.display() == shown
    assert PartialDate.from_db(stored) == value


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2023-02-30", "存在しない日付です。"),
        ("昭和64年1月8日", "その元号の期間にない日付です。"),
        ("平成31年5月1日", "その元号の期間にない日付です。"),
        ("きのう", "日付の形式が正しくありません（例：昭和25年4月1日、1950-04-01、令和5年頃）。"),
        ("2023-13-01", "月は1から12の間で入力してください。"),
    ],
)
def test_impossible_dates_get_a_japanese_message(text, message):
    with pytest.raises(InvalidDate) as exc:
        parse_partial_date(text)
    assert str(exc.value) == message


def test_foreign_residents_see_western_dates():
    assert parse_partial_date("1990-02-03").display(japanese_era=False) == "1990年2月3日"


def test_wareki():
    assert wareki(dt.date(2026, 11, 26)) == "令和8年11月26日"
    assert wareki(dt.date(2019, 4, 30)) == "平成31年4月30日"


def test_partial_dates_sort_chronologically_as_text():
    values = ["1950-04-01", "1950-00-00", "1949-12-31", "0000-00-00"]
    assert sorted(values) == ["0000-00-00", "1949-12-31", "1950-00-00", "1950-04-01"]


@pytest.mark.parametrize("typed", ["やまだ たろう", "ﾔﾏﾀﾞ ﾀﾛｳ", "ヤマダ　タロウ", "ヤマダタロウ"])
def test_search_key_ignores_width_kana_kind_and_spaces(typed):
    assert search_key(typed) == "ヤマダタロウ"


def test_furigana_is_stored_as_full_width_katakana():
    assert clean_furigana("やまだ　たろう") == "ヤマダ タロウ"
    assert clean_furigana("ﾔﾏﾀﾞ ﾀﾛｳ") == "ヤマダ タロウ"


@pytest.mark.parametrize("bad", ["山田", "Yamada", "ヤマダ1", ""])
def test_furigana_rejects_non_kana(bad):
    with pytest.raises(InvalidKana):
        clean_furigana(bad)

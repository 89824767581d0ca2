"""保育料・副食費 rules, with hand-computed yen against the demo bracket table (no database).

Fiscal year 2025 (令和7年度) throughout: age classes are fixed on 2025-04-01.
Demo table (standard / short): <48,600 19,500/19,100; <97,000 30,000/29,500; <169,000 44,500/43,900; ...
"""

import datetime as dt
from decimal import Decimal

import pytest

from yakuba.payments.childcare import (
    DEMO_BRACKETS,
    Bracket,
    Child,
    FeeInputError,
    FeeSettings,
    Household,
    MonthlyFee,
    age_class,
    assessment_year_for,
    monthly_fees,
)

FY = 2025
D = dt.date

ONE = Child("one", D(2023, 10, 15), enrolled=True)  # 1歳児クラス
FOUR = Child("four", D(2020, 9, 1), enrolled=True)  # 4歳児クラス


def fees_by_key(
    household: Household, month: int = 6, settings: FeeSettings | None = None
) -> dict[str, MonthlyFee]:
    return {fee.child_key: fee for fee in monthly_fees(household, FY, month, settings or FeeSettings())}


def test_one_year_old_in_bracket_2_standard_hours():
    [fee] = monthly_fees(Household((ONE,), shotokuwari=60_000), FY, 6, FeeSettings())
    assert (fee.age_class, fee.hoikuryo, fee.fukushokuhi, fee.total) == (1, 30_000, 0, 30_000)
    assert "所得割額 97,000円未満の階層" in fee.reasons
    assert "保育標準時間 月額30,000円" in fee.reasons


def test_short_hours_use_the_short_fee():
    child = Child("one", D(2023, 10, 15), enrolled=True, standard_hours=False)
    [fee] = monthly_fees(Household((child,), shotokuwari=60_000), FY, 6, FeeSettings())
    assert fee.hoikuryo == 29_500


def test_bracket_bounds_are_exclusive():
    assert fees_by_key(Household((ONE,), shotokuwari=48_599))["one"].hoikuryo == 19_500
    assert fees_by_key(Household((ONE,), shotokuwari=48_600))["one"].hoikuryo == 30_000
    top = fees_by_key(Household((ONE,), shotokuwari=397_000))["one"]
    assert top.hoikuryo == 104_000
    assert "所得割額 397,000円以上の階層" in top.reasons


def test_second_child_pays_half_with_older_sibling_in_care():
    fees = fees_by_key(Household((ONE, FOUR), shotokuwari=60_000))
    assert fees["one"].hoikuryo == 15_000
    assert "第2子のため半額（きょうだいは就学前の施設利用児のみ数える）" in fees["one"].reasons
    # The free 4-year-old is the 第1子 and pays 副食費 (60,000 ≥ 57,700).
    assert (fees["four"].hoikuryo, fees["four"].fukushokuhi, fees["four"].total) == (0, 4_500, 4_500)
    assert "4歳児クラスのため保育料は無償" in fees["four"].reasons


def test_sibling_reduction_floors_to_the_yen():
    settings = FeeSettings(brackets=(Bracket(None, 25_555, 25_001),))
    assert (
        fees_by_key(Household((ONE, FOUR), shotokuwari=60_000), settings=settings)["one"].hoikuryo == 12_777
    )
    short = Child("one", D(2023, 10, 15), enrolled=True, standard_hours=False)
    assert (
        fees_by_key(Household((short, FOUR), shotokuwari=60_000), settings=settings)["one"].hoikuryo == 12_500
    )
    # A float rate is taken as its decimal text: 25,555 × 0.3 = 7,666.5 → 7,666.
    settings = FeeSettings(brackets=(Bracket(None, 25_555, 25_001),), second_child_rate=0.3)
    fee = fees_by_key(Household((ONE, FOUR), shotokuwari=60_000), settings=settings)["one"]
    assert fee.hoikuryo == 7_666
    assert settings.second_rate == Decimal("0.3")
    assert any("基準額の30%" in reason for reason in fee.reasons)


ZERO = Child("zero", D(2024, 6, 1), enrolled=True)  # 0歳児クラス
THREE = Child("three", D(2021, 8, 1), enrolled=True)  # 3歳児クラス
FIVE = Child("five", D(2019, 5, 1), enrolled=True)  # 5歳児クラス


def test_three_children_0_3_5_classes():
    fees = fees_by_key(Household((ZERO, THREE, FIVE), shotokuwari=120_000))
    assert [fees[k].age_class for k in ("zero", "three", "five")] == [0, 3, 5]
    # 0歳児 is the 第3子: 44,500 (bracket 3) × 0 = 0.
    assert (fees["zero"].hoikuryo, fees["zero"].fukushokuhi) == (0, 0)
    assert "第3子以降のため0円（きょうだいは就学前の施設利用児のみ数える）" in fees["zero"].reasons
    assert (fees["three"].hoikuryo, fees["three"].fukushokuhi) == (0, 4_500)
    assert (fees["five"].hoikuryo, fees["five"].fukushokuhi) == (0, 4_500)


def test_three_children_low_income_exempt_from_fukushokuhi():
    fees = fees_by_key(Household((ZERO, THREE, FIVE), shotokuwari=57_699))
    assert [fees[k].total for k in ("zero", "three", "five")] == [0, 0, 0]
    assert "所得割額が57,700円未満のため副食費は免除" in fees["three"].reasons
    # At exactly 57,700 the exemption stops.
    fees = fees_by_key(Household((ZERO, THREE, FIVE), shotokuwari=57_700))
    assert [fees[k].fukushokuhi for k in ("three", "five")] == [4_500, 4_500]


def test_single_parent_threshold_for_fukushokuhi():
    assert fees_by_key(Household((THREE,), shotokuwari=77_100, single_parent=True))["three"].fukushokuhi == 0
    assert (
        fees_by_key(Household((THREE,), shotokuwari=77_101, single_parent=True))["three"].fukushokuhi == 4_500
    )
    assert fees_by_key(Household((THREE,), shotokuwari=77_100))["three"].fukushokuhi == 4_500


def test_third_child_in_3_to_5_classes_is_exempt_from_fukushokuhi():
    four = Child("four", D(2020, 9, 1), enrolled=True)
    fees = fees_by_key(Household((THREE, four, FIVE), shotokuwari=120_000))
    assert (fees["five"].fukushokuhi, fees["four"].fukushokuhi, fees["three"].fukushokuhi) == (
        4_500,
        4_500,
        0,
    )
    assert "第3子以降のため副食費は免除（きょうだいは就学前の施設利用児のみ数える）" in fees["three"].reasons


def test_non_taxed_household_pays_nothing():
    fees = fees_by_key(Household((ONE, THREE), shotokuwari=None, non_taxed=True))
    assert (fees["one"].total, fees["three"].total) == (0, 0)
    assert "市町村民税非課税世帯のため0円" in fees["one"].reasons
    assert "市町村民税非課税世帯のため副食費は免除" in fees["three"].reasons


def test_kintowari_only_household_is_taxed_and_pays_the_lowest_bracket():
    # 均等割のみ課税: 所得割 0 but not 非課税.
    assert fees_by_key(Household((ONE,), shotokuwari=0))["one"].hoikuryo == 19_500


def test_non_taxed_with_shotokuwari_is_inconsistent():
    with pytest.raises(FeeInputError, match="非課税世帯なのに所得割額"):
        Household((ONE,), shotokuwari=10_000, non_taxed=True)


def test_welfare_household_pays_nothing():
    fees = fees_by_key(Household((ONE, THREE), shotokuwari=None, welfare=True))
    assert (fees["one"].total, fees["three"].total) == (0, 0)
    assert "生活保護世帯のため0円" in fees["one"].reasons
    assert "生活保護世帯のため副食費は免除" in fees["three"].reasons


@pytest.mark.parametrize(
    ("birth_date", "klass"),
    [
        (D(2022, 4, 1), 3),  # 4月1日生まれ: one year older than 4月2日生まれ of the same year
        (D(2022, 4, 2), 2),
        (D(2021, 4, 2), 3),
        (D(2023, 4, 1), 2),
        (D(2024, 2, 29), 1),
        (D(2025, 4, 1), 0),
        (D(2025, 4, 2), 0),  # born during the fiscal year
    ],
)
def test_age_class_on_april_first(birth_date, klass):
    assert age_class(birth_date, FY) == klass


def test_april_first_and_second_birthdays_around_the_free_class():
    april_1 = Child("april1", D(2022, 4, 1), enrolled=True)
    april_2 = Child("april2", D(2022, 4, 2), enrolled=True)
    fees = fees_by_key(Household((april_1,), shotokuwari=120_000))
    assert (fees["april1"].age_class, fees["april1"].hoikuryo, fees["april1"].fukushokuhi) == (3, 0, 4_500)
    fees = fees_by_key(Household((april_2,), shotokuwari=120_000))
    assert (fees["april2"].age_class, fees["april2"].hoikuryo, fees["april2"].fukushokuhi) == (2, 44_500, 0)
    # The class is fixed for the year: still 2歳児 (and paying) in March 2026 after turning 3.
    [march] = monthly_fees(Household((april_2,), shotokuwari=120_000), FY, 3, FeeSettings())
    assert (march.age_class, march.hoikuryo) == (2, 44_500)


@pytest.mark.parametrize(
    ("month", "tax_year"),
    [(4, 2024), (5, 2024), (8, 2024), (9, 2025), (12, 2025), (1, 2025), (3, 2025)],
)
def test_assessment_year_switches_in_september(month, tax_year):
    assert assessment_year_for(FY, month) == tax_year


def test_assessment_year_is_named_in_the_reasons():
    household = Household((ONE,), shotokuwari=60_000)
    assert "令和6年度の市町村民税所得割額（60,000円）で判定" in fees_by_key(household, month=8)["one"].reasons
    assert "令和7年度の市町村民税所得割額（60,000円）で判定" in fees_by_key(household, month=9)["one"].reasons


def test_invalid_month_raises():
    with pytest.raises(FeeInputError):
        assessment_year_for(FY, 13)


def test_unknown_income_raises_for_a_0_to_2_child():
    with pytest.raises(
        FeeInputError, match="令和7年度の市町村民税所得割額が不明のため保育料を決定できません"
    ):
        monthly_fees(Household((ONE,), shotokuwari=None), FY, 10, FeeSettings())
    assert issubclass(FeeInputError, ValueError)


def test_unknown_income_raises_for_fukushokuhi_unless_third_child():
    with pytest.raises(FeeInputError, match="副食費の免除を判定できません"):
        monthly_fees(Household((THREE,), shotokuwari=None), FY, 10, FeeSettings())
    four = Child("four", D(2020, 9, 1), enrolled=True)
    with pytest.raises(FeeInputError):
        monthly_fees(Household((THREE, four, FIVE), shotokuwari=None), FY, 10, FeeSettings())
    # Without 副食費 there is nothing to decide for the 3-5 classes.
    settings = FeeSettings(fukushokuhi=0)
    fees = monthly_fees(Household((THREE, four, FIVE), shotokuwari=None), FY, 10, settings)
    assert [fee.total for fee in fees] == [0, 0, 0]


TEN = Child("ten", D(2015, 1, 10), enrolled=False)  # 10 years old, at school


def test_count_mode_all_with_a_ten_year_old_sibling_not_in_care():
    household = Household((TEN, ONE), shotokuwari=120_000)
    # National default: the schoolchild does not count, the 1歳児 is the 第1子 (bracket 3: 44,500).
    assert fees_by_key(household)["one"].hoikuryo == 44_500
    fees = fees_by_key(household, settings=FeeSettings(sibling_count_mode="all"))
    assert list(fees) == ["one"]  # the sibling not in care gets no fee
    assert fees["one"].hoikuryo == 22_250
    assert "第2子のため半額（きょうだいは年齢にかかわらず数える）" in fees["one"].reasons


def test_low_income_households_count_all_children_even_in_preschool_mode():
    household = Household((TEN, ONE), shotokuwari=57_699)
    # 57,699 is in bracket 2 (30,000); under 57,700 the schoolchild counts, so the 1歳児 is the 第2子.
    assert fees_by_key(household)["one"].hoikuryo == 15_000
    assert fees_by_key(Household((TEN, ONE), shotokuwari=40_000))["one"].hoikuryo == 9_750  # 19,500 / 2
    assert fees_by_key(Household((TEN, ONE), shotokuwari=57_700))["one"].hoikuryo == 30_000
    no_widening = FeeSettings(all_children_count_below_income=None)
    assert fees_by_key(household, settings=no_widening)["one"].hoikuryo == 30_000


def test_sibling_at_a_kindergarten_counts_in_preschool_mode():
    kindergarten = Child("k", D(2020, 9, 1), enrolled=False, in_preschool_facility=True)
    at_home = Child("k", D(2020, 9, 1), enrolled=False)
    assert fees_by_key(Household((kindergarten, ONE), shotokuwari=120_000))["one"].hoikuryo == 22_250
    assert fees_by_key(Household((at_home, ONE), shotokuwari=120_000))["one"].hoikuryo == 44_500


JULY_STARTER = Child("one", D(2023, 10, 15), enrolled=True, start=D(2025, 7, 10))  # 22 of 31 days
JULY_LEAVER = Child("one", D(2023, 10, 15), enrolled=True, end=D(2025, 7, 20))  # 20 of 31 days


def test_mid_month_start_or_end_is_a_full_month_by_default():
    assert fees_by_key(Household((JULY_STARTER,), shotokuwari=60_000), month=7)["one"].hoikuryo == 30_000
    assert fees_by_key(Household((JULY_LEAVER,), shotokuwari=60_000), month=7)["one"].hoikuryo == 30_000


def test_daily_proration_floors_to_the_yen():
    settings = FeeSettings(daily_proration=True)
    starter = fees_by_key(Household((JULY_STARTER,), shotokuwari=60_000), month=7, settings=settings)["one"]
    assert starter.hoikuryo == 21_290  # 30,000 × 22 / 31 = 21,290.3
    assert "月途中の入退所のため日割り（22日/31日、1円未満切り捨て）" in starter.reasons
    leaver = fees_by_key(Household((JULY_LEAVER,), shotokuwari=60_000), month=7, settings=settings)["one"]
    assert leaver.hoikuryo == 19_354  # 30,000 × 20 / 31 = 19,354.8
    # Second child: halve first (15,000), then prorate: 15,000 × 22 / 31 = 10,645.1.
    fees = fees_by_key(Household((JULY_STARTER, FOUR), shotokuwari=60_000), month=7, settings=settings)
    assert fees["one"].hoikuryo == 10_645
    # 副食費 is prorated too: 4,500 × 22 / 31 = 3,193.5.
    three = Child("three", D(2021, 8, 1), enrolled=True, start=D(2025, 7, 10))
    assert (
        fees_by_key(Household((three,), shotokuwari=120_000), month=7, settings=settings)["three"].fukushokuhi
        == 3_193
    )
    # A full month is never prorated.
    august = fees_by_key(Household((JULY_STARTER,), shotokuwari=60_000), month=8, settings=settings)
    assert august["one"].hoikuryo == 30_000


def test_children_not_in_care_that_month_are_left_out():
    household = Household((JULY_STARTER, FOUR), shotokuwari=60_000)
    june = fees_by_key(household, month=6)
    assert list(june) == ["four"]
    assert june["four"].fukushokuhi == 4_500


def test_school_age_enrolled_child_raises():
    with pytest.raises(FeeInputError, match="対象年齢を超えています"):
        monthly_fees(
            Household((Child("six", D(2019, 4, 1), enrolled=True),), shotokuwari=0), FY, 6, FeeSettings()
        )


def test_settings_validation():
    assert FeeSettings().brackets == DEMO_BRACKETS
    with pytest.raises(ValueError, match="last bracket"):
        FeeSettings(brackets=(Bracket(10_000, 1, 1),))
    with pytest.raises(ValueError, match="strictly increasing"):
        FeeSettings(brackets=(Bracket(10_000, 1, 1), Bracket(5_000, 2, 2), Bracket(None, 3, 3)))
    with pytest.raises(ValueError, match="between 0 and 1"):
        FeeSettings(second_child_rate=1.5)
    with pytest.raises(FeeInputError, match="重複"):
        Household((ONE, ONE), shotokuwari=0)

"""Monthly day-care fees (保育料・副食費) of a city, computed without Django.

The rules follow the national scheme since October 2019 (幼児教育・保育の無償化); each city sets its own
brackets at or below the national ceiling, which is why everything city-specific lives in ``FeeSettings``.

Rules implemented
-----------------
* **Age class** (``age_class``): the child's age on April 1 of the fiscal year (年度), reckoned as Japanese
  law does (年齢計算ニ関スル法律: a year of age is completed at the end of the day *before* the birthday).
  So a child born on April 1 is already one year older on April 1, and children born from April 2 of
  year Y to April 1 of year Y+1 are in the same class (the 学年 rule). Children born after April 1 of the
  fiscal year are in the 0歳児 class. The class is fixed for the whole fiscal year.
* **3歳児-5歳児 classes** (2号認定): no 保育料 (無償). They pay 副食費 (``FeeSettings.fukushokuhi``) unless the
  household's 所得割額 is under ``fukushokuhi_exempt_below`` (57,700; ``..._single_parent``: 77,101 for
  ひとり親世帯等), the household is 市町村民税非課税 or on 生活保護, or the child is the third child or later.
* **0歳児-2歳児 classes** (3号認定): 保育料 by the bracket of the household's 市町村民税所得割額 (both parents'
  sum, supplied by the caller), for 保育標準時間 or 保育短時間. 生活保護 and 市町村民税非課税 households pay 0
  (非課税 is a flag of its own: a household taxed only the 均等割 has 所得割 0 but is *taxed*, and falls in
  the lowest paying bracket). An unknown 所得割額 raises ``FeeInputError``: the highest bracket is never
  charged by default. 副食費 is included in the 保育料 of these classes, so it is 0.
* **Which year's tax** (``assessment_year_for``): April-August use the previous fiscal year's assessment,
  September-March the current one. The caller passes the 所得割額 of that 課税年度.
* **Siblings**: the counted children are ordered oldest first (ties by ``Child.key``); the oldest is 第1子.
  In ``"preschool"`` mode (national default) a child counts when it is of pre-school age (class 0-5) and
  attends 保育所・幼稚園・認定こども園 etc.: enrolled and in care that month, or ``in_preschool_facility``.
  In ``"all"`` mode every listed child born by the end of the month counts, whatever the age or care;
  ``"preschool"`` cities switch to ``"all"`` for households under ``all_children_count_below_income``
  (57,700; 非課税 and 生活保護 households included). The free 3-5 children count too.
  A 第2子 pays ``second_child_rate`` of the bracket fee, a 第3子 or later ``third_child_rate``.
* **Rounding**: every fractional yen is floored (切り捨て): the sibling reduction first, then the daily
  proration of the reduced fee.
* **Partial months**: the full monthly fee by default; with ``daily_proration`` the fee (保育料 and 副食費)
  becomes ``fee * days enrolled in the month // calendar days of the month``.

主食費 and extended-hours (延長保育) charges are out of scope.
"""

import calendar
import datetime as dt
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from typing import Literal

__all__ = [
    "DEMO_BRACKETS",
    "Bracket",
    "Child",
    "FeeInputError",
    "FeeSettings",
    "Household",
    "MonthlyFee",
    "SiblingCountMode",
    "age_class",
    "assessment_year_for",
    "calendar_month",
    "monthly_fees",
]

SiblingCountMode = Literal["preschool", "all"]

# Age classes 0-2 are 3号認定 (保育料 by income); 3-5 are 2号認定 (保育料 free); 6 and over are at school.
FREE_FROM_CLASS = 3
SCHOOL_CLASS = 6


class FeeInputError(ValueError):
    """Raised with a Japanese message that can be shown to the clerk as is."""


@dataclass(frozen=True)
class Bracket:
    """One income bracket (階層) for the 0-2 classes.

    ``below`` is the exclusive upper bound of the household's 所得割額 in yen (``None``: no upper bound,
    only for the last bracket). The fees are monthly, in yen.
    """

    below: int | None
    standard_fee: int  # 保育標準時間 (up to 11 hours a day)
    short_fee: int  # 保育短時間 (up to 8 hours a day)

    def fee(self, standard_hours: bool) -> int:
        return self.standard_fee if standard_hours else self.short_fee

    def label(self, previous_below: int | None) -> str:
        if self.below is not None:
            return f"所得割額 {self.below:,}円未満の階層"
        if previous_below is not None:
            return f"所得割額 {previous_below:,}円以上の階層"
        return "所得割額による単一の階層"


# DEMO TABLE, not any city's real fees: the national ceiling (国の上限額) for 3号認定 after October 2019.
# Real cities charge less and usually have many more brackets; configure ``FeeSettings.brackets``.
DEMO_BRACKETS: tuple[Bracket, ...] = (
    Bracket(48_600, 19_500, 19_100),
    Bracket(97_000, 30_000, 29_500),
    Bracket(169_000, 44_500, 43_900),
    Bracket(301_000, 61_000, 60_000),
    Bracket(397_000, 80_000, 78_700),
    Bracket(None, 104_000, 102_400),
)


def _rate(value: Decimal | float | str, name: str) -> Decimal:
    rate = value if isinstance(value, Decimal) else Decimal(str(value))
    if not Decimal(0) <= rate <= Decimal(1):
        raise ValueError(f"{name} must be between 0 and 1, not {value!r}")
    return rate


@dataclass(frozen=True)
class FeeSettings:
    """A city's fee rules. Rates given as float or str are stored as ``Decimal`` (0.3 stays exactly 0.3)."""

    brackets: tuple[Bracket, ...] = DEMO_BRACKETS
    fukushokuhi: int = 4_500  # 副食費, monthly, for the 3-5 classes
    fukushokuhi_exempt_below: int = 57_700  # 所得割額 under this: 副食費 exempt
    fukushokuhi_exempt_below_single_parent: int = 77_101  # the same for ひとり親世帯等
    sibling_count_mode: SiblingCountMode = "preschool"
    all_children_count_below_income: int | None = 57_700  # None: never widen "preschool" to "all"
    second_child_rate: Decimal | float | str = Decimal("0.5")
    third_child_rate: Decimal | float | str = Decimal(0)
    daily_proration: bool = False

    def __post_init__(self) -> None:
        brackets = tuple(self.brackets)
        object.__setattr__(self, "brackets", brackets)
        object.__setattr__(self, "second_child_rate", _rate(self.second_child_rate, "second_child_rate"))
        object.__setattr__(self, "third_child_rate", _rate(self.third_child_rate, "third_child_rate"))
        if not brackets:
            raise ValueError("brackets must not be empty")
        if brackets[-1].below is not None:
            raise ValueError("the last bracket must have no upper bound (below=None)")
        bounds = [b.below for b in brackets[:-1] if b.below is not None]
        if len(bounds) != len(brackets) - 1:
            raise ValueError("only the last bracket may have no upper bound")
        if any(a >= b for a, b in itertools.pairwise(bounds)):
            raise ValueError("bracket upper bounds must be strictly increasing")
        if any(b.standard_fee < 0 or b.short_fee < 0 for b in brackets):
            raise ValueError("bracket fees must not be negative")
        if self.fukushokuhi < 0:
            raise ValueError("fukushokuhi must not be negative")
        if self.sibling_count_mode not in ("preschool", "all"):
            raise ValueError(
                f"sibling_count_mode must be 'preschool' or 'all', not {self.sibling_count_mode!r}"
            )

    @property
    def second_rate(self) -> Decimal:
        return _rate(self.second_child_rate, "second_child_rate")

    @property
    def third_rate(self) -> Decimal:
        return _rate(self.third_child_rate, "third_child_rate")

    def bracket_for(self, shotokuwari: int) -> tuple[Bracket, str]:
        """The bracket of a 所得割額 and its label for the reasons."""
        previous: int | None = None
        for bracket in self.brackets:
            if bracket.below is None or shotokuwari < bracket.below:
                return bracket, bracket.label(previous)
            previous = bracket.below
        raise AssertionError("unreachable: the last bracket is unbounded")


@dataclass(frozen=True)
class Child:
    """A child of the household; siblings not in this city's care are listed with ``enrolled=False``.

    ``start``/``end`` are the first and last days in care (inclusive; ``None``: open). ``in_preschool_facility``
    marks a sibling attending another 保育所・幼稚園・認定こども園 etc., who counts in "preschool" mode.
    """

    key: str
    birth_date: dt.date
    enrolled: bool
    standard_hours: bool = True
    start: dt.date | None = None
    end: dt.date | None = None
    in_preschool_facility: bool = False

    def __post_init__(self) -> None:
        if self.start and self.end and self.end < self.start:
            raise FeeInputError(f"{self.key}: 退所日（{self.end}）が入所日（{self.start}）より前です。")

    def days_in_care(self, first: dt.date, last: dt.date) -> int:
        """Days in care between ``first`` and ``last`` (inclusive); 0 when not in care then."""
        if not self.enrolled:
            return 0
        begin = max(first, self.start) if self.start else first
        finish = min(last, self.end) if self.end else last
        return max(0, (finish - begin).days + 1)


@dataclass(frozen=True)
class Household:
    """The household's children and its 市町村民税 status.

    ``shotokuwari`` is the sum of both parents' 市町村民税所得割額 in yen for the 課税年度 given by
    ``assessment_year_for`` (``None``: not known yet). ``non_taxed`` is 市町村民税非課税 (not the same as
    所得割 0), ``welfare`` is 生活保護.
    """

    children: tuple[Child, ...]
    shotokuwari: int | None
    non_taxed: bool = False
    welfare: bool = False
    single_parent: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "children", tuple(self.children))
        keys = [child.key for child in self.children]
        duplicates = sorted({key for key in keys if keys.count(key) > 1})
        if duplicates:
            raise FeeInputError(f"子の識別キーが重複しています: {', '.join(duplicates)}")
        if self.shotokuwari is not None and self.shotokuwari < 0:
            raise FeeInputError(f"所得割額がマイナスです（{self.shotokuwari:,}円）。")
        if self.non_taxed and self.shotokuwari:
            raise FeeInputError(
                f"市町村民税非課税世帯なのに所得割額が{self.shotokuwari:,}円になっています。課税状況を確認してください。"
            )


@dataclass(frozen=True)
class MonthlyFee:
    child_key: str
    age_class: int
    hoikuryo: int  # 保育料
    fukushokuhi: int  # 副食費
    total: int
    reasons: tuple[str, ...]


def age_class(birth_date: dt.date, fiscal_year: int) -> int:
    """The class (0-5 in day care) of a child in ``fiscal_year``: its age on April 1 of that year.

    Age is reckoned as Japanese law does (a year is completed at the end of the day before the birthday),
    so a child born on April 1 is one year older than one born on April 2 of the same year:
    ``age_class(date(2022, 4, 1), 2025) == 3`` and ``age_class(date(2022, 4, 2), 2025) == 2``.
    Children born after April 1 of the fiscal year are in the 0 class.
    """
    after_april_first = (birth_date.month, birth_date.day) > (4, 1)
    return max(0, fiscal_year - birth_date.year - (1 if after_april_first else 0))


def assessment_year_for(fiscal_year: int, month: int) -> int:
    """The 課税年度 of the 市町村民税 that decides a month's fee.

    The new 市町村民税 assessment is settled in June and applied from September: for April-August of
    ``fiscal_year`` the previous year's assessment (``fiscal_year - 1``) applies, for September-December and
    January-March (which fall in calendar year ``fiscal_year + 1``) the current one (``fiscal_year``).
    E.g. 令和7年度 (2025): April-August 2025 use 令和6年度 (2024), September 2025-March 2026 use 令和7年度.
    """
    _check_month(month)
    return fiscal_year - 1 if 4 <= month <= 8 else fiscal_year


def calendar_month(fiscal_year: int, month: int) -> tuple[dt.date, dt.date]:
    """The first and last days of ``month`` in ``fiscal_year`` (January-March are in the next calendar year)."""
    _check_month(month)
    year = fiscal_year if month >= 4 else fiscal_year + 1
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


def _check_month(month: int) -> None:
    if not 1 <= month <= 12:
        raise FeeInputError(f"月は1から12で指定してください（{month}）。")


def _nendo(year: int) -> str:
    """``2024`` → ``令和6年度``; 2019 is 令和元年度 (the fiscal year in which 令和 began)."""
    if year >= 2019:
        number = year - 2018
        return f"令和{'元' if number == 1 else number}年度"
    number = year - 1988
    return f"平成{'元' if number == 1 else number}年度"


def _floor(value: Decimal) -> int:
    return int(value.to_integral_value(rounding=ROUND_FLOOR))


def _rate_text(rate: Decimal) -> str:
    if rate == 0:
        return "0円"
    if rate == Decimal("0.5"):
        return "半額"
    if rate == 1:
        return "減額なし"
    percent = (rate * 100).normalize()
    return f"基準額の{percent:f}%"


def _low_income(household: Household, threshold: int | None) -> bool:
    if household.welfare or household.non_taxed:
        return True
    return threshold is not None and household.shotokuwari is not None and household.shotokuwari < threshold


def _sibling_ranks(
    children: Sequence[Child], fiscal_year: int, first: dt.date, last: dt.date, mode: SiblingCountMode
) -> dict[str, int]:
    """Position (1 = 第1子) of every counted child, oldest first."""

    def counts(child: Child) -> bool:
        if child.birth_date > last:
            return False
        if mode == "all":
            return True
        in_care = child.days_in_care(first, last) > 0 or child.in_preschool_facility
        return in_care and age_class(child.birth_date, fiscal_year) < SCHOOL_CLASS

    counted = sorted((c for c in children if counts(c)), key=lambda c: (c.birth_date, c.key))
    return {child.key: rank for rank, child in enumerate(counted, start=1)}


def _counting(household: Household, settings: FeeSettings) -> SiblingCountMode:
    if settings.sibling_count_mode == "all":
        return "all"
    return "all" if _low_income(household, settings.all_children_count_below_income) else "preschool"


def _prorate(fee: int, days: int, days_in_month: int) -> int:
    return fee * days // days_in_month


def monthly_fees(
    household: Household, fiscal_year: int, month: int, settings: FeeSettings | None = None
) -> list[MonthlyFee]:
    """The fees of every enrolled child in care during ``month`` of ``fiscal_year``, in the household's order.

    Raises ``FeeInputError`` when the fee cannot be decided (unknown 所得割額, a child too old for day care,
    a child not yet born).
    """
    settings = settings or FeeSettings()
    first, last = calendar_month(fiscal_year, month)
    days_in_month = (last - first).days + 1
    mode = _counting(household, settings)
    ranks = _sibling_ranks(household.children, fiscal_year, first, last, mode)
    tax_year = assessment_year_for(fiscal_year, month)

    fees = []
    for child in household.children:
        days = child.days_in_care(first, last)
        if days == 0:
            continue
        if child.birth_date > last:
            raise FeeInputError(f"{child.key}: 生年月日（{child.birth_date}）が{month}月より後です。")
        klass = age_class(child.birth_date, fiscal_year)
        if klass >= SCHOOL_CLASS:
            raise FeeInputError(
                f"{child.key}: {fiscal_year}年4月1日に{klass}歳のため保育所の対象年齢を超えています。"
            )
        rank = ranks[child.key]
        reasons = [f"{klass}歳児クラス"]
        if klass >= FREE_FROM_CLASS:
            hoikuryo = 0
            reasons.append(f"{klass}歳児クラスのため保育料は無償")
            fukushokuhi = _fukushokuhi(household, settings, rank, mode, child.key, tax_year, reasons)
        else:
            fukushokuhi = 0
            hoikuryo = _hoikuryo(household, settings, child, rank, mode, tax_year, reasons)
        if settings.daily_proration and days < days_in_month and (hoikuryo or fukushokuhi):
            hoikuryo = _prorate(hoikuryo, days, days_in_month)
            fukushokuhi = _prorate(fukushokuhi, days, days_in_month)
            reasons.append(f"月途中の入退所のため日割り（{days}日/{days_in_month}日、1円未満切り捨て）")
        fees.append(
            MonthlyFee(
                child_key=child.key,
                age_class=klass,
                hoikuryo=hoikuryo,
                fukushokuhi=fukushokuhi,
                total=hoikuryo + fukushokuhi,
                reasons=tuple(reasons),
            )
        )
    return fees


def _mode_reason(mode: SiblingCountMode) -> str:
    if mode == "all":
        return "きょうだいは年齢にかかわらず数える"
    return "きょうだいは就学前の施設利用児のみ数える"


def _hoikuryo(
    household: Household,
    settings: FeeSettings,
    child: Child,
    rank: int,
    mode: SiblingCountMode,
    tax_year: int,
    reasons: list[str],
) -> int:
    if household.welfare:
        reasons.append("生活保護世帯のため0円")
        return 0
    if household.non_taxed:
        reasons.append("市町村民税非課税世帯のため0円")
        return 0
    if household.shotokuwari is None:
        raise FeeInputError(
            f"{child.key}: {_nendo(tax_year)}の市町村民税所得割額が不明のため保育料を決定できません。"
            "課税状況を確認して所得割額を入力してください。"
        )
    bracket, label = settings.bracket_for(household.shotokuwari)
    fee = bracket.fee(child.standard_hours)
    reasons.append(f"{_nendo(tax_year)}の市町村民税所得割額（{household.shotokuwari:,}円）で判定")
    reasons.append(label)
    reasons.append(f"保育標準時間 月額{fee:,}円" if child.standard_hours else f"保育短時間 月額{fee:,}円")
    if rank >= 2:
        rate = settings.second_rate if rank == 2 else settings.third_rate
        fee = _floor(Decimal(fee) * rate)
        ordinal = "第2子" if rank == 2 else "第3子以降"
        reasons.append(f"{ordinal}のため{_rate_text(rate)}（{_mode_reason(mode)}）")
    return fee


def _fukushokuhi(
    household: Household,
    settings: FeeSettings,
    rank: int,
    mode: SiblingCountMode,
    key: str,
    tax_year: int,
    reasons: list[str],
) -> int:
    if settings.fukushokuhi == 0:
        return 0
    if household.welfare:
        reasons.append("生活保護世帯のため副食費は免除")
        return 0
    if household.non_taxed:
        reasons.append("市町村民税非課税世帯のため副食費は免除")
        return 0
    if rank >= 3:
        reasons.append(f"第3子以降のため副食費は免除（{_mode_reason(mode)}）")
        return 0
    if household.single_parent:
        threshold, who = settings.fukushokuhi_exempt_below_single_parent, "ひとり親世帯等で"
    else:
        threshold, who = settings.fukushokuhi_exempt_below, ""
    if household.shotokuwari is None:
        raise FeeInputError(
            f"{key}: {_nendo(tax_year)}の市町村民税所得割額が不明のため副食費の免除を判定できません。"
            "課税状況を確認して所得割額を入力してください。"
        )
    if household.shotokuwari < threshold:
        reasons.append(f"{who}所得割額が{threshold:,}円未満のため副食費は免除")
        return 0
    reasons.append(f"副食費 月額{settings.fukushokuhi:,}円")
    return settings.fukushokuhi

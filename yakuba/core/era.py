"""和暦 (Japanese era) dates and partly unknown (不詳) dates.

``PartialDate`` is the value type for dates the register may know only in part: a birth date whose
day is unknown, an event 「令和5年頃」, or 「年月日不詳」. It is stored as ``YYYY-MM-DD`` with ``0000``/``00``
for unknown parts and a trailing ``~`` for 頃 (approximate), which sorts chronologically as text.
"""

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from typing import Self

from django.utils.translation import gettext as _

# (era name, short letter, first day)
ERAS: tuple[tuple[str, str, dt.date], ...] = (
    ("令和", "R", dt.date(2019, 5, 1)),
    ("平成", "H", dt.date(1989, 1, 8)),
    ("昭和", "S", dt.date(1926, 12, 25)),
    ("大正", "T", dt.date(1912, 7, 30)),
    ("明治", "M", dt.date(1868, 1, 25)),  # 明治元年1月1日 (旧暦); the era counts from the start of that year
)


class InvalidDate(ValueError):
    """Raised with a Japanese message that can be shown to the user as is."""


def era_of(day: dt.date) -> tuple[str, int]:
    for name, _letter, start in ERAS:
        if day >= start:
            return name, day.year - start.year + 1
    raise InvalidDate(_("明治より前の日付は扱えません。"))


def era_of_year(year: int) -> tuple[str, int]:
    """The era in force at the end of ``year`` (used when only the year is known)."""
    return era_of(dt.date(year, 12, 31))


def _year_text(name: str, year: int) -> str:
    return f"{name}{'元' if year == 1 else year}年"


def wareki(day: dt.date) -> str:
    """``dt.date(2026, 11, 26)`` → ``令和8年11月26日``."""
    name, year = era_of(day)
    return f"{_year_text(name, year)}{day.month}月{day.day}日"


@dataclass(frozen=True, order=True)
class PartialDate:
    year: int | None
    month: int | None = None
    day: int | None = None
    approximate: bool = False

    def __post_init__(self) -> None:
        if self.year is None and (self.month or self.day):
            raise InvalidDate(_("年が不詳のときは月日も不詳にしてください。"))
        if self.month is None and self.day:
            raise InvalidDate(_("月が不詳のときは日も不詳にしてください。"))
        if self.month is not None and not 1 <= self.month <= 12:
            raise InvalidDate(_("月は1から12の間で入力してください。"))
        if self.year is not None and not 1868 <= self.year <= 9999:
            raise InvalidDate(_("年が範囲外です。"))
        if self.year and self.month and self.day:
            try:
                dt.date(self.year, self.month, self.day)
            except ValueError as exc:
                raise InvalidDate(_("存在しない日付です。")) from exc

    @classmethod
    def from_date(cls, day: dt.date) -> Self:
        return cls(day.year, day.month, day.day)

    @property
    def is_complete(self) -> bool:
        return bool(self.year and self.month and self.day and not self.approximate)

    @property
    def is_unknown(self) -> bool:
        return self.year is None

    def as_date(self) -> dt.date | None:
        if self.year and self.month and self.day:
            return dt.date(self.year, self.month, self.day)
        return None

    def earliest(self) -> dt.date | None:
        if self.year is None:
            return None
        return dt.date(self.year, self.month or 1, self.day or 1)

    def to_db(self) -> str:
        text = f"{self.year or 0:04d}-{self.month or 0:02d}-{self.day or 0:02d}"
        return text + ("~" if self.approximate else "")

    @classmethod
    def from_db(cls, text: str) -> Self:
        approximate = text.endswith("~")
        y, m, d = (int(part) for part in text.rstrip("~").split("-"))
        return cls(y or None, m or None, d or None, approximate)

    def iso(self) -> str:
        return self.to_db()

    def display(self, *, japanese_era: bool = True) -> str:
        """和暦 (Japanese residents) or 西暦 (foreign residents), with 不詳 and 頃 spelled out."""
        if self.year is None:
            return "年月日不詳"
        if japanese_era:
            name, era_year = (
                era_of(self.earliest() or dt.date(self.year, 12, 31))
                if self.month
                else (era_of_year(self.year))
            )
            text = _year_text(name, era_year)
        else:
            text = f"{self.year}年"
        if self.month:
            text += f"{self.month}月"
            text += f"{self.day}日" if self.day else "日不詳"
        elif not self.approximate:
            text += "月日不詳"
        return text + ("頃" if self.approximate else "")

    def __str__(self) -> str:
        return self.display()


_ERA_BY_KEY = (
    {name: start for name, _l, start in ERAS}
    | {letter: start for _n, letter, start in ERAS}
    | {letter.lower(): start for _n, letter, start in ERAS}
)
_ERA_PATTERN = re.compile(
    r"^(?P<era>令和|平成|昭和|大正|明治|[RHSTMrhstm])\s*(?P<year>元|\d{1,2})\s*[年.\-/]?\s*"
    r"(?:(?P<month>\d{1,2})\s*[月.\-/]?\s*(?:(?P<day>\d{1,2})\s*日?)?)?\s*(?P<unknown>不詳)?\s*(?P<approx>頃)?$"
)
_WESTERN_PATTERN = re.compile(
    r"^(?P<year>\d{4})\s*[年.\-/]?\s*(?:(?P<month>\d{1,2})\s*[月.\-/]?\s*(?:(?P<day>\d{1,2})\s*日?)?)?"
    r"\s*(?P<unknown>不詳)?\s*(?P<approx>頃)?$"
)


def _overlaps_era(value: PartialDate, era_start: dt.date) -> bool:
    """Whether some day that ``value`` may stand for falls inside the era starting on ``era_start``."""
    assert value.year is not None
    later = [s for _n, _l, s in ERAS if s > era_start]
    era_end = min(later) if later else dt.date.max
    first = dt.date(value.year, value.month or 1, value.day or 1)
    if value.day:
        last = first
    elif value.month:
        last = (dt.date(value.year + value.month // 12, value.month % 12 + 1, 1)) - dt.timedelta(days=1)
    else:
        last = dt.date(value.year, 12, 31)
    return first < era_end and last >= era_start


def parse_partial_date(text: str) -> PartialDate:
    """Parse what a clerk types: ``1950-04-01``, ``1950/4/1``, ``昭和25年4月1日``, ``S25.4.1``,
    ``令和5年頃``, ``昭和25年4月`` (day unknown) or ``年月日不詳``. Raises ``InvalidDate`` with a
    Japanese message."""
    value = unicodedata.normalize("NFKC", text or "").strip()
    if value in {"不詳", "年月日不詳"}:
        return PartialDate(None)
    match = _ERA_PATTERN.match(value)
    if match:
        start = _ERA_BY_KEY[match["era"]]
        era_year = 1 if match["year"] == "元" else int(match["year"])
        if era_year < 1:
            raise InvalidDate(_("元号の年が正しくありません。"))
        year = start.year + era_year - 1
    else:
        match = _WESTERN_PATTERN.match(value)
        if not match:
            raise InvalidDate(
                _("日付の形式が正しくありません（例：昭和25年4月1日、1950-04-01、令和5年頃）。")
            )
        year = int(match["year"])
    month = int(match["month"]) if match["month"] else None
    day = int(match["day"]) if match["day"] else None
    result = PartialDate(year, month, day, approximate=bool(match["approx"]))
    if match.re is _ERA_PATTERN and not _overlaps_era(result, _ERA_BY_KEY[match["era"]]):
        raise InvalidDate(_("その元号の期間にない日付です。"))
    return result


def parse_date(text: str) -> dt.date:
    """A full date (no 不詳 allowed), in 西暦 or 和暦."""
    result = parse_partial_date(text)
    if not result.is_complete:
        raise InvalidDate(_("年月日をすべて入力してください。"))
    day = result.as_date()
    assert day is not None
    return day

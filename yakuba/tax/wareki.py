"""和暦 for fiscal years (年度): 2025 → 令和7年度, 2019 → 令和元年度."""

import datetime as dt

from yakuba.core.era import era_of_year


def nendo(year: int) -> str:
    """The 年度 in 和暦. A fiscal year runs April to March, so it takes the era in force at the end of
    the calendar year it starts in (2019年度 is 令和元年度, though it began under 平成)."""
    name, era_year = era_of_year(year)
    return f"{name}{'元' if era_year == 1 else era_year}年度"


def fiscal_year(day: dt.date) -> int:
    """The 年度 (April to March) that ``day`` falls in, in 西暦: 2026-03-31 → 2025."""
    return day.year if day.month >= 4 else day.year - 1

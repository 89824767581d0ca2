"""Demo data of the tax module: 市町村民税 assessments of the demo city's adults for the current and the
previous 課税年度, loaded through the same import as the tax system's file (``assessments_import``).

Deterministic for a given ``seed`` and register: every living resident aged 18 or over on 1 January
of the year (賦課期日) gets a row; about 10% are 非課税, the others pay the 均等割 and a 所得割 between
0 and 400,000 yen in round hundreds (each person's level fixed by the seed, moving a little by year).

The residents are listed with the residents interface's linkage extract (``residents_extract``,
without 個人番号, audited).
"""

import csv
import datetime as dt
import io
import random
import time
from typing import Any

from django.apps import apps
from django.utils import timezone

from yakuba.core.era import PartialDate
from yakuba.tax.importfile import HEADER
from yakuba.tax.services import TaxImportError, assessments_import
from yakuba.tax.wareki import fiscal_year, nendo

ADULT_AGE = 18
NON_TAXED_SHARE = 0.10
KINTOWARI = 3000  # 市町村民税均等割 (since 令和6年度; 県民税 and 森林環境税 are separate)
MAX_SHOTOKUWARI_HUNDREDS = 4000  # 400,000 yen


def _adults(born: list[tuple[str, dt.date]], on: dt.date) -> list[str]:
    return [
        atena_no
        for atena_no, birth in born
        if on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day)) >= ADULT_AGE
    ]


def _living_residents() -> list[tuple[str, dt.date]]:
    """(宛名番号, earliest possible birth date) of every living resident, in 宛名番号 order."""
    from yakuba.residents import interface as residents

    people = []
    for row in residents.residents_extract(actor="tax-demo", purpose="demo tax assessments"):
        birth = PartialDate.from_db(row["birth_date"]).earliest() if row["birth_date"] else None
        if birth is not None:
            people.append((row["atena_no"], birth))
    return people


def _assessment(atena_no: str, year: int, *, seed: int) -> tuple[int, int, int]:
    """(所得割額, 均等割額, 非課税区分) of one person: their income level is fixed by the seed and the
    宛名番号 (so adding residents changes no one else's), and moves by up to 10% from year to year."""
    person = random.Random(f"yakuba-tax-{seed}-{atena_no}")
    if person.random() < NON_TAXED_SHARE:
        return 0, 0, 1
    base = person.triangular(0, MAX_SHOTOKUWARI_HUNDREDS, 600)
    drift = random.Random(f"yakuba-tax-{seed}-{atena_no}-{year}").uniform(0.9, 1.1)
    return min(MAX_SHOTOKUWARI_HUNDREDS, int(base * drift)) * 100, KINTOWARI, 0


def demo_csv(atena_nos: list[str], year: int, *, seed: int) -> bytes:
    """The tax system's file for ``year``, as the tax system would write it (UTF-8, CRLF)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    for atena_no in atena_nos:
        writer.writerow([year, atena_no, *_assessment(atena_no, year, seed=seed)])
    return out.getvalue().encode()


def demo_load(*, residents: int, stdout: Any, seed: int = 1, today: dt.date | None = None) -> None:
    """Import demo assessments for the current and the previous 課税年度. ``residents`` is the size of
    the demo city and is not otherwise used. Run again on an unchanged register, it changes nothing."""
    if not apps.is_installed("yakuba.residents"):
        stdout.write("No resident register installed: no demo tax assessments.\n")
        return
    started = time.monotonic()
    today = today or timezone.localdate()
    people = _living_residents()
    current = fiscal_year(today)
    for year in (current - 1, current):
        atena_nos = _adults(people, dt.date(year, 1, 1))
        if not atena_nos:
            stdout.write(f"Tax: no adult residents for {year}; nothing imported\n")
            continue
        try:
            batch = assessments_import(
                actor="demo",
                year=year,
                file_name=f"demo-kazei-{year}.csv",
                data=demo_csv(atena_nos, year, seed=seed),
            )
        except TaxImportError as exc:
            stdout.write(f"Tax {year} ({nendo(year)}): not imported: {exc.errors[0]}\n")
            continue
        stdout.write(f"Tax {year} ({nendo(year)}): {batch.rows:,} assessments imported\n")
    stdout.write(f"Tax demo data ready ({time.monotonic() - started:.1f}s)\n")

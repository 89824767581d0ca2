"""What other modules may use of the tax-assessment store (課税台帳の写し): a frozen record and reads.

The childcare fee calculation reads a household's 市町村民税所得割額 here instead of having it typed in
again. Every call is one audited read (``tax_read``) naming the people asked for, the caller
(``actor``) and its ``purpose``. A person without an assessment for the year is *absent*: it is never
read as 0 (which would put a household in the cheapest bracket).
"""

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class TaxAssessment:
    year: int  # 課税年度
    atena_no: str  # 宛名番号
    shotokuwari: int  # 市町村民税所得割額 (yen)
    kintowari: int  # 市町村民税均等割額 (yen)
    non_taxed: bool  # 非課税: neither 均等割 nor 所得割 levied (均等割 only: False, with 所得割 0)


def assessment_get(atena_no: str, year: int, *, actor: str, purpose: str = "") -> TaxAssessment | None:
    """One person's assessment for 課税年度 ``year``, or None if the tax file had no row for them."""
    from yakuba.tax import selectors

    return selectors.assessments_read([atena_no], year, actor=actor, purpose=purpose).get(atena_no)


def assessments_for(
    atena_nos: Sequence[str], year: int, *, actor: str, purpose: str = ""
) -> dict[str, TaxAssessment]:
    """The assessments of several people in one query, keyed by 宛名番号; people without one are absent."""
    from yakuba.tax import selectors

    return selectors.assessments_read(atena_nos, year, actor=actor, purpose=purpose)


def household_shotokuwari(atena_nos: Sequence[str], year: int, *, actor: str, purpose: str) -> int | None:
    """The sum of the 所得割額 of the given people (e.g. both parents) for ``year``; None if anyone of
    them has no assessment for that year, or if no one is given. Each person counts once; a 非課税
    person counts 0 (callers who need to know a household is 非課税 use ``assessments_for``)."""
    people = list(dict.fromkeys(atena_nos))
    found = assessments_for(people, year, actor=actor, purpose=purpose)
    if not people or any(atena_no not in found for atena_no in people):
        return None
    return sum(found[atena_no].shotokuwari for atena_no in people)

"""What other modules may use of the resident register: frozen records, read functions and events.

Only 本登録 data is ever returned (仮登録 lives in 異動 entries, never here). The 個人番号 is not part of
these records; a module that needs it calls ``resident_mynumber``, which is audited.
Reads of personal data through this interface are audited with the calling module as the actor.
"""

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from yakuba.core.era import PartialDate

# --- events (published after commit) ----------------------------------------------------------


@dataclass(frozen=True)
class ResidentMovedIn:
    atena_nos: tuple[str, ...]
    setai_no: str
    idou_id: int


@dataclass(frozen=True)
class ResidentBorn:
    atena_no: str
    setai_no: str
    idou_id: int


@dataclass(frozen=True)
class ResidentMovedOut:
    atena_nos: tuple[str, ...]
    planned_date: str  # PartialDate.to_db()
    idou_id: int


@dataclass(frozen=True)
class ResidentDied:
    atena_no: str
    idou_id: int


@dataclass(frozen=True)
class ResidentAddressChanged:
    setai_no: str
    idou_id: int


@dataclass(frozen=True)
class HouseholdChanged:
    setai_nos: tuple[str, ...]
    idou_id: int


@dataclass(frozen=True)
class ResidentCorrected:
    atena_no: str
    idou_id: int


# --- records ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ResidentRecord:
    atena_no: str
    rireki_no: int
    setai_no: str
    status: str  # resident / moved_out / deceased / removed
    kind: str  # japanese / foreign
    name: str
    name_kana: str
    birth_date: PartialDate
    sex: str  # "1" 男, "2" 女
    relationship: str
    head_name: str
    postal_code: str
    address: str
    katagaki: str
    became_resident_on: PartialDate | None
    address_set_on: PartialDate | None
    left_on: PartialDate | None
    support_measure: bool
    nationality: str
    alphabet_name: str
    tsusho: str
    # Items printed on certificates when asked for (and only then).
    honseki: str = ""
    hittousha: str = ""
    juminhyo_code: str = ""
    notified_on: dt.date | None = None
    previous_address: str = ""
    former_surname: str = ""
    residence_status: str = ""
    residence_period: str = ""
    residence_expires_on: dt.date | None = None
    art30_45: str = ""  # label, e.g. 中長期在留者
    last_idou_kind: str = ""

    @property
    def is_resident(self) -> bool:
        return self.status == "resident"

    def age_on(self, day: dt.date) -> int | None:
        born = self.birth_date.as_date()
        if born is None:
            return None
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    def moving_out_planned(self, today: dt.date) -> bool:
        """転出予定: a 転出 is registered whose date has not yet come."""
        earliest = self.left_on.earliest() if self.left_on else None
        return self.status == "moved_out" and earliest is not None and earliest > today


@dataclass(frozen=True)
class HouseholdRecord:
    setai_no: str
    address: str
    katagaki: str
    head_name: str
    members: tuple[ResidentRecord, ...]  # living members in household order
    moving_out_planned: bool = False  # a former member's 転出予定日 has not come yet


# --- reads ------------------------------------------------------------------------------------


def resident_get(atena_no: str, *, actor: str, audited_by_caller: bool = False) -> ResidentRecord | None:
    """The current 本登録 record, or None. ``actor`` names the calling module or user. The read is
    audited here, unless the caller writes an audit entry naming this person itself, whatever the
    outcome (``audited_by_caller``: used by the kiosk, whose issuance entry records every read)."""
    from yakuba.residents import selectors

    return selectors.resident_record(atena_no, actor=actor, audit=not audited_by_caller)


def residents_get(
    atena_nos: Sequence[str], *, actor: str, purpose: str = "", audited_by_caller: bool = False
) -> dict[str, ResidentRecord]:
    """Many current records at once (people not found are absent), audited as one read naming them
    all with the caller's purpose: for batch work such as a month of day-care fees."""
    from yakuba.residents import selectors

    return selectors.resident_records(atena_nos, actor=actor, audit=not audited_by_caller, purpose=purpose)


def residents_extract(
    *, actor: str, purpose: str, status: str | None = "resident"
) -> Iterator[dict[str, Any]]:
    """The linkage extract (the same rows as the full extract of the API, without 個人番号), streamed
    in 宛名番号 order; audited once per call with the caller's purpose."""
    from yakuba.core.audit import audit_record
    from yakuba.residents import selectors

    audit_record(
        actor=actor,
        action="extract_full",
        target_type="residents",
        detail={"via": "interface", "purpose": purpose},
    )
    return selectors.extract_full(with_mynumber=False, status=status)


def household_get(setai_no: str, *, actor: str, audited_by_caller: bool = False) -> HouseholdRecord | None:
    from yakuba.residents import selectors

    return selectors.household_record(setai_no, actor=actor, audit=not audited_by_caller)


def resident_find(query: str, *, actor: str, limit: int = 20) -> list[ResidentRecord]:
    """Living and former residents whose name or kana matches ``query`` (as the staff search does),
    or the one whose 宛名番号 it is. Audited."""
    from yakuba.residents import selectors

    return selectors.resident_find(query, actor=actor, limit=limit)


def has_pending_idou(atena_no: str) -> bool:
    """Whether a 仮登録 is waiting for this person or their household: their record may be about to
    change, so nothing should be certified from it until it is decided."""
    from yakuba.residents import selectors

    return selectors.has_pending_idou(atena_no)


def resident_mynumber(atena_no: str, *, actor: str, purpose: str) -> str | None:
    """The decrypted 個人番号, audited as shown, with the caller's purpose."""
    from yakuba.residents import selectors

    return selectors.resident_mynumber(atena_no, actor=actor, purpose=purpose)

"""The data items of one person: validation of what a clerk enters, and the full snapshot kept in
the history. Shared by the 異動 services, the demo loader and the extracts."""

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _

from yakuba.core import crypto
from yakuba.core.checkdigit import juminhyo_code_is_valid, mynumber_is_valid
from yakuba.core.era import InvalidDate, PartialDate, parse_date, parse_partial_date
from yakuba.core.kana import InvalidKana, clean_furigana, normalise_text, search_key
from yakuba.residents.models import Art30_45, Household, Kind, Resident, Sex
from yakuba.residents.relationships import InvalidRelationship, clean_relationship

MYNUMBER_PURPOSE = "mynumber"

# Person items a clerk may enter (転入, 出生) or correct (職権修正). Stored in 異動 payloads as text,
# with the 個人番号 already encrypted.
PERSON_FIELDS = (
    "name",
    "name_kana",
    "kana_confirmed",
    "former_surname",
    "former_surname_kana",
    "birth_date",
    "sex",
    "relationship",
    "kind",
    "honseki",
    "hittousha",
    "juminhyo_code",
    "mynumber_enc",
    "mynumber_index",
    "support_measure",
    "nationality",
    "alphabet_name",
    "tsusho",
    "residence_status",
    "residence_period",
    "residence_expires_on",
    "residence_card_no",
    "art30_45",
)


class RecordError(ValueError):
    """Invalid input: ``field`` names the item, ``message`` is Japanese and shown as is."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def mynumber_clean(value: str) -> str:
    digits = normalise_text(value).replace(" ", "").replace("-", "")
    if not mynumber_is_valid(digits):
        raise RecordError(_("個人番号は12桁の数字で、検査数字が正しいものを入力してください。"), "mynumber")
    return digits


def person_clean(data: dict[str, Any], *, today: dt.date) -> dict[str, Any]:
    """Validate one person's items as entered and return the payload form. Raises ``RecordError``."""
    out: dict[str, Any] = {}
    name = normalise_text(data.get("name", ""))
    if not name:
        raise RecordError(_("氏名を入力してください。"), "name")
    out["name"] = name
    try:
        out["name_kana"] = clean_furigana(data.get("name_kana", ""))
    except InvalidKana as exc:
        raise RecordError(str(exc), "name_kana") from exc
    out["kana_confirmed"] = bool(data.get("kana_confirmed"))
    out["former_surname"] = normalise_text(data.get("former_surname", ""))
    former_kana = data.get("former_surname_kana", "")
    try:
        out["former_surname_kana"] = clean_furigana(former_kana) if former_kana else ""
    except InvalidKana as exc:
        raise RecordError(str(exc), "former_surname_kana") from exc
    birth = data.get("birth_date")
    try:
        birth_date = birth if isinstance(birth, PartialDate) else parse_partial_date(str(birth or ""))
    except InvalidDate as exc:
        raise RecordError(str(exc), "birth_date") from exc
    if birth_date.earliest() and birth_date.earliest() > today:  # type: ignore[operator]
        raise RecordError(_("生年月日に未来の日付は入力できません。"), "birth_date")
    out["birth_date"] = birth_date.to_db()
    sex = str(data.get("sex", ""))
    if sex not in Sex.values:
        raise RecordError(_("性別を選んでください。"), "sex")
    out["sex"] = sex
    try:
        out["relationship"] = clean_relationship(str(data.get("relationship", "")))
    except InvalidRelationship as exc:
        raise RecordError(str(exc), "relationship") from exc
    kind = str(data.get("kind") or Kind.JAPANESE)
    if kind not in Kind.values:
        raise RecordError(_("住民種別を選んでください。"), "kind")
    out["kind"] = kind
    out["honseki"] = normalise_text(data.get("honseki", "")) if kind == Kind.JAPANESE else ""
    out["hittousha"] = normalise_text(data.get("hittousha", "")) if kind == Kind.JAPANESE else ""
    code = normalise_text(data.get("juminhyo_code", "")).replace(" ", "")
    if code and not juminhyo_code_is_valid(code):
        raise RecordError(
            _("住民票コードは11桁の数字で、検査数字が正しいものを入力してください。"), "juminhyo_code"
        )
    out["juminhyo_code"] = code
    mynumber = data.get("mynumber", "")
    if mynumber:
        digits = mynumber_clean(mynumber)
        out["mynumber_enc"] = crypto.encrypt(digits)
        out["mynumber_index"] = crypto.blind_index(digits, purpose=MYNUMBER_PURPOSE)
    else:
        out["mynumber_enc"] = data.get("mynumber_enc", "")
        out["mynumber_index"] = data.get("mynumber_index", "")
    out["support_measure"] = bool(data.get("support_measure"))
    foreign_fields = (
        "nationality",
        "alphabet_name",
        "tsusho",
        "residence_status",
        "residence_period",
        "residence_card_no",
    )
    for key in foreign_fields:
        out[key] = normalise_text(data.get(key, "")) if kind == Kind.FOREIGN else ""
    out["art30_45"] = str(data.get("art30_45", "")) if kind == Kind.FOREIGN else ""
    expires = data.get("residence_expires_on") if kind == Kind.FOREIGN else None
    if expires:
        try:
            out["residence_expires_on"] = (
                expires if isinstance(expires, dt.date) else parse_date(str(expires))
            ).isoformat()
        except InvalidDate as exc:
            raise RecordError(str(exc), "residence_expires_on") from exc
    else:
        out["residence_expires_on"] = ""
    if kind == Kind.FOREIGN:
        if not out["nationality"]:
            raise RecordError(_("外国人住民は国籍・地域を入力してください。"), "nationality")
        if out["art30_45"] not in Art30_45.values:
            raise RecordError(_("外国人住民は30条の45区分を選んでください。"), "art30_45")
        out["alphabet_name"] = out["alphabet_name"].upper()
    return out


def person_apply(resident: Resident, person: dict[str, Any]) -> None:
    """Copy validated payload items onto a ``Resident`` and refresh its search keys."""
    for key in PERSON_FIELDS:
        if key not in person:
            continue
        value = person[key]
        if key == "birth_date":
            value = PartialDate.from_db(value)
        elif key == "residence_expires_on":
            value = dt.date.fromisoformat(value) if value else None
        setattr(resident, key, value)
    resident_search_refresh(resident)


def resident_search_refresh(resident: Resident) -> None:
    resident.search_kana = search_key(resident.name_kana)
    resident.search_name = search_key(
        " ".join(filter(None, [resident.name, resident.tsusho, resident.alphabet_name]))
    )


def household_search_refresh(household: Household) -> None:
    household.search_address = search_key(f"{household.address}{household.katagaki}")


def _pd(value: PartialDate | None) -> str:
    return value.to_db() if value else ""


def resident_snapshot(resident: Resident, household: Household, head_name: str) -> dict[str, Any]:
    """Every item of the record after a change, as stored in ``ResidentHistory.snapshot``. The
    個人番号 stays encrypted inside the snapshot."""
    return {
        "atena_no": resident.atena_no,
        "rireki_no": resident.rireki_no,
        "setai_no": household.setai_no,
        "status": resident.status,
        "kind": resident.kind,
        "name": resident.name,
        "name_kana": resident.name_kana,
        "kana_confirmed": resident.kana_confirmed,
        "former_surname": resident.former_surname,
        "former_surname_kana": resident.former_surname_kana,
        "birth_date": _pd(resident.birth_date),
        "sex": resident.sex,
        "relationship": resident.relationship,
        "head_name": head_name,
        "honseki": resident.honseki,
        "hittousha": resident.hittousha,
        "postal_code": household.postal_code,
        "address": household.address,
        "katagaki": household.katagaki,
        "became_resident_on": _pd(resident.became_resident_on),
        "address_set_on": _pd(resident.address_set_on),
        "notified_on": resident.notified_on.isoformat() if resident.notified_on else "",
        "previous_address": resident.previous_address,
        "moved_out_to": resident.moved_out_to,
        "left_on": _pd(resident.left_on),
        "mynumber_enc": resident.mynumber_enc,
        "juminhyo_code": resident.juminhyo_code,
        "support_measure": resident.support_measure,
        "nationality": resident.nationality,
        "alphabet_name": resident.alphabet_name,
        "tsusho": resident.tsusho,
        "residence_status": resident.residence_status,
        "residence_period": resident.residence_period,
        "residence_expires_on": resident.residence_expires_on.isoformat()
        if resident.residence_expires_on
        else "",
        "residence_card_no": resident.residence_card_no,
        "art30_45": resident.art30_45,
        "last_idou_kind": resident.last_idou_kind,
        "last_idou_date": _pd(resident.last_idou_date),
    }

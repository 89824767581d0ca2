"""Reads of the register. Every read of a person's data goes through here and is audited by the
caller-facing function (views, API, interface)."""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from yakuba.core import crypto
from yakuba.core.audit import audit_record
from yakuba.core.db import binary_text, prefix_conditions
from yakuba.core.era import parse_partial_date
from yakuba.core.kana import search_key
from yakuba.residents import interface
from yakuba.residents.models import Household, Idou, Resident, ResidentHistory, Status
from yakuba.residents.relationships import HEAD, order_group

SEARCH_LIMIT = 50
_KATAKANA = set(chr(c) for c in range(0x30A1, 0x30F7)) | {"ー"}


@dataclass(frozen=True)
class SearchQuery:
    name: str = ""
    birth_date: str = ""
    address: str = ""
    include_left: bool = False


def resident_search(query: SearchQuery) -> tuple[list[Resident], bool]:
    """Residents matching every given criterion, at most ``SEARCH_LIMIT``; the flag says whether
    there were more. Kana input (hiragana, katakana, half-width) is a prefix search on the reading;
    other text searches the name, 通称 and alphabet name. Raises ``InvalidDate`` for a bad date."""
    qs: QuerySet[Resident] = Resident.objects.select_related("household")
    if not query.include_left:
        qs = qs.filter(status=Status.RESIDENT)
    filtered = False
    key = search_key(query.name)
    if key:
        filtered = True
        if set(key) <= _KATAKANA:
            qs = qs.filter(*prefix_conditions("search_kana", key))
        else:
            qs = qs.filter(search_name__contains=key)
    if query.birth_date.strip():
        filtered = True
        birth = parse_partial_date(query.birth_date)
        qs = (
            qs.filter(birth_date=birth.to_db())
            if birth.is_complete
            else qs.filter(*prefix_conditions("birth_date", birth.to_db().split("-00")[0]))
        )
    address = search_key(query.address)
    if address:
        filtered = True
        qs = qs.filter(household__search_address__contains=address)
    if not filtered:
        return [], False
    # The order matches the index resident_kana_order, so a prefix search reads only the rows it shows.
    rows = list(qs.order_by(binary_text("search_kana"), "birth_date", "atena_no")[: SEARCH_LIMIT + 1])
    return rows[:SEARCH_LIMIT], len(rows) > SEARCH_LIMIT


def household_for_page(setai_no: str) -> tuple[Household, list[Resident], list[Resident]] | None:
    """The household, its living members in household order, and its former members (除票)."""
    household = Household.objects.filter(setai_no=setai_no).first()
    if household is None:
        return None
    members = list(household.members.all())
    living = sorted(
        (r for r in members if r.status == Status.RESIDENT),
        key=lambda r: (order_group(r.relationship), r.birth_date.to_db(), r.atena_no),
    )
    former = sorted((r for r in members if r.status != Status.RESIDENT), key=lambda r: r.atena_no)
    return household, living, former


def head_name(members: list[Resident]) -> str:
    return next((r.name for r in members if r.relationship == HEAD), "")


def resident_history(atena_no: str) -> list[ResidentHistory]:
    return list(ResidentHistory.objects.filter(atena_no=atena_no).order_by("-rireki_no"))


def idou_pending() -> QuerySet[Idou]:
    return Idou.objects.filter(state=Idou.State.PENDING).select_related("entered_by").order_by("entered_at")


def idou_recent(limit: int = 20) -> QuerySet[Idou]:
    return (
        Idou.objects.exclude(state=Idou.State.PENDING)
        .select_related("entered_by", "decided_by")
        .order_by("-decided_at")[:limit]
    )


def idou_pending_for(keys: list[str]) -> list[Idou]:
    wanted = set(keys)
    return [i for i in idou_pending() if wanted & set(i.base_versions)]


def mask(value: str) -> str:
    return "*" * len(value) if value else ""


# --- interface implementations ------------------------------------------------------------------


def _to_record(resident: Resident, household: Household, head: str) -> interface.ResidentRecord:
    return interface.ResidentRecord(
        atena_no=resident.atena_no,
        rireki_no=resident.rireki_no,
        setai_no=household.setai_no,
        status=resident.status,
        kind=resident.kind,
        name=resident.name,
        name_kana=resident.name_kana,
        birth_date=resident.birth_date,
        sex=resident.sex,
        relationship=resident.relationship,
        head_name=head,
        postal_code=household.postal_code,
        address=household.address,
        katagaki=household.katagaki,
        became_resident_on=resident.became_resident_on,
        address_set_on=resident.address_set_on,
        left_on=resident.left_on,
        support_measure=resident.support_measure,
        nationality=resident.nationality,
        alphabet_name=resident.alphabet_name,
        tsusho=resident.tsusho,
        honseki=resident.honseki,
        hittousha=resident.hittousha,
        juminhyo_code=resident.juminhyo_code,
        notified_on=resident.notified_on,
        previous_address=resident.previous_address,
        former_surname=resident.former_surname,
        residence_status=resident.residence_status,
        residence_period=resident.residence_period,
        residence_expires_on=resident.residence_expires_on,
        art30_45=resident.get_art30_45_display() if resident.art30_45 else "",
        last_idou_kind=resident.last_idou_kind,
    )


def resident_record(atena_no: str, *, actor: str, audit: bool = True) -> interface.ResidentRecord | None:
    resident = Resident.objects.select_related("household").filter(atena_no=atena_no).first()
    if resident is None:
        return None
    household = resident.household
    head = (
        household.members.filter(status=Status.RESIDENT, relationship=HEAD)
        .values_list("name", flat=True)
        .first()
        or ""
    )
    if audit:
        audit_record(
            actor=actor,
            action="resident_read",
            target_type="resident",
            target_id=atena_no,
            detail={"via": "interface"},
        )
    return _to_record(resident, household, head)


def resident_records(
    atena_nos: Sequence[str], *, actor: str, audit: bool = True, purpose: str = ""
) -> dict[str, interface.ResidentRecord]:
    """Many current records in two queries, audited as one read naming everyone asked for."""
    wanted = sorted(set(atena_nos))
    people = list(Resident.objects.select_related("household").filter(atena_no__in=wanted))
    heads = dict(
        Resident.objects.filter(
            household_id__in={p.household_id for p in people}, status=Status.RESIDENT, relationship=HEAD
        ).values_list("household_id", "name")
    )
    if audit and wanted:
        audit_record(
            actor=actor,
            action="resident_read",
            target_type="resident",
            target_id=f"{len(wanted)} people",
            detail={"via": "interface", "atena_nos": wanted, "purpose": purpose},
        )
    return {p.atena_no: _to_record(p, p.household, heads.get(p.household_id, "")) for p in people}


def household_record(setai_no: str, *, actor: str, audit: bool = True) -> interface.HouseholdRecord | None:
    found = household_for_page(setai_no)
    if found is None:
        return None
    household, living, former = found
    head = head_name(living)
    today = timezone.localdate()
    leaving = any(
        r.status == Status.MOVED_OUT and r.left_on is not None and (r.left_on.earliest() or today) > today
        for r in former
    )
    if audit:
        audit_record(
            actor=actor,
            action="household_read",
            target_type="household",
            target_id=setai_no,
            detail={"via": "interface"},
        )
    return interface.HouseholdRecord(
        setai_no=household.setai_no,
        address=household.address,
        katagaki=household.katagaki,
        head_name=head,
        members=tuple(_to_record(r, household, head) for r in living),
        moving_out_planned=leaving,
    )


def resident_find(query: str, *, actor: str, limit: int) -> list[interface.ResidentRecord]:
    text = query.strip()
    if text.isascii() and text.isdigit():
        found = Resident.objects.select_related("household").filter(atena_no=text)
        residents = list(found)
    else:
        residents, _more = resident_search(SearchQuery(name=text, include_left=True))
        residents = residents[:limit]
    heads = dict(
        Resident.objects.filter(
            household_id__in={r.household_id for r in residents}, status=Status.RESIDENT, relationship=HEAD
        ).values_list("household_id", "name")
    )
    audit_record(
        actor=actor,
        action="resident_search",
        target_type="residents",
        detail={"via": "interface", "count": len(residents)},
    )
    return [_to_record(r, r.household, heads.get(r.household_id, "")) for r in residents]


def has_pending_idou(atena_no: str) -> bool:
    """Whether any 仮登録 touches this person, their household, or another member of it."""
    pending = [
        set(v) for v in Idou.objects.filter(state=Idou.State.PENDING).values_list("base_versions", flat=True)
    ]
    if not pending:
        return False
    household = (
        Resident.objects.filter(atena_no=atena_no).values_list("household_id", "household__setai_no").first()
    )
    keys = {f"R:{atena_no}"}
    if household is not None:
        keys.add(f"H:{household[1]}")
        members = Resident.objects.filter(household_id=household[0]).values_list("atena_no", flat=True)
        keys.update(f"R:{no}" for no in members)
    return any(keys & versions for versions in pending)


def resident_mynumber(atena_no: str, *, actor: str, purpose: str) -> str | None:
    token = Resident.objects.filter(atena_no=atena_no).values_list("mynumber_enc", flat=True).first()
    if token is None:
        return None
    audit_record(
        actor=actor,
        action="mynumber_read",
        target_type="resident",
        target_id=atena_no,
        mynumber_shown=True,
        detail={"purpose": purpose},
    )
    return crypto.decrypt(token) or None


# --- linkage extracts ----------------------------------------------------------------------------

# The documented column layout (docs/residents.md): key, Japanese heading.
EXTRACT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("seq", "変更連番"),
    ("atena_no", "宛名番号"),
    ("rireki_no", "履歴番号"),
    ("setai_no", "世帯番号"),
    ("status", "住民状態"),
    ("kind", "住民種別"),
    ("name", "氏名"),
    ("name_kana", "フリガナ"),
    ("former_surname", "旧氏"),
    ("birth_date", "生年月日"),
    ("sex", "性別"),
    ("relationship", "続柄"),
    ("head_name", "世帯主氏名"),
    ("postal_code", "郵便番号"),
    ("address", "住所"),
    ("katagaki", "方書"),
    ("became_resident_on", "住民となった日"),
    ("address_set_on", "住定日"),
    ("notified_on", "届出日"),
    ("previous_address", "転入前住所"),
    ("moved_out_to", "転出先住所"),
    ("left_on", "消除日"),
    ("last_idou_kind", "異動事由"),
    ("last_idou_date", "異動日"),
    ("honseki", "本籍"),
    ("hittousha", "筆頭者"),
    ("juminhyo_code", "住民票コード"),
    ("mynumber", "個人番号"),
    ("support_measure", "DV等支援措置"),
    ("nationality", "国籍・地域"),
    ("alphabet_name", "氏名（アルファベット）"),
    ("tsusho", "通称"),
    ("residence_status", "在留資格"),
    ("residence_period", "在留期間"),
    ("residence_expires_on", "在留期間満了日"),
    ("residence_card_no", "在留カード等番号"),
    ("art30_45", "30条の45区分"),
)


def _row_from_snapshot(seq: int, snapshot: dict[str, Any], *, with_mynumber: bool) -> dict[str, Any]:
    row = {key: snapshot.get(key, "") for key, _heading in EXTRACT_COLUMNS}
    row["seq"] = seq
    enc = snapshot.get("mynumber_enc", "")
    row["mynumber"] = crypto.decrypt(enc) if (with_mynumber and enc) else ""
    return row


def extract_changes(*, since: int, limit: int, with_mynumber: bool) -> list[dict[str, Any]]:
    """Delta extract: one row per committed change with ``seq`` > ``since``, oldest first."""
    rows = (
        ResidentHistory.objects.filter(seq__gt=since).order_by("seq").values_list("seq", "snapshot")[:limit]
    )
    return [_row_from_snapshot(seq, snapshot, with_mynumber=with_mynumber) for seq, snapshot in rows]


def extract_full_page(
    *, after: str, limit: int, with_mynumber: bool, status: str | None = None
) -> list[dict[str, Any]]:
    """Current records with 宛名番号 > ``after``, in 宛名番号 order (keyset pagination)."""
    qs = Resident.objects.filter(atena_no__gt=after)
    if status:
        qs = qs.filter(status=status)
    page = list(qs.order_by("atena_no").values_list("last_seq", flat=True)[:limit])
    snapshots = dict(ResidentHistory.objects.filter(seq__in=page).values_list("seq", "snapshot"))
    return [_row_from_snapshot(seq, snapshots[seq], with_mynumber=with_mynumber) for seq in page]


def extract_full(
    *, with_mynumber: bool, status: str | None = None, chunk_size: int = 2000
) -> Iterator[dict[str, Any]]:
    """Full extract: the newest snapshot of every resident, streamed in 宛名番号 order with bounded
    memory (pages by key, so no database cursor stays open while the client reads)."""
    after = ""
    while True:
        page = extract_full_page(after=after, limit=chunk_size, with_mynumber=with_mynumber, status=status)
        if not page:
            return
        yield from page
        after = page[-1]["atena_no"]

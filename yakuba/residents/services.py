"""Writes to the register. Every 異動 is entered as 仮登録 (``idou_enter_*``) and applied only when a
different member of staff with the approver role approves it (``idou_approve``).

Guarantees:
- Entry validates everything it can and changes no register data.
- Approval locks the 異動 and every record it touches, re-checks the versions the clerk saw
  (optimistic locking), applies the change, writes one full snapshot per changed resident with a
  commit-ordered change sequence, records the audit entry, and publishes events after commit.
- Any failure raises ``IdouError`` with a Japanese message and leaves the database unchanged.
"""

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yakuba.core import events
from yakuba.core.audit import audit_record
from yakuba.core.era import PartialDate
from yakuba.core.kana import normalise_text
from yakuba.core.sequences import sequence_next
from yakuba.residents import interface
from yakuba.residents.models import Household, Idou, Resident, ResidentHistory, Status
from yakuba.residents.numbers import CHANGE_SERIES, atena_no_issue, setai_no_issue
from yakuba.residents.records import (
    MYNUMBER_PURPOSE,
    PERSON_FIELDS,
    RecordError,
    household_search_refresh,
    person_apply,
    person_clean,
    resident_snapshot,
)
from yakuba.residents.relationships import HEAD, InvalidRelationship, clean_relationship


class IdouError(RecordError):
    pass


class StaleVersion(IdouError):
    pass


def _today() -> dt.date:
    return timezone.localdate()


def _require_perm(actor: Any, perm: str) -> None:
    if not actor.has_perm(perm):
        raise IdouError(_("この操作を行う権限がありません。"))


def _check_idou_date(idou_date: PartialDate, *, future_allowed: bool = False) -> None:
    earliest = idou_date.earliest()
    if earliest is None:
        return
    if not future_allowed and earliest > _today():
        raise IdouError(_("異動日に未来の日付は入力できません（転出予定日を除く）。"), "idou_date")


def _active_members(household: Household) -> list[Resident]:
    return list(household.members.filter(status=Status.RESIDENT))


def _resident(atena_no: str) -> Resident:
    resident = Resident.objects.select_related("household").filter(atena_no=atena_no).first()
    if resident is None:
        raise IdouError(_("宛名番号 %(no)s の住民は見つかりません。") % {"no": atena_no})
    return resident


def _living_resident(atena_no: str) -> Resident:
    resident = _resident(atena_no)
    if resident.status != Status.RESIDENT:
        raise IdouError(
            _("%(name)s さんは現在%(status)sのため、この異動はできません。")
            % {"name": resident.name, "status": resident.get_status_display()}
        )
    return resident


def _household(setai_no: str) -> Household:
    household = Household.objects.filter(setai_no=setai_no, active=True).first()
    if household is None:
        raise IdouError(_("世帯番号 %(no)s の世帯は見つかりません。") % {"no": setai_no})
    return household


def _relationships_clean(raw: dict[str, str]) -> dict[str, str]:
    out = {}
    for atena_no, text in raw.items():
        try:
            out[atena_no] = clean_relationship(text)
        except InvalidRelationship as exc:
            raise IdouError(str(exc), f"relationship_{atena_no}") from exc
    return out


def _one_head(relationships: Iterable[str]) -> None:
    heads = sum(1 for r in relationships if r == HEAD)
    if heads != 1:
        raise IdouError(_("世帯主はちょうど1人にしてください（現在%(n)d人）。") % {"n": heads})


def record_versions(
    residents: Iterable[Resident] = (), households: Iterable[Household] = ()
) -> dict[str, int]:
    """The versions of records as an entry sees them ("R:<宛名番号>", "H:<世帯番号>"); pages put them
    in the form so that the entry can tell whether the records changed since."""
    versions = {f"R:{r.atena_no}": r.rireki_no for r in residents}
    versions.update({f"H:{h.setai_no}": h.version for h in households})
    return versions


def _check_expected(expected: dict[str, int] | None, actual: dict[str, int]) -> None:
    """The clerk's screen showed ``expected``; refuse if any record has changed since."""
    for key, version in (expected or {}).items():
        if key in actual and actual[key] != version:
            raise StaleVersion(
                _("この記録は画面を開いた後に更新されています。最新の内容を開き直してから入力してください。")
            )


def _check_no_pending(versions: dict[str, int]) -> None:
    keys = set(versions)
    for pending in Idou.objects.filter(state=Idou.State.PENDING).only("pk", "base_versions"):
        if keys & set(pending.base_versions):
            raise IdouError(
                _(
                    "この住民・世帯には決裁待ちの異動（受付番号 %(no)d）があります。決裁か差戻しの後に入力してください。"
                )
                % {"no": pending.pk}
            )


def _enter(
    *,
    actor: Any,
    type: str,
    idou_date: PartialDate,
    notified_on: dt.date | None,
    payload: dict[str, Any],
    versions: dict[str, int],
    expected_versions: dict[str, int] | None,
    summary: str,
) -> Idou:
    _require_perm(actor, "residents.enter_idou")
    _check_expected(expected_versions, versions)
    if notified_on and notified_on > _today():
        raise IdouError(_("届出日に未来の日付は入力できません。"), "notified_on")
    with transaction.atomic():
        _check_no_pending(versions)
        idou = Idou.objects.create(
            type=type,
            idou_date=idou_date,
            notified_on=notified_on,
            payload=payload,
            base_versions=versions,
            summary=summary[:200],
            entered_by=actor,
        )
        audit_record(
            actor=actor,
            action="idou_entered",
            target_type="idou",
            target_id=str(idou.pk),
            detail={"type": type, "records": sorted(versions)},
        )
    return idou


def _not_already_resident(people: list[dict[str, Any]]) -> None:
    indexes = [p["mynumber_index"] for p in people if p.get("mynumber_index")]
    if len(indexes) != len(set(indexes)):
        raise IdouError(_("同じ個人番号が2人に入力されています。"), "mynumber")
    if indexes and Resident.objects.filter(mynumber_index__in=indexes, status=Status.RESIDENT).exists():
        raise IdouError(
            _("この個人番号の方はすでに住民として登録されています。転入ではなく転居などで処理してください。"),
            "mynumber",
        )
    for p in people:
        if Resident.objects.filter(
            status=Status.RESIDENT,
            search_kana=p["name_kana"].replace(" ", ""),
            birth_date=p["birth_date"],
            sex=p["sex"],
        ).exists():
            raise IdouError(
                _(
                    "%(name)s さんと同じフリガナ・生年月日・性別の住民がすでに登録されています。同じ方でないか確認してください。"
                )
                % {"name": p["name"]},
                "name_kana",
            )


# --- entry: one function per 異動 ---------------------------------------------------------------


def idou_enter_move_in(
    *,
    actor: Any,
    idou_date: PartialDate,
    notified_on: dt.date | None,
    members: list[dict[str, Any]],
    previous_address: str,
    address: str = "",
    katagaki: str = "",
    postal_code: str = "",
    setai_no: str = "",
    expected_versions: dict[str, int] | None = None,
) -> Idou:
    """転入: people arriving from another municipality, as a new household at ``address`` or joining
    the existing household ``setai_no`` (their 続柄 then relative to its head)."""
    _check_idou_date(idou_date)
    if not members:
        raise IdouError(_("転入する人を1人以上入力してください。"))
    people = [person_clean(m, today=_today()) for m in members]
    previous_address = normalise_text(previous_address)
    if not previous_address:
        raise IdouError(_("転入前住所を入力してください。"), "previous_address")
    versions: dict[str, int] = {}
    if setai_no:
        household = _household(setai_no)
        versions = record_versions(households=[household])
        if any(p["relationship"] == HEAD for p in people):
            raise IdouError(
                _("既存の世帯に入る場合、世帯主は入力できません（世帯主変更で行ってください）。"),
                "relationship",
            )
        where = {"setai_no": setai_no}
    else:
        address = normalise_text(address)
        if not address:
            raise IdouError(_("転入先の住所を入力してください。"), "address")
        _one_head(p["relationship"] for p in people)
        where = {
            "address": address,
            "katagaki": normalise_text(katagaki),
            "postal_code": normalise_text(postal_code),
        }
    _not_already_resident(people)
    extra = _("ほか%(n)d名") % {"n": len(people) - 1} if len(people) > 1 else ""
    return _enter(
        actor=actor,
        type=Idou.Type.MOVE_IN,
        idou_date=idou_date,
        notified_on=notified_on,
        payload={"household": where, "previous_address": previous_address, "members": people},
        versions=versions,
        expected_versions=expected_versions,
        summary=f"{people[0]['name']} {extra}".strip(),
    )


def idou_enter_address_change(
    *,
    actor: Any,
    setai_no: str,
    idou_date: PartialDate,
    notified_on: dt.date | None,
    address: str,
    katagaki: str = "",
    postal_code: str = "",
    expected_versions: dict[str, int] | None = None,
) -> Idou:
    """転居: the whole household moves to another address inside the municipality."""
    _check_idou_date(idou_date)
    household = _household(setai_no)
    members = _active_members(household)
    versions = record_versions(members, [household])
    address = normalise_text(address)
    if not address:
        raise IdouError(_("新しい住所を入力してください。"), "address")
    if address == household.address and normalise_text(katagaki) == household.katagaki:
        raise IdouError(_("新しい住所が現在の住所と同じです。"), "address")
    return _enter(
        actor=actor,
        type=Idou.Type.ADDRESS_CHANGE,
        idou_date=idou_date,
        notified_on=notified_on,
        payload={
            "setai_no": setai_no,
            "address": address,
            "katagaki": normalise_text(katagaki),
            "postal_code": normalise_text(postal_code),
        },
        versions=versions,
        expected_versions=expected_versions,
        summary=f"{setai_no} → {address}",
    )


def idou_enter_move_out(
    *,
    actor: Any,
    setai_no: str,
    atena_nos: list[str],
    planned_date: PartialDate,
    notified_on: dt.date | None,
    destination: str,
    expected_versions: dict[str, int] | None = None,
) -> Idou:
    """転出: some or all members leave the municipality on ``planned_date`` (転出予定日, may be in the
    future). If the head leaves while others stay, a 世帯主変更 must come first."""
    if not planned_date.is_complete:
        raise IdouError(_("転出予定日は年月日をすべて入力してください。"), "idou_date")
    _check_idou_date(planned_date, future_allowed=True)
    household = _household(setai_no)
    members = {r.atena_no: r for r in _active_members(household)}
    if not atena_nos:
        raise IdouError(_("転出する人を選んでください。"), "atena_nos")
    leaving = []
    for no in atena_nos:
        if no not in members:
            raise IdouError(_("宛名番号 %(no)s はこの世帯の住民ではありません。") % {"no": no}, "atena_nos")
        leaving.append(members[no])
    staying = [r for no, r in members.items() if no not in atena_nos]
    if staying and any(r.relationship == HEAD for r in leaving):
        raise IdouError(
            _("世帯主だけが転出し、他の人が残る場合は、先に世帯主変更をしてください。"), "atena_nos"
        )
    destination = normalise_text(destination)
    if not destination:
        raise IdouError(_("転出先の住所を入力してください。"), "destination")
    versions = record_versions(leaving, [household])
    return _enter(
        actor=actor,
        type=Idou.Type.MOVE_OUT,
        idou_date=planned_date,
        notified_on=notified_on,
        payload={"setai_no": setai_no, "atena_nos": atena_nos, "destination": destination},
        versions=versions,
        expected_versions=expected_versions,
        summary=f"{leaving[0].name}"
        + (" " + _("ほか%(n)d名") % {"n": len(leaving) - 1} if len(leaving) > 1 else ""),
    )


def idou_enter_birth(
    *,
    actor: Any,
    setai_no: str,
    notified_on: dt.date | None,
    person: dict[str, Any],
    expected_versions: dict[str, int] | None = None,
) -> Idou:
    """出生: a child born into household ``setai_no``; the 異動日 is the birth date."""
    child = person_clean(person, today=_today())
    birth = PartialDate.from_db(child["birth_date"])
    if not birth.is_complete:
        raise IdouError(_("出生の届出では生年月日をすべて入力してください。"), "birth_date")
    _check_idou_date(birth)
    household = _household(setai_no)
    if child["relationship"] == HEAD:
        raise IdouError(_("出生した子を世帯主にはできません。"), "relationship")
    versions = record_versions(households=[household])
    return _enter(
        actor=actor,
        type=Idou.Type.BIRTH,
        idou_date=birth,
        notified_on=notified_on,
        payload={"setai_no": setai_no, "person": child},
        versions=versions,
        expected_versions=expected_versions,
        summary=child["name"],
    )


def idou_enter_death(
    *,
    actor: Any,
    atena_no: str,
    idou_date: PartialDate,
    notified_on: dt.date | None,
    expected_versions: dict[str, int] | None = None,
) -> Idou:
    """死亡: the date of death may be partly unknown (不詳)."""
    _check_idou_date(idou_date)
    resident = _living_resident(atena_no)
    versions = record_versions([resident], [resident.household])
    return _enter(
        actor=actor,
        type=Idou.Type.DEATH,
        idou_date=idou_date,
        notified_on=notified_on,
        payload={"atena_no": atena_no},
        versions=versions,
        expected_versions=expected_versions,
        summary=resident.name,
    )


def idou_enter_split(
    *,
    actor: Any,
    setai_no: str,
    relationships: dict[str, str],
    idou_date: PartialDate,
    notified_on: dt.date | None,
    katagaki: str | None = None,
    expected_versions: dict[str, int] | None = None,
) -> Idou:
    """世帯分離: the members in ``relationships`` (宛名番号 → 続柄 in the new household, one of them
    世帯主) form a new household at the same address."""
    _check_idou_date(idou_date)
    household = _household(setai_no)
    members = {r.atena_no: r for r in _active_members(household)}
    rels = _relationships_clean(relationships)
    if not rels:
        raise IdouError(_("新しい世帯に移る人を選んでください。"))
    for no in rels:
        if no not in members:
            raise IdouError(_("宛名番号 %(no)s はこの世帯の住民ではありません。") % {"no": no})
    _one_head(rels.values())
    if len(rels) == len(members):
        raise IdouError(_("世帯員全員を分離することはできません。"))
    if any(members[no].relationship == HEAD for no in rels):
        raise IdouError(_("世帯主が新しい世帯に移る場合は、先に世帯主変更をしてください。"))
    moving = [members[no] for no in rels]
    versions = record_versions(moving, [household])
    new_head = next(members[no] for no, rel in rels.items() if rel == HEAD)
    return _enter(
        actor=actor,
        type=Idou.Type.SPLIT,
        idou_date=idou_date,
        notified_on=notified_on,
        payload={
            "setai_no": setai_no,
            "relationships": rels,
            "katagaki": household.katagaki if katagaki is None else normalise_text(katagaki),
        },
        versions=versions,
        expected_versions=expected_versions,
        summary=_("%(name)s を世帯主とする新世帯") % {"name": new_head.name},
    )


def idou_enter_merge(
    *,
    actor: Any,
    from_setai_no: str,
    into_setai_no: str,
    relationships: dict[str, str],
    idou_date: PartialDate,
    notified_on: dt.date | None,
    expected_versions: dict[str, int] | None = None,
) -> Idou:
    """世帯合併: every member of ``from_setai_no`` joins ``into_setai_no``; ``relationships`` gives each
    newcomer's 続柄 relative to the receiving head. The emptied household is closed."""
    _check_idou_date(idou_date)
    if from_setai_no == into_setai_no:
        raise IdouError(_("同じ世帯どうしは合併できません。"))
    source = _household(from_setai_no)
    target = _household(into_setai_no)
    incoming = _active_members(source)
    rels = _relationships_clean(relationships)
    if set(rels) != {r.atena_no for r in incoming}:
        raise IdouError(_("合併する世帯の全員について、新しい続柄を入力してください。"))
    if HEAD in rels.values():
        raise IdouError(_("合併先の世帯主は変わりません。世帯主は入力できません。"))
    versions = record_versions(incoming, [source, target])
    return _enter(
        actor=actor,
        type=Idou.Type.MERGE,
        idou_date=idou_date,
        notified_on=notified_on,
        payload={"from_setai_no": from_setai_no, "into_setai_no": into_setai_no, "relationships": rels},
        versions=versions,
        expected_versions=expected_versions,
        summary=f"{from_setai_no} → {into_setai_no}",
    )


def idou_enter_head_change(
    *,
    actor: Any,
    setai_no: str,
    relationships: dict[str, str],
    idou_date: PartialDate,
    notified_on: dt.date | None,
    expected_versions: dict[str, int] | None = None,
) -> Idou:
    """世帯主変更: new 続柄 for every living member, exactly one of them 世帯主."""
    _check_idou_date(idou_date)
    household = _household(setai_no)
    members = _active_members(household)
    rels = _relationships_clean(relationships)
    if set(rels) != {r.atena_no for r in members}:
        raise IdouError(_("世帯員全員の新しい続柄を入力してください。"))
    _one_head(rels.values())
    new_head = next(r for r in members if rels[r.atena_no] == HEAD)
    if new_head.relationship == HEAD:
        raise IdouError(_("選んだ人はすでに世帯主です。"))
    versions = record_versions(members, [household])
    return _enter(
        actor=actor,
        type=Idou.Type.HEAD_CHANGE,
        idou_date=idou_date,
        notified_on=notified_on,
        payload={"setai_no": setai_no, "relationships": rels},
        versions=versions,
        expected_versions=expected_versions,
        summary=_("新世帯主 %(name)s") % {"name": new_head.name},
    )


CORRECTABLE = tuple(f for f in PERSON_FIELDS if f not in ("relationship", "mynumber_index", "mynumber_enc"))


def idou_enter_correction(
    *,
    actor: Any,
    atena_no: str,
    changes: dict[str, Any],
    reason: str,
    idou_date: PartialDate,
    notified_on: dt.date | None = None,
    expected_versions: dict[str, int] | None = None,
) -> Idou:
    """職権修正: the city corrects items of a record on its own authority, with a reason. ``changes``
    holds the items as entered (a new ``mynumber`` in plain digits is encrypted here)."""
    _check_idou_date(idou_date)
    resident = _resident(atena_no)
    reason = normalise_text(reason)
    if not reason:
        raise IdouError(_("修正の理由を入力してください。"), "reason")
    unknown = set(changes) - set(CORRECTABLE) - {"mynumber"}
    if unknown:
        raise IdouError(_("修正できない項目です：%(items)s") % {"items": ", ".join(sorted(unknown))})
    current = {key: getattr(resident, key) for key in PERSON_FIELDS}
    current["birth_date"] = resident.birth_date
    current["residence_expires_on"] = resident.residence_expires_on
    cleaned = person_clean({**current, **changes}, today=_today())
    changed = {
        key: cleaned[key]
        for key in PERSON_FIELDS
        if key not in ("relationship",)
        and str(cleaned[key]) != str(_stored_form(key, getattr(resident, key)))
    }
    if cleaned["mynumber_index"] == resident.mynumber_index:
        # Re-encryption gives new ciphertext for the same number: not a change.
        changed.pop("mynumber_enc", None)
        changed.pop("mynumber_index", None)
    if not changed:
        raise IdouError(_("修正する項目がありません。"))
    if (
        changed.get("mynumber_index")
        and Resident.objects.filter(mynumber_index=changed["mynumber_index"]).exclude(pk=resident.pk).exists()
    ):
        raise IdouError(_("この個人番号は他の住民に登録されています。"), "mynumber")
    versions = record_versions([resident])
    return _enter(
        actor=actor,
        type=Idou.Type.CORRECTION,
        idou_date=idou_date,
        notified_on=notified_on,
        payload={"atena_no": atena_no, "changes": changed, "reason": reason},
        versions=versions,
        expected_versions=expected_versions,
        summary=f"{resident.name}（{reason}）",
    )


def _stored_form(key: str, value: Any) -> Any:
    if isinstance(value, PartialDate):
        return value.to_db()
    if isinstance(value, dt.date):
        return value.isoformat()
    if value is None:
        return ""
    return value


# --- decision -------------------------------------------------------------------------------------


def idou_return(*, actor: Any, idou_id: int, reason: str) -> Idou:
    """差戻し: the approver sends the entry back; nothing in the register changes."""
    _require_perm(actor, "residents.approve_idou")
    reason = normalise_text(reason)
    if not reason:
        raise IdouError(_("差戻しの理由を入力してください。"), "reason")
    with transaction.atomic():
        idou = Idou.objects.select_for_update().get(pk=idou_id)
        if idou.state != Idou.State.PENDING:
            raise IdouError(
                _("この異動はすでに%(state)sされています。") % {"state": idou.get_state_display()}
            )
        idou.state = Idou.State.RETURNED
        idou.decided_by = actor
        idou.decided_at = timezone.now()
        idou.return_reason = reason
        idou.save(update_fields=["state", "decided_by", "decided_at", "return_reason"])
        audit_record(actor=actor, action="idou_returned", target_type="idou", target_id=str(idou.pk))
    return idou


def idou_approve(*, actor: Any, idou_id: int) -> Idou:
    """決裁: apply a 仮登録 (本登録). Refused for one's own entry, for an entry already decided (two
    approvers racing: the second one is refused), and when any record changed after entry."""
    _require_perm(actor, "residents.approve_idou")
    with transaction.atomic():
        idou = Idou.objects.select_for_update().select_related("entered_by").get(pk=idou_id)
        if idou.state != Idou.State.PENDING:
            raise IdouError(
                _("この異動はすでに%(state)sされています。") % {"state": idou.get_state_display()}
            )
        if idou.entered_by_id == actor.pk:
            raise IdouError(_("自分が入力した異動は決裁できません。別の決裁者に依頼してください。"))
        _lock_and_check_versions(idou.base_versions)
        applier = _APPLIERS[idou.type]
        changed, published = applier(idou)
        idou.state = Idou.State.APPROVED
        idou.decided_by = actor
        idou.decided_at = timezone.now()
        idou.result = {"atena_nos": [r.atena_no for r in changed]}
        idou.save(update_fields=["state", "decided_by", "decided_at", "result"])
        audit_record(
            actor=actor,
            action="idou_approved",
            target_type="idou",
            target_id=str(idou.pk),
            detail={"type": idou.type, "atena_nos": idou.result["atena_nos"]},
        )
        for event in published:
            events.publish(event)
    return idou


def _lock_and_check_versions(base_versions: dict[str, int]) -> None:
    atena = [k[2:] for k in base_versions if k.startswith("R:")]
    setai = [k[2:] for k in base_versions if k.startswith("H:")]
    current = {
        f"R:{no}": v
        for no, v in Resident.objects.select_for_update()
        .filter(atena_no__in=atena)
        .values_list("atena_no", "rireki_no")
    }
    current.update(
        {
            f"H:{no}": v
            for no, v in Household.objects.select_for_update()
            .filter(setai_no__in=setai)
            .values_list("setai_no", "version")
        }
    )
    for key, version in base_versions.items():
        if current.get(key) != version:
            raise StaleVersion(
                _(
                    "入力後に対象の記録が更新されたため本登録できません。差し戻して、最新の内容で入力し直してください。"
                )
            )


# --- applying an approved 異動 ------------------------------------------------------------------

Applied = tuple[list[Resident], list[object]]


def _head_name(household: Household) -> str:
    head = (
        household.members.filter(status=Status.RESIDENT, relationship=HEAD)
        .values_list("name", flat=True)
        .first()
    )
    return head or ""


def _touch_household(household: Household) -> None:
    household.version += 1
    household_search_refresh(household)
    household.active = household.members.filter(status=Status.RESIDENT).exists()
    household.save()


def _record(residents: list[Resident], idou: Idou, *, households: dict[int, Household] | None = None) -> None:
    """Write the new state of ``residents`` and one snapshot each, with commit-ordered sequence numbers."""
    if not residents:
        return
    first_seq = sequence_next(name=CHANGE_SERIES, count=len(residents))
    now = timezone.now()
    head_names: dict[int, str] = {}
    rows = []
    for offset, resident in enumerate(residents):
        resident.last_idou_kind = idou.type
        resident.last_idou_date = idou.idou_date
        resident.last_seq = first_seq + offset
        resident.save()
    for offset, resident in enumerate(residents):
        household = (households or {}).get(resident.household_id) or resident.household
        if household.pk not in head_names:
            head_names[household.pk] = _head_name(household)
        rows.append(
            ResidentHistory(
                atena_no=resident.atena_no,
                rireki_no=resident.rireki_no,
                seq=first_seq + offset,
                idou=idou,
                idou_type=idou.type,
                idou_date=idou.idou_date,
                processed_at=now,
                snapshot=resident_snapshot(resident, household, head_names[household.pk]),
            )
        )
    ResidentHistory.objects.bulk_create(rows)


def _bump(resident: Resident) -> Resident:
    resident.rireki_no += 1
    return resident


def _apply_move_in(idou: Idou) -> Applied:
    payload = idou.payload
    where = payload["household"]
    if "setai_no" in where:
        household = Household.objects.get(setai_no=where["setai_no"])
    else:
        household = Household(
            setai_no=setai_no_issue(),
            address=where["address"],
            katagaki=where["katagaki"],
            postal_code=where.get("postal_code", ""),
        )
        household_search_refresh(household)
        household.save()
    created = []
    for person in payload["members"]:
        if (
            person.get("mynumber_index")
            and Resident.objects.filter(
                mynumber_index=person["mynumber_index"], status=Status.RESIDENT
            ).exists()
        ):
            raise IdouError(_("この個人番号の方はすでに住民として登録されています。"))
        resident = Resident(
            atena_no=atena_no_issue(),
            household=household,
            rireki_no=1,
            status=Status.RESIDENT,
            became_resident_on=idou.idou_date,
            address_set_on=idou.idou_date,
            notified_on=idou.notified_on,
            previous_address=payload["previous_address"],
        )
        person_apply(resident, person)
        created.append(resident)
    for resident in created:
        resident.save()
    _touch_household(household)
    _record(created, idou)
    return created, [
        interface.ResidentMovedIn(
            atena_nos=tuple(r.atena_no for r in created), setai_no=household.setai_no, idou_id=idou.pk
        )
    ]


def _apply_address_change(idou: Idou) -> Applied:
    payload = idou.payload
    household = Household.objects.get(setai_no=payload["setai_no"])
    household.address = payload["address"]
    household.katagaki = payload["katagaki"]
    household.postal_code = payload.get("postal_code", "")
    _touch_household(household)
    members = [_bump(r) for r in _active_members(household)]
    for r in members:
        r.address_set_on = idou.idou_date
        r.household = household
    _record(members, idou)
    return members, [interface.ResidentAddressChanged(setai_no=household.setai_no, idou_id=idou.pk)]


def _apply_move_out(idou: Idou) -> Applied:
    payload = idou.payload
    household = Household.objects.get(setai_no=payload["setai_no"])
    leaving = [_bump(r) for r in household.members.filter(atena_no__in=payload["atena_nos"])]
    for r in leaving:
        r.status = Status.MOVED_OUT
        r.moved_out_to = payload["destination"]
        r.left_on = idou.idou_date
    _record(leaving, idou, households={household.pk: household})
    _touch_household(household)
    return leaving, [
        interface.ResidentMovedOut(
            atena_nos=tuple(r.atena_no for r in leaving),
            planned_date=idou.idou_date.to_db(),
            idou_id=idou.pk,
        )
    ]


def _apply_birth(idou: Idou) -> Applied:
    household = Household.objects.get(setai_no=idou.payload["setai_no"])
    child = Resident(
        atena_no=atena_no_issue(),
        household=household,
        rireki_no=1,
        status=Status.RESIDENT,
        became_resident_on=idou.idou_date,
        address_set_on=idou.idou_date,
        notified_on=idou.notified_on,
    )
    person_apply(child, idou.payload["person"])
    child.save()
    _touch_household(household)
    _record([child], idou)
    return [child], [
        interface.ResidentBorn(atena_no=child.atena_no, setai_no=household.setai_no, idou_id=idou.pk)
    ]


def _apply_death(idou: Idou) -> Applied:
    resident = _bump(Resident.objects.select_related("household").get(atena_no=idou.payload["atena_no"]))
    resident.status = Status.DECEASED
    resident.left_on = idou.idou_date
    resident.save()
    _touch_household(resident.household)
    _record([resident], idou)
    return [resident], [interface.ResidentDied(atena_no=resident.atena_no, idou_id=idou.pk)]


def _apply_relationships(residents: list[Resident], rels: dict[str, str], household: Household) -> None:
    for r in residents:
        if r.atena_no in rels:
            r.relationship = rels[r.atena_no]
        r.household = household
        r.save()


def _apply_split(idou: Idou) -> Applied:
    payload = idou.payload
    source = Household.objects.get(setai_no=payload["setai_no"])
    new = Household(
        setai_no=setai_no_issue(),
        address=source.address,
        katagaki=payload["katagaki"],
        postal_code=source.postal_code,
    )
    household_search_refresh(new)
    new.save()
    moving = [_bump(r) for r in source.members.filter(atena_no__in=list(payload["relationships"]))]
    _apply_relationships(moving, payload["relationships"], new)
    _touch_household(source)
    _touch_household(new)
    _record(moving, idou)
    return moving, [interface.HouseholdChanged(setai_nos=(source.setai_no, new.setai_no), idou_id=idou.pk)]


def _apply_merge(idou: Idou) -> Applied:
    payload = idou.payload
    source = Household.objects.get(setai_no=payload["from_setai_no"])
    target = Household.objects.get(setai_no=payload["into_setai_no"])
    moving = [_bump(r) for r in _active_members(source)]
    _apply_relationships(moving, payload["relationships"], target)
    _touch_household(source)
    _touch_household(target)
    _record(moving, idou)
    return moving, [interface.HouseholdChanged(setai_nos=(source.setai_no, target.setai_no), idou_id=idou.pk)]


def _apply_head_change(idou: Idou) -> Applied:
    household = Household.objects.get(setai_no=idou.payload["setai_no"])
    members = [_bump(r) for r in _active_members(household)]
    # Save the old head's new 続柄 before the new head's, so there is never a moment with two heads.
    members.sort(key=lambda r: idou.payload["relationships"][r.atena_no] == HEAD)
    _apply_relationships(members, idou.payload["relationships"], household)
    _touch_household(household)
    _record(members, idou)
    return members, [interface.HouseholdChanged(setai_nos=(household.setai_no,), idou_id=idou.pk)]


def _apply_correction(idou: Idou) -> Applied:
    resident = _bump(Resident.objects.select_related("household").get(atena_no=idou.payload["atena_no"]))
    person_apply(resident, idou.payload["changes"])
    resident.save()
    _touch_household(resident.household)
    _record([resident], idou)
    return [resident], [interface.ResidentCorrected(atena_no=resident.atena_no, idou_id=idou.pk)]


_APPLIERS: dict[str, Callable[[Idou], Applied]] = {
    Idou.Type.MOVE_IN: _apply_move_in,
    Idou.Type.ADDRESS_CHANGE: _apply_address_change,
    Idou.Type.MOVE_OUT: _apply_move_out,
    Idou.Type.BIRTH: _apply_birth,
    Idou.Type.DEATH: _apply_death,
    Idou.Type.SPLIT: _apply_split,
    Idou.Type.MERGE: _apply_merge,
    Idou.Type.HEAD_CHANGE: _apply_head_change,
    Idou.Type.CORRECTION: _apply_correction,
}


__all__ = [
    "MYNUMBER_PURPOSE",
    "IdouError",
    "StaleVersion",
    "idou_approve",
    "idou_enter_address_change",
    "idou_enter_birth",
    "idou_enter_correction",
    "idou_enter_death",
    "idou_enter_head_change",
    "idou_enter_merge",
    "idou_enter_move_in",
    "idou_enter_move_out",
    "idou_enter_split",
    "idou_return",
]

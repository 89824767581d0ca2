"""Staff pages of the resident register. Thin: forms collect, services write, selectors read,
``access`` decides. Every page that shows a person's data writes an audit entry."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from yakuba.core.audit import audit_record
from yakuba.core.era import PartialDate
from yakuba.residents import access, selectors, services
from yakuba.residents.forms import (
    AddressChangeForm,
    CorrectionForm,
    DeathForm,
    EntryForm,
    MergeForm,
    MoveInForm,
    MoveOutForm,
    PersonForm,
    RelationshipsForm,
    SearchForm,
    SplitForm,
)
from yakuba.residents.models import Art30_45, Household, Idou, Kind, Resident, Sex, Status
from yakuba.residents.records import PERSON_FIELDS, RecordError
from yakuba.residents.services import IdouError

MAX_MEMBERS = 10
IDOU_TYPE_LABELS = {**dict(Idou.Type.choices), "initial": _lazy("移行時の記録")}


def _show_date(value: PartialDate | None, kind: str = Kind.JAPANESE) -> str:
    return value.display(japanese_era=kind == Kind.JAPANESE) if value else ""


@require_http_methods(["GET"])
def search_view(request: HttpRequest) -> HttpResponse:
    access.require(request.user, access.VIEW)
    form = SearchForm(request.GET or None)
    results: list[Resident] = []
    more = False
    searched = False
    if request.GET and form.is_valid():
        query = selectors.SearchQuery(**form.cleaned_data)
        results, more = selectors.resident_search(query)
        searched = True
        audit_record(
            actor=request.user,
            action="resident_search",
            target_type="residents",
            detail={"query": {k: v for k, v in form.cleaned_data.items() if v}, "count": len(results)},
        )
    rows = [{"r": r, "birth": _show_date(r.birth_date, r.kind)} for r in results]
    return render(
        request, "residents/search.html", {"form": form, "rows": rows, "more": more, "searched": searched}
    )


def _member_rows(members: list[Resident]) -> list[dict[str, Any]]:
    return [{"r": r, "birth": _show_date(r.birth_date, r.kind)} for r in members]


@require_http_methods(["GET"])
def household_view(request: HttpRequest, setai_no: str) -> HttpResponse:
    access.require(request.user, access.VIEW)
    found = selectors.household_for_page(setai_no)
    if found is None:
        raise Http404
    household, living, former = found
    audit_record(actor=request.user, action="household_read", target_type="household", target_id=setai_no)
    keys = [f"H:{setai_no}", *(f"R:{r.atena_no}" for r in living)]
    return render(
        request,
        "residents/household.html",
        {
            "household": household,
            "living": _member_rows(living),
            "former": _member_rows(former),
            "head_name": selectors.head_name(living),
            "pending": selectors.idou_pending_for(keys),
            "can_enter": access.can_enter(request.user) and household.active,
        },
    )


_SENSITIVE_FIELDS = (
    "juminhyo_code",
    "honseki",
    "hittousha",
    "residence_status",
    "residence_period",
    "residence_expires_on",
    "residence_card_no",
)


@require_http_methods(["GET"])
def resident_view(request: HttpRequest, atena_no: str) -> HttpResponse:
    access.require(request.user, access.VIEW)
    resident = Resident.objects.select_related("household").filter(atena_no=atena_no).first()
    if resident is None:
        raise Http404
    sensitive = access.can_see_sensitive(request.user)
    show_mynumber = sensitive and request.GET.get("show") == "mynumber"
    audit_record(
        actor=request.user,
        action="resident_read",
        target_type="resident",
        target_id=atena_no,
        mynumber_shown=show_mynumber,
        detail={"sensitive": sensitive},
    )
    from yakuba.core import crypto

    mynumber = crypto.decrypt(resident.mynumber_enc) if show_mynumber else ""
    history = selectors.resident_history(atena_no)
    japanese = resident.kind == Kind.JAPANESE
    history_rows = []
    for h in history:
        snap = dict(h.snapshot)
        snap.pop("mynumber_enc", None)
        if not sensitive:
            for key in _SENSITIVE_FIELDS:
                if snap.get(key):
                    snap[key] = selectors.mask(str(snap[key]))
        history_rows.append(
            {
                "h": h,
                "type": IDOU_TYPE_LABELS.get(h.idou_type, h.idou_type),
                "idou_date": _show_date(h.idou_date, resident.kind),
                "snap": [
                    (_PAYLOAD_LABELS.get(key, key), _snapshot_value(key, value, resident.kind))
                    for key, value in snap.items()
                    if value not in ("", None, False)
                ],
            }
        )
    return render(
        request,
        "residents/resident.html",
        {
            "r": resident,
            "japanese": japanese,
            "birth": _show_date(resident.birth_date, resident.kind),
            "became": _show_date(resident.became_resident_on, resident.kind),
            "address_set": _show_date(resident.address_set_on, resident.kind),
            "left_on": _show_date(resident.left_on, resident.kind),
            "sensitive": sensitive,
            "mynumber": mynumber,
            "has_mynumber": bool(resident.mynumber_enc),
            "masked_code": resident.juminhyo_code if sensitive else selectors.mask(resident.juminhyo_code),
            "history": history_rows,
            "can_enter": access.can_enter(request.user) and resident.status == Status.RESIDENT,
            "can_correct": access.can_enter(request.user),
        },
    )


_PARTIAL_DATE_KEYS = {"birth_date", "became_resident_on", "address_set_on", "left_on", "last_idou_date"}
_CHOICE_LABELS: dict[str, dict[str, Any]] = {
    "status": dict(Status.choices),
    "kind": dict(Kind.choices),
    "sex": dict(Sex.choices),
    "art30_45": dict(Art30_45.choices),
    "last_idou_kind": IDOU_TYPE_LABELS,
}


def _snapshot_value(key: str, value: Any, kind: str) -> Any:
    if key in _PARTIAL_DATE_KEYS and isinstance(value, str) and value:
        return _show_date(PartialDate.from_db(value), kind)
    if key in _CHOICE_LABELS:
        return _CHOICE_LABELS[key].get(value, value)
    if value is True:
        return _("はい")
    return value


@require_http_methods(["GET"])
def idou_list_view(request: HttpRequest) -> HttpResponse:
    access.require(request.user, access.VIEW)
    return render(
        request,
        "residents/idou_list.html",
        {
            "pending": selectors.idou_pending(),
            "recent": selectors.idou_recent(),
            "can_approve": access.can_approve(request.user),
        },
    )


_PAYLOAD_LABELS = {f.name: f.verbose_name for f in Resident._meta.get_fields() if hasattr(f, "verbose_name")}
_PAYLOAD_LABELS.update(
    {
        "mynumber_enc": _lazy("個人番号"),
        "destination": _lazy("転出先"),
        "setai_no": _lazy("世帯番号"),
        "from_setai_no": _lazy("合併元の世帯番号"),
        "into_setai_no": _lazy("合併先の世帯番号"),
        "reason": _lazy("理由"),
        "address": _lazy("住所"),
        "katagaki": _lazy("方書"),
        "postal_code": _lazy("郵便番号"),
        "head_name": _lazy("世帯主氏名"),
        "status": _lazy("住民状態"),
        "kind": _lazy("住民種別"),
        "last_idou_kind": _lazy("異動事由"),
        "last_idou_date": _lazy("異動日"),
    }
)


def _person_lines(person: dict[str, Any], sensitive: bool) -> list[tuple[Any, str]]:
    lines = []
    for key in PERSON_FIELDS:
        value = person.get(key)
        if key == "mynumber_index" or value in ("", None, False):
            continue
        if key == "mynumber_enc":
            value = _("入力あり（表示しません）")
        elif key == "birth_date":
            value = PartialDate.from_db(value).display(japanese_era=person.get("kind") != Kind.FOREIGN)
        elif key in _SENSITIVE_FIELDS and not sensitive:
            value = selectors.mask(str(value))
        elif value is True:
            value = _("はい")
        lines.append((_PAYLOAD_LABELS.get(key, key), str(value)))
    return lines


def _names(atena_nos: list[str]) -> dict[str, str]:
    return dict(Resident.objects.filter(atena_no__in=atena_nos).values_list("atena_no", "name"))


def _idou_view_model(idou: Idou, sensitive: bool) -> dict[str, Any]:
    payload = idou.payload
    lines: list[tuple[Any, str]] = []
    people: list[list[tuple[Any, str]]] = []
    relationships: list[tuple[str, str, str]] = []
    for key in (
        "setai_no",
        "from_setai_no",
        "into_setai_no",
        "address",
        "katagaki",
        "postal_code",
        "destination",
        "previous_address",
        "reason",
    ):
        if payload.get(key):
            lines.append((_PAYLOAD_LABELS.get(key, key), str(payload[key])))
    where = payload.get("household", {})
    for key, value in where.items():
        if value:
            lines.append((_PAYLOAD_LABELS.get(key, key), str(value)))
    for person in payload.get("members", []):
        people.append(_person_lines(person, sensitive))
    if payload.get("person"):
        people.append(_person_lines(payload["person"], sensitive))
    if payload.get("changes"):
        people.append(_person_lines(payload["changes"], sensitive))
    names = _names(
        list(payload.get("relationships", {}))
        + list(payload.get("atena_nos", []))
        + [payload.get("atena_no", "")]
    )
    for atena_no, rel in payload.get("relationships", {}).items():
        relationships.append((atena_no, names.get(atena_no, ""), rel))
    for atena_no in payload.get("atena_nos", []):
        relationships.append((atena_no, names.get(atena_no, ""), ""))
    if payload.get("atena_no"):
        relationships.append((payload["atena_no"], names.get(payload["atena_no"], ""), ""))
    return {"lines": lines, "people": people, "relationships": relationships}


@require_http_methods(["GET", "POST"])
def idou_detail_view(request: HttpRequest, idou_id: int) -> HttpResponse:
    access.require(request.user, access.VIEW)
    idou = Idou.objects.select_related("entered_by", "decided_by").filter(pk=idou_id).first()
    if idou is None:
        raise Http404
    error = ""
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "approve":
                services.idou_approve(actor=request.user, idou_id=idou.pk)
                messages.success(request, _("本登録しました。"))
            elif action == "return":
                services.idou_return(
                    actor=request.user, idou_id=idou.pk, reason=request.POST.get("reason", "")
                )
                messages.success(request, _("差し戻しました。"))
            else:
                raise Http404
            return redirect("residents:idou_detail", idou_id=idou.pk)
        except IdouError as exc:
            error = exc.message
            idou.refresh_from_db()
    audit_record(actor=request.user, action="idou_read", target_type="idou", target_id=str(idou.pk))
    model = _idou_view_model(idou, access.can_see_sensitive(request.user))
    can_decide = (
        idou.state == Idou.State.PENDING
        and access.can_approve(request.user)
        and idou.entered_by_id != request.user.pk
    )
    return render(
        request,
        "residents/idou_detail.html",
        {
            "idou": idou,
            "error": error,
            "can_decide": can_decide,
            "own_entry": idou.entered_by_id == request.user.pk,
            "idou_date": _show_date(idou.idou_date),
            **model,
        },
    )


# --- entry pages ------------------------------------------------------------------------------


def _entered(request: HttpRequest, idou: Idou) -> HttpResponse:
    messages.success(
        request,
        _("%(type)sを仮登録しました（受付番号 %(no)d）。決裁者の本登録を待っています。")
        % {"type": idou.get_type_display(), "no": idou.pk},
    )
    return redirect("residents:idou_detail", idou_id=idou.pk)


def _household_or_404(setai_no: str) -> tuple[Household, list[Resident]]:
    found = selectors.household_for_page(setai_no)
    if found is None or not found[0].active:
        raise Http404
    return found[0], found[1]


def _render_entry(request: HttpRequest, title: str, form: Any, **context: Any) -> HttpResponse:
    return render(request, "residents/idou_form.html", {"title": title, "form": form, **context})


@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
def move_in_view(request: HttpRequest) -> HttpResponse:
    access.require(request.user, access.ENTER)
    count = 1
    if request.method == "POST":
        try:
            count = max(1, min(MAX_MEMBERS, int(request.POST.get("member_count", "1"))))
        except ValueError:
            count = 1
        if "add_member" in request.POST:
            count = min(MAX_MEMBERS, count + 1)
        elif "remove_member" in request.POST:
            count = max(1, count - 1)
    data = request.POST if request.method == "POST" else None
    form = MoveInForm(data)
    people = [
        PersonForm(data, prefix=f"m{i}", initial={"relationship": "世帯主"} if i == 0 else {})
        for i in range(count)
    ]
    submitting = request.method == "POST" and not ({"add_member", "remove_member"} & set(request.POST))
    if submitting and form.is_valid() and all(p.is_valid() for p in people):
        try:
            idou = services.idou_enter_move_in(
                actor=request.user,
                idou_date=form.cleaned_data["idou_date"],
                notified_on=form.cleaned_data["notified_on"],
                members=[p.person_data() for p in people],
                previous_address=form.cleaned_data["previous_address"],
                address=form.cleaned_data["address"],
                katagaki=form.cleaned_data["katagaki"],
                postal_code=form.cleaned_data["postal_code"],
                setai_no=form.cleaned_data["setai_no"].strip(),
                expected_versions=form.cleaned_data["versions"],
            )
            return _entered(request, idou)
        except RecordError as exc:
            _attach(exc, form, people)
    return _render_entry(
        request,
        _("転入の入力"),
        form,
        people=people,
        member_count=count,
        max_members=MAX_MEMBERS,
        move_in=True,
        # Adding or removing a person re-renders the page: errors would only confuse at that point.
        hide_errors=not submitting and request.method == "POST",
    )


def _attach(exc: RecordError, form: Any, people: list[PersonForm]) -> None:
    target = next((p for p in people if exc.field in p.fields), None)
    if target is not None and len(people) == 1:
        target.add_service_error(exc)
    elif exc.field in form.fields:
        form.add_service_error(exc)
    else:
        form.add_error(None, exc.message)


def _simple_entry(
    request: HttpRequest,
    *,
    title: str,
    form: EntryForm,
    call: Callable[[dict[str, Any]], Idou],
    **context: Any,
) -> HttpResponse:
    if request.method == "POST" and form.is_valid():
        try:
            return _entered(request, call(form.cleaned_data))
        except RecordError as exc:
            form.add_service_error(exc)
    return _render_entry(request, title, form, **context)


@require_http_methods(["GET", "POST"])
def address_change_view(request: HttpRequest, setai_no: str) -> HttpResponse:
    access.require(request.user, access.ENTER)
    household, members = _household_or_404(setai_no)
    form = AddressChangeForm(request.POST or None, versions=services.record_versions(members, [household]))
    return _simple_entry(
        request,
        title=_("転居の入力"),
        form=form,
        household=household,
        call=lambda d: services.idou_enter_address_change(
            actor=request.user,
            setai_no=setai_no,
            idou_date=d["idou_date"],
            notified_on=d["notified_on"],
            address=d["address"],
            katagaki=d["katagaki"],
            postal_code=d["postal_code"],
            expected_versions=d["versions"],
        ),
    )


@require_http_methods(["GET", "POST"])
def move_out_view(request: HttpRequest, setai_no: str) -> HttpResponse:
    access.require(request.user, access.ENTER)
    household, members = _household_or_404(setai_no)
    form = MoveOutForm(
        request.POST or None, members=members, versions=services.record_versions(members, [household])
    )
    return _simple_entry(
        request,
        title=_("転出の入力"),
        form=form,
        household=household,
        call=lambda d: services.idou_enter_move_out(
            actor=request.user,
            setai_no=setai_no,
            atena_nos=d["atena_nos"],
            planned_date=d["idou_date"],
            notified_on=d["notified_on"],
            destination=d["destination"],
            expected_versions=d["versions"],
        ),
    )


@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
def birth_view(request: HttpRequest, setai_no: str) -> HttpResponse:
    access.require(request.user, access.ENTER)
    household, members = _household_or_404(setai_no)
    data = request.POST or None
    form = EntryForm(data, versions=services.record_versions(members, [household]))
    del form.fields["idou_date"]  # the 異動日 of a birth is the birth date
    person = PersonForm(data, prefix="m0", initial={"relationship": "子"})
    if request.method == "POST" and form.is_valid() and person.is_valid():
        try:
            idou = services.idou_enter_birth(
                actor=request.user,
                setai_no=setai_no,
                notified_on=form.cleaned_data["notified_on"],
                person=person.person_data(),
                expected_versions=form.cleaned_data["versions"],
            )
            return _entered(request, idou)
        except RecordError as exc:
            (person if exc.field in person.fields else form).add_service_error(exc)
    return _render_entry(request, _("出生の入力"), form, people=[person], household=household)


@require_http_methods(["GET", "POST"])
def death_view(request: HttpRequest, atena_no: str) -> HttpResponse:
    access.require(request.user, access.ENTER)
    resident = (
        Resident.objects.select_related("household").filter(atena_no=atena_no, status=Status.RESIDENT).first()
    )
    if resident is None:
        raise Http404
    form = DeathForm(
        request.POST or None,
        versions=services.record_versions([resident], [resident.household]),
    )
    form.fields["idou_date"].label = _("死亡日")
    return _simple_entry(
        request,
        title=_("死亡の入力"),
        form=form,
        resident=resident,
        call=lambda d: services.idou_enter_death(
            actor=request.user,
            atena_no=atena_no,
            idou_date=d["idou_date"],
            notified_on=d["notified_on"],
            expected_versions=d["versions"],
        ),
    )


@require_http_methods(["GET", "POST"])
def split_view(request: HttpRequest, setai_no: str) -> HttpResponse:
    access.require(request.user, access.ENTER)
    household, members = _household_or_404(setai_no)
    form = SplitForm(
        request.POST or None,
        members=members,
        optional=True,
        initial_current=False,
        versions=services.record_versions(members, [household]),
    )
    return _simple_entry(
        request,
        title=_("世帯分離の入力"),
        form=form,
        household=household,
        explain=_(
            "新しい世帯に移る人だけ、新しい世帯での続柄（1人は「世帯主」）を入力してください。残る人は空欄のままにします。"
        ),
        call=lambda d: services.idou_enter_split(
            actor=request.user,
            setai_no=setai_no,
            relationships=form.relationships(),
            idou_date=d["idou_date"],
            notified_on=d["notified_on"],
            katagaki=d["katagaki"] or None,
            expected_versions=d["versions"],
        ),
    )


@require_http_methods(["GET", "POST"])
def merge_view(request: HttpRequest, setai_no: str) -> HttpResponse:
    access.require(request.user, access.ENTER)
    household, members = _household_or_404(setai_no)
    form = MergeForm(
        request.POST or None,
        members=members,
        optional=False,
        initial_current=False,
        versions=services.record_versions(members, [household]),
    )
    return _simple_entry(
        request,
        title=_("世帯合併の入力"),
        form=form,
        household=household,
        explain=_("この世帯の全員が合併先の世帯に入ります。合併先の世帯主から見た続柄を入力してください。"),
        call=lambda d: services.idou_enter_merge(
            actor=request.user,
            from_setai_no=setai_no,
            into_setai_no=d["into_setai_no"].strip(),
            relationships=form.relationships(),
            idou_date=d["idou_date"],
            notified_on=d["notified_on"],
            expected_versions=d["versions"],
        ),
    )


@require_http_methods(["GET", "POST"])
def head_change_view(request: HttpRequest, setai_no: str) -> HttpResponse:
    access.require(request.user, access.ENTER)
    household, members = _household_or_404(setai_no)
    form = RelationshipsForm(
        request.POST or None,
        members=members,
        optional=False,
        initial_current=True,
        versions=services.record_versions(members, [household]),
    )
    return _simple_entry(
        request,
        title=_("世帯主変更の入力"),
        form=form,
        household=household,
        explain=_("新しい世帯主を「世帯主」とし、他の全員の続柄を新しい世帯主から見た続柄に直してください。"),
        call=lambda d: services.idou_enter_head_change(
            actor=request.user,
            setai_no=setai_no,
            relationships=form.relationships(),
            idou_date=d["idou_date"],
            notified_on=d["notified_on"],
            expected_versions=d["versions"],
        ),
    )


def _person_initial(resident: Resident) -> dict[str, Any]:
    initial: dict[str, Any] = {
        key: getattr(resident, key) for key in PERSON_FIELDS if key not in ("mynumber_enc", "mynumber_index")
    }
    initial["birth_date"] = resident.birth_date.display(japanese_era=resident.kind == Kind.JAPANESE)
    initial["residence_expires_on"] = (
        resident.residence_expires_on.isoformat() if resident.residence_expires_on else ""
    )
    return initial


@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
def correction_view(request: HttpRequest, atena_no: str) -> HttpResponse:
    access.require(request.user, access.ENTER)
    resident = Resident.objects.select_related("household").filter(atena_no=atena_no).first()
    if resident is None:
        raise Http404
    data = request.POST or None
    form = CorrectionForm(data, versions=services.record_versions([resident]))
    person = PersonForm(data, prefix="m0", initial=_person_initial(resident))
    del person.fields["relationship"]
    if not access.can_see_sensitive(request.user):
        for key in ("mynumber", "juminhyo_code", "honseki", "hittousha"):
            person.fields.pop(key, None)
    if request.method == "POST" and form.is_valid() and person.is_valid():
        changes = {k: v for k, v in person.person_data().items()}
        try:
            idou = services.idou_enter_correction(
                actor=request.user,
                atena_no=atena_no,
                changes=changes,
                reason=form.cleaned_data["reason"],
                idou_date=form.cleaned_data["idou_date"],
                notified_on=None,
                expected_versions=form.cleaned_data["versions"],
            )
            return _entered(request, idou)
        except RecordError as exc:
            (person if exc.field in person.fields else form).add_service_error(exc)
    return _render_entry(request, _("職権修正の入力"), form, people=[person], resident=resident)

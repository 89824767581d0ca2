"""Officers' pages: households and 班 (list, add, edit, leave, CSV import), invitation letters,
members and their roles, the paper route of a 班 (its 班長 may use it too) with its route sheet; and
the city staff's register of associations.

Thin: ``households.py`` decides; every object is fetched through ``scope.py``, so an id of another
association answers 404. The associations page is a staff page (staff login, and the permission
``kairan.manage_associations``), not a members' page.
"""

import dataclasses
import math
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, F, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from yakuba.kairan import households, members, pdf, scope
from yakuba.kairan.forms_households import (
    AssociationForm,
    HanForm,
    HouseholdForm,
    ImportForm,
    InvitationForm,
    LayoutForm,
    RoleForm,
    RouteAdoptForm,
    RouteClosedForm,
)
from yakuba.kairan.households import HouseholdError, RoutePlan
from yakuba.kairan.members import JoinError, member_required, officer_required
from yakuba.kairan.models import Association, Circular, Han, Household, Invitation, Member

MANAGE_ASSOCIATIONS = "kairan.manage_associations"
CHAIR_INVITATION = "kairan_chair_invitation"  # session key: the chair's letter, printable once


def _member(request: HttpRequest) -> Member:
    return request.member  # type: ignore[attr-defined]


def _pdf(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def _public(url: str) -> str:
    return settings.YAKUBA_PUBLIC_URL.rstrip("/") + url


def _letters_pdf(association: Association, issued: list[households.IssuedInvitation], layout: str) -> bytes:
    letters = [
        pdf.Letter(
            household_name=i.household.name,
            code=i.code,
            url=_public(reverse("kairan:join_token", args=[i.token])),
            expires_on=i.expires_on,
        )
        for i in issued
    ]
    return pdf.invitations_pdf(
        association_name=association.name,
        letters=letters,
        join_url=_public(reverse("kairan:join")),
        layout=layout,
    )


# --- households and 班 -----------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class HanGroup:
    han: Han | None
    households: list[Household]

    @property
    def paper(self) -> int:
        return sum(1 for h in self.households if h.paper)


@officer_required
@require_http_methods(["GET"])
def households_view(request: HttpRequest) -> HttpResponse:
    """The association's households by 班: paper or digital, mobility, position known, members."""
    member = _member(request)
    rows = list(
        Household.objects.filter(association_id=member.association_id)
        .select_related("han")
        .annotate(member_count=Count("members", filter=Q(members__active=True)))
        .order_by("han__order", "han__name", F("paper_order").asc(nulls_last=True), "pk")
    )
    han_list = list(Han.objects.filter(association_id=member.association_id))
    groups = [HanGroup(h, [r for r in rows if r.han_id == h.pk and r.active]) for h in han_list]
    groups.append(HanGroup(None, [r for r in rows if r.han_id is None and r.active]))
    return render(
        request,
        "kairan/household_list.html",
        {
            "member": member,
            "groups": groups,
            "han_count": len(han_list),
            "left": [r for r in rows if not r.active],
            "active_count": sum(1 for r in rows if r.active),
            "han_form": HanForm(),
        },
    )


def _household_form(request: HttpRequest, household: Household | None) -> HttpResponse:
    member = _member(request)
    form = HouseholdForm(request.POST or None, association=member.association, household=household)
    if request.method == "POST" and form.is_valid():
        try:
            if household is None:
                households.household_create(actor=member, data=form.household_data())
            else:
                households.household_update(actor=member, household=household, data=form.household_data())
        except HouseholdError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("世帯を保存しました。"))
            return redirect("kairan:households")
    return render(
        request,
        "kairan/household_form.html",
        {"member": member, "form": form, "household": household, "layout_form": LayoutForm()},
    )


@officer_required
@require_http_methods(["GET", "POST"])
def household_new_view(request: HttpRequest) -> HttpResponse:
    return _household_form(request, None)


@officer_required
@require_http_methods(["GET", "POST"])
def household_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _household_form(request, scope.household(_member(request), pk))


@officer_required
@require_http_methods(["POST"])
def household_active_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Leave the association (「退会」) or come back."""
    member = _member(request)
    household = scope.household(member, pk)
    active = request.POST.get("active") == "1"
    try:
        households.household_set_active(actor=member, household=household, active=active)
    except HouseholdError as exc:
        messages.error(request, str(exc))
        return redirect("kairan:household_edit", pk=household.pk)
    if active:
        messages.success(request, _("%(name)sを在籍に戻しました。") % {"name": household.name})
    else:
        messages.success(request, _("%(name)sを退会にしました。") % {"name": household.name})
    return redirect("kairan:households")


@officer_required
@require_http_methods(["GET", "POST"])
def households_import_view(request: HttpRequest) -> HttpResponse:
    member = _member(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data["file"].read(households.MAX_IMPORT_BYTES + 1)
        result = households.households_import(actor=member, data=data)
        if result.ok:
            messages.success(
                request,
                _("%(n)s世帯を取り込みました。") % {"n": result.created}
                + (
                    _("新しい班：%(han)s") % {"han": "、".join(result.han_created)}
                    if result.han_created
                    else ""
                ),
            )
            return redirect("kairan:households")
    return render(
        request,
        "kairan/household_import.html",
        {
            "member": member,
            "form": form,
            "result": result,
            "columns": households.COLUMNS,
            "hidden_errors": result.error_count - len(result.errors) if result else 0,
        },
    )


@officer_required
@require_http_methods(["POST"])
def han_new_view(request: HttpRequest) -> HttpResponse:
    member = _member(request)
    form = HanForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("班の名前を入れてください（50文字まで）。"))
    else:
        try:
            han = households.han_create(actor=member, name=form.cleaned_data["name"])
        except HouseholdError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("%(name)sを作りました。") % {"name": han.name})
    return redirect("kairan:households")


@officer_required
@require_http_methods(["GET", "POST"])
def han_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member(request)
    han = scope.han(member, pk)
    form = HanForm(request.POST or None, initial={"name": han.name})
    if request.method == "POST" and form.is_valid():
        try:
            households.han_rename(actor=member, han=han, name=form.cleaned_data["name"])
        except HouseholdError as exc:
            form.add_error("name", str(exc))
        else:
            messages.success(request, _("班の名前を変えました。"))
            return redirect("kairan:households")
    return render(request, "kairan/household_han.html", {"member": member, "form": form, "han": han})


@officer_required
@require_http_methods(["POST"])
def han_move_view(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member(request)
    han = scope.han(member, pk)
    households.han_move(actor=member, han=han, step=-1 if request.POST.get("direction") == "up" else 1)
    return redirect(reverse("kairan:households") + f"#han-{han.pk}")


# --- invitations -------------------------------------------------------------------------------------


@officer_required
@never_cache
@require_http_methods(["GET", "POST"])
def invitations_view(request: HttpRequest) -> HttpResponse:
    """Letters for the chosen households: each gets a new invitation, and its earlier unused one stops
    working."""
    member = _member(request)
    association = member.association
    form = InvitationForm(request.POST or None, association=association)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        chosen = households.households_for_invitations(actor=member, which=data["which"], han=data.get("han"))
        if not chosen:
            form.add_error(None, _("招待状を作る世帯がありません。"))
        else:
            with transaction.atomic():  # a failed print revokes nothing
                body = _letters_pdf(
                    association, households.invitations_issue(actor=member, households=chosen), data["layout"]
                )
            return _pdf(body, "invitations.pdf")
    active = Household.objects.filter(association=association, active=True)
    return render(
        request,
        "kairan/invitation_form.html",
        {
            "member": member,
            "form": form,
            "household_count": active.count(),
            "without_count": active.exclude(members__active=True).distinct().count(),
        },
    )


@officer_required
@never_cache
@require_http_methods(["POST"])
def household_invitation_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A new letter for one household (the earlier one stops working)."""
    member = _member(request)
    household = scope.household(member, pk)
    if not household.active:
        raise Http404
    form = LayoutForm(request.POST)
    layout = (form.cleaned_data.get("layout") if form.is_valid() else "") or "a4"
    with transaction.atomic():
        body = _letters_pdf(
            member.association, households.invitations_issue(actor=member, households=[household]), layout
        )
    return _pdf(body, f"invitation-{household.pk}.pdf")


# --- members -----------------------------------------------------------------------------------------


@officer_required
@require_http_methods(["GET"])
def members_view(request: HttpRequest) -> HttpResponse:
    member = _member(request)
    live = Q(devices__revoked_at__isnull=True)
    rows = (
        Member.objects.filter(association_id=member.association_id, active=True)
        .select_related("household")
        .annotate(
            device_count=Count("devices", filter=live), last_seen=Max("devices__last_seen", filter=live)
        )
        .order_by("household__han__order", "household__name", "pk")
    )
    return render(
        request,
        "kairan/member_list.html",
        {
            "member": member,
            "rows": [
                (row, RoleForm(initial={"role": row.role}, auto_id=f"role-{row.pk}-%s")) for row in rows
            ],
            "is_chair": member.role == Member.Role.CHAIR,
            "left_count": Member.objects.filter(association_id=member.association_id, active=False).count(),
        },
    )


@officer_required
@require_http_methods(["POST"])
def member_role_view(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member(request)
    target = scope.member(member, pk)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("役割を選んでください。"))
    else:
        try:
            households.member_set_role(actor=member, target=target, role=form.cleaned_data["role"])
        except HouseholdError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                _("%(name)sさんを%(role)sにしました。")
                % {"name": target.name, "role": target.get_role_display()},
            )
    return redirect("kairan:members")


@officer_required
@require_http_methods(["POST"])
def member_deactivate_view(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member(request)
    target = scope.member(member, pk)
    try:
        households.member_deactivate(actor=member, target=target)
    except HouseholdError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("%(name)sさんを退会にしました。") % {"name": target.name})
    return redirect("kairan:members")


@officer_required
@require_http_methods(["POST"])
def member_sign_out_view(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member(request)
    target = scope.member(member, pk)
    count = households.member_devices_revoke(actor=member, target=target)
    messages.success(
        request, _("%(name)sさんの端末 %(n)s 台をログアウトしました。") % {"name": target.name, "n": count}
    )
    return redirect("kairan:members")


# --- the paper route ---------------------------------------------------------------------------------

MAP_W, MAP_H, MAP_PAD = 640, 480, 36
MIN_EXTENT_M = 50.0


@dataclasses.dataclass(frozen=True)
class MapPoint:
    x: float
    y: float
    label: str  # "3", or "3・4" for households at the same position
    start: bool


@dataclasses.dataclass(frozen=True)
class RouteMap:
    points: list[MapPoint]
    line: str  # the polyline's points
    closing: str  # the leg back to the start, drawn dashed ("" on an open route)
    scale_x1: float
    scale_x2: float
    scale_y: float
    scale_label: str
    tick_top: float
    tick_bottom: float
    label_y: float
    description: str


def _nice_length(limit: float) -> float:
    """The largest 1, 2 or 5 × 10ⁿ metres not over ``limit``."""
    exponent = math.floor(math.log10(limit))
    for factor in (5, 2, 1):
        if factor * 10**exponent <= limit:
            return float(factor * 10**exponent)
    return float(10**exponent)


def route_map(plan: RoutePlan) -> RouteMap | None:
    """The optimised order drawn to scale (north up), numbered in that order; None without positions."""
    stops = [(n, h) for n, h in enumerate(plan.optimised, 1) if h.x_m is not None and h.y_m is not None]
    if not stops:
        return None
    xs = [h.x_m or 0.0 for _n, h in stops]
    ys = [h.y_m or 0.0 for _n, h in stops]
    extent = max(max(xs) - min(xs), max(ys) - min(ys), MIN_EXTENT_M)
    scale = min((MAP_W - 2 * MAP_PAD) / extent, (MAP_H - 2 * MAP_PAD) / extent)
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2

    def at(x: float, y: float) -> tuple[float, float]:
        return round(MAP_W / 2 + (x - cx) * scale, 1), round(MAP_H / 2 - (y - cy) * scale, 1)

    placed = [(n, at(h.x_m or 0.0, h.y_m or 0.0)) for n, h in stops]
    labels: dict[tuple[float, float], list[int]] = {}
    for n, xy in placed:
        labels.setdefault(xy, []).append(n)
    points = [MapPoint(xy[0], xy[1], "・".join(map(str, ns)), ns[0] == 1) for xy, ns in labels.items()]
    line = " ".join(f"{x},{y}" for _n, (x, y) in placed)
    closing = ""
    if plan.closed and len(placed) > 1:
        (x1, y1), (x2, y2) = placed[-1][1], placed[0][1]
        closing = f"{x1},{y1} {x2},{y2}"
    metres = _nice_length(extent / 4)
    figures = plan.optimised_figures
    description = _(
        "%(han)sの最適化した回覧順。1番（班長の世帯）から%(n)s世帯を番号の順に回ります。全長 %(total)s m、最長の区間 %(longest)s m。"
    ) % {
        "han": plan.han.name,
        "n": len(stops),
        "total": f"{figures.total:,.0f}" if figures else "0",
        "longest": f"{figures.longest:,.0f}" if figures else "0",
    }
    if plan.missing:
        description += _("位置がわからない%(n)s世帯は地図にありません。") % {"n": len(plan.missing)}
    return RouteMap(
        points=points,
        line=line,
        closing=closing,
        scale_x1=MAP_PAD,
        scale_x2=round(MAP_PAD + metres * scale, 1),
        scale_y=MAP_H - 14,
        scale_label=f"{metres:,.0f} m",
        tick_top=MAP_H - 20,
        tick_bottom=MAP_H - 8,
        label_y=MAP_H - 24,
        description=description,
    )


def _route_context(member: Member, han: Han, plan: RoutePlan, **extra: Any) -> dict[str, Any]:
    circulars: QuerySet[Circular] = scope.circulars_for(member).order_by("-created_at")[:30]
    return {
        "member": member,
        "han": han,
        "plan": plan,
        "map": route_map(plan),
        "weights": households.MOBILITY_WEIGHTS,
        "adopt_form": RouteAdoptForm(initial={"order": ",".join(str(h.pk) for h in plan.optimised)}),
        "closed_form": RouteClosedForm(initial={"closed": "1" if han.closed_route else "0"}),
        "circulars": circulars,
        **extra,
    }


@member_required
@require_http_methods(["GET"])
def route_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Today's paper order of the 班 against the optimised one, with a map (officers and the 班長)."""
    member = _member(request)
    han = scope.han(member, pk)
    return render(request, "kairan/route.html", _route_context(member, han, households.route_plan(han)))


@member_required
@require_http_methods(["POST"])
def route_adopt_view(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member(request)
    han = scope.han(member, pk)
    form = RouteAdoptForm(request.POST)
    try:
        if not form.is_valid():
            raise HouseholdError(_("回覧順が読めません。"))
        households.route_adopt(actor=member, han=han, order=form.cleaned_data["order"])
    except HouseholdError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("最適化した回覧順を保存しました。回覧順の用紙を印刷しなおしてください。"))
    return redirect("kairan:route", pk=han.pk)


@member_required
@require_http_methods(["POST"])
def route_closed_view(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member(request)
    han = scope.han(member, pk)
    form = RouteClosedForm(request.POST)
    if form.is_valid():
        households.han_set_closed(actor=member, han=han, closed=form.cleaned_data["closed"])
    return redirect("kairan:route", pk=han.pk)


@member_required
@require_http_methods(["GET"])
def route_pdf_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The route sheet in the saved order, with a circular's text when ``?circular=<id>`` is given."""
    member = _member(request)
    han = scope.han(member, pk)
    circular = None
    if request.GET.get("circular"):
        try:
            circular_id = int(request.GET["circular"])
        except ValueError:
            raise Http404 from None
        found = scope.circular(member, circular_id)
        circular = pdf.CircularText(title=found.title, due_on=found.due_on, body_html=found.body)
    order = households.route_households(han, households.han_leader(han))
    body = pdf.route_sheet_pdf(
        association_name=member.association.name,
        han_name=han.name,
        rows=[pdf.RouteRow(n, h.name, h.address) for n, h in enumerate(order, 1)],
        closed=han.closed_route,
        circular=circular,
    )
    return _pdf(body, f"route-{han.pk}.pdf")


# --- the city's register of associations ---------------------------------------------------------------


def _require_associations(request: HttpRequest) -> None:
    if not request.user.has_perm(MANAGE_ASSOCIATIONS):
        raise PermissionDenied


def _count(qs: QuerySet[Any]) -> Coalesce:
    per_association = qs.filter(association=OuterRef("pk")).order_by().values("association")
    return Coalesce(Subquery(per_association.annotate(n=Count("pk")).values("n")[:1]), 0)


def _chair_letter(request: HttpRequest, association: Association, code: str, token: str) -> None:
    """Kept in the (server-side) session until it is printed once: the code is stored nowhere else."""
    request.session[CHAIR_INVITATION] = {"association": association.pk, "code": code, "token": token}


@never_cache
@require_http_methods(["GET", "POST"])
def associations_view(request: HttpRequest) -> HttpResponse:
    _require_associations(request)
    form = AssociationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            association, code, token = members.association_create(
                actor=request.user.get_username(),
                name=data["name"],
                chair_household=data["chair_household"],
                chair_address=data.get("chair_address") or "",
            )
        except JoinError as exc:
            form.add_error(None, str(exc))
        else:
            _chair_letter(request, association, code, token)
            messages.success(request, _("%(name)sを登録しました。") % {"name": association.name})
            return redirect("kairan:associations")
    associations = Association.objects.annotate(
        household_count=_count(Household.objects.filter(active=True)),
        member_count=_count(Member.objects.filter(active=True)),
        chair_count=_count(Member.objects.filter(active=True, role=Member.Role.CHAIR)),
        sent_count=_count(Circular.objects.filter(sent_at__isnull=False)),
    )
    pending = request.session.get(CHAIR_INVITATION) or {}
    return render(
        request,
        "kairan/association_list.html",
        {
            "form": form,
            "associations": associations,
            "pending": Association.objects.filter(pk=pending["association"]).first() if pending else None,
        },
    )


@never_cache
@require_http_methods(["GET"])
def association_invitation_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The chair's letter, printable once (then only a new invitation helps)."""
    _require_associations(request)
    pending = request.session.get(CHAIR_INVITATION) or {}
    if pending.get("association") != pk:
        raise Http404
    association = Association.objects.filter(pk=pk).first()
    if association is None:
        raise Http404
    invitation = (
        Invitation.objects.select_related("household")
        .filter(
            association=association, role=Member.Role.CHAIR, used_at__isnull=True, revoked_at__isnull=True
        )
        .order_by("-created_at")
        .first()
    )
    if invitation is None:
        raise Http404
    del request.session[CHAIR_INVITATION]
    issued = households.IssuedInvitation(
        household=invitation.household,
        code=pending["code"],
        token=pending["token"],
        expires_on=timezone.localdate(invitation.expires_at),
    )
    return _pdf(_letters_pdf(association, [issued], "a4"), f"chair-invitation-{association.pk}.pdf")


@require_http_methods(["POST"])
def association_reissue_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A new letter for the chair, while nobody has joined as chair yet (afterwards the chair invites)."""
    _require_associations(request)
    association = Association.objects.filter(pk=pk).first()
    if association is None:
        raise Http404
    first = (
        Invitation.objects.select_related("household", "household__association")
        .filter(association=association, role=Member.Role.CHAIR)
        .order_by("created_at")
        .first()
    )
    if first is None or association.members.filter(role=Member.Role.CHAIR, active=True).exists():
        messages.error(request, _("会長はもう参加しています。招待状は会長が役員のページで作れます。"))
        return redirect("kairan:associations")
    code, token = members.invitation_issue(
        actor=request.user.get_username(), household=first.household, role=Member.Role.CHAIR
    )
    _chair_letter(request, association, code, token)
    messages.success(request, _("%(name)sの会長の招待状を作り直しました。") % {"name": association.name})
    return redirect("kairan:associations")


urlpatterns: list[Any] = [
    path("kairan/manage/households/", households_view, name="households"),
    path("kairan/manage/households/new/", household_new_view, name="household_new"),
    path("kairan/manage/households/import/", households_import_view, name="households_import"),
    path("kairan/manage/households/<int:pk>/", household_edit_view, name="household_edit"),
    path("kairan/manage/households/<int:pk>/active/", household_active_view, name="household_active"),
    path(
        "kairan/manage/households/<int:pk>/invitation.pdf",
        household_invitation_view,
        name="household_invitation",
    ),
    path("kairan/manage/han/new/", han_new_view, name="han_new"),
    path("kairan/manage/han/<int:pk>/", han_edit_view, name="han_edit"),
    path("kairan/manage/han/<int:pk>/move/", han_move_view, name="han_move"),
    path("kairan/manage/han/<int:pk>/route/", route_view, name="route"),
    path("kairan/manage/han/<int:pk>/route/adopt/", route_adopt_view, name="route_adopt"),
    path("kairan/manage/han/<int:pk>/route/closed/", route_closed_view, name="route_closed"),
    path("kairan/manage/han/<int:pk>/route.pdf", route_pdf_view, name="route_pdf"),
    path("kairan/manage/invitations/", invitations_view, name="invitations"),
    path("kairan/manage/members/", members_view, name="members"),
    path("kairan/manage/members/<int:pk>/role/", member_role_view, name="member_role"),
    path("kairan/manage/members/<int:pk>/deactivate/", member_deactivate_view, name="member_deactivate"),
    path("kairan/manage/members/<int:pk>/sign-out/", member_sign_out_view, name="member_sign_out"),
    path("kairan/associations/", associations_view, name="associations"),
    path(
        "kairan/associations/<int:pk>/invitation.pdf",
        association_invitation_view,
        name="association_invitation",
    ),
    path("kairan/associations/<int:pk>/reissue/", association_reissue_view, name="association_reissue"),
]

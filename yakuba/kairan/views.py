"""Joining (invitation code or QR), signing a device out, and the officers' start page."""

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from yakuba.kairan import members
from yakuba.kairan.forms import JoinCodeForm, JoinNameForm
from yakuba.kairan.members import JoinError, member_required, officer_required
from yakuba.kairan.models import Circular, Household, Member


def _ip(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", ""))[:45]


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def join_view(request: HttpRequest) -> HttpResponse:
    """Step 1: the 8-character code from the letter (or the QR code, which skips this step)."""
    form = JoinCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = members.invitation_find(code=form.cleaned_data["code"], ip=_ip(request))
        except JoinError as exc:
            form.add_error("code", str(exc))
        else:
            request.session["kairan_invitation"] = invitation.pk
            return redirect("kairan:join_name")
    return render(request, "kairan/join.html", {"form": form})


@login_not_required
@never_cache
@require_http_methods(["GET"])
def join_token_view(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invitation = members.invitation_find(token=token[:64], ip=_ip(request))
    except JoinError as exc:
        return render(request, "kairan/join.html", {"form": JoinCodeForm(), "error": str(exc)}, status=400)
    request.session["kairan_invitation"] = invitation.pk
    return redirect("kairan:join_name")


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def join_name_view(request: HttpRequest) -> HttpResponse:
    """Step 2: the member's name; then this phone stays signed in."""
    from yakuba.kairan.models import Invitation

    pk = request.session.get("kairan_invitation")
    invitation = (
        Invitation.objects.select_related("household", "association").filter(pk=pk).first() if pk else None
    )
    if invitation is None:
        return redirect("kairan:join")
    form = JoinNameForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            _member, key = members.join(
                invitation=invitation,
                name=form.cleaned_data["name"],
                label=str(request.headers.get("User-Agent", ""))[:100],
            )
        except JoinError as exc:
            form.add_error(None, str(exc))
        else:
            request.session.pop("kairan_invitation", None)
            response = redirect("kairan:home")
            members.set_device_cookie(response, key)
            return response
    return render(request, "kairan/join_name.html", {"form": form, "invitation": invitation})


@member_required
@require_http_methods(["POST"])
def sign_out_view(request: HttpRequest) -> HttpResponse:
    member: Member = request.member  # type: ignore[attr-defined]
    device_id = int(getattr(member, "current_device_id", 0))
    members.device_revoke(member=member, device_id=device_id, actor=f"kairan-member:{member.pk}")
    response = redirect("kairan:join")
    response.delete_cookie(members.COOKIE)
    return response


@officer_required
@require_http_methods(["GET"])
def manage_view(request: HttpRequest) -> HttpResponse:
    member: Member = request.member  # type: ignore[attr-defined]
    association = member.association
    return render(
        request,
        "kairan/manage.html",
        {
            "member": member,
            "households": Household.objects.filter(association=association, active=True).count(),
            "members": Member.objects.filter(association=association, active=True).count(),
            "drafts": Circular.objects.filter(association=association, sent_at__isnull=True).count(),
            "han": association.han.all(),
        },
    )


def _not_found(_request: HttpRequest) -> HttpResponse:
    raise Http404


urlpatterns = [
    path("kairan/join/", join_view, name="join"),
    path("kairan/join/name/", join_name_view, name="join_name"),
    path("kairan/j/<str:token>/", join_token_view, name="join_token"),
    path("kairan/sign-out/", sign_out_view, name="sign_out"),
    path("kairan/manage/", manage_view, name="manage"),
]

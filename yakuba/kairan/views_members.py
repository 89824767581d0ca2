"""Members' own pages: settings (notifications, devices, the calendar address), events and their
iCalendar feed, officers' event editing, and 見守り for 班長. Thin: ``calendar``, ``watch`` and
``members`` decide; every id goes through ``scope`` (another association's id answers 404)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from yakuba.core.audit import audit_record
from yakuba.core.era import wareki
from yakuba.kairan import calendar, members, scope, watch
from yakuba.kairan.forms_members import EventForm, SettingsForm, WatchForm
from yakuba.kairan.members import member_required, officer_required
from yakuba.kairan.models import DeviceSession, Event, Han, Member, Watch


def _member(request: HttpRequest) -> Member:
    return request.member  # type: ignore[attr-defined,no-any-return]


# --- settings -------------------------------------------------------------------------------------


@member_required
@never_cache
@require_http_methods(["GET", "POST"])
def settings_view(request: HttpRequest) -> HttpResponse:
    member = _member(request)
    form = SettingsForm(request.POST or None, instance=member)
    if request.method == "POST" and form.is_valid():
        form.save()
        audit_record(
            actor=f"kairan-member:{member.pk}",
            action="kairan_member_settings",
            target_type="kairan_member",
            target_id=str(member.pk),
            detail={"fields": sorted(form.changed_data)},
        )
        messages.success(request, _("設定を保存しました。"))
        return redirect("kairan:settings")
    current = getattr(member, "current_device_id", None)
    devices = DeviceSession.objects.filter(member=member, revoked_at__isnull=True).order_by(
        "-last_seen", "pk"
    )
    feed = request.build_absolute_uri(reverse("kairan:calendar_feed", args=[calendar.feed_token(member)]))
    return render(
        request,
        "kairan/settings.html",
        {
            "member": member,
            "form": form,
            "devices": [
                {"device": d, "current": d.pk == current, "since": wareki(timezone.localdate(d.created_at))}
                for d in devices
            ],
            "feed_url": feed,
            "feed_webcal": "webcal://" + feed.split("://", 1)[1] if "://" in feed else "",
        },
    )


@member_required
@require_http_methods(["POST"])
def device_sign_out_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Sign one of the member's own devices out; any other id answers 404."""
    member = _member(request)
    if not members.device_revoke(member=member, device_id=pk, actor=f"kairan-member:{member.pk}"):
        raise Http404
    if pk == getattr(member, "current_device_id", None):
        response = redirect("kairan:join")
        response.delete_cookie(members.COOKIE)
        return response
    messages.success(request, _("端末をログアウトしました。"))
    return redirect("kairan:settings")


# --- events ---------------------------------------------------------------------------------------


@member_required
@require_http_methods(["GET"])
def events_view(request: HttpRequest) -> HttpResponse:
    member = _member(request)
    upcoming, past = calendar.events_for(member)
    return render(request, "kairan/events.html", {"member": member, "upcoming": upcoming, "past": past})


def _event_form_page(request: HttpRequest, member: Member, event: Event | None) -> HttpResponse:
    initial = EventForm.initial_for(event) if event else {}
    form = EventForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            calendar.event_save(
                member=member,
                event=event,
                title=data["title"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                place=data.get("place", ""),
                description=data.get("description", ""),
            )
        except calendar.EventError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("行事を保存しました。") if event else _("行事を登録しました。"))
            return redirect("kairan:events")
    return render(request, "kairan/event_form.html", {"member": member, "form": form, "event": event})


@officer_required
@require_http_methods(["GET", "POST"])
def event_new_view(request: HttpRequest) -> HttpResponse:
    return _event_form_page(request, _member(request), None)


@officer_required
@require_http_methods(["GET", "POST"])
def event_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member(request)
    return _event_form_page(request, member, scope.event(member, pk))


@officer_required
@require_http_methods(["GET", "POST"])
def event_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member(request)
    event = scope.event(member, pk)
    if request.method == "POST":
        calendar.event_delete(member=member, event=event)
        messages.success(request, _("行事を削除しました。"))
        return redirect("kairan:events")
    return render(
        request,
        "kairan/event_delete.html",
        {"member": member, "event": event, "when": calendar.when_text(event)},
    )


@login_not_required
@require_http_methods(["GET", "HEAD"])
def calendar_feed_view(request: HttpRequest, token: str) -> HttpResponse:
    """The member's secret iCalendar address (calendar apps send no cookie). A wrong token: 404."""
    member = calendar.member_for_token(token[:80])
    if member is None:
        raise Http404
    response = HttpResponse(calendar.ical_feed(member), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="kairan.ics"'
    response["Cache-Control"] = "private, max-age=900"
    response["X-Robots-Tag"] = "noindex"
    return response


# --- 見守り ---------------------------------------------------------------------------------------


def _watchable(member: Member) -> list[Han]:
    """The 班 the member may watch: every 班 of the association (officers), the 班長's own."""
    if member.is_officer:
        return list(Han.objects.filter(association_id=member.association_id))
    if member.role == Member.Role.HANCHO and member.household.han_id is not None:
        return list(Han.objects.filter(association_id=member.association_id, pk=member.household.han_id))
    return []


@member_required
@never_cache
@require_http_methods(["GET"])
def watch_view(request: HttpRequest) -> HttpResponse:
    member = _member(request)
    han_list = _watchable(member)
    if not han_list:
        raise Http404
    now = timezone.now()
    watches = {
        w.han_id: w for w in Watch.objects.filter(member=member, han__in=han_list).select_related("han")
    }
    sections = []
    for han in han_list:
        current = watches.get(han.pk)
        form = WatchForm(
            prefix=f"han{han.pk}",
            initial={"active": current.active if current else False, "days": current.days if current else 7},
        )
        overdue = []
        if current and current.active:
            for household, last_read in watch.overdue_households(current, now):
                overdue.append(
                    {
                        "household": household,
                        "last_read": wareki(timezone.localdate(last_read)) if last_read else "",
                        "days": (now - last_read).days if last_read else None,
                    }
                )
        sections.append({"han": han, "watch": current, "form": form, "overdue": overdue})
    return render(
        request,
        "kairan/watch.html",
        {
            "member": member,
            "sections": sections,
            "silent": member.channel == Member.Channel.NONE,
        },
    )


@member_required
@require_http_methods(["POST"])
def watch_han_view(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member(request)
    han = scope.han(member, pk)  # another association's or another 班's id: 404
    form = WatchForm(request.POST, prefix=f"han{han.pk}")
    if not form.is_valid():
        messages.error(
            request,
            _("日数は%(low)d日から%(high)d日の間で入れてください。")
            % {"low": watch.MIN_DAYS, "high": watch.MAX_DAYS},
        )
        return redirect("kairan:watch")
    try:
        watch.watch_set(
            member=member, han=han, days=form.cleaned_data["days"], active=form.cleaned_data["active"]
        )
    except watch.WatchError as exc:
        messages.error(request, str(exc))
    else:
        if form.cleaned_data["active"]:
            messages.success(
                request,
                _("%(han)sの見守りを始めました（%(days)d日）。")
                % {"han": han.name, "days": form.cleaned_data["days"]},
            )
        else:
            messages.success(request, _("%(han)sの見守りをやめました。") % {"han": han.name})
    return redirect("kairan:watch")


urlpatterns: list = [
    path("kairan/settings/", settings_view, name="settings"),
    path("kairan/settings/devices/<int:pk>/sign-out/", device_sign_out_view, name="device_sign_out"),
    path("kairan/events/", events_view, name="events"),
    path("kairan/calendar/<str:token>.ics", calendar_feed_view, name="calendar_feed"),
    path("kairan/manage/events/new/", event_new_view, name="event_new"),
    path("kairan/manage/events/<int:pk>/edit/", event_edit_view, name="event_edit"),
    path("kairan/manage/events/<int:pk>/delete/", event_delete_view, name="event_delete"),
    path("kairan/watch/", watch_view, name="watch"),
    path("kairan/watch/<int:pk>/", watch_han_view, name="watch_han"),
]

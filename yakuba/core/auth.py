"""Staff login in two steps: password, then a TOTP code (enrolling an authenticator on first login).

Both steps are throttled per user name and per address (``LoginFailure``). Every outcome is audited.
"""

import base64
from datetime import timedelta

import segno
from django import forms
from django.conf import settings
from django.contrib import auth
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from yakuba.core.audit import audit_record
from yakuba.core.models import LoginFailure

_ENROL_SESSION_KEY = "yakuba_enrol_device_id"


def client_ip(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", ""))


def login_throttled(*, username: str, ip: str) -> bool:
    since = timezone.now() - timedelta(seconds=settings.YAKUBA_LOGIN_WINDOW_SECONDS)
    limit = settings.YAKUBA_LOGIN_MAX_FAILURES
    recent = LoginFailure.objects.filter(at__gte=since)
    by_user = recent.filter(username=username.lower()).count() if username else 0
    # An address may serve a whole office behind one NAT, so it gets a larger allowance.
    by_ip = recent.filter(ip_address=ip).count() if ip else 0
    return by_user >= limit or by_ip >= limit * 4


def login_failure_record(*, username: str, ip: str, step: str) -> None:
    LoginFailure.objects.create(username=username.lower(), ip_address=ip)
    audit_record(actor=username or "anonymous", action="login_failed", detail={"step": step, "ip": ip})


class PasswordForm(forms.Form):
    username = forms.CharField(label=gettext_lazy("職員ID"), max_length=150)
    password = forms.CharField(label=gettext_lazy("パスワード"), strip=False, widget=forms.PasswordInput)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "autocapitalize": "none"})
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})


class TokenForm(forms.Form):
    token = forms.CharField(
        label=gettext_lazy("確認コード（6桁）"),
        min_length=6,
        max_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def clean_token(self) -> str:
        token = self.cleaned_data["token"].strip()
        if not token.isdigit():
            raise forms.ValidationError(_("確認コードは6桁の数字で入力してください。"))
        return token


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()}):
        return candidate
    return str(settings.LOGIN_REDIRECT_URL)


@login_not_required
@sensitive_post_parameters("password")
@never_cache
def login_view(request: HttpRequest) -> HttpResponse:
    form = PasswordForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"]
        ip = client_ip(request)
        if login_throttled(username=username, ip=ip):
            error = _(
                "ログインの失敗が続いたため、しばらくログインできません。15分ほど待ってからお試しください。"
            )
            audit_record(actor=username, action="login_throttled", detail={"ip": ip})
        else:
            user = auth.authenticate(request, username=username, password=form.cleaned_data["password"])
            if user is None or not user.is_active:
                login_failure_record(username=username, ip=ip, step="password")
                error = _("職員IDまたはパスワードが正しくありません。")
            else:
                auth.login(request, user)
                audit_record(actor=user, action="login_password_ok", detail={"ip": ip})
                return redirect(f"{_otp_url()}?next={_next_url(request)}")
    return render(request, "core/login.html", {"form": form, "error": error, "next": _next_url(request)})


def _otp_url() -> str:
    from django.urls import reverse

    return reverse("core:login_otp")


def _totp_svg_data_uri(device: TOTPDevice) -> str:
    svg = segno.make(device.config_url, error="m").svg_inline(scale=4, dark="#1a1a1a", light="#ffffff")
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


@login_not_required
@never_cache
def login_otp_view(request: HttpRequest) -> HttpResponse:
    """Second step. The user has passed the password step (authenticated, not yet verified)."""
    user = request.user
    if not user.is_authenticated:
        return redirect("core:login")
    if getattr(user, "is_verified", lambda: False)():
        return redirect(_next_url(request))
    confirmed = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    enrolling = confirmed is None
    device = confirmed
    if enrolling:
        device_id = request.session.get(_ENROL_SESSION_KEY)
        device = TOTPDevice.objects.filter(user=user, confirmed=False, pk=device_id).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name=_("認証アプリ"), confirmed=False)
            request.session[_ENROL_SESSION_KEY] = device.pk
    assert device is not None
    form = TokenForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        ip = client_ip(request)
        if login_throttled(username=user.get_username(), ip=ip):
            error = _(
                "ログインの失敗が続いたため、しばらくログインできません。15分ほど待ってからお試しください。"
            )
        elif device.verify_token(form.cleaned_data["token"]):
            if enrolling:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                request.session.pop(_ENROL_SESSION_KEY, None)
            otp_login(request, device)
            audit_record(actor=user, action="login", detail={"ip": ip, "enrolled": enrolling})
            return redirect(_next_url(request))
        else:
            login_failure_record(username=user.get_username(), ip=ip, step="otp")
            error = _(
                "確認コードが正しくありません。認証アプリに表示されている最新のコードを入力してください。"
            )
    context = {"form": form, "error": error, "enrolling": enrolling, "next": _next_url(request)}
    if enrolling:
        context["qr_data_uri"] = _totp_svg_data_uri(device)
        context["secret"] = base64.b32encode(device.bin_key).decode()
    return render(request, "core/login_otp.html", context)


@login_not_required
@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        audit_record(actor=request.user, action="logout")
    auth.logout(request)
    return redirect("core:login")

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode


class StaffTwoFactorRequiredMiddleware:
    """Every page needs a staff login completed with a one-time code, unless its view is marked
    ``login_not_required`` (login, public pages). The JSON API authenticates on its own (``/api/``)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        if not getattr(view_func, "login_required", True):
            return None
        if request.path.startswith("/api/") or request.path.startswith(settings.STATIC_URL):
            return None
        user = request.user
        if not user.is_authenticated:
            return redirect(f"{reverse(settings.LOGIN_URL)}?{urlencode({'next': request.get_full_path()})}")
        if not user.is_verified():  # type: ignore[union-attr,attr-defined]
            return redirect(f"{reverse('core:login_otp')}?{urlencode({'next': request.get_full_path()})}")
        return None

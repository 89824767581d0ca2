from typing import Any

from django.http import HttpRequest

from yakuba.core import registry
from yakuba.core.models import Municipality


def platform(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    verified = bool(user and user.is_authenticated and getattr(user, "is_verified", lambda: False)())
    return {
        "municipality": Municipality.current(),
        "nav_entries": registry.nav_entries(user) if verified else [],
        "staff_verified": verified,
    }

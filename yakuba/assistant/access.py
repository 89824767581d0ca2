"""Who may do what with the assistant: the one place where this module checks roles.

Roles (groups) are declared in apps.py's manifest:
- 広報担当 (the city's web and public-relations staff): edit the FAQ, departments and sources, run a
  sync, and read the report of questions and ratings.

Residents need no account: the chat, the widget and the public-facts page are public.
"""

from typing import Any

from django.core.exceptions import PermissionDenied

MANAGE = "assistant.manage_content"
REPORT = "assistant.view_report"


def require(user: Any, perm: str) -> None:
    if not user.has_perm(perm):
        raise PermissionDenied

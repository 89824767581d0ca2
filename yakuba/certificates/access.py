"""Who may do what with certificates (roles are declared in apps.py):
- 窓口担当 and 決裁者: issue at the window, receive seal registrations, unlock a card at the window.
The kiosk and the verification page need no staff login: the kiosk authenticates the card holder
with the card, and verification shows nothing personal."""

from typing import Any

from django.core.exceptions import PermissionDenied

ISSUE = "certificates.issue_window"
SEAL = "certificates.register_seal"
UNLOCK = "cardsim.unlock_card"  # the card simulator owns the card; the window asks it
VIEW_ISSUANCE = "certificates.view_issuance"


def require(user: Any, perm: str) -> None:
    if not user.has_perm(perm):
        raise PermissionDenied

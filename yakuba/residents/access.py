"""Who may do what in the resident register: the one place where this module checks roles.

Roles (groups) are declared in apps.py's manifest and map onto these permissions:
- 窓口担当 (clerk): view residents, enter 異動.
- 決裁者 (approver): view residents, enter and approve 異動 (never one's own).
- 個人番号閲覧: see 個人番号, 住民票コード, 本籍 and 在留資格 unmasked.
- 連携管理: pull extracts through the linkage API with a staff session.
"""

from typing import Any

from django.core.exceptions import PermissionDenied

VIEW = "residents.view_resident"
ENTER = "residents.enter_idou"
APPROVE = "residents.approve_idou"
SENSITIVE = "residents.view_sensitive"
EXTRACT = "residents.extract_residents"


def can_enter(user: Any) -> bool:
    return bool(user.has_perm(ENTER))


def can_approve(user: Any) -> bool:
    return bool(user.has_perm(APPROVE))


def can_see_sensitive(user: Any) -> bool:
    return bool(user.has_perm(SENSITIVE))


def require(user: Any, perm: str) -> None:
    if not user.has_perm(perm):
        raise PermissionDenied

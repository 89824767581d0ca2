"""Who may do what with the tax-assessment store: the one place where this module checks roles.

Roles (groups) are declared in apps.py's manifest:
- 税務担当: import the tax system's yearly file and see the list of imports.

Other modules read assessments through ``interface.py`` with their own actor name; those reads are
audited there and need no staff permission (the calling module checks its own users' rights).
"""

from typing import Any

from django.core.exceptions import PermissionDenied

IMPORT = "tax.import_assessment"
VIEW = "tax.view_assessment"


def can_import(user: Any) -> bool:
    return bool(user.has_perm(IMPORT))


def require(user: Any, perm: str) -> None:
    if not user.has_perm(perm):
        raise PermissionDenied

"""Who may do what in payments (roles are declared in apps.py, in one place):
- 窓口担当: run the register (sales, cash and cashless payments, receipts).
- 会計管理者: the register, voids, the daily close, the fee table and the cashless cost model.
- 保育担当: day-care enrolments, bank accounts (口座振替依頼書), monthly debit files and arrears.
The self-pay screen is part of the clerk's register session (the resident pays at the clerk's
terminal's second screen), so it needs the register permission too."""

from typing import Any

from django.core.exceptions import PermissionDenied

REGISTER = "payments.use_register"
VOID = "payments.void_payment"
CLOSE = "payments.close_day"
FEES = "payments.manage_fees"
COST_MODEL = "payments.view_cost_model"
CHILDCARE = "payments.manage_childcare"


def require(user: Any, perm: str) -> None:
    if not user.has_perm(perm):
        raise PermissionDenied

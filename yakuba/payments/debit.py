"""Day-care fees collected by 口座振替: bank accounts (口座振替依頼書), enrolments (入所), the monthly fee
run with its 全銀協 request file, the bank's result file, arrears, window settlement and reminder letters.

Writes are keyword-only services inside ``transaction.atomic``; each one is audited. Refusals raise
``DebitError`` with Japanese messages for the clerk, and change nothing.

Bank account numbers are encrypted at rest (``core.crypto``). They are decrypted only here, to write the
request file and to check a result file against it; they never appear in the audit log, in an error
message or on a page (``masked`` shows ``****567``).

Who pays what (``month_fees``): the children enrolled that month are grouped by their set of parents
(保護者); each group is one household for the fee rules of ``childcare.py``. Its 所得割額 is the sum
of the parents' 市町村民税所得割額 for ``assessment_year_for(fiscal_year, month)`` read through the tax
module's interface, and it is 非課税 only when every parent's assessment says so. A parent without an
assessment makes the group 「課税情報なし」: its children are listed and left out of the run (never
charged the top bracket). For the 「all」 sibling count the parents' other children are read from the
resident register (see ``_household_children``). The fee settings are ``childcare.FeeSettings()``'s
defaults (the demo table); per-city settings are future work.
"""

import datetime as dt
import hashlib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Model, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from yakuba.core import crypto
from yakuba.core.audit import audit_record
from yakuba.core.era import era_of, era_of_year, wareki
from yakuba.core.models import Municipality
from yakuba.core.sequences import sequence_next
from yakuba.payments import zengin
from yakuba.payments.childcare import (
    SCHOOL_CLASS,
    Child,
    FeeInputError,
    FeeSettings,
    Household,
    MonthlyFee,
    age_class,
    assessment_year_for,
    calendar_month,
    monthly_fees,
)
from yakuba.payments.models import BankAccount, DebitItem, DebitRun, Enrolment, Facility
from yakuba.residents import interface as residents
from yakuba.tax import interface as tax

__all__ = [
    "MAX_RESULT_FILE_BYTES",
    "ArrearsRow",
    "DebitError",
    "FeeProblem",
    "MonthFees",
    "account_clear_flag",
    "account_end",
    "account_number_normalise",
    "account_register",
    "arrears",
    "arrears_count",
    "bank_lookup",
    "enrol",
    "enrolment_change_account",
    "enrolment_end",
    "facility_save",
    "holder_kana_normalise",
    "masked",
    "month_fees",
    "month_label",
    "nendo",
    "reminder_letter",
    "request_file_name",
    "request_file_read",
    "request_header",
    "run_generate",
    "run_import_results",
    "settle_item",
]

MAX_RESULT_FILE_BYTES = 20 * 1024 * 1024
PURPOSE = "保育料の算定"
CUSTOMER_SERIES = "payments.customer_number"
#: Result codes after which the account cannot be debited again until the clerk has checked it.
FLAG_CODES = frozenset({"2", "4"})
#: Relationships (to the 世帯主) of a parent whose children are recorded as 「子」.
_HEAD_COUPLE = frozenset({"世帯主", "夫", "妻", "夫（未届）", "妻（未届）"})
_HOLDER_WIDTH = 30
_NAME_WIDTH = 15
_MAX_SHOWN = 50


class DebitError(Exception):
    """A refusal with messages for the clerk (Japanese); nothing was changed.

    ``field`` names the form field the first message is about (``None``: the whole form)."""

    def __init__(self, *messages: str, field: str | None = None) -> None:
        self.messages = list(messages)
        self.field = field
        super().__init__("\n".join(messages))


# --- small helpers --------------------------------------------------------------------------------


def _actor(actor: Any) -> str:
    return actor if isinstance(actor, str) else str(getattr(actor, "username", actor))


def _now() -> dt.datetime:
    return timezone.now()


def _update_one[M: Model](
    update: QuerySet[M], changes: dict[str, Any], *, row: QuerySet[M], missing: str, refused: str
) -> M:
    """A conditional update of one row: ``update`` (the row, filtered to the state the change needs)
    gets ``changes``, then the row is read again through ``row``. Raises ``DebitError(missing)`` if
    there is no such row and ``DebitError(refused)`` if it was not in that state (0 rows updated).
    Inside ``transaction.atomic``; the caller writes the audit entry."""
    changed = update.update(**changes)
    obj = row.first()
    if obj is None:
        raise DebitError(missing)
    if not changed:
        raise DebitError(refused)
    return obj


def masked(last3: str) -> str:
    """How an account number is shown anywhere: ``****567``."""
    return f"****{last3}"


def nendo(year: int) -> str:
    """``2026`` → ``令和8年度`` (the era in force at the end of the calendar year the 年度 starts in)."""
    name, era_year = era_of_year(year)
    return f"{name}{'元' if era_year == 1 else era_year}年度"


def month_label(fiscal_year: int, month: int) -> str:
    """The calendar month of ``month`` in ``fiscal_year`` in 和暦: ``(2026, 1)`` → ``令和9年1月``."""
    first, _last = calendar_month(fiscal_year, month)
    name, era_year = era_of(first)
    return f"{name}{'元' if era_year == 1 else era_year}年{first.month}月"


def _fiscal_year(day: dt.date) -> int:
    return day.year if day.month >= 4 else day.year - 1


def _nfkc(value: str) -> str:
    return unicodedata.normalize("NFKC", value or "").strip()


def _atena(value: str, *, field: str, label: str) -> str:
    text = _nfkc(value)
    if not text.isascii() or not text.isdigit() or len(text) > 10:
        raise DebitError(
            _("%(label)sは数字10桁までで入れてください。") % {"label": label},
            field=field,
        )
    return text


def _digits(value: str, width: int, *, field: str, label: str) -> str:
    text = _nfkc(value)
    if len(text) != width or not text.isascii() or not text.isdigit():
        raise DebitError(
            _("%(label)sは%(width)d桁の数字で入れてください。") % {"label": label, "width": width},
            field=field,
        )
    return text


def account_number_normalise(value: str) -> str:
    """The 7-digit 口座番号 from what the clerk typed: full-width digits accepted, 1-7 digits zero-padded
    on the left (``12345`` → ``0012345``). The message of the refusal never repeats the input."""
    text = _nfkc(value).replace(" ", "").replace("-", "")
    if not 1 <= len(text) <= 7 or not text.isascii() or not text.isdigit():
        raise DebitError(
            _("口座番号は1〜7桁の数字で入れてください（7桁に満たないときは頭に0を補います）。"),
            field="account_number",
        )
    return text.zfill(7)


def holder_kana_normalise(value: str) -> str:
    """The 預金者名 as written in the file, or ``DebitError``: never shortened or guessed.

    Kana is converted by ``zengin.to_zengin_kana`` (ヤマダ　タロウ → ``ﾔﾏﾀﾞ ﾀﾛｳ``); a character outside
    JIS X 0201 or a name longer than 30 after conversion is refused (cutting it could separate a kana
    from its ``ﾞ``/``ﾟ`` or change the name the bank matches)."""
    text = (value or "").strip()
    if not text:
        raise DebitError(_("預金者名（カナ）を入れてください。"), field="holder_kana")
    try:
        converted = zengin.to_zengin_kana(text)
    except zengin.ZenginCharError as exc:
        shown = "".join(f"「{c}」" for c in exc.chars)
        raise DebitError(
            _(
                "預金者名（カナ）に使えない文字があります: %(chars)s。"
                "口座振替依頼書に書かれたカナ名義を、カタカナ・英大文字・数字・空白と ( ) - . で入れてください。"
            )
            % {"chars": shown},
            field="holder_kana",
        ) from None
    bad = dict.fromkeys(c for c in converted if c in "/,")
    if bad:
        raise DebitError(
            _("預金者名（カナ）に使えない文字があります: %(chars)s（名義に / , は使えません）。")
            % {"chars": "".join(f"「{c}」" for c in bad)},
            field="holder_kana",
        )
    if not zengin.fits(converted, _HOLDER_WIDTH):
        raise DebitError(
            _(
                "預金者名（カナ）が半角%(width)d文字を超えています（変換後%(n)d文字。濁点・半濁点も1文字と数えます）。"
                "切り詰めると名義が変わるため登録できません。金融機関に確認してください。"
            )
            % {"width": _HOLDER_WIDTH, "n": len(converted)},
            field="holder_kana",
        )
    return converted


def _zengin_name(kana: str, width: int) -> str:
    return zengin.fit_field(zengin.to_zengin_kana(kana), width).rstrip(" ")


def bank_lookup(bank_code: str, branch_code: str) -> tuple[str, str]:
    """(bank kana, branch kana) as written in a file, from the zengin_code tables, or ``DebitError``."""
    import zengin_code  # ~1 s of data on first import: only when a code is looked up

    bank = zengin_code.Bank.all.get(bank_code)
    if bank is None:
        raise DebitError(
            _("金融機関コード %(code)s は見つかりません。") % {"code": bank_code}, field="bank_code"
        )
    branch = bank.branches.get(branch_code)
    if branch is None:
        raise DebitError(
            _("%(bank)s（金融機関コード %(bank_code)s）に支店コード %(code)s は見つかりません。")
            % {"bank": bank.name, "bank_code": bank_code, "code": branch_code},
            field="branch_code",
        )
    return _zengin_name(bank.kana, _NAME_WIDTH), _zengin_name(branch.kana, _NAME_WIDTH)


def _resident(atena_no: str, *, actor: str, field: str, audited: bool = False) -> residents.ResidentRecord:
    record = residents.resident_get(atena_no, actor=actor, audited_by_caller=audited)
    if record is None:
        raise DebitError(_("宛名番号 %(no)s の住民が見つかりません。") % {"no": atena_no}, field=field)
    return record


# --- facilities ------------------------------------------------------------------------------------


def facility_save(*, actor: Any, code: str, name: str) -> Facility:
    """Add a day-care facility or rename one (by its 施設番号)."""
    code = _nfkc(code)
    name = (name or "").strip()
    if not code or len(code) > 10:
        raise DebitError(_("施設番号は10文字までで入れてください。"), field="code")
    if not name or len(name) > 100:
        raise DebitError(_("施設名は100文字までで入れてください。"), field="name")
    with transaction.atomic():
        facility, created = Facility.objects.update_or_create(code=code, defaults={"name": name})
        audit_record(
            actor=actor,
            action="childcare_facility_saved",
            target_type="facility",
            target_id=code,
            detail={"name": name, "created": created},
        )
    return facility


# --- bank accounts ---------------------------------------------------------------------------------


def account_register(
    *,
    actor: Any,
    payer_atena_no: str,
    bank_code: str,
    branch_code: str,
    account_type: str,
    account_number: str,
    holder_kana: str,
    mandate_on: dt.date,
) -> BankAccount:
    """Register a 口座振替依頼書. Codes are checked against the 全銀協 code tables (zengin_code), the
    holder's name is converted for the file and refused rather than cut (``holder_kana_normalise``),
    the account number is stored encrypted, and a new 20-digit 顧客番号 is issued.

    Raises ``DebitError`` naming the field. Audited as ``debit_account_registered`` (masked number)."""
    name = _actor(actor)
    payer_no = _atena(payer_atena_no, field="payer_atena_no", label=_("口座名義人の宛名番号"))
    bank_code = _digits(bank_code, 4, field="bank_code", label=_("金融機関コード"))
    branch_code = _digits(branch_code, 3, field="branch_code", label=_("支店コード"))
    if account_type not in zengin.ACCOUNT_TYPES:
        raise DebitError(_("預金種目を選んでください。"), field="account_type")
    number = account_number_normalise(account_number)
    holder = holder_kana_normalise(holder_kana)
    if mandate_on > timezone.localdate():
        raise DebitError(_("依頼書の受付日に未来の日付は入れられません。"), field="mandate_on")
    bank_name, branch_name = bank_lookup(bank_code, branch_code)
    _resident(payer_no, actor=name, field="payer_atena_no")

    with transaction.atomic():
        same = BankAccount.objects.filter(
            payer_atena_no=payer_no, bank_code=bank_code, branch_code=branch_code, account_type=account_type
        ).exclude(state=BankAccount.State.ENDED)
        for other in same.only("customer_number", "account_number_enc"):
            if crypto.decrypt(other.account_number_enc) == number:
                raise DebitError(
                    _("同じ口座がすでに登録されています（顧客番号 %(no)s）。")
                    % {"no": other.customer_number},
                    field="account_number",
                )
        serial = sequence_next(name=CUSTOMER_SERIES)
        account = BankAccount.objects.create(
            payer_atena_no=payer_no,
            customer_number=f"{serial:020d}",
            bank_code=bank_code,
            bank_name_kana=bank_name,
            branch_code=branch_code,
            branch_name_kana=branch_name,
            account_type=account_type,
            account_number_enc=crypto.encrypt(number),
            account_last3=number[-3:],
            holder_kana=holder,
            mandate_on=mandate_on,
            created_at=_now(),
        )
        audit_record(
            actor=actor,
            action="debit_account_registered",
            target_type="bank_account",
            target_id=account.customer_number,
            detail={
                "payer_atena_no": payer_no,
                "bank_code": bank_code,
                "branch_code": branch_code,
                "account_type": account_type,
                "account": masked(account.account_last3),
                "mandate_on": mandate_on.isoformat(),
            },
        )
    return account


def account_end(*, actor: Any, account_id: int) -> BankAccount:
    """廃止: the account is never debited again (its enrolments are listed until given another)."""
    with transaction.atomic():
        account = _update_one(
            BankAccount.objects.filter(pk=account_id).exclude(state=BankAccount.State.ENDED),
            {"state": BankAccount.State.ENDED},
            row=BankAccount.objects.filter(pk=account_id),
            missing=_("口座が見つかりません。"),
            refused=_("この口座はすでに廃止されています。"),
        )
        audit_record(
            actor=actor,
            action="debit_account_ended",
            target_type="bank_account",
            target_id=account.customer_number,
        )
    return account


def account_clear_flag(*, actor: Any, account_id: int) -> BankAccount:
    """要確認 → 有効, once the clerk has confirmed the mandate with the payer and the bank."""
    with transaction.atomic():
        account = _update_one(
            BankAccount.objects.filter(pk=account_id, state=BankAccount.State.FLAGGED),
            {"state": BankAccount.State.ACTIVE, "flag_reason": ""},
            row=BankAccount.objects.filter(pk=account_id),
            missing=_("口座が見つかりません。"),
            refused=_("この口座は要確認の状態ではありません。"),
        )
        audit_record(
            actor=actor,
            action="debit_account_flag_cleared",
            target_type="bank_account",
            target_id=account.customer_number,
        )
    return account


def _account_decrypted(account: BankAccount) -> str:
    """The 7-digit number, for the file and for matching a result file only. Never log or show it."""
    return crypto.decrypt(account.account_number_enc)


# --- enrolments -----------------------------------------------------------------------------------


def _usable_account(account_id: int | None) -> BankAccount | None:
    if account_id is None:
        return None
    account = BankAccount.objects.filter(pk=account_id).first()
    if account is None:
        raise DebitError(_("口座が見つかりません。"), field="account")
    if account.state == BankAccount.State.ENDED:
        raise DebitError(
            _("顧客番号 %(no)s の口座は廃止されています。") % {"no": account.customer_number}, field="account"
        )
    return account


def enrol(
    *,
    actor: Any,
    child_atena_no: str,
    parent_atena_nos: Sequence[str],
    facility_code: str,
    standard_hours: bool,
    starts_on: dt.date,
    account_id: int | None = None,
) -> Enrolment:
    """入所: a child under school age (5歳児クラス or younger in the 年度 of ``starts_on``) in a facility,
    with the one or two parents whose 所得割額 sets the fee and the account that pays (``None``: paid
    by 納付書 at the window). A child has at most one enrolment at a time: a new one may start only
    after every earlier one has ended.

    Raises ``DebitError`` naming the field. Audited as ``childcare_enrolled``."""
    name = _actor(actor)
    child_no = _atena(child_atena_no, field="child_atena_no", label=_("児童の宛名番号"))
    parents = list(
        dict.fromkeys(
            _atena(p, field="parent_atena_nos", label=_("保護者の宛名番号"))
            for p in parent_atena_nos
            if _nfkc(p)
        )
    )
    if not parents:
        raise DebitError(_("保護者の宛名番号を1人以上入れてください。"), field="parent_atena_nos")
    if len(parents) > 2:
        raise DebitError(_("保護者は2人までです。"), field="parent_atena_nos")
    if child_no in parents:
        raise DebitError(_("児童本人を保護者にはできません。"), field="parent_atena_nos")
    facility = Facility.objects.filter(code=facility_code).first()
    if facility is None:
        raise DebitError(_("施設を選んでください。"), field="facility")
    account = _usable_account(account_id)

    child = _resident(child_no, actor=name, field="child_atena_no")
    if not child.is_resident:
        raise DebitError(
            _("宛名番号 %(no)s の方は現在住民ではありません。") % {"no": child_no}, field="child_atena_no"
        )
    birth = child.birth_date.as_date()
    if birth is None:
        raise DebitError(
            _("生年月日が不詳のため保育料のクラスを決められません。住民記録を確認してください。"),
            field="child_atena_no",
        )
    if birth > starts_on:
        raise DebitError(_("入所日が生年月日より前です。"), field="starts_on")
    year = _fiscal_year(starts_on)
    klass = age_class(birth, year)
    if klass >= SCHOOL_CLASS:
        raise DebitError(
            _(
                "%(name)sさんは%(nendo)sの4月1日に%(age)d歳のため、保育所の対象年齢（5歳児クラスまで）を超えています。"
            )
            % {"name": child.name, "nendo": nendo(year), "age": klass},
            field="child_atena_no",
        )
    for parent in parents:
        _resident(parent, actor=name, field="parent_atena_nos")

    with transaction.atomic():
        # Serialise enrolments of this child: the overlap check and the insert cannot interleave.
        sequence_next(name=f"payments.enrol:{child_no}")
        current = (
            Enrolment.objects.select_related("facility")
            .filter(child_atena_no=child_no)
            .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=starts_on))
            .order_by("-starts_on")
            .first()
        )
        if current is not None:
            raise DebitError(
                _(
                    "この児童には期間の重なる入所があります（%(facility)s、%(start)s〜%(end)s）。"
                    "先に退所日を入れてください。"
                )
                % {
                    "facility": current.facility.name,
                    "start": wareki(current.starts_on),
                    "end": wareki(current.ends_on) if current.ends_on else "",
                },
                field="starts_on",
            )
        try:
            with transaction.atomic():
                enrolment = Enrolment.objects.create(
                    child_atena_no=child_no,
                    parent_atena_nos=parents,
                    facility=facility,
                    standard_hours=standard_hours,
                    starts_on=starts_on,
                    account=account,
                    created_at=_now(),
                )
        except IntegrityError:
            raise DebitError(
                _("この児童には入所中の記録があります。先に退所日を入れてください。"), field="starts_on"
            ) from None
        audit_record(
            actor=actor,
            action="childcare_enrolled",
            target_type="enrolment",
            target_id=str(enrolment.pk),
            detail={
                "child_atena_no": child_no,
                "parent_atena_nos": parents,
                "facility": facility.code,
                "standard_hours": standard_hours,
                "starts_on": starts_on.isoformat(),
                "customer_number": account.customer_number if account else "",
            },
        )
    return enrolment


def enrolment_end(*, actor: Any, enrolment_id: int, ends_on: dt.date) -> Enrolment:
    """退所: the last day in care (inclusive)."""
    with transaction.atomic():
        enrolment = Enrolment.objects.filter(pk=enrolment_id).first()
        if enrolment is None:
            raise DebitError(_("入所の記録が見つかりません。"))
        if ends_on < enrolment.starts_on:
            raise DebitError(_("退所日が入所日より前です。"), field="ends_on")
        changed = Enrolment.objects.filter(pk=enrolment_id, ends_on__isnull=True).update(ends_on=ends_on)
        if not changed:
            raise DebitError(_("この入所にはすでに退所日が入っています。"), field="ends_on")
        audit_record(
            actor=actor,
            action="childcare_enrolment_ended",
            target_type="enrolment",
            target_id=str(enrolment_id),
            detail={"child_atena_no": enrolment.child_atena_no, "ends_on": ends_on.isoformat()},
        )
        enrolment.ends_on = ends_on
    return enrolment


def enrolment_change_account(*, actor: Any, enrolment_id: int, account_id: int | None) -> Enrolment:
    """The account that pays for this child from the next run on (``None``: 納付書)."""
    with transaction.atomic():
        account = _usable_account(account_id)
        changed = Enrolment.objects.filter(pk=enrolment_id).update(account=account)
        if not changed:
            raise DebitError(_("入所の記録が見つかりません。"))
        audit_record(
            actor=actor,
            action="childcare_enrolment_account_changed",
            target_type="enrolment",
            target_id=str(enrolment_id),
            detail={"customer_number": account.customer_number if account else ""},
        )
    return Enrolment.objects.select_related("account", "facility").get(pk=enrolment_id)


# --- the month's fees ------------------------------------------------------------------------------


@dataclass(frozen=True)
class FeeProblem:
    """A child left out of the month's fees, and why (shown to the clerk, kept in the run's notes)."""

    kind: str  # no_tax | no_record | fee_error | no_account
    enrolment_id: int
    child_atena_no: str
    message: str
    amount: int | None = None  # for no_account: the fee, to be paid by 納付書

    def as_note(self) -> dict[str, Any]:
        note: dict[str, Any] = {
            "kind": self.kind,
            "enrolment": self.enrolment_id,
            "child": self.child_atena_no,
            "message": self.message,
        }
        if self.amount is not None:
            note["amount"] = self.amount
        return note


@dataclass
class MonthFees:
    fiscal_year: int
    month: int
    by_account: dict[BankAccount, list[tuple[Enrolment, MonthlyFee]]] = field(default_factory=dict)
    problems: list[FeeProblem] = field(default_factory=list)

    def account_total(self, account: BankAccount) -> int:
        return sum(fee.total for _enrolment, fee in self.by_account[account])


def _household_children(
    parents: Sequence[residents.ResidentRecord], households: dict[str, residents.HouseholdRecord | None]
) -> list[residents.ResidentRecord]:
    """The parents' children as the register records them: members of a parent's household whose
    続柄 is 「子」 when the parent is the 世帯主 or the 世帯主's spouse, or the parent's 続柄 + 「の子」
    otherwise (a parent recorded as 「子」 has children recorded as 「子の子」)."""
    parent_nos = {p.atena_no for p in parents}
    found: dict[str, residents.ResidentRecord] = {}
    for parent in parents:
        household = households.get(parent.setai_no)
        if household is None:
            continue
        wanted = "子" if parent.relationship in _HEAD_COUPLE else f"{parent.relationship}の子"
        for member in household.members:
            if member.atena_no not in parent_nos and member.relationship == wanted:
                found.setdefault(member.atena_no, member)
    return list(found.values())


def _low_income(settings_: FeeSettings, shotokuwari: int, non_taxed: bool) -> bool:
    threshold = settings_.all_children_count_below_income
    return non_taxed or (threshold is not None and shotokuwari < threshold)


def _in_month(enrolments: Iterable[Enrolment]) -> dict[str, Enrolment]:
    """One enrolment per child: the latest one of the month, stretched over every enrolment of that
    child in the month (an adjacent re-enrolment pays one month, not two)."""
    chosen: dict[str, Enrolment] = {}
    for enrolment in sorted(enrolments, key=lambda e: (e.starts_on, e.pk)):
        earlier = chosen.get(enrolment.child_atena_no)
        if earlier is not None:
            enrolment.starts_on = min(enrolment.starts_on, earlier.starts_on)
        chosen[enrolment.child_atena_no] = enrolment
    return chosen


def month_fees(
    *, fiscal_year: int, month: int, actor: Any, fee_settings: FeeSettings | None = None
) -> MonthFees:
    """The fees of ``month`` of ``fiscal_year`` for every enrolled child in care that month, per
    paying account, and the children left out with the reason (``problems``).

    Reads the children's records from the resident register and the parents' assessments from the
    tax module (one call for everyone). One audit entry ``childcare_fees_read`` names every child and
    household member read; the tax module audits its own read."""
    fee_settings = fee_settings or FeeSettings()
    first, last = calendar_month(fiscal_year, month)
    result = MonthFees(fiscal_year=fiscal_year, month=month)
    with transaction.atomic():
        enrolments = _in_month(
            Enrolment.objects.select_related("account", "facility")
            .filter(starts_on__lte=last)
            .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=first))
        )
        if not enrolments:
            return result
        reader = _Reader(_actor(actor))
        reader.prefetch(sorted({*enrolments, *(p for e in enrolments.values() for p in e.parent_atena_nos)}))
        groups: dict[tuple[str, ...], list[tuple[Enrolment, dt.date, str]]] = defaultdict(list)
        for child_no in sorted(enrolments):
            enrolment = enrolments[child_no]
            record = reader.resident(child_no)
            if record is None:
                result.problems.append(
                    FeeProblem("no_record", enrolment.pk, child_no, _("住民記録が見つかりません。"))
                )
                continue
            birth = record.birth_date.as_date()
            if birth is None:
                message = _("生年月日が不詳のため保育料を決められません。住民記録を確認してください。")
                result.problems.append(FeeProblem("fee_error", enrolment.pk, child_no, message))
                continue
            groups[tuple(sorted(enrolment.parent_atena_nos))].append((enrolment, birth, record.setai_no))

        tax_year = assessment_year_for(fiscal_year, month)
        everyone = sorted({p for key in groups for p in key})
        assessments = (
            tax.assessments_for(everyone, tax_year, actor=reader.actor, purpose=PURPOSE) if everyone else {}
        )
        for parents_key, members in sorted(groups.items()):
            _group_fees(result, reader, fee_settings, parents_key, members, assessments, tax_year)
        audit_record(
            actor=actor,
            action="childcare_fees_read",
            target_type="debit_month",
            target_id=f"{fiscal_year}-{month:02d}",
            detail={"atena_nos": list(reader.read), "purpose": PURPOSE},
        )
    return result


class _Reader:
    """Resident-register reads for one fee calculation, remembered so that a single audit entry can
    name everyone read (``audited_by_caller``)."""

    def __init__(self, actor: str) -> None:
        self.actor = actor
        self.read: dict[str, None] = {}
        self._people: dict[str, residents.ResidentRecord | None] = {}
        self._households: dict[str, residents.HouseholdRecord | None] = {}

    def resident(self, atena_no: str) -> residents.ResidentRecord | None:
        if atena_no not in self._people:
            self._people[atena_no] = residents.resident_get(
                atena_no, actor=self.actor, audited_by_caller=True
            )
            self.read[atena_no] = None
        return self._people[atena_no]

    def prefetch(self, atena_nos: list[str]) -> None:
        """Read many people in one go (two queries instead of two per person)."""
        missing = [no for no in atena_nos if no not in self._people]
        if not missing:
            return
        found = residents.residents_get(missing, actor=self.actor, audited_by_caller=True)
        for no in missing:
            self._people[no] = found.get(no)
            self.read[no] = None

    def household(self, setai_no: str) -> residents.HouseholdRecord | None:
        if setai_no not in self._households:
            household = residents.household_get(setai_no, actor=self.actor, audited_by_caller=True)
            self._households[setai_no] = household
            for member in household.members if household else ():
                self.read[member.atena_no] = None
        return self._households[setai_no]


def _group_fees(
    result: MonthFees,
    reader: _Reader,
    fee_settings: FeeSettings,
    parents_key: tuple[str, ...],
    members: list[tuple[Enrolment, dt.date, str]],
    assessments: dict[str, tax.TaxAssessment],
    tax_year: int,
) -> None:
    """The fees of the children enrolled with one set of parents (one household for the rules)."""
    missing = [p for p in parents_key if p not in assessments]
    if missing:
        message = _(
            "課税情報なし：保護者（宛名番号 %(nos)s）の%(nendo)sの市町村民税の課税情報がありません。"
            "課税状況を確認してください。"
        ) % {"nos": "、".join(missing), "nendo": nendo(tax_year)}
        result.problems.extend(FeeProblem("no_tax", e.pk, e.child_atena_no, message) for e, _b, _s in members)
        return
    found = [assessments[p] for p in parents_key]
    non_taxed = all(a.non_taxed for a in found)
    shotokuwari = sum(a.shotokuwari for a in found)
    children = [
        Child(
            key=e.child_atena_no,
            birth_date=birth,
            enrolled=True,
            standard_hours=e.standard_hours,
            start=e.starts_on,
            end=e.ends_on,
        )
        for e, birth, _setai in members
    ]
    if fee_settings.sibling_count_mode == "all" or _low_income(fee_settings, shotokuwari, non_taxed):
        # Older brothers and sisters count too: read them from the parents' households (usually the
        # children's own; a parent living elsewhere is read on its own).
        households = {setai: reader.household(setai) for setai in dict.fromkeys(s for _e, _b, s in members)}
        living = {m.atena_no: m for h in households.values() if h for m in h.members}
        parents = [r for r in (living.get(p) or reader.resident(p) for p in parents_key) if r is not None]
        for parent in parents:
            if parent.setai_no not in households:
                households[parent.setai_no] = reader.household(parent.setai_no)
        keys = {c.key for c in children}
        for sibling in _household_children(parents, households):
            born = sibling.birth_date.as_date()
            if sibling.atena_no not in keys and born is not None:
                children.append(Child(key=sibling.atena_no, birth_date=born, enrolled=False))
    try:
        fees = monthly_fees(
            Household(tuple(children), shotokuwari=shotokuwari, non_taxed=non_taxed),
            result.fiscal_year,
            result.month,
            fee_settings,
        )
    except FeeInputError as exc:
        result.problems.extend(
            FeeProblem("fee_error", e.pk, e.child_atena_no, str(exc)) for e, _b, _s in members
        )
        return
    by_child = {fee.child_key: fee for fee in fees}
    for enrolment, _birth, _setai in members:
        fee = by_child.get(enrolment.child_atena_no)
        if fee is None:
            continue
        if enrolment.account is None:
            result.problems.append(
                FeeProblem(
                    "no_account",
                    enrolment.pk,
                    enrolment.child_atena_no,
                    _("口座振替の口座が登録されていません（納付書で納付）。"),
                    amount=fee.total,
                )
            )
            continue
        result.by_account.setdefault(enrolment.account, []).append((enrolment, fee))


# --- the monthly run -------------------------------------------------------------------------------


def _setting_error(name: str, what: str) -> DebitError:
    return DebitError(_("設定 %(name)s が正しくありません：%(what)s") % {"name": name, "what": what})


def request_header(debit_date: dt.date) -> zengin.Header:
    """The header from settings: 委託者コード and 委託者名, and the city's collecting account
    (``YAKUBA_ZENGIN_COLLECTING_ACCOUNT`` = ``bank-branch-type-number``)."""
    code = str(settings.YAKUBA_ZENGIN_ITAKU_CODE)
    if not re.fullmatch(r"[0-9]{10}", code):
        raise _setting_error("YAKUBA_ZENGIN_ITAKU_CODE", _("委託者コードは10桁の数字です。"))
    try:
        consignor = zengin.to_zengin_kana(str(settings.YAKUBA_ZENGIN_ITAKU_NAME)).strip()
    except zengin.ZenginCharError as exc:
        raise _setting_error("YAKUBA_ZENGIN_ITAKU_NAME", str(exc)) from None
    if not consignor or not zengin.fits(consignor, 40) or set(consignor) & {"/", ","}:
        raise _setting_error("YAKUBA_ZENGIN_ITAKU_NAME", _("委託者名は半角カナ40文字までです。"))
    parts = str(settings.YAKUBA_ZENGIN_COLLECTING_ACCOUNT).split("-")
    if (
        len(parts) != 4
        or not re.fullmatch(r"[0-9]{4}", parts[0])
        or not re.fullmatch(r"[0-9]{3}", parts[1])
        or parts[2] not in zengin.ACCOUNT_TYPES
        or not re.fullmatch(r"[0-9]{1,7}", parts[3])
    ):
        raise _setting_error(
            "YAKUBA_ZENGIN_COLLECTING_ACCOUNT",
            _("「金融機関4桁-支店3桁-預金種目1桁-口座番号7桁」の形で設定してください。"),
        )
    try:
        bank_name, branch_name = bank_lookup(parts[0], parts[1])
    except DebitError as exc:
        raise _setting_error("YAKUBA_ZENGIN_COLLECTING_ACCOUNT", exc.messages[0]) from None
    return zengin.Header(
        consignor_code=code,
        consignor_name=consignor,
        debit_date=zengin.mmdd(debit_date),
        bank_code=parts[0],
        bank_name=bank_name,
        branch_code=parts[1],
        branch_name=branch_name,
        account_type=parts[2],
        account_number=parts[3].zfill(7),
    )


def _check_debit_date(fiscal_year: int, month: int, debit_date: dt.date) -> None:
    first, _last = calendar_month(fiscal_year, month)
    next_year, next_month = (fiscal_year + 1, 4) if month == 3 else (fiscal_year, month % 12 + 1)
    limit = calendar_month(next_year, next_month)[1]
    if not first <= debit_date <= limit:
        raise DebitError(
            _("引落日は%(first)sから%(last)sまで（その月か翌月）の日付を入れてください。")
            % {"first": wareki(first), "last": wareki(limit)},
            field="debit_date",
        )


def _check_period(fiscal_year: int, month: int) -> None:
    if not 2000 <= fiscal_year <= 2100:
        raise DebitError(_("年度は2000年から2100年の間で入れてください。"), field="fiscal_year")
    if not 1 <= month <= 12:
        raise DebitError(_("月は1から12で入れてください。"), field="month")


def _already(fiscal_year: int, month: int) -> DebitError:
    return DebitError(
        _("%(month)s分（%(nendo)s）の口座振替はすでに作成されています。1か月に作成できるのは1回だけです。")
        % {"month": month_label(fiscal_year, month), "nendo": nendo(fiscal_year)},
        field="month",
    )


def _safe_field_error(exc: zengin.ZenginError) -> str:
    """A zengin error as shown to the clerk, without any account number it might quote."""
    field_name = getattr(exc, "field", "")
    if field_name == "口座番号":
        line = getattr(exc, "line", None)
        where = _("%(n)d行目 ") % {"n": line} if line else ""
        return _("%(where)s口座番号: 7桁の数字ではありません（値は表示しません）。") % {"where": where}
    return str(exc)


def run_generate(*, actor: Any, fiscal_year: int, month: int, debit_date: dt.date) -> DebitRun:
    """The month's 口座振替: one ``DebitItem`` per paying account (its children's fees summed; the
    breakdown keeps each child's 宛名番号 and fee parts, no names) and the 全銀協 request file.

    Left out and listed in ``DebitRun.notes``: children without tax data or record (see
    ``month_fees``), enrolments without an account, accounts 要確認 or 廃止, and zero amounts. The 新規
    コード is 1 for an account's first debit. One run a month (``one_run_a_month``).

    Raises ``DebitError``. Audited as ``debit_run_generated``."""
    _check_period(fiscal_year, month)
    _check_debit_date(fiscal_year, month, debit_date)
    if DebitRun.objects.filter(fiscal_year=fiscal_year, month=month).exists():
        raise _already(fiscal_year, month)
    header = request_header(debit_date)
    with transaction.atomic():
        fees = month_fees(fiscal_year=fiscal_year, month=month, actor=actor)
        notes = [problem.as_note() for problem in fees.problems]
        records: list[zengin.DebitRecord] = []
        items: list[DebitItem] = []
        # 新規コード: 1 until an account has been debited once (a paid item in any earlier run).
        debited_before = set(
            DebitItem.objects.filter(account__in=[a.pk for a in fees.by_account], result_code="0")
            .values_list("account_id", flat=True)
            .distinct()
        )
        for account in sorted(fees.by_account, key=lambda a: a.customer_number):
            rows = fees.by_account[account]
            amount = sum(fee.total for _e, fee in rows)
            children = [e.child_atena_no for e, _fee in rows]
            if account.state != BankAccount.State.ACTIVE:
                notes.append(
                    {
                        "kind": account.state,
                        "customer_number": account.customer_number,
                        "children": children,
                        "amount": amount,
                        "message": _("口座が「%(state)s」のため引き落としません（納付書で納付）。%(reason)s")
                        % {"state": account.get_state_display(), "reason": account.flag_reason},
                    }
                )
                continue
            if amount == 0:
                notes.append(
                    {
                        "kind": "zero",
                        "customer_number": account.customer_number,
                        "children": children,
                        "amount": 0,
                        "message": _("保育料が0円のため引き落としません。"),
                    }
                )
                continue
            new_code = "0" if account.pk in debited_before else "1"
            records.append(
                zengin.DebitRecord(
                    bank_code=account.bank_code,
                    bank_name=account.bank_name_kana,
                    branch_code=account.branch_code,
                    branch_name=account.branch_name_kana,
                    account_type=account.account_type,
                    account_number=_account_decrypted(account),
                    account_holder=account.holder_kana,
                    amount=amount,
                    new_code=new_code,
                    customer_number=account.customer_number,
                )
            )
            items.append(
                DebitItem(
                    account=account,
                    customer_number=account.customer_number,
                    amount=amount,
                    new_code=new_code,
                    breakdown=[
                        {
                            "enrolment": e.pk,
                            "child": e.child_atena_no,
                            "age_class": fee.age_class,
                            "hoikuryo": fee.hoikuryo,
                            "fukushokuhi": fee.fukushokuhi,
                            "total": fee.total,
                        }
                        for e, fee in rows
                    ],
                )
            )
        if not records:
            raise DebitError(
                _("引き落とす明細がありません（対象の入所 %(n)d 件はすべて除外されました）。")
                % {"n": len(notes)},
                *[str(note["message"]) for note in notes[:_MAX_SHOWN]],
                field=None,
            )
        try:
            data = zengin.build_file(header, records)
        except zengin.ZenginError as exc:
            raise DebitError(_("依頼データを作成できません：%(e)s") % {"e": _safe_field_error(exc)}) from None
        total = sum(r.amount for r in records)
        run = DebitRun(
            fiscal_year=fiscal_year,
            month=month,
            debit_date=debit_date,
            request_file=data,
            request_sha256=hashlib.sha256(data).hexdigest(),
            records=len(records),
            total=total,
            notes=notes,
            created_by=_actor(actor),
            created_at=_now(),
        )
        try:
            with transaction.atomic():
                run.save(force_insert=True)
        except IntegrityError:
            raise _already(fiscal_year, month) from None
        for item in items:
            item.run = run
        DebitItem.objects.bulk_create(items, batch_size=1000)
        audit_record(
            actor=actor,
            action="debit_run_generated",
            target_type="debit_run",
            target_id=str(run.pk),
            detail={
                "fiscal_year": fiscal_year,
                "month": month,
                "debit_date": debit_date.isoformat(),
                "records": len(records),
                "total": total,
                "left_out": len(notes),
                "sha256": run.request_sha256,
            },
        )
    return run


def request_file_read(*, actor: Any, run_id: int) -> tuple[DebitRun, bytes]:
    """The request file to send to the bank (it holds account numbers: audited as downloaded)."""
    run = DebitRun.objects.filter(pk=run_id).first()
    if run is None:
        raise DebitError(_("口座振替が見つかりません。"))
    audit_record(
        actor=actor,
        action="debit_request_file_read",
        target_type="debit_run",
        target_id=str(run.pk),
        detail={"sha256": run.request_sha256},
    )
    return run, bytes(run.request_file)


def request_file_name(run: DebitRun) -> str:
    first, _last = calendar_month(run.fiscal_year, run.month)
    return f"KOFURI-{first:%Y%m}.txt"


# --- results ---------------------------------------------------------------------------------------


def _line_error(line: int, field_name: str, message: str) -> str:
    return _("%(line)d行目 %(field)s: %(message)s") % {"line": line, "field": field_name, "message": message}


class _RequestIndex:
    """The request file we sent, read only as far as the result check needs: its header and, per
    顧客番号, the bank, branch, account type and account number (fixed byte offsets of the 全銀協
    data record; our own file, so already valid)."""

    def __init__(self, data: bytes) -> None:
        size = zengin.RECORD_LENGTH + 2  # CRLF after every record
        lines = [data[i : i + zengin.RECORD_LENGTH] for i in range(0, len(data), size)]
        self.header = zengin.parse_header(data)
        self.accounts: dict[str, tuple[str, str, str, str]] = {
            line[91:111].decode("ascii").rstrip(" "): (
                line[1:5].decode("ascii"),
                line[20:23].decode("ascii"),
                line[42:43].decode("ascii"),
                line[43:50].decode("ascii"),
            )
            for line in lines
            if line[:1] == b"2"
        }


@dataclass
class _ItemRow:
    pk: int
    customer_number: str
    amount: int
    account_id: int
    result_code: str = ""


def _chunks(ids: list[int], size: int = 5000) -> list[list[int]]:
    """Id lists small enough for one statement (SQLite limits the number of bound values)."""
    return [ids[i : i + size] for i in range(0, len(ids), size)]


def run_import_results(*, actor: Any, run_id: int, data: bytes) -> DebitRun:
    """Import the bank's result file for a run, all or nothing.

    The file must be a valid result file (``zengin.parse_file``) for this run: the same 委託者コード and
    引落日, exactly the run's 顧客番号 once each, with the account and amount that were requested. The
    same file is never imported twice (``DebitRun.result_sha256`` is unique), nor a second file for a
    run. Then each item gets its result code, the run its paid figures; accounts answered 2 (取引なし)
    or 4 (依頼書なし) become 要確認, and a paid account's next debit is no longer its first.

    Raises ``DebitError`` listing the problems (line and field). Audited as ``debit_results_imported``."""
    if len(data) > MAX_RESULT_FILE_BYTES:
        raise DebitError(_("ファイルが大きすぎます（20MBまで）。"), field="file")
    digest = hashlib.sha256(data).hexdigest()
    run = DebitRun.objects.filter(pk=run_id).first()
    if run is None:
        raise DebitError(_("口座振替が見つかりません。"))
    earlier = DebitRun.objects.filter(result_sha256=digest).first()
    if earlier is not None:
        raise DebitError(
            _("このファイルは%(month)s分の結果として取込み済みです。同じファイルは2回取り込めません。")
            % {"month": month_label(earlier.fiscal_year, earlier.month)},
            field="file",
        )
    if run.state != DebitRun.State.GENERATED:
        raise DebitError(
            _("%(month)s分の振替結果はすでに取り込まれています。")
            % {"month": month_label(run.fiscal_year, run.month)},
            field="file",
        )
    if data == bytes(run.request_file):
        raise DebitError(
            _(
                "これは依頼データ（送ったファイル）です。金融機関から届いた振替結果のファイルを選んでください。"
            ),
            field="file",
        )
    try:
        parsed = zengin.parse_file(data, expect_result=True)
    except zengin.ZenginFormatError as exc:
        raise DebitError(
            _("振替結果のファイルを読めません（1件も取り込んでいません）。"),
            _safe_field_error(exc),
            field="file",
        ) from None

    request = _RequestIndex(bytes(run.request_file))
    problems: list[str] = []
    if parsed.header.consignor_code != request.header.consignor_code:
        problems.append(_line_error(1, "委託者コード", _("依頼データの委託者コードと一致しません。")))
    if parsed.header.debit_date != request.header.debit_date:
        problems.append(
            _line_error(
                1,
                "引落日",
                _("依頼データの引落日（%(want)s）と一致しません（「%(got)s」）。")
                % {"want": request.header.debit_date, "got": parsed.header.debit_date},
            )
        )
    # Plain rows, not model instances: a result file may hold 100,000 records.
    items = {
        row.customer_number: row
        for row in (
            _ItemRow(pk, customer_number, amount, account_id)
            for pk, customer_number, amount, account_id in run.items.values_list(
                "pk", "customer_number", "amount", "account_id"
            )
        )
    }
    # What was asked of the bank, from the file we sent (no account number is decrypted to compare).
    requested = request.accounts
    seen: dict[str, int] = {}
    for index, record in enumerate(parsed.records):
        line = index + 2
        if len(problems) >= _MAX_SHOWN:
            break
        item = items.get(record.customer_number)
        if item is None:
            problems.append(
                _line_error(
                    line,
                    "顧客番号",
                    _("この口座振替にない顧客番号です（「%(no)s」）。") % {"no": record.customer_number},
                )
            )
            continue
        if record.customer_number in seen:
            problems.append(
                _line_error(
                    line,
                    "顧客番号",
                    _("顧客番号「%(no)s」が2回あります（%(first)d行目にもあります）。")
                    % {"no": record.customer_number, "first": seen[record.customer_number]},
                )
            )
            continue
        seen[record.customer_number] = line
        asked = requested.get(record.customer_number)
        if asked is None or (record.bank_code, record.branch_code) != asked[:2]:
            problems.append(_line_error(line, "引落銀行番号", _("依頼した金融機関・支店と一致しません。")))
        elif (record.account_type, record.account_number) != asked[2:]:
            problems.append(
                _line_error(line, "口座番号", _("依頼した口座と一致しません（値は表示しません）。"))
            )
        if record.amount != item.amount:
            problems.append(
                _line_error(
                    line,
                    "引落金額",
                    _("依頼した金額と一致しません（依頼：%(want)s円、結果：%(got)s円）。")
                    % {"want": f"{item.amount:,}", "got": f"{record.amount:,}"},
                )
            )
    missing = [no for no in items if no not in seen]
    if missing and len(problems) < _MAX_SHOWN:
        problems.append(
            _("結果ファイルに次の顧客番号の明細がありません：%(nos)s")
            % {"nos": "、".join(missing[:10]) + ("…" if len(missing) > 10 else "")}
        )
    if problems:
        raise DebitError(
            _("振替結果のファイルがこの口座振替と合いません（1件も取り込んでいません）。"),
            *problems,
            field="file",
        )

    codes = {record.customer_number: record.result_code for record in parsed.records}
    now = _now()
    label = month_label(run.fiscal_year, run.month)
    with transaction.atomic():
        # Only a run still waiting for its results: two imports at once cannot both pass.
        claimed = DebitRun.objects.filter(pk=run.pk, state=DebitRun.State.GENERATED).update(
            state=DebitRun.State.RESULTS, results_at=now
        )
        if not claimed:
            raise DebitError(
                _("%(month)s分の振替結果はすでに取り込まれています。") % {"month": label}, field="file"
            )
        paid = [item for item in items.values() if codes[item.customer_number] == "0"]
        by_code: dict[str, list[int]] = defaultdict(list)
        for item in items.values():
            item.result_code = codes[item.customer_number]
            by_code[item.result_code].append(item.pk)
        # Every item paid in one statement, then the (few) others by code: a 100,000-record file in
        # a few seconds.
        DebitItem.objects.filter(run=run).update(result_code="0")
        for code, ids in by_code.items():
            if code != "0":
                for chunk in _chunks(ids):
                    DebitItem.objects.filter(pk__in=chunk).update(result_code=code)
        try:
            with transaction.atomic():
                DebitRun.objects.filter(pk=run.pk).update(
                    result_sha256=digest,
                    paid_count=len(paid),
                    paid_total=sum(item.amount for item in paid),
                )
        except IntegrityError:
            raise DebitError(
                _("このファイルは取込み済みです。同じファイルは2回取り込めません。"), field="file"
            ) from None
        flagged: dict[str, list[int]] = defaultdict(list)
        for item in items.values():
            if item.result_code in FLAG_CODES:
                flagged[item.result_code].append(item.account_id)
        for code, account_ids in flagged.items():
            reason = _("%(month)s分の口座振替で「%(reason)s」（結果コード %(code)s）") % {
                "month": label,
                "reason": zengin.RESULT_CODES[code],
                "code": code,
            }
            for chunk in _chunks(account_ids):
                BankAccount.objects.filter(pk__in=chunk, state=BankAccount.State.ACTIVE).update(
                    state=BankAccount.State.FLAGGED, flag_reason=reason[:100]
                )
        audit_record(
            actor=actor,
            action="debit_results_imported",
            target_type="debit_run",
            target_id=str(run.pk),
            detail={
                "sha256": digest,
                "records": len(items),
                "paid": len(paid),
                "unpaid": len(items) - len(paid),
                "flagged": sorted(no for no, item in items.items() if item.result_code in FLAG_CODES),
            },
        )
    run.refresh_from_db()
    return run


# --- arrears ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ArrearsRow:
    item_id: int
    run_id: int
    fiscal_year: int
    month: int
    month_label: str
    debit_date: dt.date
    customer_number: str
    payer_atena_no: str
    payer_name: str  # "" unless read with an actor
    amount: int
    result_code: str
    reason: str


def _unpaid() -> Any:
    return (
        DebitItem.objects.select_related("run", "account")
        .exclude(result_code__in=["", "0"])
        .filter(settled_at__isnull=True)
        .order_by("run__fiscal_year", "run__month", "customer_number")
    )


def arrears_count() -> int:
    return int(_unpaid().count())


def arrears(*, actor: Any = None) -> list[ArrearsRow]:
    """Debits the bank could not make and not yet paid at the window, oldest month first. With an
    ``actor`` the payers' names are read from the resident register (audited there)."""
    names: dict[str, str] = {}
    rows = []
    for item in _unpaid():
        payer = item.account.payer_atena_no
        if actor is not None and payer not in names:
            record = residents.resident_get(payer, actor=_actor(actor))
            names[payer] = record.name if record else ""
        rows.append(
            ArrearsRow(
                item_id=item.pk,
                run_id=item.run_id,
                fiscal_year=item.run.fiscal_year,
                month=item.run.month,
                month_label=month_label(item.run.fiscal_year, item.run.month),
                debit_date=item.run.debit_date,
                customer_number=item.customer_number,
                payer_atena_no=payer,
                payer_name=names.get(payer, ""),
                amount=item.amount,
                result_code=item.result_code,
                reason=zengin.RESULT_CODES.get(item.result_code, item.result_code),
            )
        )
    return rows


def settle_item(*, actor: Any, item_id: int) -> DebitItem:
    """An unpaid debit paid later at the window (or by 納付書): it leaves the arrears list."""
    with transaction.atomic():
        item = _update_one(
            _unpaid().filter(pk=item_id),
            {"settled_at": _now()},
            row=DebitItem.objects.select_related("run").filter(pk=item_id),
            missing=_("明細が見つかりません。"),
            refused=_("この明細は未納ではありません（振替済みか、納付済みです）。"),
        )
        audit_record(
            actor=actor,
            action="debit_item_settled",
            target_type="debit_item",
            target_id=str(item.pk),
            detail={"run": item.run_id, "customer_number": item.customer_number, "amount": item.amount},
        )
    return item


def reminder_letter(*, actor: Any, item_id: int, today: dt.date | None = None) -> bytes:
    """納付のお願い for one unpaid debit, as a PDF: the payer's name and address and the children's
    names are read from the resident register when it is printed. Audited as ``debit_reminder_printed``."""
    from yakuba.payments.pdf import reminder_pdf

    name = _actor(actor)
    item = _unpaid().filter(pk=item_id).first()
    if item is None:
        raise DebitError(_("未納の明細が見つかりません。"))
    payer = residents.resident_get(item.account.payer_atena_no, actor=name)
    if payer is None:
        raise DebitError(_("口座名義人の住民記録が見つかりません。"))
    lines: list[tuple[str, int]] = []
    for part in item.breakdown:
        child = residents.resident_get(str(part["child"]), actor=name)
        who = child.name if child else str(part["child"])
        if part["hoikuryo"]:
            lines.append(
                (
                    _("保育料　%(name)sさん（%(k)s歳児クラス）") % {"name": who, "k": part["age_class"]},
                    int(part["hoikuryo"]),
                )
            )
        if part["fukushokuhi"]:
            lines.append(
                (
                    _("副食費　%(name)sさん（%(k)s歳児クラス）") % {"name": who, "k": part["age_class"]},
                    int(part["fukushokuhi"]),
                )
            )
    day = today or timezone.localdate()
    city = Municipality.current()
    contact = "　".join(x for x in (city.name, _("保育担当"), city.phone) if x)
    address = f"{payer.address}　{payer.katagaki}".strip("　")
    pdf = reminder_pdf(
        payer_name=payer.name,
        address=address,
        month_label=month_label(item.run.fiscal_year, item.run.month),
        amount=item.amount,
        reason=zengin.RESULT_CODES.get(item.result_code, item.result_code),
        breakdown=lines,
        pay_by=wareki(day + dt.timedelta(days=14)),
        contact=contact,
        issued_on=wareki(day),
    )
    audit_record(
        actor=actor,
        action="debit_reminder_printed",
        target_type="debit_item",
        target_id=str(item.pk),
        detail={"run": item.run_id, "payer_atena_no": payer.atena_no, "amount": item.amount},
    )
    return pdf

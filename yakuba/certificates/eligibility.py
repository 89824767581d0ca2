"""Who may get what, where and when. Each rule returns a Japanese reason (shown as is) or ""."""

import datetime as dt

from django.utils.translation import gettext as _

from yakuba.core.models import ClosedDay, Municipality
from yakuba.residents import interface as residents

KIOSK_MIN_AGE = 15


def name_outside_standard_set(name: str) -> bool:
    """外字: a character outside JIS X 0208 (what Shift_JIS encodes) cannot be printed by the kiosk."""
    try:
        name.replace(" ", "").replace("\u3000", "").encode("shift_jis")
    except UnicodeEncodeError:
        return True
    return False


def year_end(day: dt.date) -> bool:
    return (day.month == 12 and day.day >= 29) or (day.month == 1 and day.day <= 3)


def kiosk_closed_reason(
    *, code: str, opens: dt.time, closes: dt.time, available: bool, now: dt.datetime
) -> str:
    """Hours 6:30-23:00 (per type), closed 12/29-1/3 and on the city's maintenance days."""
    if not available:
        return _("この証明書はコンビニ交付では発行できません。窓口でお申し込みください。")
    day, time = now.date(), now.time()
    if year_end(day):
        return _("年末年始（12月29日〜1月3日）はコンビニ交付を休止しています。")
    closed = ClosedDay.objects.filter(date=day, service__in=["", "kiosk", f"kiosk:{code}"]).first()
    if closed is not None:
        return _("本日はコンビニ交付を休止しています（%(reason)s）。") % {
            "reason": closed.reason or _("保守")
        }
    if not opens <= time < closes:
        return _("コンビニ交付の利用時間は%(opens)s〜%(closes)sです。") % {
            "opens": opens.strftime("%-H:%M"),
            "closes": closes.strftime("%-H:%M"),
        }
    return ""


def kiosk_person_refusal(record: residents.ResidentRecord, *, today: dt.date) -> str:
    """Why the card holder cannot use the kiosk at all ("" if they can)."""
    if record.status == "deceased":
        return _("この方の証明書はコンビニ交付では発行できません。窓口でお問い合わせください。")
    if record.moving_out_planned(today):
        return _("転出の届出がされているため、コンビニ交付は利用できません。窓口でお申し込みください。")
    if not record.is_resident:
        return _("%(city)sに住民登録がないため、コンビニ交付は利用できません。") % {
            "city": Municipality.current().name
        }
    age = record.age_on(today)
    if age is None or age < KIOSK_MIN_AGE:
        return _("15歳未満の方はコンビニ交付を利用できません。窓口でお申し込みください。")
    if record.support_measure:
        # Never say why: the reason itself is protected.
        return _("この証明書はコンビニ交付では発行できません。窓口でお申し込みください。")
    if name_outside_standard_set(record.name):
        return _(
            "お名前に標準外の文字が含まれるため、コンビニ交付では発行できません。窓口でお申し込みください。"
        )
    if residents.has_pending_idou(record.atena_no):
        return _("住民票の内容を変更する手続き中のため、現在はコンビニ交付を利用できません。")
    return ""


def kiosk_household_refusal(household: residents.HouseholdRecord, *, holder: str, today: dt.date) -> str:
    """Why a 世帯全員 certificate cannot be printed at the kiosk ("" if it can)."""
    if household.moving_out_planned:
        return _(
            "世帯に転出の届出をした方がいるため、コンビニ交付は利用できません。窓口でお申し込みください。"
        )
    for member in household.members:
        if member.atena_no != holder and member.support_measure:
            return _("この証明書はコンビニ交付では発行できません。窓口でお申し込みください。")
        if name_outside_standard_set(member.name):
            return _(
                "世帯の方のお名前に標準外の文字が含まれるため、コンビニ交付では発行できません。窓口でお申し込みください。"
            )
    return ""

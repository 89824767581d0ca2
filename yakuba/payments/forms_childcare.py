"""Forms of the day-care fee pages. They check what can be checked without the register or the bank
code tables; ``debit`` services decide the rest and their ``DebitError`` is put on the named field.
Digits typed in full width are accepted."""

import datetime as dt
import unicodedata
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from yakuba.payments import zengin
from yakuba.payments.debit import MAX_RESULT_FILE_BYTES
from yakuba.payments.models import BankAccount, Facility


def _nfkc(value: Any) -> Any:
    return unicodedata.normalize("NFKC", value).strip() if isinstance(value, str) else value


class DigitsField(forms.CharField):
    """A code typed by the clerk: full-width digits become half-width, spaces at the ends go."""

    def to_python(self, value: Any) -> str:
        return str(super().to_python(_nfkc(value)))


class DateField(forms.DateField):
    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class NoEchoTextInput(forms.TextInput):
    """A text box that is empty again when the form comes back with an error: the account number
    typed is never written into a page."""

    def format_value(self, value: Any) -> None:
        return None


def _fiscal_year(day: dt.date) -> int:
    return day.year if day.month >= 4 else day.year - 1


MONTHS = [(m, format_lazy(_("{m}月"), m=m)) for m in (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)]


class FacilityForm(forms.Form):
    code = forms.CharField(label=_("施設番号"), max_length=10)
    name = forms.CharField(label=_("施設名"), max_length=100)


class AccountForm(forms.Form):
    """口座振替依頼書, as written on the paper form the payer and the bank signed."""

    payer_atena_no = DigitsField(label=_("口座名義人の宛名番号"), max_length=10)
    bank_code = DigitsField(
        label=_("金融機関コード（4桁）"),
        max_length=4,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    branch_code = DigitsField(
        label=_("支店コード（3桁）"),
        max_length=3,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    account_type = forms.ChoiceField(
        label=_("預金種目"), choices=list(zengin.ACCOUNT_TYPES.items()), initial="1"
    )
    account_number = forms.CharField(
        label=_("口座番号"),
        max_length=20,
        help_text=_("1〜7桁の数字。7桁に満たないときは頭に0を補って7桁にします（12345 → 0012345）。"),
        widget=NoEchoTextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    holder_kana = forms.CharField(
        label=_("預金者名（カナ）"),
        max_length=60,
        help_text=_(
            "依頼書に書かれた口座名義のカナ。半角に変換して30文字まで（濁点・半濁点も1文字）。漢字は使えません。"
        ),
    )
    mandate_on = DateField(label=_("依頼書の受付日"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("mandate_on", timezone.localdate())
        super().__init__(*args, **kwargs)


class EnrolForm(forms.Form):
    child_atena_no = DigitsField(label=_("児童の宛名番号"), max_length=10)
    parent1 = DigitsField(label=_("保護者1の宛名番号"), max_length=10)
    parent2 = DigitsField(
        label=_("保護者2の宛名番号"),
        max_length=10,
        required=False,
        help_text=_("保護者が2人のときに入れます。保育料は保護者の市町村民税所得割額の合計で決まります。"),
    )
    facility = forms.ModelChoiceField(
        label=_("施設"),
        queryset=Facility.objects.all(),
        to_field_name="code",
        empty_label=_("選んでください"),
    )
    standard_hours = forms.TypedChoiceField(
        label=_("保育必要量"),
        choices=[("1", _("保育標準時間（11時間まで）")), ("0", _("保育短時間（8時間まで）"))],
        coerce=lambda v: v == "1",
        initial="1",
        widget=forms.RadioSelect,
    )
    starts_on = DateField(label=_("入所日"))
    account = forms.ModelChoiceField(
        label=_("振替口座の顧客番号"),
        queryset=BankAccount.objects.exclude(state=BankAccount.State.ENDED),
        to_field_name="customer_number",
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        help_text=_("口座を先に登録して、その顧客番号（20桁）を入れます。空欄なら納付書で納付します。"),
        error_messages={"invalid_choice": _("この顧客番号の口座は見つからないか、廃止されています。")},
    )

    def parents(self) -> list[str]:
        return [p for p in (self.cleaned_data["parent1"], self.cleaned_data.get("parent2") or "") if p]


class EnrolmentEndForm(forms.Form):
    ends_on = DateField(label=_("退所日（在籍する最後の日）"))


class EnrolmentAccountForm(forms.Form):
    account = forms.ModelChoiceField(
        label=_("振替口座の顧客番号"),
        queryset=BankAccount.objects.exclude(state=BankAccount.State.ENDED),
        to_field_name="customer_number",
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        help_text=_("空欄にすると口座振替をやめ、納付書で納付します。"),
        error_messages={"invalid_choice": _("この顧客番号の口座は見つからないか、廃止されています。")},
    )


class RunForm(forms.Form):
    fiscal_year = forms.IntegerField(label=_("年度（西暦）"), min_value=2000, max_value=2100)
    month = forms.TypedChoiceField(label=_("月"), choices=MONTHS, coerce=int)
    debit_date = DateField(
        label=_("引落日"), help_text=_("その月か翌月の日付。金融機関の休業日なら翌営業日に引き落とされます。")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        today = timezone.localdate()
        initial = kwargs.setdefault("initial", {})
        initial.setdefault("fiscal_year", _fiscal_year(today))
        initial.setdefault("month", today.month)
        super().__init__(*args, **kwargs)


class ResultUploadForm(forms.Form):
    file = forms.FileField(
        label=_("振替結果のファイル"),
        help_text=_("金融機関から届いた全銀協形式（120バイト）の結果ファイル。20MBまで。"),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_RESULT_FILE_BYTES:
            raise forms.ValidationError(_("ファイルが大きすぎます（20MBまで）。"))
        return upload

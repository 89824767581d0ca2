import uuid
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from yakuba.certificates.models import CertificateType, Issuance, SealRegistration
from yakuba.residents.interface import ResidentRecord


class FindForm(forms.Form):
    q = forms.CharField(label=_("宛名番号・氏名・フリガナ"), max_length=100)


class WindowIssueForm(forms.Form):
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=100)
    type = forms.ChoiceField(
        label=_("証明書の種類"), choices=CertificateType.Code.choices, initial="juminhyo"
    )
    atena_nos = forms.MultipleChoiceField(
        label=_("記載する人"), widget=forms.CheckboxSelectMultiple, required=False
    )
    layout = forms.ChoiceField(
        label=_("様式"),
        choices=[("household", _("世帯連記式（1枚に4人まで）")), ("individual", _("個人票（1人1枚）"))],
        initial="household",
    )
    relationship = forms.BooleanField(label=_("世帯主・続柄を記載する"), required=False)
    honseki = forms.BooleanField(label=_("本籍・筆頭者を記載する"), required=False)
    juminhyo_code = forms.BooleanField(label=_("住民票コードを記載する"), required=False)
    mynumber = forms.BooleanField(label=_("個人番号を記載する（本人・同一世帯の請求のみ）"), required=False)
    requester = forms.ChoiceField(label=_("請求者"), choices=Issuance.Requester.choices, initial="self")
    requester_name = forms.CharField(label=_("代理人の氏名"), required=False, max_length=100)
    purpose = forms.CharField(label=_("使用目的・提出先"), required=False, max_length=200)
    exemption_reason = forms.CharField(
        label=_("手数料免除の理由"), required=False, max_length=100, help_text=_("免除する場合だけ入力します")
    )

    def __init__(self, *args: Any, members: list[ResidentRecord], subject: str, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("idempotency_key", uuid.uuid4().hex)
        kwargs["initial"].setdefault("atena_nos", [subject])
        super().__init__(*args, **kwargs)
        choices = [(m.atena_no, f"{m.name}（{m.relationship}）") for m in members]
        self.fields["atena_nos"].choices = choices  # type: ignore[attr-defined]


class SealForm(forms.Form):
    image = forms.FileField(label=_("印影の画像（PNG・JPEG）"))
    dpi = forms.IntegerField(label=_("読み取り解像度（dpi）"), initial=600, min_value=100, max_value=2400)
    identity = forms.ChoiceField(label=_("本人確認の方法"), choices=SealRegistration.Identity.choices)
    not_rubber = forms.BooleanField(
        label=_("ゴム印など変形しやすい印鑑ではないことを確認した"), required=False
    )
    name_only = forms.BooleanField(
        label=_("氏名（または氏・名）だけを表した印鑑であることを確認した"), required=False
    )


class KioskPinForm(forms.Form):
    pin = forms.CharField(
        label=_("暗証番号（数字4桁）"),
        min_length=4,
        max_length=4,
        widget=forms.PasswordInput(
            attrs={"inputmode": "numeric", "autocomplete": "off", "pattern": "[0-9]*"}
        ),
    )


class KioskOptionsForm(forms.Form):
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=100)
    scope = forms.ChoiceField(
        label=_("記載する人"),
        choices=[("self", _("本人のみ")), ("household", _("世帯全員"))],
        initial="self",
        widget=forms.RadioSelect,
    )
    relationship = forms.BooleanField(label=_("世帯主・続柄"), required=False)
    honseki = forms.BooleanField(label=_("本籍・筆頭者"), required=False)
    juminhyo_code = forms.BooleanField(label=_("住民票コード"), required=False)
    mynumber = forms.BooleanField(label=_("個人番号"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("idempotency_key", uuid.uuid4().hex)
        super().__init__(*args, **kwargs)


class VerifyForm(forms.Form):
    q = forms.CharField(label=_("確認コード"), max_length=300, required=False)
    pdf = forms.FileField(label=_("または証明書のPDFファイル"), required=False)

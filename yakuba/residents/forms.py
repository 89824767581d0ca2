"""Forms collect what the clerk types; the services validate it (one set of rules for pages, API and
commands) and their ``RecordError`` is attached to the field it names."""

import json
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yakuba.core.era import InvalidDate, PartialDate, parse_date, parse_partial_date
from yakuba.residents.models import Art30_45, Kind, Resident, Sex
from yakuba.residents.records import RecordError

DATE_HELP = _(
    "西暦（2024-04-01）または和暦（令和6年4月1日、R6.4.1）。一部不明のときは「令和5年頃」「年月日不詳」など。"
)


def _text(
    label: Any, *, required: bool = False, help_text: Any = "", max_length: int = 200, **attrs: str
) -> forms.CharField:
    field = forms.CharField(label=label, required=required, help_text=help_text, max_length=max_length)
    field.widget.attrs.update(attrs)
    return field


class ServiceErrorMixin:
    def add_service_error(self, error: RecordError) -> None:
        field = error.field if error.field in self.fields else None  # type: ignore[attr-defined]
        self.add_error(field, error.message)  # type: ignore[attr-defined]


class SearchForm(forms.Form):
    name = _text(
        _("氏名・フリガナ"),
        help_text=_("ひらがな・カタカナ（半角可）は読みの前方一致、漢字は氏名・通称の部分一致"),
        max_length=100,
    )
    birth_date = _text(_("生年月日"), help_text=_("例：昭和25年4月1日、1950-04-01、昭和25年"), max_length=30)
    address = _text(_("住所"), help_text=_("一部だけでも検索できます"), max_length=100)
    include_left = forms.BooleanField(label=_("転出・死亡した人も含める"), required=False)

    def clean_birth_date(self) -> str:
        value: str = self.cleaned_data["birth_date"]
        if value.strip():
            try:
                parse_partial_date(value)
            except InvalidDate as exc:
                raise forms.ValidationError(str(exc)) from exc
        return value


class EntryForm(ServiceErrorMixin, forms.Form):
    """Fields every 異動 entry has."""

    versions = forms.CharField(widget=forms.HiddenInput, required=False)
    idou_date = _text(_("異動日"), required=True, help_text=DATE_HELP, max_length=30)
    notified_on = _text(_("届出日"), help_text=_("窓口で届出を受けた日（空欄は今日）"), max_length=30)

    def __init__(self, *args: Any, versions: dict[str, int] | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        today = timezone.localdate().isoformat()
        kwargs["initial"].setdefault("idou_date", today)
        kwargs["initial"].setdefault("notified_on", today)
        if versions is not None:
            kwargs["initial"]["versions"] = json.dumps(versions)
        super().__init__(*args, **kwargs)

    def clean_idou_date(self) -> PartialDate:
        try:
            return parse_partial_date(self.cleaned_data["idou_date"])
        except InvalidDate as exc:
            raise forms.ValidationError(str(exc)) from exc

    def clean_notified_on(self) -> Any:
        value = self.cleaned_data["notified_on"].strip()
        if not value:
            return timezone.localdate()
        try:
            return parse_date(value)
        except InvalidDate as exc:
            raise forms.ValidationError(str(exc)) from exc

    def clean_versions(self) -> dict[str, int]:
        try:
            data = json.loads(self.cleaned_data["versions"] or "{}")
        except ValueError:
            return {}
        return {str(k): int(v) for k, v in data.items()} if isinstance(data, dict) else {}


class PersonForm(ServiceErrorMixin, forms.Form):
    name = _text(_("氏名"), required=True, max_length=100, autocomplete="off")
    name_kana = _text(
        _("フリガナ"),
        required=True,
        help_text=_("カタカナまたはひらがな"),
        max_length=200,
        autocomplete="off",
    )
    kana_confirmed = forms.BooleanField(label=_("フリガナを本人に確認した"), required=False)
    former_surname = _text(_("旧氏"), max_length=50)
    birth_date = _text(_("生年月日"), required=True, help_text=DATE_HELP, max_length=30)
    sex = forms.ChoiceField(label=_("性別"), choices=[("", "---"), *Sex.choices])
    relationship = _text(
        _("続柄"),
        required=True,
        help_text=_("世帯主、妻、子、子の妻、父 など（祖父→父の父、孫→子の子）"),
        max_length=40,
    )
    kind = forms.ChoiceField(label=_("住民種別"), choices=Kind.choices, initial=Kind.JAPANESE)
    honseki = _text(_("本籍"), help_text=_("日本人住民のみ"))
    hittousha = _text(_("筆頭者"), max_length=100)
    juminhyo_code = _text(
        _("住民票コード"), help_text=_("11桁"), max_length=20, inputmode="numeric", autocomplete="off"
    )
    mynumber = _text(
        _("個人番号"),
        help_text=_("12桁。画面・ログには残りません。"),
        max_length=20,
        inputmode="numeric",
        autocomplete="off",
    )
    nationality = _text(_("国籍・地域"), help_text=_("外国人住民のみ"), max_length=50)
    alphabet_name = _text(_("氏名（アルファベット）"), max_length=150)
    tsusho = _text(_("通称"), max_length=100)
    residence_status = _text(_("在留資格"), max_length=50)
    residence_period = _text(_("在留期間"), max_length=30)
    residence_expires_on = _text(_("在留期間の満了日"), max_length=30)
    residence_card_no = _text(_("在留カード等の番号"), max_length=12)
    art30_45 = forms.ChoiceField(
        label=_("30条の45区分"), choices=[("", "---"), *Art30_45.choices], required=False
    )
    support_measure = forms.BooleanField(label=_("DV等支援措置の対象"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["mynumber"].widget = forms.PasswordInput(
            render_value=False, attrs={"inputmode": "numeric", "autocomplete": "off"}
        )

    def person_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        if not data.get("mynumber"):
            data.pop("mynumber", None)
        return data


class MoveInForm(EntryForm):
    previous_address = _text(_("転入前住所"), required=True)
    setai_no = _text(
        _("既存の世帯に入る場合の世帯番号"), help_text=_("新しい世帯を作る場合は空欄"), max_length=10
    )
    postal_code = _text(_("郵便番号"), max_length=8, autocomplete="postal-code")
    address = _text(_("住所"), help_text=_("新しい世帯の住所"))
    katagaki = _text(_("方書"), help_text=_("アパート名・部屋番号など"), max_length=100)


class AddressChangeForm(EntryForm):
    postal_code = _text(_("郵便番号"), max_length=8, autocomplete="postal-code")
    address = _text(_("新しい住所"), required=True)
    katagaki = _text(_("方書"), max_length=100)


class MoveOutForm(EntryForm):
    destination = _text(_("転出先の住所"), required=True)
    atena_nos = forms.MultipleChoiceField(label=_("転出する人"), widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, members: list[Resident], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["idou_date"].label = _("転出予定日")
        choices = [(r.atena_no, f"{r.name}（{r.relationship}）") for r in members]
        self.fields["atena_nos"].choices = choices  # type: ignore[attr-defined]


class DeathForm(EntryForm):
    pass


class RelationshipsForm(EntryForm):
    """A 続柄 box per member: 世帯分離, 世帯合併, 世帯主変更."""

    def __init__(
        self, *args: Any, members: list[Resident], optional: bool, initial_current: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.members = members
        for r in members:
            self.fields[f"rel_{r.atena_no}"] = _text(
                _("%(name)s（現在：%(relationship)s）") % {"name": r.name, "relationship": r.relationship},
                required=not optional,
                max_length=40,
            )
            if initial_current:
                self.initial.setdefault(f"rel_{r.atena_no}", r.relationship)

    def relationships(self) -> dict[str, str]:
        return {
            r.atena_no: self.cleaned_data[f"rel_{r.atena_no}"]
            for r in self.members
            if self.cleaned_data.get(f"rel_{r.atena_no}", "").strip()
        }


class SplitForm(RelationshipsForm):
    katagaki = _text(_("新しい世帯の方書"), max_length=100)


class MergeForm(RelationshipsForm):
    into_setai_no = _text(_("合併先の世帯番号"), required=True, max_length=10)


class CorrectionForm(EntryForm):
    reason = _text(_("修正の理由"), required=True, help_text=_("例：届出書の記載誤り、戸籍との照合による"))

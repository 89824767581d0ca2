"""Forms of the officers' pages (households, 班, import, invitations, members, the paper route) and
of the city's association register. Numbers typed in full width are accepted."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from yakuba.core.forms import FullWidthFloatField, FullWidthIntegerField
from yakuba.kairan import households
from yakuba.kairan.households import HouseholdData
from yakuba.kairan.models import Association, Han, Household

PAPER_CHOICES = [("1", _("紙")), ("0", _("デジタル"))]


class HouseholdForm(forms.Form):
    name = forms.CharField(label=_("世帯名"), max_length=100, help_text=_("例：山田"))
    name_kana = forms.CharField(label=_("ふりがな"), max_length=200, required=False)
    address = forms.CharField(label=_("住所"), max_length=200, required=False)
    han = forms.ModelChoiceField(
        label=_("班"), queryset=Han.objects.none(), required=False, empty_label=_("（班なし）")
    )
    paper = forms.TypedChoiceField(
        label=_("回覧"),
        choices=PAPER_CHOICES,
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
        initial="1",
        help_text=_("紙の回覧板をまわす世帯は「紙」です。"),
    )
    mobility = forms.ChoiceField(
        label=_("手助け"),
        choices=Household.Mobility.choices,
        widget=forms.RadioSelect,
        initial=Household.Mobility.NORMAL,
        help_text=_(
            "回覧板を次の家に渡すとき、歩く距離を短くしたい世帯は「高齢」か「手助けが必要」にします。"
        ),
    )
    x_m = FullWidthFloatField(
        label=_("位置x（東へ、メートル）"), required=False, min_value=-1e8, max_value=1e8
    )
    y_m = FullWidthFloatField(
        label=_("位置y（北へ、メートル）"), required=False, min_value=-1e8, max_value=1e8
    )
    lon = FullWidthFloatField(
        label=_("経度"),
        required=False,
        min_value=-180,
        max_value=180,
        help_text=_("地図アプリの経度・緯度を入れると、位置x・位置yに換算します（例：135.1633）。"),
    )
    lat = FullWidthFloatField(
        label=_("緯度"), required=False, min_value=-80, max_value=84, help_text=_("例：34.2136")
    )
    paper_order = FullWidthIntegerField(
        label=_("いまの回覧順"), required=False, min_value=1, max_value=households.MAX_PAPER_ORDER
    )

    def __init__(
        self, *args: Any, association: Association, household: Household | None = None, **kwargs: Any
    ):
        if household is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": household.name,
                    "name_kana": household.name_kana,
                    "address": household.address,
                    "han": household.han_id,
                    "paper": "1" if household.paper else "0",
                    "mobility": household.mobility,
                    "x_m": household.x_m,
                    "y_m": household.y_m,
                    "paper_order": household.paper_order,
                },
            )
        super().__init__(*args, **kwargs)
        self.fields["han"].queryset = Han.objects.filter(association=association)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for first, second in (("x_m", "y_m"), ("lon", "lat")):
            a, b = data.get(first), data.get(second)
            if (a is None) != (b is None) and not self.has_error(first) and not self.has_error(second):
                missing = first if a is None else second
                self.add_error(missing, _("位置は2つそろえて入れてください。"))
        if data.get("lon") is not None and data.get("lat") is not None:
            if data.get("x_m") is not None or data.get("y_m") is not None:
                self.add_error(
                    "lon", _("位置は「位置x・位置y」か「経度・緯度」のどちらか一方にしてください。")
                )
            else:
                data["x_m"], data["y_m"] = households.lonlat_to_metres(data["lon"], data["lat"])
        return data

    def household_data(self) -> HouseholdData:
        data = self.cleaned_data
        return HouseholdData(
            name=data["name"],
            name_kana=data.get("name_kana") or "",
            address=data.get("address") or "",
            han=data.get("han"),
            paper=bool(data.get("paper")),
            mobility=data.get("mobility") or Household.Mobility.NORMAL,
            x_m=data.get("x_m"),
            y_m=data.get("y_m"),
            paper_order=data.get("paper_order"),
        )


class HanForm(forms.Form):
    name = forms.CharField(label=_("班の名前"), max_length=50, help_text=_("例：1班、東班"))


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSVファイル"),
        help_text=_("UTF-8 か Shift_JIS（Excel の「CSV」）。5MB・5,000行まで。"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > households.MAX_IMPORT_BYTES:
            raise forms.ValidationError(_("ファイルが大きすぎます（5MBまで）。"))
        return upload


class InvitationForm(forms.Form):
    WHICH = [
        ("without", _("まだ会員がいない世帯")),
        ("han", _("選んだ班の世帯")),
        ("all", _("すべての世帯")),
    ]
    LAYOUTS = [("a4", _("A4に1世帯（大きな文字）")), ("a5", _("A4に2世帯（A5に切り分け）"))]

    which = forms.ChoiceField(
        label=_("招待状を作る世帯"), choices=WHICH, widget=forms.RadioSelect, initial="without"
    )
    han = forms.ModelChoiceField(
        label=_("班"),
        queryset=Han.objects.none(),
        required=False,
        help_text=_("「選んだ班の世帯」のときに選びます。"),
    )
    layout = forms.ChoiceField(label=_("用紙"), choices=LAYOUTS, widget=forms.RadioSelect, initial="a4")

    def __init__(self, *args: Any, association: Association, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["han"].queryset = Han.objects.filter(association=association)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("which") == "han" and not data.get("han"):
            self.add_error("han", _("班を選んでください。"))
        return data


class LayoutForm(forms.Form):
    layout = forms.ChoiceField(label=_("用紙"), choices=InvitationForm.LAYOUTS, initial="a4", required=False)


class RoleForm(forms.Form):
    role = forms.ChoiceField(
        label=_("役割"), choices=[(r.value, r.label) for r in households.ASSIGNABLE_ROLES]
    )


class RouteAdoptForm(forms.Form):
    order = forms.CharField(widget=forms.HiddenInput, max_length=20_000)

    def clean_order(self) -> list[int]:
        try:
            return [int(part) for part in self.cleaned_data["order"].split(",") if part]
        except ValueError:
            raise forms.ValidationError(_("回覧順が読めません。")) from None


class RouteClosedForm(forms.Form):
    closed = forms.TypedChoiceField(
        label=_("最後の世帯から"),
        choices=[("1", _("班長に戻す")), ("0", _("戻さない（最後の世帯で止める）"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )


class AssociationForm(forms.Form):
    name = forms.CharField(label=_("自治会の名称"), max_length=100, help_text=_("例：葵町自治会"))
    chair_household = forms.CharField(
        label=_("会長の世帯名"), max_length=100, help_text=_("会長の招待状の宛名になります。例：山田")
    )
    chair_address = forms.CharField(label=_("会長の住所"), max_length=200, required=False)

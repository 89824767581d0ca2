"""Forms of the register and the daily close. Numbers typed in full width are accepted."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from yakuba.core.forms import FullWidthIntegerField
from yakuba.payments.adapters import DENOMINATIONS
from yakuba.payments.models import Drawer, Exemption, FeeItem, Payment


class YenField(FullWidthIntegerField):
    """An amount or a count: a text box with a numeric keyboard, so that full-width digits typed
    with a Japanese input method are accepted (a number box would refuse them)."""


class RegisterForm(forms.Form):
    """Items by quantity from the fee table, and the uncollected charges to include."""

    drawer = forms.ModelChoiceField(
        label=_("レジ"), queryset=Drawer.objects.all(), to_field_name="code", empty_label=None
    )

    def __init__(self, *args: Any, charges: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.items = list(FeeItem.objects.filter(active=True))
        exemptions = [("", _("なし"))] + [(e.code, e.name) for e in Exemption.objects.filter(active=True)]
        for item in self.items:
            self.fields[f"qty_{item.code}"] = YenField(
                label=item.name, min_value=0, max_value=99, required=False, initial=0
            )
            self.fields[f"ex_{item.code}"] = forms.ChoiceField(
                label=_("%(name)sの免除") % {"name": item.name}, choices=exemptions, required=False
            )
        self.charges = charges
        self.fields["charges"] = forms.MultipleChoiceField(
            label=_("未収の手数料"),
            choices=[(str(c.pk), f"{c.description} {c.ref} {c.amount:,}円") for c in charges],
            required=False,
            widget=forms.CheckboxSelectMultiple,
        )

    def item_rows(self) -> list[tuple[FeeItem, Any, Any]]:
        return [(item, self[f"qty_{item.code}"], self[f"ex_{item.code}"]) for item in self.items]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        lines = [
            (item.code, data.get(f"qty_{item.code}") or 0, data.get(f"ex_{item.code}") or "")
            for item in self.items
        ]
        data["lines"] = [line for line in lines if line[1]]
        data["charge_ids"] = [int(pk) for pk in data.get("charges") or []]
        if not data["lines"] and not data["charge_ids"]:
            raise forms.ValidationError(_("会計する項目を選んでください。"))
        return data


class PayForm(forms.Form):
    method = forms.ChoiceField(label=_("支払方法"), choices=Payment.Method.choices)
    tendered = YenField(label=_("お預かり（円）"), min_value=0, max_value=1_000_000, required=False)
    key = forms.CharField(widget=forms.HiddenInput, min_length=8, max_length=100)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("method") == Payment.Method.CASH and data.get("tendered") in (None, ""):
            self.add_error("tendered", _("お預かりした金額を入力してください。"))
        return data


class VoidForm(forms.Form):
    reason = forms.CharField(label=_("取消しの理由"), max_length=200)


class CloseForm(forms.Form):
    """The cash counted in the drawer, by denomination (金種表)."""

    reason = forms.CharField(label=_("過不足の理由"), max_length=300, required=False, widget=forms.Textarea)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for d in DENOMINATIONS:
            self.fields[f"n{d}"] = YenField(
                label=_("%(d)s円") % {"d": f"{d:,}"},
                min_value=0,
                max_value=100_000,
                required=False,
                initial=0,
            )

    def pieces(self) -> dict[int, int]:
        return {d: self.cleaned_data.get(f"n{d}") or 0 for d in DENOMINATIONS}

    def denomination_fields(self) -> list[Any]:
        return [self[f"n{d}"] for d in DENOMINATIONS]


class PriceForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.items = list(FeeItem.objects.all())
        for item in self.items:
            self.fields[f"w_{item.code}"] = YenField(
                label=_("%(name)s（窓口）") % {"name": item.name},
                min_value=0,
                max_value=100_000,
                initial=item.window_price,
            )
            self.fields[f"k_{item.code}"] = YenField(
                label=_("%(name)s（コンビニ交付）") % {"name": item.name},
                min_value=0,
                max_value=100_000,
                required=False,
                initial=item.kiosk_price,
            )

    def item_rows(self) -> list[tuple[FeeItem, Any, Any]]:
        return [(item, self[f"w_{item.code}"], self[f"k_{item.code}"]) for item in self.items]

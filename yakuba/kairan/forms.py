"""Forms of joining (large type, forgiving input)."""

from django import forms
from django.utils.translation import gettext_lazy as _


class JoinCodeForm(forms.Form):
    code = forms.CharField(
        label=_("招待コード（8文字）"),
        max_length=20,
        help_text=_("案内の紙に書かれた8文字です。小文字やハイフンはあってもなくてもかまいません。"),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )


class JoinNameForm(forms.Form):
    name = forms.CharField(
        label=_("お名前"),
        max_length=100,
        help_text=_("役員の方に分かるお名前を入れてください（例：山田 花子）。"),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )

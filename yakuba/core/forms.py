"""Number fields that read numbers the way people type them in Japan.

A Japanese input method types full-width digits, commas, periods and minus signs (``１２０，０００``,
``－３``, ``−３``). The fields are text boxes with ``inputmode`` (``type="number"`` would refuse
full-width digits) and normalise the text before parsing: NFKC and spaces as
:func:`yakuba.core.kana.normalise_text`, the minus sign U+2212 as ``-``, thousands separators dropped.
"""

from typing import Any, ClassVar

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from yakuba.core.kana import normalise_text


def normalise_number(value: Any, *, drop_spaces: bool = False) -> Any:
    """``"１２０，０００"`` → ``"120000"``, ``"−３"`` → ``"-3"``. With ``drop_spaces``, spaces inside go
    too (``"１２０ ０００"`` → ``"120000"``); without, such text stays invalid. Other values pass
    through unchanged."""
    if not isinstance(value, str):
        return value
    # NFKC keeps U+2212 (the minus sign of Japanese IMEs); make it a hyphen so "−1" reads as negative.
    text = normalise_text(value).replace("\u2212", "-").replace(",", "").strip()
    return text.replace(" ", "") if drop_spaces else text


def number_error_messages(label: Any, *, decimal_places: int | None = None) -> dict[str, Any]:
    """Error messages that name the field (「{label}を入れてください。」…), for forms that show the
    errors apart from the fields."""
    messages: dict[str, Any] = {
        "required": format_lazy(_("{label}を入れてください。"), label=label),
        "invalid": format_lazy(_("{label}は半角または全角の数字で入れてください。"), label=label),
        "min_value": format_lazy(_("{label}は%(limit_value)s以上にしてください。"), label=label),
        "max_value": format_lazy(_("{label}は%(limit_value)s以下にしてください。"), label=label),
    }
    if decimal_places is not None:
        messages["max_decimal_places"] = format_lazy(
            _("{label}は小数点以下%(max)s桁までにしてください。"), label=label
        )
    return messages


class _FullWidthNumber(forms.Field):
    """What the number fields share. Options besides those of the Django field:

    ``size``: the ``size`` of the text box. ``named_errors``: the messages of
    :func:`number_error_messages` (needs ``label``). ``drop_spaces``: see :func:`normalise_number`."""

    inputmode: ClassVar[str]

    def __init__(
        self, *, size: int | None = None, named_errors: bool = False, drop_spaces: bool = False, **kwargs: Any
    ) -> None:
        self.drop_spaces = drop_spaces
        attrs: dict[str, Any] = {"inputmode": self.inputmode, "autocomplete": "off"}
        if size is not None:
            attrs["size"] = size
        kwargs.setdefault("widget", forms.TextInput(attrs=attrs))
        if named_errors:
            kwargs["error_messages"] = number_error_messages(
                kwargs["label"], decimal_places=kwargs.get("decimal_places")
            )
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Any:
        return super().to_python(normalise_number(value, drop_spaces=self.drop_spaces))


class FullWidthIntegerField(_FullWidthNumber, forms.IntegerField):
    """A whole number (an ``int``) typed in a text box with a numeric keyboard."""

    inputmode = "numeric"


class FullWidthDecimalField(_FullWidthNumber, forms.DecimalField):
    """A number with a decimal part (a ``Decimal``) typed in a text box with a decimal keyboard."""

    inputmode = "decimal"


class FullWidthFloatField(_FullWidthNumber, forms.FloatField):
    """A number with a decimal part (a ``float``) typed in a text box with a decimal keyboard."""

    inputmode = "decimal"

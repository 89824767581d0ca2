"""The shared number fields (full-width input) and the plain-text check of client input."""

from decimal import Decimal

import pytest
from django import forms

from yakuba.core.forms import (
    FullWidthDecimalField,
    FullWidthFloatField,
    FullWidthIntegerField,
    normalise_number,
)
from yakuba.core.text import is_plain_text


@pytest.mark.parametrize(
    ("text", "plain", "without_spaces"),
    [
        ("１２０，０００", "120000", "120000"),
        ("−３", "-3", "-3"),  # U+2212, the minus sign of Japanese input methods
        ("－３", "-3", "-3"),  # U+FF0D, the full-width hyphen-minus
        ("　１２．５　", "12.5", "12.5"),
        ("1, 000", "1 000", "1000"),
        ("１２０　０００", "120 000", "120000"),
        (", 5", "5", "5"),
        ("", "", ""),
    ],
)
def test_numbers_are_normalised(text, plain, without_spaces):
    assert normalise_number(text) == plain
    assert normalise_number(text, drop_spaces=True) == without_spaces


@pytest.mark.parametrize("value", [None, 7, Decimal("1.5")])
def test_other_values_pass_through(value):
    assert normalise_number(value) is value


def test_integer_field_reads_full_width_and_keeps_django_messages():
    field = FullWidthIntegerField(label="数", min_value=0, max_value=99, required=False)
    assert field.clean("９９") == 99
    assert field.clean("　") is None
    with pytest.raises(forms.ValidationError) as error:
        field.clean("1 0")
    assert error.value.messages == ["整数を入力してください。"]
    with pytest.raises(forms.ValidationError) as error:
        field.clean("１００")
    assert error.value.messages == ["この値は 99 以下でなければなりません。"]
    assert field.widget.attrs == {"inputmode": "numeric", "autocomplete": "off"}


def test_named_errors_and_size():
    field = FullWidthDecimalField(
        label="割合",
        min_value=Decimal(0),
        max_value=Decimal(100),
        decimal_places=1,
        size=8,
        named_errors=True,
    )
    assert field.widget.attrs == {"inputmode": "decimal", "autocomplete": "off", "size": 8}
    assert field.clean("２．５") == Decimal("2.5")
    cases = {"": "割合を入れてください。", "x": "割合は半角または全角の数字で入れてください。"}
    cases |= {"-1": "割合は0以上にしてください。", "101": "割合は100以下にしてください。"}
    cases |= {"1.25": "割合は小数点以下1桁までにしてください。"}
    for text, message in cases.items():
        with pytest.raises(forms.ValidationError) as error:
            field.clean(text)
        assert error.value.messages == [message]


def test_drop_spaces_is_an_option():
    assert FullWidthIntegerField(drop_spaces=True).clean("１２０　０００") == 120000
    with pytest.raises(forms.ValidationError):
        FullWidthIntegerField().clean("１２０　０００")


def test_float_field_gives_a_float():
    value = FullWidthFloatField(min_value=-1e8, max_value=1e8).clean("−１２．５")
    assert value == -12.5 and isinstance(value, float)


@pytest.mark.parametrize(
    ("value", "printable", "loose"),
    [
        ("R01", True, True),
        ("key-0001 ok", True, True),
        ("", True, True),
        ("R0\x001", False, False),
        ("a\tb", False, False),
        ("a\ud800", False, False),
        ("a\x7f", False, True),
        ("山田\u3000太郎", False, True),
        ("a\u200bb", False, True),
        (None, False, False),
        (12, False, False),
    ],
)
def test_plain_text(value, printable, loose):
    assert is_plain_text(value) is printable
    assert is_plain_text(value, printable=False) is loose


def test_plain_text_with_line_breaks_for_text_areas():
    from yakuba.core.text import is_plain_text

    assert is_plain_text("一行目\r\n二行目\tタブ", printable=False, line_breaks=True)
    assert not is_plain_text("一行目\r\n二行目", printable=False)
    assert not is_plain_text("NUL\x00", printable=False, line_breaks=True)

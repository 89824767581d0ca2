import pytest

from yakuba.core.checkdigit import (
    juminhyo_code_is_valid,
    lgcode_is_valid,
    mynumber_check_digit,
    mynumber_is_valid,
    number_is_valid,
    serial_check_digit,
    serial_is_issuable,
    with_check_digit,
)


def test_mod11_weights_2_to_7_from_the_right():
    # 000000001: 1*2 = 2, remainder 2, check 9
    assert serial_check_digit("000000001") == 9
    # 000000006: 6*2 = 12, remainder 1 -> not issuable
    assert not serial_is_issuable("000000006")
    # 000000011: 1*2 + 1*3 = 5 -> 6
    assert with_check_digit(11, 9) == "0000000116"
    # remainder 0 gives 0: 000000000 -> 0
    assert serial_check_digit("000000000") == 0


def test_every_single_digit_error_is_caught():
    number = with_check_digit(123456, 9)
    assert number_is_valid(number, 10)
    for position in range(10):
        for digit in "0123456789":
            if digit == number[position]:
                continue
            changed = number[:position] + digit + number[position + 1 :]
            assert not number_is_valid(changed, 10), changed


def test_invalid_shapes_are_rejected():
    assert not number_is_valid("12345", 10)
    assert not number_is_valid("１２３４５６７８９０", 10)
    assert not number_is_valid("000000006x", 10)


@pytest.mark.parametrize("number", ["123456789018", "000000000019"])
def test_mynumber_check_digit(number):
    assert mynumber_check_digit(number[:11]) == int(number[11])
    assert mynumber_is_valid(number)


def test_mynumber_rejects_wrong_check_digit_and_length():
    assert not mynumber_is_valid("123456789010")
    assert not mynumber_is_valid("12345678901")


def test_juminhyo_code_and_lgcode():
    assert lgcode_is_valid("032093")  # 一関市
    assert lgcode_is_valid("131016")  # 千代田区
    assert not lgcode_is_valid("032094")
    body = "1234567890"
    from yakuba.core.checkdigit import juminhyo_code_check_digit

    assert juminhyo_code_is_valid(body + str(juminhyo_code_check_digit(body)))

"""Check digits used by the register.

- 宛名番号 and 世帯番号: modulus 11, weights 2-7 repeated from the rightmost digit. Remainder 0 gives
  check digit 0. Remainder 1 would need a check digit of 10: Yakuba never issues such serials (the
  numbering skips them), so every issued number has a one-digit check digit that catches every
  single-digit error and every swap of neighbouring digits. See docs/residents.md.
- 個人番号: 12 digits, the check digit of the 行政手続における特定の個人を識別するための番号の利用等に関する
  法律施行令 (weights 2-7 then 2-6 from the right; remainder 0 or 1 gives 0).
- 住民票コード: 11 digits, modulus 11 with weights 2-7 (remainder 0 or 1 gives 0).
- 地方公共団体コード: 6 digits, modulus 11 with weights 6-2 (JIS X 0402; a check digit of 10 is written 0).
"""

from collections.abc import Iterator


def _weights_2_to_7() -> Iterator[int]:
    while True:
        yield from range(2, 8)


def mod11_remainder(digits: str) -> int:
    return sum(int(d) * w for d, w in zip(reversed(digits), _weights_2_to_7(), strict=False)) % 11


def serial_is_issuable(serial: str) -> bool:
    """A serial gets no number when its check digit would be 10 (remainder 1)."""
    return mod11_remainder(serial) != 1


def serial_check_digit(serial: str) -> int:
    remainder = mod11_remainder(serial)
    if remainder == 1:
        raise ValueError("serial is not issuable (remainder 1)")
    return 0 if remainder == 0 else 11 - remainder


def with_check_digit(serial: int, width: int) -> str:
    body = str(serial).zfill(width)
    return f"{body}{serial_check_digit(body)}"


def number_is_valid(number: str, length: int) -> bool:
    if len(number) != length or not number.isascii() or not number.isdigit():
        return False
    body, check = number[:-1], int(number[-1])
    return serial_is_issuable(body) and serial_check_digit(body) == check


def mynumber_check_digit(body: str) -> int:
    """Check digit of the 12-digit 個人番号, from its first 11 digits."""
    total = 0
    for n, digit in enumerate(reversed(body), start=1):
        weight = n + 1 if n <= 6 else n - 5
        total += int(digit) * weight
    remainder = total % 11
    return 0 if remainder <= 1 else 11 - remainder


def mynumber_is_valid(number: str) -> bool:
    if len(number) != 12 or not number.isascii() or not number.isdigit():
        return False
    return mynumber_check_digit(number[:11]) == int(number[11])


def juminhyo_code_check_digit(body: str) -> int:
    remainder = mod11_remainder(body)
    return 0 if remainder <= 1 else 11 - remainder


def juminhyo_code_is_valid(code: str) -> bool:
    if len(code) != 11 or not code.isascii() or not code.isdigit():
        return False
    return juminhyo_code_check_digit(code[:10]) == int(code[10])


def lgcode_check_digit(body: str) -> int:
    """Check digit of the 5-digit 全国地方公共団体コード (JIS X 0402)."""
    total = sum(int(d) * w for d, w in zip(body, (6, 5, 4, 3, 2), strict=True))
    remainder = total % 11
    return (11 - remainder) % 10 if remainder else 0


def lgcode_is_valid(code: str) -> bool:
    if len(code) != 6 or not code.isascii() or not code.isdigit():
        return False
    return lgcode_check_digit(code[:5]) == int(code[5])

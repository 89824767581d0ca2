"""Issuing 宛名番号 and 世帯番号: 9-digit serials with a modulus-11 check digit (see core.checkdigit)."""

from yakuba.core.checkdigit import serial_is_issuable, with_check_digit
from yakuba.core.sequences import sequence_next

SERIAL_WIDTH = 9
ATENA_SERIES = "atena_no"
SETAI_SERIES = "setai_no"
CHANGE_SERIES = "resident_change"


def _issue(series: str) -> str:
    while True:
        serial = sequence_next(name=series)
        if serial_is_issuable(str(serial).zfill(SERIAL_WIDTH)):
            return with_check_digit(serial, SERIAL_WIDTH)


def atena_no_issue() -> str:
    return _issue(ATENA_SERIES)


def setai_no_issue() -> str:
    return _issue(SETAI_SERIES)

"""Fixtures of the tax module's tests: valid 宛名番号, CSV builders, and a 税務担当 clerk (the shared
personas have no tax clerk; this one is made the same way, with a confirmed second factor)."""

import pytest
from django.contrib.auth.models import Group
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.personas import PASSWORD, totp_key
from yakuba.core.checkdigit import serial_is_issuable, with_check_digit
from yakuba.core.models import StaffUser

HEADER = "課税年度,宛名番号,市町村民税所得割額,市町村民税均等割額,非課税区分"
# Valid 宛名番号 (9-digit serial + modulus-11 check digit), as the register issues them.
ATENA = [with_check_digit(s, 9) for s in range(1001, 1200) if serial_is_issuable(str(s).zfill(9))][:40]
YEAR = 2025  # 令和7年度


def csv_bytes(*lines: str, encoding: str = "utf-8", header: str = HEADER) -> bytes:
    return "\r\n".join([header, *lines]).encode(encoding) + b"\r\n"


@pytest.fixture
def tax_clerk(db):
    """Zeimu Sachiko (税務担当): imports the tax system's file; no resident role."""
    user = StaffUser.objects.create_user(username="zeimu", password=PASSWORD, display_name="税務 幸子")
    user.groups.set(Group.objects.filter(name="税務担当"))
    TOTPDevice.objects.create(user=user, name="test", key=totp_key("zeimu"), confirmed=True)
    return user

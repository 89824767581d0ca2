"""Masking of personal data in what the assistant stores: every question, comment and log line goes
through :func:`mask` before it is saved or written. Residents are told not to type personal data, and
some will; what they typed must not sit in a log.

Masked: e-mail addresses, telephone numbers (with or without hyphens, full-width digits too), runs of
seven or more digits (個人番号 is 12, bank accounts 7, postal codes 7), the same digits split by spaces
or hyphens (「1234 5678 9012」), and postal codes written 〒123-4567.
"""

import re
import unicodedata

MASK = "＊＊＊"

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# 12 digits in groups (個人番号 written 4-4-4), phone numbers (0X-XXXX-XXXX, 0XX-XXX-XXXX, 0X0-XXXX-XXXX,
# with brackets), postal codes, and any remaining run of 7+ digits.
_GROUPED = re.compile(r"\d{4}[\s\-‐－ー]\d{4}[\s\-‐－ー]\d{4}")
_PHONE = re.compile(r"\(?0\d{1,4}\)?[\s\-‐－ー()]*\d{1,4}[\s\-‐－ー()]*\d{3,4}")
_POSTAL = re.compile(r"〒?\s*\d{3}[\-‐－ー]\d{4}")
_DIGITS = re.compile(r"\d{7,}")


def mask(text: str) -> str:
    """``text`` with personal data replaced by ＊＊＊ (the rest unchanged, after NFKC for digits)."""
    # Fold full-width digits and letters so ０９０-１２３４-５６７８ is caught like 090-1234-5678.
    folded = unicodedata.normalize("NFKC", text)
    for pattern in (_EMAIL, _GROUPED, _PHONE, _POSTAL, _DIGITS):
        folded = pattern.sub(MASK, folded)
    return folded

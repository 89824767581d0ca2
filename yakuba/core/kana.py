"""Kana and width normalisation for input and search.

Residents' フリガナ is stored in full-width katakana. Search keys fold width (NFKC), hiragana to
katakana, and drop spaces, so 「やまだ」, 「ﾔﾏﾀﾞ」 and 「ヤマダ　」 all find ヤマダ.
"""

import re
import unicodedata

import jaconv
from django.utils.translation import gettext as _

_SPACES = re.compile(r"[\s\u3000]+")
_KATAKANA_NAME = re.compile(r"^[\u30a1-\u30f6\u30fc\u30fb ]+$")


class InvalidKana(ValueError):
    pass


def normalise_text(text: str) -> str:
    """NFKC (half-width kana to full-width, full-width ASCII to ASCII), single spaces, trimmed."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", text or "")).strip()


def to_katakana(text: str) -> str:
    return jaconv.hira2kata(normalise_text(text))


def search_key(text: str) -> str:
    """The folded form used for search columns and search input."""
    return _SPACES.sub("", jaconv.hira2kata(unicodedata.normalize("NFKC", text or ""))).upper()


def clean_furigana(text: str) -> str:
    """Validate and normalise a フリガナ: accepts hiragana, half- or full-width katakana; returns
    full-width katakana with single spaces. Raises ``InvalidKana`` with a Japanese message."""
    value = to_katakana(text)
    if not value:
        raise InvalidKana(_("フリガナを入力してください。"))
    if not _KATAKANA_NAME.match(value):
        raise InvalidKana(_("フリガナはカタカナ（またはひらがな）で入力してください。"))
    return value

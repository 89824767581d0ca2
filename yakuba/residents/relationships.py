"""続柄 (relationship to the head of household) after the 住民記録システム標準仕様書.

A 続柄 is 世帯主, 縁故者, 同居人, or a chain of up to four base terms joined with 「の」 (子の妻, 妻の父,
子の子の子). Terms such as 祖父 or 孫 are not used in the register: they are written as chains
(父の父, 子の子). Household order follows the specification: 世帯主, 配偶者, 子 (by birth date), the
children's families, 父母, 兄弟姉妹, other relatives, 縁故者, 同居人.
"""

import unicodedata

from django.utils.translation import gettext as _

HEAD = "世帯主"
SPOUSES = ("夫", "妻", "夫（未届）", "妻（未届）")
BASE_TERMS = (*SPOUSES, "子", "父", "母", "兄", "姉", "弟", "妹")
STANDALONE = (HEAD, "縁故者", "同居人")
MAX_LINKS = 4
FORBIDDEN = {
    "祖父": "父の父 / 母の父",
    "祖母": "父の母 / 母の母",
    "孫": "子の子",
    "おじ": "父の兄 / 父の弟 / 母の兄 / 母の弟",
    "叔父": "父の弟 / 母の弟",
    "伯父": "父の兄 / 母の兄",
    "おば": "父の姉 / 父の妹 / 母の姉 / 母の妹",
    "叔母": "父の妹 / 母の妹",
    "伯母": "父の姉 / 母の姉",
    "甥": "兄の子 / 弟の子 / 姉の子 / 妹の子",
    "姪": "兄の子 / 弟の子 / 姉の子 / 妹の子",
    "準世帯主": "世帯主から見た続柄（妻、子、縁故者 など）",
    "長男": "子",
    "長女": "子",
    "次男": "子",
    "次女": "子",
    "嫁": "子の妻",
    "婿": "子の夫",
}


class InvalidRelationship(ValueError):
    pass


def _normalise(text: str) -> str:
    value = unicodedata.normalize("NFKC", text or "").strip().replace(" ", "")
    # NFKC turns full-width brackets into ASCII ones; the register writes them full-width.
    return value.replace("(", "（").replace(")", "）")


def clean_relationship(text: str) -> str:
    """Return the canonical 続柄 or raise ``InvalidRelationship`` with a Japanese message."""
    value = _normalise(text)
    if not value:
        raise InvalidRelationship(_("続柄を入力してください。"))
    if value in STANDALONE:
        return value
    if value in FORBIDDEN:
        raise InvalidRelationship(
            _("「%(value)s」は続柄に使えません。「%(instead)s」のように記載してください。")
            % {"value": value, "instead": FORBIDDEN[value]}
        )
    terms = value.split("の")
    if len(terms) > MAX_LINKS:
        raise InvalidRelationship(
            _("「の」でつなげる続柄は4つまでです。それより遠い親族は「縁故者」としてください。")
        )
    for term in terms:
        if term in FORBIDDEN:
            raise InvalidRelationship(
                _("「%(value)s」は続柄に使えません。「%(instead)s」のように記載してください。")
                % {"value": term, "instead": FORBIDDEN[term]}
            )
        if term not in BASE_TERMS:
            raise InvalidRelationship(
                _(
                    "「%(value)s」は続柄として登録できません（使える語：世帯主、夫、妻、子、父、母、兄、姉、弟、妹、縁故者、同居人）。"
                )
                % {"value": value}
            )
    for term in terms[1:]:
        if term in ("夫（未届）", "妻（未届）"):
            # 未届 describes the head's own partner only.
            raise InvalidRelationship(_("「（未届）」は世帯主の夫・妻にだけ使えます。"))
    return value


def order_group(relationship: str) -> int:
    """Sort group of a 続柄 in the household order of the standard."""
    if relationship == HEAD:
        return 0
    if relationship in SPOUSES:
        return 1
    if relationship == "子":
        return 2
    if relationship.startswith("子の"):
        return 3
    if relationship in ("父", "母"):
        return 4
    if relationship in ("兄", "姉", "弟", "妹"):
        return 5
    if relationship == "縁故者":
        return 7
    if relationship == "同居人":
        return 8
    return 6

"""Live facts: what other modules publish through the registry's public facts (fees, kiosk hours,
closures, the city's phone number), turned into documents the assistant can retrieve.

The index holds a fact's key and label only (with a few words residents use for that kind of fact);
the value is read from the registry at answer time, so an answer about a fee or an opening time is
never staler than the platform's own settings. This module reads the registry and nothing else: the
assistant never imports a module that holds personal data (ARCHITECTURE.md rule 4).
"""

from django.utils import translation

from yakuba.core import registry
from yakuba.core.registry import PublicFact

# Words residents use when they ask for a kind of fact, by the end of the fact's key.
ASKED_AS: dict[str, str] = {
    "window_fee": "いくら 料金 値段 手数料 費用 お金 窓口",
    "kiosk_fee": "いくら 料金 値段 手数料 費用 お金 コンビニ 交付 キオスク マルチコピー機",
    "kiosk_hours": "何時 何時から 何時まで 時間 利用時間 営業時間 使える コンビニ キオスク マルチコピー機 朝 夜",
    "window_hours": "何時 何時から 何時まで 受付時間 開庁時間 開いている 市役所 窓口 平日",
    "closed_days": "休み 休日 閉庁日 年末年始 お正月 開いていない 閉まっている 市役所 窓口",
    "phone": "電話番号 電話 連絡先 問い合わせ 代表",
    "address": "住所 場所 どこ 所在地 市役所 庁舎 行き方",
    "name": "市の名前 名称",
    "methods": "支払い 払い方 支払方法 キャッシュレス クレジットカード 電子マネー QRコード 現金 使える",
}


def facts(lang: str = "ja") -> dict[str, PublicFact]:
    """The registry's public facts by key, labels in ``lang`` ("en" or Japanese)."""
    with translation.override("en" if lang == "en" else "ja"):
        return {f.key: PublicFact(f.key, str(f.label), str(f.value)) for f in registry.public_facts()}


def asked_as(key: str) -> str:
    return ASKED_AS.get(key.rsplit(".", 1)[-1], "")

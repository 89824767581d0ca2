"""Text analysis: SudachiPy short units (mode A) reduced to normalised content words, and character
bigrams of the width-normalised text.

Sudachi's normalised form folds spelling variants (引き落とし/引落し, 子供/子ども, ゴミ/ごみ) onto one
word, so a resident's spelling meets the page's. Character bigrams catch what the dictionary splits
differently or does not know (dialect, new coinages, typos).
"""

import re
import threading
import unicodedata
from functools import lru_cache

from sudachipy import dictionary, tokenizer

CONTENT_POS = frozenset({"名詞", "動詞", "形容詞", "形状詞", "副詞"})
# The words with which residents wrap a question (知りたい, 教えて, どうすれば, 手続きをしたい), in
# Sudachi's normalised forms. They still count in ranking; they do not count when judging whether a
# document covers the question's topic.
GENERIC = frozenset(
    "知る 教える 分かる 為る 居る 成る 有る 出来る 来る 行く 思う 考える 言う 見る 貰える 貰う 呉れる 下さる 頂く "
    "欲しい 良い 悪い 無い 幾ら 値段 方法 場合 必要 自分 人 事 物 方 所 時 先 様 為 何 何処 如何 何故 初めて 今 "
    "手続き 窓口 利用 対応 情報 探す 調べる 受ける 取る 使う 聞く 尋ねる 相談 について 問題 大丈夫 最近".split()
)
# Query expansion: a few words residents ask with and the words city pages answer with (Sudachi
# normalised forms): mostly the kind of answer wanted (an amount, a time, a closure). Added to the query
# at half weight in the word channel; never used for coverage. A broad synonym list lowered Hit@1 on
# the shared FAQ set, so the list stays short.
EXPANSIONS: dict[str, tuple[str, ...]] = {
    key: tuple(value.split())
    for key, value in {
        "幾ら": "手数料 料金 円",
        "値段": "手数料 料金 円",
        "時": "時間 利用 受付",
        "休み": "休日 閉庁 休止",
        "必要": "持ち物 持参 持つ",
        "引っ越し": "転入 転出 転居",
        "引っ越す": "転入 転出 転居",
        "スマホ": "スマートフォン",
    }.items()
}
_SPACE = re.compile(r"\s+")
# Sudachi refuses inputs over 49,149 bytes; pages are cut at sentence ends below that.
_MAX_CHARS = 12_000
_local = threading.local()


@lru_cache(maxsize=1)
def _dictionary() -> dictionary.Dictionary:
    return dictionary.Dictionary(dict="core")


def _tokenizer(compounds: bool) -> tokenizer.Tokenizer:
    # A Sudachi tokenizer is not safe to share between threads: one per thread and split mode.
    cache = getattr(_local, "tokenizers", None)
    if cache is None:
        cache = _local.tokenizers = {}
    tok = cache.get(compounds)
    if tok is None:
        mode = tokenizer.Tokenizer.SplitMode.C if compounds else tokenizer.Tokenizer.SplitMode.A
        tok = cache[compounds] = _dictionary().tokenizer(mode=mode)
    return tok


def normalise(text: str) -> str:
    """NFKC (full-width letters and digits to half-width, half-width kana to full-width), lower case."""
    return unicodedata.normalize("NFKC", text).lower()


def _chunks(text: str) -> list[str]:
    if len(text) <= _MAX_CHARS:
        return [text]
    out, start = [], 0
    while start < len(text):
        end = min(len(text), start + _MAX_CHARS)
        cut = max(text.rfind("。", start, end), text.rfind("\n", start, end))
        if end < len(text) and cut > start:
            end = cut + 1
        out.append(text[start:end])
        start = end
    return out


def words(text: str, *, compounds: bool = False) -> list[str]:
    """Normalised forms of the content words (nouns, verbs, adjectives, adverbs) in ``text``: short
    units (mode A), or with ``compounds`` whole compounds (mode C: 運転免許証 stays one word)."""
    tok = _tokenizer(compounds)
    out: list[str] = []
    for chunk in _chunks(normalise(text)):
        for m in tok.tokenize(chunk):
            if m.part_of_speech()[0] in CONTENT_POS:
                form = m.normalized_form().strip()
                if form:
                    out.append(form)
    return out


def bigrams(text: str) -> list[str]:
    """Overlapping character bigrams of the normalised text, spaces removed."""
    flat = _SPACE.sub("", normalise(text))
    if len(flat) == 1:
        return [flat]
    return [flat[i : i + 2] for i in range(len(flat) - 1)]


def expansions(query_words: list[str]) -> list[str]:
    """Words to add to a query (see EXPANSIONS), without the ones it already has."""
    have = set(query_words)
    out: list[str] = []
    for word in dict.fromkeys(query_words):
        out.extend(w for w in EXPANSIONS.get(word, ()) if w not in have and w not in out)
    return out


# Nouns that do not name what a question is about (「市内の…」「子どもの…」「現在の…」).
NOT_TOPICS = GENERIC | frozenset(
    "子 子供 市 市内 市役所 現在 こと もの 私 家 家族 方法 件 ため 今日 明日 日 何時".split()
)


def topic(text: str) -> str:
    """What a question is about, for grouping questions in the staff report: its first common or
    proper noun as a whole compound (「運転免許の更新はどこ」 → 運転免許, 「犬の登録は」 → 犬), in Sudachi's
    normalised form; "" when it has none."""
    tok = _tokenizer(True)
    for chunk in _chunks(normalise(text)):
        for m in tok.tokenize(chunk):
            pos = m.part_of_speech()
            form = m.normalized_form().strip()
            if pos[0] == "名詞" and pos[1] in ("普通名詞", "固有名詞") and form and form not in NOT_TOPICS:
                return form
    return ""

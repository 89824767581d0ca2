"""Retrieval without Django: analysis, BM25 figures, fusion, coverage and abstention, word vectors,
and the evaluation command on a dataset of its own (and on the shared FAQ set when present)."""

import json
import math
import os
from pathlib import Path

import pytest
from django.core.management import call_command

from yakuba.assistant.retrieval import analyse
from yakuba.assistant.retrieval.bm25 import BM25
from yakuba.assistant.retrieval.evaluate import METRICS, document_from_text, evaluate
from yakuba.assistant.retrieval.index import Document, SearchIndex, WordVectorEmbedder, confident
from yakuba.assistant.retrieval.snippets import snippet

SHARED_FAQ = (
    Path(os.environ.get("YAKUBA_SHARED", Path(__file__).resolve().parents[3] / "shared")) / "data" / "faq"
)


def test_words_fold_widths_and_spelling_variants():
    assert analyse.words("ＡＢＣ") == analyse.words("abc")
    # Sudachi's normalised forms: 子ども and 子供 meet, as do 引落し and 引き落とし.
    assert analyse.words("子ども") == analyse.words("子供")
    assert analyse.words("引落し") == analyse.words("引き落とし")
    # Particles and auxiliaries are not content words.
    assert analyse.words("住民票を取りたい") == ["住民", "票", "取る"]
    assert analyse.words("運転免許証", compounds=True) == ["運転免許証"]


def test_bigrams_of_width_normalised_text():
    assert analyse.bigrams("ｺﾝﾋﾞﾆ 交付") == ["コン", "ンビ", "ビニ", "ニ交", "交付"]
    assert analyse.bigrams("a") == ["a"]


def test_bm25_scores_match_the_formula():
    docs = [["a", "b"], ["a", "a", "c"], ["c"]]
    index = BM25(docs)
    avg = 2.0
    idf_a = math.log(1 + (3 - 2 + 0.5) / (2 + 0.5))
    tf, length = 2, 3
    expected = idf_a * tf * 2.2 / (tf + 1.2 * (1 - 0.75 + 0.75 * length / avg))
    assert index.scores(["a"])[1] == pytest.approx(expected, rel=1e-5)
    assert index.scores(["zzz"]).tolist() == [0, 0, 0]
    assert index.contains(1, "c") and not index.contains(0, "c")
    assert index.term_idf("zzz") == index.max_idf


def _index() -> SearchIndex:
    return SearchIndex(
        [
            Document(
                "juminhyo", "住民票の写しを取りたい", "市民課の窓口で請求できます。手数料は300円です。", "faq"
            ),
            Document(
                "kiosk",
                "コンビニ交付の利用時間",
                "マイナンバーカードで朝6時30分から夜11時まで使えます。",
                "faq",
            ),
            Document("hoiku", "保育料の決め方", "保育料は市町村民税の所得割額で決まります。", "page"),
            Document("gomi", "ごみの出し方", "燃やせるごみは月曜と木曜に出してください。", "page"),
        ]
    )


def test_search_ranks_the_matching_question_first_and_covers_it():
    index = _index()
    hits = index.search("住民票が欲しい")
    assert hits[0].document.key == "juminhyo"
    assert confident(hits[0])
    assert index.search("保育料はどうやって決まるの")[0].document.key == "hoiku"
    # Character bigrams find what the dictionary splits differently (katakana written in half width).
    assert index.search("ｺﾝﾋﾞﾆ")[0].document.key == "kiosk"


def test_a_question_the_content_does_not_cover_is_not_confident():
    index = _index()
    hits = index.search("運転免許の更新はどこでできますか")
    assert not hits or not confident(hits[0])
    assert index.search("") == []


def test_word_vectors_join_the_fusion(tmp_path):
    # A toy vector file in word2vec text format: 赤ちゃん sits next to 乳児.
    vectors = tmp_path / "vectors.txt"
    vectors.write_text("3 2\n赤ちゃん 1.0 0.0\n乳児 0.99 0.1\nごみ 0.0 1.0\n", encoding="utf-8")
    embedder = WordVectorEmbedder(str(vectors))
    docs = [
        Document("nyuji", "乳児健診", "乳児の健康診査のご案内", "page"),
        Document("gomi", "ごみ", "ごみの出し方", "page"),
    ]
    plain = SearchIndex(docs)
    fused = SearchIndex(docs, embedder=embedder)
    assert plain.search("赤ちゃん") == []  # no shared word or bigram
    assert fused.search("赤ちゃん")[0].document.key == "nyuji"


def test_snippet_keeps_the_sentences_with_the_question_words():
    index = _index()
    text = "窓口は本庁舎1階です。手数料は1通300円です。郵送でも請求できます。"
    assert snippet(text, analyse.words("手数料はいくら"), index, 15) == "手数料は1通300円です。"


def test_faq_text_keeps_its_question_as_the_title():
    doc = document_from_text("1", "Question: 母子手帳はどこで？\nAnswer: 市役所で受け取れます。")
    assert (doc.title, doc.body, doc.kind) == ("母子手帳はどこで？", "市役所で受け取れます。", "faq")
    assert document_from_text("2", "ただの文章").kind == "page"


def _dataset(tmp_path: Path) -> Path:
    corpus = {
        "d1": "Question: 住民票の写しを取りたい\nAnswer: 市民課の窓口で請求できます。",
        "d2": "Question: 保育料の決め方\nAnswer: 所得割額で決まります。",
        "d3": "Question: ごみの出し方\nAnswer: 燃やせるごみは月曜と木曜です。",
    }
    queries = {
        "q1": "住民票が欲しい",
        "q2": "保育料はどう決まる",
        "q3": "燃やせるごみの出し方を知りたい",
        "q4": "宝くじの当選番号",
    }
    qrels = {"q1": {"d1": 2}, "q2": {"d2": 2}, "q3": {"d3": 2}, "q4": {}}
    for name, data in (("corpus", corpus), ("queries", queries), ("qrels", qrels)):
        (tmp_path / f"{name}.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return tmp_path


def test_eval_command_prints_every_metric_as_json(tmp_path, capsys):
    call_command("assistant", "eval", "--dataset", str(_dataset(tmp_path)), "--json")
    result = json.loads(capsys.readouterr().out)
    assert list(result) == list(METRICS)
    assert result["hit@1"] == 1.0 and result["ndcg@10"] == 1.0 and result["recall@10"] == 1.0
    assert result["abstain_rate"] == 0.25  # the lottery question: nothing covers it
    assert 0 <= result["p50_ms"] <= result["p95_ms"]


def test_eval_command_table_and_bad_dataset(tmp_path, capsys):
    call_command("assistant", "eval", "--dataset", str(_dataset(tmp_path)))
    out = capsys.readouterr().out
    assert "3 documents indexed" in out and "nDCG@10" in out and "abstention rate" in out
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match=r"corpus\.json"):
        call_command("assistant", "eval", "--dataset", str(tmp_path / "missing"))


@pytest.mark.skipif(
    not (SHARED_FAQ / "corpus.json").is_file(), reason=f"shared FAQ set absent ({SHARED_FAQ})"
)
def test_the_shared_faq_set_beats_the_reference_baseline():
    def read(name):
        return json.loads((SHARED_FAQ / name).read_text(encoding="utf-8"))

    metrics, _build = evaluate(read("corpus.json"), read("queries.json"), read("qrels.json"))
    # The reference baseline (plain BM25 over Sudachi content words) scores Hit@1 0.800, nDCG@10 0.877.
    assert metrics["hit@1"] >= 0.90
    assert metrics["ndcg@10"] >= 0.93
    assert metrics["p95_ms"] < 30


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        ("運転免許の更新はどこでできますか", "運転免許"),
        ("犬の登録はどうする", "犬"),
        ("パスポートを作りたい", "パスポート"),
        ("住民票の手数料はいくら", "住民票"),
        ("引っ越してきたばかりで、ごみを出せる曜日を知りたい", "ごみ"),
        ("市内の保育園の数を知りたい", "保育園"),
        ("何時まで？", ""),
    ],
)
def test_the_topic_of_a_question_is_its_first_noun_compound(question, topic):
    assert analyse.topic(question) == topic

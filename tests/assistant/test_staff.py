"""The assistant's staff pages over HTTP: FAQ, departments, sources and their sync, the report; each
persona's rights; every content change moves the index version exactly once."""

import csv
import datetime as dt
import io
import sys
import types

import pytest
from django.utils import timezone

from tests.personas import make_persona
from yakuba.assistant.models import Conversation, Department, Exchange, Faq, IndexState, Source

pytestmark = pytest.mark.django_db

FAQ_LIST = "/assistant/staff/faq/"
FAQ_NEW = "/assistant/staff/faq/new/"
DEPARTMENTS = "/assistant/staff/departments/"
SOURCES = "/assistant/staff/sources/"
REPORT = "/assistant/staff/report/"


@pytest.fixture
def koho(as_user):
    return as_user(make_persona("koho"))


def _faq_data(**overrides):
    data = {
        "question": "粗大ごみの出し方は？",
        "answer": "粗大ごみ受付センターに電話で申し込みます。\n収集日の前日までにどうぞ。",
        "department": "",
        "url": "https://www.city.example.jp/gomi/",
        "published": "on",
    }
    data.update(overrides)
    return data


def _page(response) -> str:
    return response.content.decode()


# --- FAQ -------------------------------------------------------------------------------------------


def test_create_edit_and_delete_an_faq_moving_the_index_version_each_time(koho):
    department = Department.objects.create(name="環境課", phone="0123-45-6789")
    assert IndexState.current() == 0

    response = koho.post(FAQ_NEW, _faq_data(department=str(department.pk)))
    assert response.status_code == 302 and response["Location"] == FAQ_LIST
    faq = Faq.objects.get()
    assert (faq.question, faq.answer, faq.department, faq.url, faq.published, faq.updated_by) == (
        "粗大ごみの出し方は？",
        "粗大ごみ受付センターに電話で申し込みます。\n収集日の前日までにどうぞ。",
        department,
        "https://www.city.example.jp/gomi/",
        True,
        "koho",
    )
    assert IndexState.current() == 1
    page = _page(koho.get(FAQ_LIST))
    assert "よくある質問を保存しました。" in page and "粗大ごみの出し方は？" in page and "環境課" in page

    response = koho.post(
        f"/assistant/staff/faq/{faq.pk}/",
        {
            "question": "  粗大ごみはどう出しますか  ",
            "answer": "電話で申し込みます。\r\n",
            "url": "/gomi/sodai",
        },
    )
    assert response.status_code == 302
    faq.refresh_from_db()
    assert (faq.question, faq.answer, faq.department, faq.url, faq.published) == (
        "粗大ごみはどう出しますか",
        "電話で申し込みます。",
        None,
        "/gomi/sodai",
        False,
    )
    assert IndexState.current() == 2

    confirm = _page(koho.get(f"/assistant/staff/faq/{faq.pk}/delete/"))
    assert "「粗大ごみはどう出しますか」を削除します。" in confirm and "削除する" in confirm
    assert Faq.objects.count() == 1 and IndexState.current() == 2
    response = koho.post(f"/assistant/staff/faq/{faq.pk}/delete/")
    assert response.status_code == 302 and response["Location"] == FAQ_LIST
    assert Faq.objects.count() == 0
    assert IndexState.current() == 3
    assert "よくある質問「粗大ごみはどう出しますか」を削除しました。" in _page(koho.get(FAQ_LIST))
    assert koho.post(f"/assistant/staff/faq/{faq.pk}/delete/").status_code == 404


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"question": "   "}, "質問を入れてください。"),
        ({"answer": "\r\n  "}, "回答を入れてください。"),
        ({"question": "あ" * 301}, "質問は300文字までにしてください（いま301文字）。"),
        ({"question": "ごみ\x00の日"}, "質問に使えない文字（制御文字）が入っています。"),
        ({"answer": "ごみ\x07の日"}, "回答に使えない文字（制御文字）が入っています。"),
        ({"url": "javascript:alert(1)"}, "詳しいページのURLは、http:// か https:// で始まるURL"),
        ({"url": "//evil.example/"}, "詳しいページのURLは、http:// か https:// で始まるURL"),
        ({"url": "ftp://example.jp/a"}, "詳しいページのURLは、http:// か https:// で始まるURL"),
    ],
)
def test_bad_faq_input_changes_nothing_and_says_why(koho, overrides, message):
    faq = Faq.objects.create(question="元の質問", answer="元の回答", updated_by="someone")
    before = IndexState.current()
    for url in (FAQ_NEW, f"/assistant/staff/faq/{faq.pk}/"):
        response = koho.post(url, _faq_data(**overrides))
        assert response.status_code == 200
        assert message in _page(response)
    assert Faq.objects.count() == 1
    faq.refresh_from_db()
    assert (faq.question, faq.answer, faq.updated_by) == ("元の質問", "元の回答", "someone")
    assert IndexState.current() == before


def test_an_answer_is_plain_text_html_is_kept_as_typed_and_escaped(koho):
    koho.post(FAQ_NEW, _faq_data(answer="<b>平日</b>の 8:30 から"))
    assert Faq.objects.get().answer == "<b>平日</b>の 8:30 から"
    page = _page(koho.get(FAQ_LIST))
    assert "&lt;b&gt;平日&lt;/b&gt;" in page and "<b>平日</b>" not in page


def test_the_create_form_is_prefilled_from_the_report_link(koho):
    page = _page(koho.get(FAQ_NEW, {"question": "マイナンバーカードの更新は？"}))
    assert 'value="マイナンバーカードの更新は？"' in page
    assert '<input type="checkbox" name="published" id="id_published" checked>' in page


def test_faq_search_tolerates_width_and_kana_and_filters(koho):
    kankyo = Department.objects.create(name="環境課")
    Faq.objects.create(question="ゴミの出し方", answer="朝8時までに出します。", department=kankyo)
    Faq.objects.create(question="住民票の写し", answer="PDFの申請書もあります。", published=False)
    Faq.objects.create(question="犬の登録", answer="保健所へ。", department=kankyo, published=False)

    def questions(**params):
        response = koho.get(FAQ_LIST, params)
        assert response.status_code == 200
        return [f.question for f in response.context["page"].object_list]

    assert questions() == ["ゴミの出し方", "住民票の写し", "犬の登録"]
    assert questions(q="ｺﾞﾐ") == ["ゴミの出し方"]  # half-width katakana
    assert questions(q="ごみ") == ["ゴミの出し方"]  # hiragana
    assert questions(q="ＰＤＦ") == ["住民票の写し"]  # full-width letters, found in the answer
    assert questions(q="pdf 申請書") == ["住民票の写し"]
    assert questions(q="pdf ごみ") == []
    assert questions(q="ごみ", department="999999", published="x") == ["ゴミの出し方"]  # bad filters ignored
    assert questions(department=str(kankyo.pk)) == ["ゴミの出し方", "犬の登録"]
    assert questions(department="none") == ["住民票の写し"]
    assert questions(published="1") == ["ゴミの出し方"]
    assert questions(published="0", department=str(kankyo.pk)) == ["犬の登録"]
    page = _page(koho.get(FAQ_LIST, {"q": "ない言葉"}))
    assert "条件に合うFAQ 0 件" in page and "条件に合うFAQはありません。" in page


def test_faq_list_pages_by_50_and_keeps_the_filters(koho):
    Faq.objects.bulk_create([Faq(question=f"質問{i:03d}", answer="回答") for i in range(51)])
    first = koho.get(FAQ_LIST, {"q": "質問"})
    assert len(first.context["page"].object_list) == 50
    assert "?q=%E8%B3%AA%E5%95%8F&amp;page=2" in _page(first)
    second = koho.get(FAQ_LIST, {"q": "質問", "page": "2"})
    assert [f.question for f in second.context["page"].object_list] == ["質問050"]
    assert "すべてのFAQ 51 件" in _page(koho.get(FAQ_LIST))


# --- departments -----------------------------------------------------------------------------------


def test_departments_are_created_edited_and_checked(koho):
    assert "まだ部署はありません。" in _page(koho.get(DEPARTMENTS))
    data = {
        "name": "市民課",
        "phone": "0123-45-0001",
        "email": "shimin@city.example.jp",
        "hours": "平日 8時30分から17時15分",
        "url": "https://www.city.example.jp/shimin/",
        "topics": "住民票　転入\n転出  印鑑登録",
    }
    response = koho.post("/assistant/staff/departments/new/", data)
    assert response.status_code == 302 and response["Location"] == DEPARTMENTS
    department = Department.objects.get()
    assert (department.name, department.phone, department.email, department.hours, department.url) == (
        "市民課",
        "0123-45-0001",
        "shimin@city.example.jp",
        "平日 8時30分から17時15分",
        "https://www.city.example.jp/shimin/",
    )
    assert department.topics == "住民票 転入 転出 印鑑登録"
    assert IndexState.current() == 1
    page = _page(koho.get(DEPARTMENTS))
    assert "担当部署を保存しました。" in page and "市民課" in page and "0123-45-0001" in page

    response = koho.post(f"/assistant/staff/departments/{department.pk}/", {**data, "phone": "0123-45-0002"})
    assert response.status_code == 302
    department.refresh_from_db()
    assert department.phone == "0123-45-0002" and IndexState.current() == 2

    Department.objects.create(name="環境課")
    page = _page(koho.post(f"/assistant/staff/departments/{department.pk}/", {**data, "name": "環境課"}))
    assert "同じ名前の部署がもう登録されています。" in page
    page = _page(koho.post("/assistant/staff/departments/new/", {**data, "name": ""}))
    assert "部署名を入れてください。" in page
    page = _page(
        koho.post("/assistant/staff/departments/new/", {**data, "name": "税務課", "url": "javascript:x"})
    )
    assert "案内ページは http:// か https:// で始まるURLで入れてください。" in page
    page = _page(koho.post("/assistant/staff/departments/new/", {**data, "name": "税務課", "email": "x@"}))
    assert "メールアドレスの形が正しくありません" in page
    department.refresh_from_db()
    assert department.name == "市民課" and Department.objects.count() == 2 and IndexState.current() == 2


# --- sources ---------------------------------------------------------------------------------------


def test_a_folder_source_must_exist_on_the_server(koho, tmp_path):
    missing = tmp_path / "nowhere"
    data = {"name": "市のサイト", "kind": "folder", "location": str(missing), "base_url": "", "active": "on"}
    response = koho.post("/assistant/staff/sources/new/", data)
    assert response.status_code == 200
    assert f"フォルダ「{missing}」がサーバー上に見つかりません。" in _page(response)
    assert Source.objects.count() == 0 and IndexState.current() == 0

    (tmp_path / "site").mkdir()
    data.update(location=f"  {tmp_path / 'site'}  ", base_url="https://www.city.example.jp/")
    response = koho.post("/assistant/staff/sources/new/", data)
    assert response.status_code == 302 and response["Location"] == SOURCES
    source = Source.objects.get()
    assert (source.name, source.kind, source.location, source.base_url, source.active) == (
        "市のサイト",
        "folder",
        str(tmp_path / "site"),
        "https://www.city.example.jp/",
        True,
    )
    assert IndexState.current() == 1


def test_sitemap_and_url_sources_take_http_urls_only(koho):
    page = _page(
        koho.post(
            "/assistant/staff/sources/new/",
            {"name": "地図", "kind": "sitemap", "location": "file:///etc/passwd"},
        )
    )
    assert (
        "http:// か https:// で始まるURLだけを入れてください（正しくないもの：file:///etc/passwd）。" in page
    )
    page = _page(
        koho.post(
            "/assistant/staff/sources/new/",
            {
                "name": "地図",
                "kind": "sitemap",
                "location": "https://a.example/1.xml\nhttps://a.example/2.xml",
            },
        )
    )
    assert "サイトマップのURLは1つだけ入れてください。" in page
    page = _page(koho.post("/assistant/staff/sources/new/", {"name": "", "kind": "rss", "location": "x"}))
    assert "名前を入れてください。" in page and "種類を選んでください。" in page
    assert Source.objects.count() == 0 and IndexState.current() == 0

    response = koho.post(
        "/assistant/staff/sources/new/",
        {
            "name": "お知らせ",
            "kind": "urls",
            "location": " https://a.example/1 \r\n\r\nhttp://a.example/2\r\n",
        },
    )
    assert response.status_code == 302
    source = Source.objects.get()
    assert source.location == "https://a.example/1\nhttp://a.example/2" and source.active is False
    response = koho.post(
        f"/assistant/staff/sources/{source.pk}/",
        {"name": "お知らせ", "kind": "urls", "location": "https://a.example/1", "active": "on"},
    )
    assert response.status_code == 302
    source.refresh_from_db()
    assert source.location == "https://a.example/1" and source.active is True
    assert IndexState.current() == 2


def _fake_ingest(monkeypatch, sync_all):
    try:
        import yakuba.assistant.ingest as ingest
    except ImportError:  # being written; the view imports it when the button is pressed
        ingest = types.ModuleType("yakuba.assistant.ingest")
        monkeypatch.setitem(sys.modules, "yakuba.assistant.ingest", ingest)
    monkeypatch.setattr(ingest, "sync_all", sync_all, raising=False)


class _Result:
    def summary(self) -> str:
        return "新しいページ 3件、更新 1件、削除 0件"


def test_the_sync_button_syncs_that_source_and_shows_the_summary(koho, monkeypatch):
    source = Source.objects.create(
        name="市のサイト", kind="sitemap", location="https://a.example/sitemap.xml"
    )
    calls = []

    def sync_all(**kwargs):
        calls.append(kwargs)
        return [(Source.objects.get(pk=kwargs["source_id"]), _Result())]

    _fake_ingest(monkeypatch, sync_all)
    page = _page(koho.get(SOURCES))
    assert f'action="/assistant/staff/sources/{source.pk}/sync/"' in page and "今すぐ同期" in page
    assert koho.get(f"/assistant/staff/sources/{source.pk}/sync/").status_code == 405
    response = koho.post(f"/assistant/staff/sources/{source.pk}/sync/")
    assert response.status_code == 302 and response["Location"] == SOURCES
    assert calls == [{"source_id": source.pk}]
    page = _page(koho.get(SOURCES))
    assert "「市のサイト」：新しいページ 3件、更新 1件、削除 0件" in page


def test_a_failing_sync_says_so(koho, monkeypatch):
    source = Source.objects.create(
        name="市のサイト", kind="sitemap", location="https://a.example/sitemap.xml"
    )

    def sync_all(**kwargs):
        raise OSError("network down")

    _fake_ingest(monkeypatch, sync_all)
    page = _page(koho.post(f"/assistant/staff/sources/{source.pk}/sync/", follow=True))
    assert "「市のサイト」を同期できませんでした。" in page

    _fake_ingest(monkeypatch, lambda **kwargs: [])
    page = _page(koho.post(f"/assistant/staff/sources/{source.pk}/sync/", follow=True))
    assert "「市のサイト」は同期しませんでした（有効になっていない情報源は同期しません）。" in page


# --- the report --------------------------------------------------------------------------------------


def _exchanges(now):
    conversation = Conversation.objects.create(token="t" * 43)

    def add(question, *, status="answered", rating=0, topic="", lang="ja", days=1, minutes=0):
        return Exchange.objects.create(
            conversation=conversation,
            question=question,
            answer="…",
            status=status,
            rating=rating,
            topic=topic,
            lang=lang,
            created_at=now - dt.timedelta(days=days, minutes=minutes),
        )

    # ごみ: 3 flagged (2 abstained, 1 answered but rated bad, 1 both)
    add("粗大ごみの料金は？", status="abstained", topic="ごみ", days=1)
    add("ごみの日はいつ？", status="abstained", rating=-1, topic="ごみ", days=2)
    add("ごみ袋はどこで？", rating=-1, topic="ごみ", lang="easy", days=3)
    add("ごみの分け方", rating=1, topic="ごみ", days=3)  # answered and rated good: not flagged
    # 住民票: 1 flagged
    add("住民票は土曜日も？", status="abstained", topic="住民票", lang="en", days=4)
    add("住民票の料金", status="fact", topic="住民票", days=4)
    # no topic: 2 flagged (more than 住民票)
    add("=SUM(A1)", status="abstained", rating=-1, days=5)
    add("あああ", status="abstained", days=6)
    # outside the default period (30 days, today included)
    add("古い質問", status="abstained", topic="ごみ", days=45)
    return conversation


def test_the_report_groups_what_an_faq_could_fix(as_user):
    client = as_user(make_persona("koho"))
    now = timezone.now()
    _exchanges(now)
    response = client.get(REPORT)
    assert response.status_code == 200
    report = response.context["report"]
    today = timezone.localdate()
    assert (report.since, report.until) == (today - dt.timedelta(days=29), today)
    assert (
        report.questions,
        report.answered,
        report.fact,
        report.abstained,
        report.good,
        report.bad,
        report.flagged,
    ) == (8, 2, 1, 5, 1, 3, 6)
    assert [(g.topic, g.count, g.abstained, g.bad, g.share) for g in report.groups] == [
        ("ごみ", 3, 2, 2, 50.0),
        ("", 2, 2, 1, 33.3),
        ("住民票", 1, 1, 0, 16.7),
    ]
    assert [(e.question, e.rating) for e in report.groups[0].examples] == [
        ("粗大ごみの料金は？", 0),
        ("ごみの日はいつ？", -1),
        ("ごみ袋はどこで？", -1),
    ]
    assert sorted(report.languages) == [("easy", 1), ("en", 1), ("ja", 6)]
    page = _page(response)
    assert "FAQを増やすべき話題" in page and "（話題なし）" in page and "古い質問" not in page
    assert "/assistant/staff/faq/new/?question=%E7%B2%97%E5%A4%A7%E3%81%94%E3%81%BF" in page
    assert "やさしい日本語" in page and "英語" in page
    assert "役に立たなかった" in page and "50.0%" in page

    older = client.get(
        REPORT,
        {"date_from": (today - dt.timedelta(days=60)).isoformat(), "date_to": today.isoformat()},
    ).context["report"]
    assert (older.questions, older.groups[0].count, older.groups[0].abstained) == (9, 4, 3)


def test_the_report_shows_at_most_five_examples_most_recent_first(as_user):
    client = as_user(make_persona("koho"))
    conversation = Conversation.objects.create(token="u" * 43)
    now = timezone.now()
    for i in range(7):
        Exchange.objects.create(
            conversation=conversation,
            question=f"質問{i}",
            answer="",
            status="abstained",
            topic="税",
            created_at=now - dt.timedelta(hours=i + 1),
        )
    group = client.get(REPORT).context["report"].groups[0]
    assert group.count == 7 and [e.question for e in group.examples] == [f"質問{i}" for i in range(5)]


def test_the_report_csv(as_user):
    client = as_user(make_persona("koho"))
    _exchanges(timezone.now())
    today = timezone.localdate()
    since = today - dt.timedelta(days=29)
    response = client.get(REPORT, {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="assistant-topics-{since:%Y%m%d}-{today:%Y%m%d}.csv"'
    )
    assert response.content.startswith(b"\xef\xbb\xbf")
    text = response.content.decode("utf-8-sig")
    assert "\r\n" in text
    assert list(csv.reader(io.StringIO(text))) == [
        ["話題", "件数", "分からない", "低評価", "質問の例"],
        ["ごみ", "3", "2", "2", "粗大ごみの料金は？ / ごみの日はいつ？ / ごみ袋はどこで？"],
        ["（話題なし）", "2", "2", "1", "'=SUM(A1) / あああ"],
        ["住民票", "1", "1", "0", "住民票は土曜日も？"],
    ]
    page = _page(client.get(REPORT))
    assert f"?date_from={since.isoformat()}&amp;date_to={today.isoformat()}&amp;format=csv" in page


def test_the_report_refuses_a_reversed_period(as_user):
    client = as_user(make_persona("koho"))
    response = client.get(REPORT, {"date_from": "2025-05-01", "date_to": "2025-04-01"})
    assert response.status_code == 200
    assert "開始日は終了日より前の日にしてください。" in _page(response)
    today = timezone.localdate()
    assert response.context["report"].until == today
    response = client.get(REPORT, {"date_from": "2025-04-31"})
    assert "開始日は 2025-04-01 の形で入れてください。" in _page(response)
    report = client.get(REPORT, {"date_from": "2025-04-01", "date_to": "2025-04-30"}).context["report"]
    assert (report.since, report.until) == (dt.date(2025, 4, 1), dt.date(2025, 4, 30))


# --- rights ----------------------------------------------------------------------------------------------


def _staff_requests(faq, department, source):
    return [
        ("get", FAQ_LIST),
        ("get", FAQ_NEW),
        ("post", FAQ_NEW),
        ("get", f"/assistant/staff/faq/{faq.pk}/"),
        ("post", f"/assistant/staff/faq/{faq.pk}/"),
        ("get", f"/assistant/staff/faq/{faq.pk}/delete/"),
        ("post", f"/assistant/staff/faq/{faq.pk}/delete/"),
        ("get", DEPARTMENTS),
        ("get", "/assistant/staff/departments/new/"),
        ("post", "/assistant/staff/departments/new/"),
        ("get", f"/assistant/staff/departments/{department.pk}/"),
        ("post", f"/assistant/staff/departments/{department.pk}/"),
        ("get", SOURCES),
        ("get", "/assistant/staff/sources/new/"),
        ("post", "/assistant/staff/sources/new/"),
        ("get", f"/assistant/staff/sources/{source.pk}/"),
        ("post", f"/assistant/staff/sources/{source.pk}/"),
        ("post", f"/assistant/staff/sources/{source.pk}/sync/"),
        ("get", REPORT),
        ("get", f"{REPORT}?format=csv"),
    ]


@pytest.mark.parametrize("persona", ["tanin", "madoguchi"])
def test_staff_without_the_assistant_role_get_403_everywhere(persona, as_user, monkeypatch):
    client = as_user(make_persona(persona))
    faq = Faq.objects.create(question="質問", answer="回答")
    department = Department.objects.create(name="市民課")
    source = Source.objects.create(name="サイト", kind="sitemap", location="https://a.example/s.xml")

    def sync_all(**kwargs):
        raise AssertionError("must not sync")

    _fake_ingest(monkeypatch, sync_all)
    for method, url in _staff_requests(faq, department, source):
        data = {
            "question": "乗っ取り",
            "answer": "x",
            "name": "乗っ取り",
            "kind": "urls",
            "location": "https://x.example/",
        }
        response = getattr(client, method)(url, data if method == "post" else None)
        assert response.status_code == 403, (method, url)
    assert Faq.objects.get().question == "質問" and Department.objects.get().name == "市民課"
    assert Source.objects.get().name == "サイト" and IndexState.current() == 0


def test_not_logged_in_goes_to_the_login(client):
    for url in (FAQ_LIST, DEPARTMENTS, SOURCES, REPORT):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_koho_sees_the_menu_entries_and_every_page(koho):
    home = _page(koho.get("/"))
    assert "AIアシスタントのFAQ" in home and "AIアシスタントへの質問の分析" in home
    faq = Faq.objects.create(question="質問", answer="回答")
    department = Department.objects.create(name="市民課")
    source = Source.objects.create(name="サイト", kind="sitemap", location="https://a.example/s.xml")
    for method, url in _staff_requests(faq, department, source):
        if method == "get":
            assert koho.get(url).status_code == 200, url

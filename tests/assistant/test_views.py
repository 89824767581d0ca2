"""The public chat through HTTP, as a resident's browser or the widget uses it: answers in JSON, the
page without JavaScript, ratings, bad input refused in Japanese with nothing stored, personal data
masked in every stored line, the widget script and the frame policy, the live-facts page."""

import json

import pytest
from django.test import Client

from tests.assistant.city import KOSEKI_PAGE, load_city
from yakuba.assistant.masking import mask
from yakuba.assistant.models import Conversation, Exchange

pytestmark = pytest.mark.django_db


@pytest.fixture
def city(db):
    return load_city()


@pytest.fixture
def resident():
    return Client()


def ask(client, question, **extra):
    return client.post(
        "/assistant/ask", json.dumps({"question": question, **extra}), content_type="application/json"
    )


def test_a_resident_asks_and_gets_an_answer_with_citation(city, resident):
    response = ask(resident, "婚姻届は夜でも出せますか")
    assert response.status_code == 200
    data = response.json()
    assert data["status"] == "answered"
    assert data["citations"][0]["url"] == KOSEKI_PAGE
    assert data["contact"]["name"] == "市民課"
    exchange = Exchange.objects.get(pk=data["exchange"])
    assert exchange.question == "婚姻届は夜でも出せますか"
    assert exchange.conversation.token == data["conversation"]
    # The same conversation continues: 「もっと詳しく」 expands the source.
    more = ask(resident, "もっと詳しく", conversation=data["conversation"]).json()
    assert more["conversation"] == data["conversation"]
    assert "出生届" in more["text"]
    assert Conversation.objects.count() == 1


@pytest.mark.parametrize(
    ("question", "message"),
    [
        ("", "質問を入力してください。"),
        ("   ", "質問を入力してください。"),
        ("あ" * 301, "質問は300文字以内で入力してください。"),
        ("住民票\x00", "質問に使えない文字が含まれています。"),
    ],
)
def test_bad_questions_are_refused_in_japanese_and_nothing_is_stored(city, resident, question, message):
    response = ask(resident, question)
    assert response.status_code == 400
    assert response.json() == {"error": message}
    assert Exchange.objects.count() == 0 and Conversation.objects.count() == 0


def test_personal_data_typed_by_a_resident_is_masked_in_the_log(city, resident):
    typed = "私の電話は０９０－１２３４－５６７８、番号は1234 5678 9012、メールは taro@example.jp です。住民票は？"
    data = ask(resident, typed).json()
    stored = Exchange.objects.get(pk=data["exchange"])
    for secret in ("5678", "9012", "taro@example.jp", "１２３４"):
        assert secret not in stored.question
    assert stored.question.count("＊＊＊") == 3
    feedback = resident.post(
        "/assistant/feedback",
        json.dumps(
            {
                "conversation": data["conversation"],
                "exchange": data["exchange"],
                "rating": -1,
                "comment": "折り返しは 0191-00-1234 へ",
            }
        ),
        content_type="application/json",
    )
    assert feedback.json()["ok"] is True
    stored.refresh_from_db()
    assert stored.rating == -1 and "1234" not in stored.comment and stored.comment == "折り返しは ＊＊＊ へ"


def test_masking_keeps_fees_dates_and_times():
    assert mask("住民票は300円、2026年12月29日、8:30〜17:15") == "住民票は300円、2026年12月29日、8:30〜17:15"
    assert mask("〒021-8501") == "〒＊＊＊"


def test_rating_needs_the_conversations_own_token(city, resident):
    data = ask(resident, "婚姻届は夜でも出せますか").json()
    stranger = Client()
    bad = stranger.post(
        "/assistant/feedback",
        json.dumps({"conversation": "guessed", "exchange": data["exchange"], "rating": 1}),
        content_type="application/json",
    )
    assert bad.status_code == 400 and bad.json() == {"error": "評価を受け付けられませんでした。"}
    assert Exchange.objects.get(pk=data["exchange"]).rating == 0
    for rating in (0, 5, "x"):
        response = resident.post(
            "/assistant/feedback",
            json.dumps(
                {"conversation": data["conversation"], "exchange": data["exchange"], "rating": rating}
            ),
            content_type="application/json",
        )
        assert response.status_code == 400
    assert Exchange.objects.get(pk=data["exchange"]).rating == 0


def test_the_chat_works_without_javascript(city, resident):
    page = resident.get("/assistant/")
    assert page.status_code == 200
    assert "AIアシスタント" in page.content.decode()
    answered = resident.post("/assistant/", {"question": "婚姻届は夜でも出せますか", "lang": "ja"})
    html = answered.content.decode()
    assert answered.status_code == 200
    assert f'href="{KOSEKI_PAGE}"' in html and "守衛室でお預かりします" in html
    assert "（2026年10月1日更新）" in html  # when the cited page was last updated
    exchange = Exchange.objects.get()
    rated = resident.post(
        "/assistant/feedback",
        {"conversation": exchange.conversation.token, "exchange": exchange.pk, "rating": "1", "lang": "ja"},
    )
    assert rated.status_code == 200 and "ご意見ありがとうございました。" in rated.content.decode()
    assert Exchange.objects.get().rating == 1
    empty = resident.post("/assistant/", {"question": ""})
    assert empty.status_code == 400 and "質問を入力してください。" in empty.content.decode()


def test_questions_per_minute_are_limited(city, resident, settings):
    settings.YAKUBA_ASSISTANT_QUESTIONS_PER_MINUTE = 2
    from django.core.cache import cache

    cache.clear()
    assert ask(resident, "婚姻届").status_code == 200
    assert ask(resident, "婚姻届").status_code == 200
    limited = ask(resident, "婚姻届")
    assert limited.status_code == 429 and "1分ほど待って" in limited.json()["error"]
    cache.clear()


def test_english_interface(city, resident):
    page = resident.post("/assistant/", {"question": "Where can I buy a train ticket?", "lang": "en"})
    html = page.content.decode()
    assert '<html lang="en">' in html or 'lang="en"' in html
    data = ask(resident, "Where can I buy a train ticket?", lang="en").json()
    assert data["status"] == "abstained" and data["lang"] == "en"


def test_embed_may_be_framed_by_the_city_site_only(city, resident, settings):
    settings.YAKUBA_ASSISTANT_EMBED_ORIGINS = ["https://www.city.ichinomori.example.jp"]
    framed = resident.get("/assistant/embed/")
    assert framed.status_code == 200
    assert "X-Frame-Options" not in framed.headers
    assert (
        "frame-ancestors 'self' https://www.city.ichinomori.example.jp"
        in framed.headers["Content-Security-Policy"]
    )
    full = resident.get("/assistant/")
    assert full.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in full.headers["Content-Security-Policy"]


def test_widget_script_is_one_csp_safe_file(resident):
    response = resident.get("/assistant/widget.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    body = response.content.decode()
    assert "/assistant/embed/" in body
    for unsafe in ("eval(", "innerHTML", 'setAttribute("style"', "new Function"):
        assert unsafe not in body


def test_facts_page_lists_the_live_values(city, resident):
    from django.apps import apps

    html = resident.get("/assistant/facts/").content.decode()
    assert 'id="core.phone"' in html and "0191-00-0000" in html
    if apps.is_installed("yakuba.certificates"):
        assert 'id="certificates.juminhyo.kiosk_hours"' in html and "6:30〜23:00" in html


def test_faq_pages_show_published_entries_only(city, resident):
    from yakuba.assistant.models import Faq

    faq = Faq.objects.first()
    assert resident.get(f"/assistant/faq/{faq.pk}/").status_code == 200
    faq.published = False
    faq.save()
    assert resident.get(f"/assistant/faq/{faq.pk}/").status_code == 404


def test_demo_site_serves_its_pages_and_nothing_else(resident, settings):
    assert resident.get("/city/konbini-kofu.html").status_code == 200
    assert (
        b'<script src="/assistant/widget.js" defer></script>'
        in resident.get("/city/konbini-kofu.html").getvalue()
    )
    for path in ("/city/../settings.py", "/city/faq.json", "/city/%2e%2e/models.py", "/city/README.md"):
        assert resident.get(path).status_code == 404
    settings.YAKUBA_ASSISTANT_DEMO_SITE = False
    assert resident.get("/city/konbini-kofu.html").status_code == 404


def test_sync_button_hands_a_large_site_to_the_worker(
    city, as_user, settings, django_capture_on_commit_callbacks
):
    from django.tasks import default_task_backend

    from tests.personas import make_persona

    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    koho = as_user(make_persona("koho"))
    with django_capture_on_commit_callbacks(execute=True):
        response = koho.post(f"/assistant/staff/sources/{city.pk}/sync/", follow=True)
    assert "同期を始めました" in response.content.decode()
    enqueued = default_task_backend.results
    assert [r.task.name for r in enqueued] == ["sync_sources"]
    assert enqueued[0].kwargs == {"source_id": city.pk}


def test_sync_button_reads_the_demo_website_folder(city, as_user):
    from tests.personas import make_persona
    from yakuba.assistant.models import Page

    koho = as_user(make_persona("koho"))
    before = set(Page.objects.values_list("url", flat=True))
    response = koho.post(f"/assistant/staff/sources/{city.pk}/sync/", follow=True)
    html = response.content.decode()
    assert "追加 19件" in html, html[:2000]
    pages = set(Page.objects.values_list("url", flat=True)) - before
    assert "/city/konbini-kofu.html" in pages and len(pages) == 19
    again = koho.post(f"/assistant/staff/sources/{city.pk}/sync/", follow=True).content.decode()
    assert "変更なし 19件" in again


def test_purge_deletes_old_conversations_only(city, resident, capsys):
    from datetime import timedelta

    from django.core.management import call_command
    from django.utils import timezone

    old = ask(resident, "婚姻届は夜でも出せますか").json()
    Conversation.objects.filter(token=old["conversation"]).update(
        started_at=timezone.now() - timedelta(days=400)
    )
    ask(Client(), "保育料はいつ引き落とされますか")
    call_command("assistant", "purge", "--days", "365")
    assert "1 conversations and 1 exchanges older than 365 days deleted" in capsys.readouterr().out
    assert Exchange.objects.count() == 1 and Conversation.objects.count() == 1


def test_easy_japanese_answers_carry_ruby_over_kanji(city, resident):
    data = ask(resident, "運転免許の更新はどこでできますか", lang="easy").json()
    assert data["lang"] == "easy" and data["text"].startswith("わかりません。")
    readings = {text: reading for text, reading in data["ruby"] if reading}
    assert readings.get("市") == "し"
    assert "".join(text for text, _reading in data["ruby"]) == data["text"]
    page = resident.post("/assistant/", {"question": "運転免許の更新はどこでできますか", "lang": "easy"})
    assert "<ruby>市<rp>（</rp><rt>し</rt><rp>）</rp></ruby>" in page.content.decode()
    assert ask(resident, "運転免許の更新はどこでできますか").json()["ruby"] == []

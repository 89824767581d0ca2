"""A resident on the demo city's website opens the chat widget (one <script> tag in the page) and asks
about kiosk hours (answered from the live settings, with a citation), about a page topic (the citation
opens the page), and about something the city does not handle (an honest refusal with a contact), then
rates an answer. Every assistant page passes axe, on a desktop and on a phone-sized screen."""

import re

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from tests.assistant.city import certificate_types
from yakuba.assistant import search
from yakuba.assistant.demo import demo_load
from yakuba.assistant.models import Exchange
from yakuba.core.models import Municipality


@pytest.fixture
def demo_city(transactional_db):
    Municipality.objects.update_or_create(pk=1, defaults={"name": "一ノ森市", "phone": "0191-00-0000"})
    certificate_types()
    demo_load()  # departments, FAQ, and the demo website synced from its folder
    search.reset()
    cache.clear()  # no question counted yet against the per-minute limit


def _ask(frame, question: str, count: int):
    frame.get_by_label("質問", exact=True).fill(question)
    frame.get_by_role("button", name="送信").click()
    items = frame.locator("#chat-log > li")
    expect(items).to_have_count(count)
    return items.nth(count - 1)


def test_a_resident_asks_the_widget_on_a_city_page(page, live_server, demo_city, axe_check):
    page.goto(f"{live_server.url}/city/konbini-kofu.html")
    launcher = page.get_by_role("button", name=re.compile("AIアシスタントに質問する"))
    expect(launcher).to_have_attribute("aria-expanded", "false")
    launcher.click()
    expect(launcher).to_have_attribute("aria-expanded", "true")
    frame = page.frame_locator("#yakuba-assistant-frame")
    expect(frame.get_by_role("heading", name="一ノ森市 AIアシスタント")).to_be_visible()

    # 1. Kiosk hours: from the live settings, cited to the live-facts page.
    answer = _ask(frame, "コンビニで住民票が取れるのは何時から何時まで？", 1)
    expect(answer).to_contain_text("住民票の写しのコンビニ交付の利用時間は6:30〜23:00")
    expect(answer.get_by_role("link", name="住民票の写しのコンビニ交付の利用時間")).to_have_attribute(
        "href", "/assistant/facts/#certificates.juminhyo.kiosk_hours"
    )
    expect(answer).to_contain_text("問い合わせ先：市民課")

    # 2. A page topic: the citation opens the city's page (in a new tab, out of the frame).
    answer = _ask(frame, "燃やせるごみの出し方を教えて", 2)
    source = answer.locator(".chat__sources a").first
    expect(source).to_have_attribute("href", "/city/gomi.html")
    with page.context.expect_page() as opened:
        source.click()
    city_page = opened.value
    city_page.wait_for_load_state()
    assert city_page.url.endswith("/city/gomi.html")
    expect(city_page.get_by_role("heading", level=1)).to_contain_text("ごみ")
    city_page.close()

    # 3. Something the city does not handle: 「分かりません」 and who to ask (here the prefecture's
    # licence centre, listed as a referral), no citation.
    answer = _ask(frame, "運転免許の更新はどこでできますか", 3)
    expect(answer).to_contain_text("分かりません。")
    expect(answer).to_contain_text("問い合わせ先：岩手県 運転免許センター")
    expect(answer.get_by_role("link", name="019-000-0110")).to_have_attribute("href", "tel:019-000-0110")
    expect(answer.locator(".chat__sources")).to_have_count(0)

    # 4. Rating the first answer.
    first = frame.locator("#chat-log > li").first
    first.get_by_role("button", name=re.compile("役に立った")).click()
    expect(first).to_contain_text("ご意見ありがとうございました。")
    rated = Exchange.objects.order_by("pk").first()
    assert rated is not None and rated.rating == 1 and rated.status == "fact"
    assert list(Exchange.objects.order_by("pk").values_list("status", flat=True)) == [
        "fact",
        "answered",
        "abstained",
    ]

    axe_check(page, "city page with the assistant open")
    # Escape closes the chat and gives the focus back to the button.
    frame.get_by_label("質問", exact=True).press("Escape")
    expect(page.locator("#yakuba-assistant-frame")).to_be_hidden()
    expect(launcher).to_be_focused()
    expect(launcher).to_have_attribute("aria-expanded", "false")


def test_every_assistant_page_passes_axe(page, live_server, demo_city, axe_check, browser):
    page.goto(f"{live_server.url}/assistant/")
    axe_check(page, "assistant (empty)")
    _ask(page, "保育料はいつ引き落とされますか", 1)
    _ask(page, "運転免許の更新はどこでできますか", 2)
    # A situational question the content does not answer for sure: pages to look at, not an answer.
    maybe = _ask(page, "引っ越してきたばかりで、ごみを出せる曜日を知りたい", 3)
    expect(maybe).to_contain_text("分かりません。")
    expect(maybe).to_contain_text("関係がありそうなページ")
    expect(maybe.get_by_role("link", name=re.compile("ごみの出し方"))).to_have_attribute(
        "href", "/city/gomi.html"
    )
    axe_check(page, "assistant (answered, refused, suggestions)")
    page.get_by_label("English").check()
    _ask(page, "What are the kiosk hours for the resident certificate?", 4)
    expect(page.locator("#chat-log > li").nth(3)).to_contain_text("6:30〜23:00")
    page.goto(f"{live_server.url}/assistant/facts/")
    axe_check(page, "live facts")
    page.goto(f"{live_server.url}/assistant/embed/?lang=easy")
    axe_check(page, "embed (やさしい日本語)")
    page.goto(f"{live_server.url}/assistant/faq/1/")
    axe_check(page, "faq entry")

    phone = browser.new_context(locale="ja-JP", viewport={"width": 375, "height": 740}, is_mobile=True)
    try:
        small = phone.new_page()
        small.goto(f"{live_server.url}/city/hoikuryo.html")
        small.get_by_role("button", name=re.compile("AIアシスタントに質問する")).click()
        frame_box = small.locator("#yakuba-assistant-frame").bounding_box()
        assert frame_box is not None and frame_box["width"] == 375  # full screen on a phone
        frame = small.frame_locator("#yakuba-assistant-frame")
        answer = _ask(frame, "保育料はいつ引き落とされますか", 1)
        expect(answer).to_contain_text("26日")
        axe_check(small, "city page with the assistant open, phone")
    finally:
        phone.close()


def test_easy_japanese_shows_ruby_in_the_widget(page, live_server, demo_city, axe_check):
    page.goto(f"{live_server.url}/assistant/embed/?lang=easy")
    box = page.get_by_label("質問", exact=True)
    box.fill("保育料はいつ引き落とされますか")
    # Enter that confirms a Japanese input method's conversion does not send.
    box.dispatch_event("keydown", {"key": "Enter", "isComposing": True})
    page.wait_for_timeout(300)
    expect(page.locator("#chat-log > li")).to_have_count(0)
    # A plain Enter sends (Shift+Enter would start a new line).
    page.get_by_label("質問", exact=True).press("Enter")
    answer = page.locator("#chat-log > li").first
    expect(answer).to_contain_text("26")
    expect(answer.locator("ruby").first).to_be_visible()
    expect(answer.locator("rt").first).not_to_be_empty()
    axe_check(page, "embed, an answer in やさしい日本語 with ruby")

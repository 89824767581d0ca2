"""The assistant's staff pages in a real browser: 広報担当 Koho Kumiko signs in, adds an FAQ entry and
sees it in the list, and visits the departments, sources and report pages. Every page passes axe-core
(WCAG 2.2 AA), including a form showing its errors."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from tests.browser.test_clerk_journeys import sign_in
from tests.personas import make_persona
from yakuba.assistant.models import Conversation, Department, Exchange, Faq, IndexState, Source

pytestmark = pytest.mark.django_db(transaction=True)


def _content():
    department = Department.objects.create(
        name="環境課", phone="0123-45-6789", hours="平日 8時30分から17時15分", topics="ごみ リサイクル"
    )
    Faq.objects.create(
        question="ごみの日はいつですか", answer="地区ごとに決まっています。", department=department
    )
    Faq.objects.create(question="犬の登録", answer="保健所へ。", published=False)
    source = Source.objects.create(
        name="市のサイト",
        kind="sitemap",
        location="https://www.city.example.jp/sitemap.xml",
        department=department,
    )
    Source.objects.create(
        name="古いお知らせ",
        kind="urls",
        location="https://www.city.example.jp/a\nhttps://www.city.example.jp/b",
        active=False,
        last_synced_at=timezone.now(),
        last_result="新しいページ 2件",
    )
    conversation = Conversation.objects.create(token="b" * 43)
    now = timezone.now()
    for i, (question, status, rating, topic, lang) in enumerate(
        [
            ("粗大ごみの料金は？", "abstained", 0, "ごみ", "ja"),
            ("ごみ袋はどこで買えますか", "answered", -1, "ごみ", "easy"),
            ("Where is the city office?", "abstained", 0, "", "en"),
            ("住民票の料金", "fact", 1, "住民票", "ja"),
        ]
    ):
        Exchange.objects.create(
            conversation=conversation,
            question=question,
            answer="…",
            status=status,
            rating=rating,
            topic=topic,
            lang=lang,
            created_at=now - dt.timedelta(hours=i + 1),
        )
    return department, source


def test_koho_edits_the_faq_and_every_staff_page_passes_axe(page, live_server, axe_check):
    koho = make_persona("koho")
    department, source = _content()
    sign_in(page, live_server, koho)

    page.get_by_role("link", name="AIアシスタントのFAQ").first.click()
    page.wait_for_url(re.compile(r"/assistant/staff/faq/$"))
    axe_check(page, "faq list")
    page.locator("#id_q").fill("ｺﾞﾐ")
    page.get_by_role("button", name="さがす").click()
    page.wait_for_url(re.compile(r"\?q="))
    assert "ごみの日はいつですか" in page.content() and "犬の登録" not in page.content()
    axe_check(page, "faq search")

    page.goto(f"{live_server.url}/assistant/staff/faq/")
    page.get_by_role("link", name="FAQを追加する").click()
    page.wait_for_url(re.compile(r"/assistant/staff/faq/new/$"))
    axe_check(page, "faq form")
    page.get_by_role("button", name="保存する").click()
    assert "質問を入れてください。" in page.content()
    axe_check(page, "faq form with errors")
    page.locator("#id_question").fill("粗大ごみの出し方は？")
    page.locator("#id_answer").fill("粗大ごみ受付センターに電話で申し込みます。")
    page.locator("#id_department").select_option(label="環境課")
    page.locator("#id_url").fill("/gomi/sodai")
    page.get_by_role("button", name="保存する").click()
    page.wait_for_url(re.compile(r"/assistant/staff/faq/$"))
    assert "よくある質問を保存しました。" in page.content()
    assert page.get_by_role("link", name="粗大ごみの出し方は？", exact=True).count() == 1
    faq = Faq.objects.get(question="粗大ごみの出し方は？")
    assert (faq.department, faq.url, faq.published, faq.updated_by) == (
        department,
        "/gomi/sodai",
        True,
        "koho",
    )
    assert IndexState.current() == 1
    axe_check(page, "faq list after save")

    page.get_by_role("link", name="粗大ごみの出し方は？", exact=True).click()
    page.wait_for_url(re.compile(rf"/assistant/staff/faq/{faq.pk}/$"))
    axe_check(page, "faq edit")
    page.get_by_role("link", name="このFAQを削除する").click()
    page.wait_for_url(re.compile(rf"/assistant/staff/faq/{faq.pk}/delete/$"))
    axe_check(page, "faq delete confirmation")

    page.goto(f"{live_server.url}/assistant/staff/faq/")
    page.get_by_role("link", name="担当部署", exact=True).click()
    page.wait_for_url(re.compile(r"/assistant/staff/departments/$"))
    axe_check(page, "departments")
    page.get_by_role("link", name="環境課", exact=True).click()
    page.wait_for_url(re.compile(rf"/assistant/staff/departments/{department.pk}/$"))
    axe_check(page, "department edit")
    page.goto(f"{live_server.url}/assistant/staff/departments/new/")
    axe_check(page, "department form")

    page.goto(f"{live_server.url}/assistant/staff/sources/")
    assert page.get_by_role("button", name=re.compile(r"^市のサイトを\s*今すぐ同期$")).count() == 1
    axe_check(page, "sources")
    page.get_by_role("link", name="情報源を追加する").click()
    page.wait_for_url(re.compile(r"/assistant/staff/sources/new/$"))
    axe_check(page, "source form")
    page.locator("#id_name").fill("フォルダ")
    page.get_by_label("サーバー上のフォルダ（HTML・Markdown・PDF）").check()
    page.locator("#id_location").fill("/nonexistent/yakuba-folder")
    page.get_by_role("button", name="保存する").click()
    assert "がサーバー上に見つかりません" in page.content()
    axe_check(page, "source form with errors")
    page.goto(f"{live_server.url}/assistant/staff/sources/{source.pk}/")
    axe_check(page, "source edit")

    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="AIアシスタントへの質問の分析").first.click()
    page.wait_for_url(re.compile(r"/assistant/staff/report/$"))
    content = page.content()
    assert "FAQを増やすべき話題" in content and "（話題なし）" in content and "粗大ごみの料金は？" in content
    axe_check(page, "report")
    page.get_by_role("link", name="この質問でFAQを作る").first.click()
    page.wait_for_url(re.compile(r"/assistant/staff/faq/new/\?question="))
    assert page.locator("#id_question").input_value() == "粗大ごみの料金は？"

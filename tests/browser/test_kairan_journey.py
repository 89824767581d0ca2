"""The circular board in a real browser. The city registers 桜町自治会; its chair joins with the code
from the letter, imports the households, prints the invitation letters, sends a circular with a PDF
and a 出欠 question; a member of the 田中 household joins on her own phone with the code from her
letter, reads and answers (attending, 2 people); the chair sees the tally and prints the paper route
sheet of 1班. Every page is checked with axe-core."""

import io
import re

import pytest
from pypdf import PdfReader

from tests.browser.test_clerk_journeys import sign_in
from tests.kairan.helpers import pdf_bytes
from tests.personas import make_persona
from yakuba.kairan.models import Answer, Association, Household, Member, ReadReceipt

pytestmark = pytest.mark.django_db(transaction=True)

CSV = (
    "世帯名,ふりがな,住所,班,回覧,手助け,位置x,位置y,回覧順\r\n"
    "田中,たなか,桜町1-1,1班,デジタル,ふつう,0,0,1\r\n"
    "鈴木,すずき,桜町1-2,1班,紙,高齢,120,10,2\r\n"
    "高橋,たかはし,桜町1-3,1班,紙,ふつう,40,5,3\r\n"
    "伊藤,いとう,桜町1-4,1班,紙,手助けが必要,80,60,4\r\n"
    "渡辺,わたなべ,桜町2-1,2班,紙,ふつう,500,500,1\r\n"
)


def _pdf_text(data: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def _join(page, live_server, code: str, name: str) -> None:
    page.goto(f"{live_server.url}/kairan/join/")
    page.get_by_label("招待コード（8文字）").fill(code.lower())  # typed any which way
    page.get_by_role("button", name="次へ").click()
    page.get_by_label("お名前").fill(name)
    page.get_by_role("button", name="はじめる").click()
    page.wait_for_url(f"{live_server.url}/kairan/")


def test_a_chair_sends_a_circular_that_a_member_answers(browser, page, live_server, axe_check):
    # The city's clerk registers the association and prints the chair's letter.
    clerk = make_persona("tanin")
    from django.contrib.auth.models import Group

    clerk.groups.add(Group.objects.get(name="地域振興担当"))
    sign_in(page, live_server, clerk)
    page.goto(f"{live_server.url}/kairan/associations/")
    axe_check(page, "associations (staff)")
    page.get_by_label("自治会の名称").fill("桜町自治会")
    page.get_by_label("会長の世帯名").fill("山本")
    page.get_by_role("button", name="登録して会長の招待状を作る").click()
    axe_check(page, "association registered")
    href = page.get_by_role("link", name="会長の招待状を印刷する（PDF）").get_attribute("href")
    letter = page.request.get(f"{live_server.url}{href}")
    chair_code = re.search(r"[A-Z0-9]{4}-[A-Z0-9]{4}", _pdf_text(letter.body())).group(0)
    association = Association.objects.get(name="桜町自治会")

    # The chair joins on her phone with the code.
    chair_phone = browser.new_context(locale="ja-JP", viewport={"width": 390, "height": 844})
    chair = chair_phone.new_page()
    chair.goto(f"{live_server.url}/kairan/join/")
    axe_check(chair, "join")
    _join(chair, live_server, chair_code, "山本 和子")
    axe_check(chair, "member home")
    assert Member.objects.get(association=association).role == "chair"

    # Households from a CSV.
    chair.goto(f"{live_server.url}/kairan/manage/households/import/")
    axe_check(chair, "households import")
    chair.get_by_label("CSVファイル").set_input_files(
        {"name": "世帯.csv", "mimeType": "text/csv", "buffer": CSV.encode("utf-8-sig")}
    )
    chair.get_by_role("button", name="取り込む").click()
    assert Household.objects.filter(association=association).count() == 6  # 5 + the chair's
    chair.goto(f"{live_server.url}/kairan/manage/households/")
    axe_check(chair, "households")

    # Invitation letters for every household without a member yet.
    chair.goto(f"{live_server.url}/kairan/manage/invitations/")
    axe_check(chair, "invitations")
    # The form answers with the PDF (shown inline); post it as the button would.
    token = chair.locator("input[name=csrfmiddlewaretoken]").first.get_attribute("value")
    letters = chair.request.post(
        f"{live_server.url}/kairan/manage/invitations/",
        form={"csrfmiddlewaretoken": token, "which": "without", "layout": "a4"},
        headers={"Referer": f"{live_server.url}/kairan/manage/invitations/"},
    )
    assert letters.headers["content-type"] == "application/pdf"
    pages = PdfReader(io.BytesIO(letters.body())).pages
    tanaka_page = next(p.extract_text() for p in pages if "田中" in p.extract_text())
    tanaka_code = re.search(r"[A-Z0-9]{4}-[A-Z0-9]{4}", tanaka_page).group(0)

    # A circular with a PDF and a 出欠 question, to the whole association.
    chair.goto(f"{live_server.url}/kairan/manage/circulars/new/")
    axe_check(chair, "circular new")
    chair.get_by_label("件名").fill("秋祭りのお知らせ")
    chair.get_by_label("本文").fill("10月12日（日）に秋祭りを行います。\n出欠をお知らせください。")
    chair.get_by_role("button", name="下書きを保存する").click()
    chair.get_by_label("添付ファイル").set_input_files(
        {"name": "案内.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes("Autumn festival")}
    )
    chair.get_by_role("button", name="添付する").click()
    chair.get_by_label("出欠（人数）").check()
    chair.get_by_label("質問").fill("秋祭りに参加しますか")
    chair.get_by_role("button", name="質問を加える").click()
    axe_check(chair, "circular edit")
    chair.get_by_role("link", name="送る前の確認へ").click()
    axe_check(chair, "circular send")
    chair.get_by_role("button", name="送る").click()
    circular = association.circulars.get()
    assert circular.sent_at is not None and circular.attachments.count() == 1

    # 田中 joins on her phone, reads, and answers: attending, 2 people.
    phone = browser.new_context(locale="ja-JP", viewport={"width": 390, "height": 844})
    tanaka = phone.new_page()
    _join(tanaka, live_server, tanaka_code, "田中 花子")
    assert "未読" in tanaka.content()
    tanaka.get_by_role("link", name=re.compile("秋祭りのお知らせ")).click()
    axe_check(tanaka, "circular")
    assert "案内.pdf" in tanaka.content()
    tanaka.get_by_label("出席", exact=True).check()
    tanaka.get_by_label("出席する人数").fill("2")
    tanaka.get_by_role("button", name="回答する").click()
    household = Household.objects.get(association=association, name="田中")
    assert ReadReceipt.objects.filter(circular=circular, household=household).count() == 1
    assert Answer.objects.get(household=household).value == {"attend": True, "count": 2}

    # The chair sees who read it and the tally.
    chair.goto(f"{live_server.url}/kairan/manage/circulars/{circular.pk}/status/")
    axe_check(chair, "circular status")
    status = chair.locator("main").inner_text()
    assert re.search(r"既読\s*1 世帯", status) and re.search(r"未読\s*5 世帯", status)
    assert re.search(r"出席の世帯\s*1\s", status) and re.search(r"出席する人数（合計）\s*2 人", status)

    # The paper route of 1班 and its sheet with the circular.
    han = association.han.get(name="1班")
    chair.goto(f"{live_server.url}/kairan/manage/han/{han.pk}/route/")
    axe_check(chair, "route")
    sheet = chair.request.get(
        f"{live_server.url}/kairan/manage/han/{han.pk}/route.pdf?circular={circular.pk}"
    )
    text = _pdf_text(sheet.body())
    assert "秋祭りのお知らせ" in text
    for name in ("鈴木", "高橋", "伊藤"):
        assert name in text
    chair_phone.close()
    phone.close()

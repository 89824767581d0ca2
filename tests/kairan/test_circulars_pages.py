"""Circular pages through HTTP, as the people of 桜町自治会 use them on their phones.

- Kaicho (会長, 世帯001, 1班) writes, sends and follows circulars on the officers' pages.
- Yamada (世帯003, 1班) reads on her phone; Suzuki (世帯004, 2班) too, but a circular for 1班 does not
  exist for him (404).
- Ume is the chair of 梅町自治会 and Matsu a member there: every id of 桜町 answers them 404, and
  nothing of 桜町 changes whatever they post.
"""

import datetime as dt
import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from tests.kairan.helpers import (
    add_member,
    households_of,
    make_association,
    member_client,
    pdf_bytes,
    png_bytes,
    signed_in,
)
from yakuba.core.models import Municipality
from yakuba.kairan import circulars, views_circulars
from yakuba.kairan.models import (
    Answer,
    Attachment,
    Circular,
    Han,
    Member,
    Notification,
    Question,
    ReadReceipt,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def town():
    association = make_association("桜町自治会", households=6, han=2, paper_share=0.34)
    homes = {h.name: h for h in households_of(association)}
    kaicho, key = add_member(homes["世帯001"], role=Member.Role.CHAIR, name="会長 一郎")
    return association, homes, kaicho, member_client(kaicho, key)


def han_named(association, name):
    return Han.objects.get(association=association, name=name)


def new_circular(kaicho, *, title="夏祭りのお知らせ", body="7月20日です。", han=(), due_on=None, send=True):
    circular = circulars.circular_save(
        author=kaicho, title=title, body=body, due_on=due_on, han_ids=[h.pk for h in han]
    )
    if send:
        circulars.circular_send(circular=circular, actor=kaicho)
        circular.refresh_from_db()
    return circular


def html(response) -> str:
    return response.content.decode()


# --- members: home, reading, files ---------------------------------------------------------------


def test_home_lists_unread_first_with_a_marker_and_due_dates_in_wareki(town):
    association, homes, kaicho, _officer = town
    yamada, client = signed_in(homes["世帯003"], name="山田 花子")
    old = new_circular(kaicho, title="古い回覧")
    circulars.mark_read(circular=old, member=yamada)
    new_circular(kaicho, title="新しい回覧", due_on=dt.date(2026, 11, 26))
    new_circular(kaicho, title="2班だけの回覧", han=[han_named(association, "2班")])
    new_circular(kaicho, title="下書き", send=False)
    page = html(client.get(reverse("kairan:home")))
    assert "2班だけの回覧" not in page and "下書き</a>" not in page
    assert page.index("新しい回覧") < page.index("古い回覧")
    unread_card = page[: page.index("古い回覧")]
    assert unread_card.count("未読</span>") == 1
    assert "令和8年11月26日" in page
    assert "まだ読んでいない回覧が 1 件あります。" in page


def test_opening_a_circular_is_the_households_receipt(town):
    _association, homes, kaicho, _officer = town
    yamada, yamada_client = signed_in(homes["世帯003"], name="山田 花子")
    _taro, taro_client = signed_in(homes["世帯003"], name="山田 太郎")
    circular = new_circular(kaicho)
    url = reverse("kairan:circular", args=[circular.pk])
    assert yamada_client.get(url).status_code == 200
    assert taro_client.get(url).status_code == 200
    receipt = ReadReceipt.objects.get()
    assert (receipt.household_id, receipt.member_id) == (homes["世帯003"].pk, yamada.pk)


def test_a_member_of_another_han_cannot_open_a_circular_for_one_han(town):
    association, homes, kaicho, _officer = town
    _suzuki, client = signed_in(homes["世帯004"])  # 2班
    circular = new_circular(kaicho, han=[han_named(association, "1班")], send=False)
    question = circulars.question_add(circular=circular, actor=kaicho, kind="yesno", prompt="参加しますか")
    attachment = circulars.attachment_add(
        circular=circular, upload=SimpleUploadedFile("a.pdf", pdf_bytes()), actor=kaicho
    )
    circulars.circular_send(circular=circular, actor=kaicho)
    assert client.get(reverse("kairan:circular", args=[circular.pk])).status_code == 404
    assert client.get(reverse("kairan:circular_file", args=[circular.pk, attachment.pk])).status_code == 404
    answered = client.post(reverse("kairan:answer", args=[question.pk]), {f"q{question.pk}-yes": "yes"})
    assert answered.status_code == 404
    assert (ReadReceipt.objects.count(), Answer.objects.count()) == (0, 0)
    _yamada, ichi = signed_in(homes["世帯003"])  # 1班
    assert ichi.get(reverse("kairan:circular", args=[circular.pk])).status_code == 200


def test_a_draft_does_not_exist_for_members(town):
    _association, homes, kaicho, officer = town
    _yamada, client = signed_in(homes["世帯003"])
    circular = new_circular(kaicho, send=False)
    assert client.get(reverse("kairan:circular", args=[circular.pk])).status_code == 404
    preview = officer.get(reverse("kairan:circular", args=[circular.pk]))
    assert "下書きの表示です" in html(preview)
    assert ReadReceipt.objects.count() == 0


def test_an_attachment_downloads_as_an_attachment_with_its_stored_type(town):
    _association, homes, kaicho, _officer = town
    _yamada, client = signed_in(homes["世帯003"])
    circular = new_circular(kaicho, send=False)
    data = pdf_bytes()
    attachment = circulars.attachment_add(
        circular=circular, upload=SimpleUploadedFile("回覧 案内(1).pdf", data, "text/html"), actor=kaicho
    )
    circulars.circular_send(circular=circular, actor=kaicho)
    response = client.get(reverse("kairan:circular_file", args=[circular.pk, attachment.pk]))
    assert response.status_code == 200
    assert response.getvalue() == data
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == (
        "attachment; filename=\"_1_.pdf\"; filename*=UTF-8''%E5%9B%9E%E8%A6%A7%20%E6%A1%88%E5%86%85%281%29.pdf"
    )
    page = html(client.get(reverse("kairan:circular", args=[circular.pk])))
    assert "回覧 案内(1).pdf" in page


def test_content_disposition_keeps_ascii_names_and_never_breaks_the_header():
    assert views_circulars.content_disposition("map.png") == (
        "attachment; filename=\"map.png\"; filename*=UTF-8''map.png"
    )
    assert views_circulars.content_disposition("地図.png") == (
        "attachment; filename=\"file.png\"; filename*=UTF-8''%E5%9C%B0%E5%9B%B3.png"
    )
    header = views_circulars.content_disposition('a"b;\r\nc.pdf')
    assert "\r" not in header and "\n" not in header and header.count('"') == 2


# --- XSS -----------------------------------------------------------------------------------------


def test_scripts_in_titles_bodies_and_file_names_never_reach_a_page(town):
    _association, homes, kaicho, officer = town
    yamada, client = signed_in(homes["世帯003"])
    circular = circulars.circular_save(
        author=kaicho,
        title="＜script＞alert('title')＜/script＞ごみ",
        body=(
            "<p>本文</p><script>alert('body')</script>＜script＞alert('wide')＜/script＞"
            '<p><a href="ｊａｖａｓｃｒｉｐｔ：alert(1)">全角のリンク</a>'
            '<a href="javascript:alert(2)">半角のリンク</a>'
            '<img src=x onerror="alert(3)">＜img src=x onerror=alert(4)＞</p>'
        ),
        due_on=None,
        han_ids=[],
    )
    circulars.attachment_add(
        circular=circular,
        upload=SimpleUploadedFile('<img src=x onerror="alert(5)">.png', png_bytes()),
        actor=kaicho,
    )
    circulars.attachment_add(
        circular=circular, upload=SimpleUploadedFile("＜svg onload=alert(6)＞.pdf", pdf_bytes()), actor=kaicho
    )
    question = circulars.question_add(
        circular=circular,
        actor=kaicho,
        kind="choice",
        prompt="<b onmouseover=alert(7)>日</b>",
        choices=["<i>土</i>", "日"],
    )
    circulars.circular_send(circular=circular, actor=kaicho)
    circulars.answer_save(question=question, member=yamada, value={"choice": "<i>土</i>"})
    pages = [
        client.get(reverse("kairan:home")),
        client.get(reverse("kairan:circular", args=[circular.pk])),
        client.get(reverse("kairan:archive"), {"q": "ゴミ"}),
        client.get(reverse("kairan:archive"), {"q": "<script>alert('q')</script>"}),
        officer.get(reverse("kairan:circular_status", args=[circular.pk])),
        officer.get(reverse("kairan:circular_list")),
    ]
    for response in pages:
        assert response.status_code == 200
        page = html(response).lower()
        for bad in ("<script", "javascript:", "<img", "<svg", "<b onmouseover", "<i>土"):
            assert bad not in page, (response.request["PATH_INFO"], bad)
        # No event handler inside any tag (as text, the 「onerror=」 of a file name is harmless).
        assert not re.search(r"<[^>]*\son\w+\s*=", page), response.request["PATH_INFO"]
    shown = html(pages[1])
    assert "&lt;script&gt;alert(&#x27;title&#x27;)&lt;/script&gt;ごみ" in shown
    assert "<p>本文</p>" in shown and ">全角のリンク</a>" in shown
    assert "_img src=x onerror=_alert(5)__.png" in shown
    assert "&lt;i&gt;土&lt;/i&gt;" in shown
    assert "&lt;script&gt;alert(&#x27;q&#x27;)&lt;/script&gt;" in html(pages[3])


def test_household_and_member_names_are_escaped_on_the_status_page(town):
    _association, homes, kaicho, officer = town
    home = homes["世帯003"]
    home.name = "<script>alert('home')</script>"
    home.save()
    member, _k = add_member(home, name='＜img src=x onerror="alert(1)"＞')
    circular = new_circular(kaicho)
    circulars.mark_read(circular=circular, member=member)
    page = html(officer.get(reverse("kairan:circular_status", args=[circular.pk])))
    assert "<script>alert" not in page and "<img" not in page
    assert '<th scope="row">&lt;script&gt;alert(&#x27;home&#x27;)&lt;/script&gt;</th>' in page
    assert "<td>＜img src=x onerror=&quot;alert(1)&quot;＞</td>" in page


# --- answering -----------------------------------------------------------------------------------


def test_a_member_answers_and_changes_the_answer_until_the_due_date(town, monkeypatch):
    _association, homes, kaicho, _officer = town
    _yamada, client = signed_in(homes["世帯003"])
    due = dt.date(2026, 7, 10)
    circular = new_circular(kaicho, title="総会", due_on=due, send=False)
    question = circulars.question_add(
        circular=circular, actor=kaicho, kind="attendance", prompt="総会に出席しますか"
    )
    circulars.circular_send(circular=circular, actor=kaicho)
    url = reverse("kairan:answer", args=[question.pk])
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: due)
    response = client.post(url, {f"q{question.pk}-attend": "attend", f"q{question.pk}-count": "3"})
    assert response.status_code == 302
    assert response["Location"] == f"/kairan/circulars/{circular.pk}/#q{question.pk}"
    assert Answer.objects.get().value == {"attend": True, "count": 3}
    page = html(client.get(reverse("kairan:circular", args=[circular.pk])))
    assert "出席 3人" in page and "回答を直す" in page
    missing = client.post(url, {f"q{question.pk}-attend": "attend"})
    assert missing.status_code == 400
    assert "出席する人数を1から20の数で入れてください。" in html(missing)
    client.post(url, {f"q{question.pk}-attend": "absent"})
    assert Answer.objects.get().value == {"attend": False, "count": 0}
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: due + dt.timedelta(days=1))
    late = client.post(url, {f"q{question.pk}-attend": "attend", f"q{question.pk}-count": "2"})
    assert late.status_code == 400
    assert "回答の期限（令和8年7月10日）を過ぎたため、受け付けできません。" in html(late)
    assert Answer.objects.get().value == {"attend": False, "count": 0}
    closed = html(client.get(reverse("kairan:circular", args=[circular.pk])))
    assert "受け付けを終えました" in closed and f'action="{url}"' not in closed


# --- the archive ---------------------------------------------------------------------------------


def test_the_archive_finds_gomi_written_in_hiragana_with_a_katakana_query(town):
    _association, homes, kaicho, _officer = town
    _yamada, client = signed_in(homes["世帯003"])
    new_circular(kaicho, title="ごみの出し方が変わります")
    new_circular(kaicho, title="夏祭り")
    page = html(client.get(reverse("kairan:archive"), {"q": "ゴミ"}))
    assert "ごみの出し方が変わります" in page and "夏祭り" not in page
    assert "「ゴミ」の回覧 1 件" in page


def test_the_archive_shows_20_a_page(town):
    _association, homes, kaicho, _officer = town
    _yamada, client = signed_in(homes["世帯003"])
    for i in range(21):
        new_circular(kaicho, title=f"お知らせ第{i + 1:02d}号")
    first = html(client.get(reverse("kairan:archive")))
    assert len(re.findall(r"お知らせ第\d\d号", first)) == 20 and "お知らせ第21号" in first
    second = html(client.get(reverse("kairan:archive"), {"page": 2}))
    assert re.findall(r"お知らせ第\d\d号", second) == ["お知らせ第01号"]


# --- officers ------------------------------------------------------------------------------------


def test_an_officer_writes_attaches_asks_sends_and_follows_a_circular(town):
    _association, homes, kaicho, officer = town
    yamada, _key = add_member(homes["世帯003"], channel=Member.Channel.EMAIL)
    created = officer.post(
        reverse("kairan:circular_new"),
        {"title": "清掃のお知らせ", "body": "6月1日 8時から。", "due_on": "2026-06-01", "han": []},
    )
    circular = Circular.objects.get()
    assert created["Location"] == reverse("kairan:circular_edit", args=[circular.pk])
    assert (circular.body, circular.due_on, circular.author_id) == (
        "<p>6月1日 8時から。</p>",
        dt.date(2026, 6, 1),
        kaicho.pk,
    )
    edit = html(officer.get(created["Location"]))
    assert "6月1日 8時から。</textarea>" in edit  # a plain body comes back as the text typed
    uploaded = officer.post(
        reverse("kairan:circular_file_add", args=[circular.pk]),
        {"file": SimpleUploadedFile("地図.png", png_bytes(), "image/png")},
    )
    assert uploaded.status_code == 302 and circular.attachments.get().name == "地図.png"
    refused = officer.post(
        reverse("kairan:circular_file_add", args=[circular.pk]),
        {"file": SimpleUploadedFile("shell.pdf", b"<?php echo 1; ?>", "application/pdf")},
        follow=True,
    )
    assert "添付できるのはPDF、PNG、JPEGのファイルだけです。" in html(refused)
    officer.post(
        reverse("kairan:circular_question_add", args=[circular.pk]),
        {"kind": "choice", "prompt": "参加できる時間", "choices": "8時\n9時\n"},
    )
    assert list(circular.questions.values_list("prompt", "choices")) == [("参加できる時間", ["8時", "9時"])]
    confirm = html(officer.get(reverse("kairan:circular_send", args=[circular.pk])))
    assert "6 世帯（うち紙の回覧板 2 世帯）" in confirm and "1 人にメールやLINEでお知らせします" in confirm
    assert Circular.objects.get().sent_at is None  # the confirmation page sends nothing
    sent = officer.post(reverse("kairan:circular_send", args=[circular.pk]), follow=True)
    assert "回覧を送りました。お知らせ 1 件を送信待ちにしました。" in html(sent)
    assert Notification.objects.get().member_id == yamada.pk
    status = html(sent)
    assert "既読" in status and "0 世帯" in status and "6 世帯" in status
    # After sending, the officers' draft pages lead to the status page and change nothing.
    again = officer.post(reverse("kairan:circular_edit", args=[circular.pk]), {"title": "変更", "body": ""})
    assert again["Location"] == reverse("kairan:circular_status", args=[circular.pk])
    assert Circular.objects.get().title == "清掃のお知らせ"
    reminded = officer.post(reverse("kairan:circular_remind", args=[circular.pk]), follow=True)
    assert "まだ読んでいない世帯に催促を 1 件送信待ちにしました。" in html(reminded)
    csv = officer.get(reverse("kairan:circular_answers_csv", args=[circular.pk]))
    assert csv["Content-Type"] == "text/csv; charset=utf-8"
    assert csv.content == "\ufeff世帯,班,質問,回答,回答日時\r\n".encode()
    assert csv["Content-Disposition"].startswith("attachment; ")


def test_an_officer_deletes_a_draft_after_confirming(town):
    _association, _homes, kaicho, officer = town
    circular = new_circular(kaicho, send=False)
    url = reverse("kairan:circular_delete", args=[circular.pk])
    assert "元にはもどせません" in html(officer.get(url))
    assert Circular.objects.filter(pk=circular.pk).exists()
    assert officer.post(url)["Location"] == reverse("kairan:circular_list")
    assert not Circular.objects.filter(pk=circular.pk).exists()


def test_the_status_page_shows_counts_per_han_paper_households_and_tallies(town):
    _association, homes, kaicho, officer = town
    circular = new_circular(kaicho, send=False)
    question = circulars.question_add(
        circular=circular, actor=kaicho, kind="attendance", prompt="出席しますか"
    )
    circulars.circular_send(circular=circular, actor=kaicho)
    for name, count in (("世帯003", 2), ("世帯004", 3)):
        member, _k = add_member(homes[name])
        circulars.mark_read(circular=circular, member=member)
        circulars.answer_save(question=question, member=member, value={"attend": True, "count": count})
    page = html(officer.get(reverse("kairan:circular_status", args=[circular.pk])))
    assert re.search(r"<th scope=\"row\">1班</th><td>3</td><td>1</td><td>2</td>", page)
    assert re.search(r"<th scope=\"row\">2班</th><td>3</td><td>1</td><td>2</td>", page)
    assert "<li>1班　世帯001</li>" in page and "<li>2班　世帯002</li>" in page
    assert "<dt>出席の世帯</dt><dd>2</dd>" in page and "5 人" in page
    assert "2 世帯にお知らせを送ります" in page  # 世帯005 and 世帯006


NON_OFFICER_URLS = ["circular_list", "circular_new"]


@pytest.mark.parametrize("role", [Member.Role.MEMBER, Member.Role.HANCHO])
def test_officer_pages_do_not_exist_for_other_members(town, role):
    _association, homes, kaicho, _officer = town
    _member, client = signed_in(homes["世帯003"], role=role)
    circular = new_circular(kaicho)
    assert client.get(reverse("kairan:circular_list")).status_code == 404
    assert client.post(reverse("kairan:circular_new"), {"title": "x"}).status_code == 404
    assert client.get(reverse("kairan:circular_status", args=[circular.pk])).status_code == 404
    assert client.post(reverse("kairan:circular_remind", args=[circular.pk])).status_code == 404
    assert client.get(reverse("kairan:circular_answers_csv", args=[circular.pk])).status_code == 404
    assert Circular.objects.count() == 1 and Notification.objects.count() == 0


def test_pages_need_a_signed_in_device():
    from django.test import Client

    response = Client().get(reverse("kairan:home"))
    assert response.status_code == 302 and response["Location"] == reverse("kairan:join")


# --- tenants: every id of another association answers 404 --------------------------------------


@pytest.fixture
def sakura(town):
    """桜町's objects: a sent circular and a draft, each with a file and a question."""
    _association, homes, kaicho, _officer = town
    made: dict[str, Any] = {}
    for state in ("sent", "draft"):
        circular = new_circular(kaicho, title=f"{state}のごみ", send=False)
        made[f"{state}_file"] = circulars.attachment_add(
            circular=circular, upload=SimpleUploadedFile("a.png", png_bytes()), actor=kaicho
        )
        made[f"{state}_question"] = circulars.question_add(
            circular=circular, actor=kaicho, kind="yesno", prompt="参加しますか"
        )
        if state == "sent":
            circulars.circular_send(circular=circular, actor=kaicho)
        made[state] = circular
    add_member(homes["世帯003"], channel=Member.Channel.EMAIL)
    Notification.objects.all().delete()
    return made


# name: (method, path arguments from the sakura objects, POST data)
ID_URLS = {
    "circular": ("get", lambda o: [o["sent"].pk], {}),
    "circular_file": ("get", lambda o: [o["sent"].pk, o["sent_file"].pk], {}),
    "answer": ("post", lambda o: [o["sent_question"].pk], {"yes": "yes"}),
    "circular_edit": ("post", lambda o: [o["draft"].pk], {"title": "乗っ取り", "body": "x"}),
    "circular_file_add": ("post", lambda o: [o["draft"].pk], {"file": "png"}),
    "circular_file_remove": ("post", lambda o: [o["draft"].pk, o["draft_file"].pk], {}),
    "circular_question_add": ("post", lambda o: [o["draft"].pk], {"kind": "yesno", "prompt": "乗っ取り"}),
    "circular_question_remove": ("post", lambda o: [o["draft"].pk, o["draft_question"].pk], {}),
    "circular_send": ("post", lambda o: [o["draft"].pk], {}),
    "circular_delete": ("post", lambda o: [o["draft"].pk], {}),
    "circular_status": ("get", lambda o: [o["sent"].pk], {}),
    "circular_remind": ("post", lambda o: [o["sent"].pk], {}),
    "circular_answers_csv": ("get", lambda o: [o["sent"].pk], {}),
}


def test_every_url_with_an_id_is_in_the_tenant_test():
    with_ids = {p.name for p in views_circulars.urlpatterns if p.pattern.converters}
    assert with_ids == set(ID_URLS)


def _state(sakura):
    return (
        sorted(Circular.objects.values_list("pk", "title", "sent_at")),
        sorted(Attachment.objects.values_list("pk", "circular_id")),
        sorted(Question.objects.values_list("pk", "circular_id", "prompt")),
        Answer.objects.count(),
        ReadReceipt.objects.count(),
        Notification.objects.count(),
    )


def _request(client, name, args, method, data):
    url = reverse(f"kairan:{name}", args=args)
    if method == "get":
        return client.get(url)
    if data.get("file") == "png":
        data = {"file": SimpleUploadedFile("x.png", png_bytes())}
    if name == "answer":
        data = {f"q{args[0]}-yes": "yes"}
    return client.post(url, data)


@pytest.mark.parametrize("role", [Member.Role.CHAIR, Member.Role.SECRETARY, Member.Role.MEMBER])
@pytest.mark.parametrize("name", sorted(ID_URLS))
def test_ids_of_another_association_answer_404(sakura, name, role):
    ume_town = make_association("梅町自治会", households=2, han=1)
    _ume, client = signed_in(households_of(ume_town)[0], role=role)
    before = _state(sakura)
    method, args, data = ID_URLS[name]
    response = _request(client, name, args(sakura), method, data)
    assert response.status_code == 404
    assert _state(sakura) == before


@pytest.mark.parametrize("name", ["circular_file", "circular_file_remove", "circular_question_remove"])
def test_an_id_of_another_association_under_an_own_circular_answers_404(sakura, name):
    ume_town = make_association("梅町自治会", households=2, han=1)
    ume, client = signed_in(households_of(ume_town)[0], role=Member.Role.CHAIR)
    own = new_circular(ume, title="梅町の回覧", send=name == "circular_file")
    foreign = {
        "circular_file": "sent_file",
        "circular_file_remove": "draft_file",
        "circular_question_remove": "draft_question",
    }
    before = _state(sakura)
    method = "get" if name == "circular_file" else "post"
    response = _request(client, name, [own.pk, sakura[foreign[name]].pk], method, {})
    assert response.status_code == 404
    assert _state(sakura) == before


# --- the status page: a constant number of queries ----------------------------------------------

# The device and its member, the circular, the receipts, the 班 addressed, the households, the
# answers, the questions, the municipality (base template).
STATUS_QUERIES = 8


@pytest.mark.parametrize("households", [10, 100])
def test_the_status_page_runs_a_constant_number_of_queries(households, django_assert_num_queries):
    association = make_association("大町自治会", households=households, han=5, paper_share=0.3)
    homes = households_of(association)
    kaicho, key = add_member(homes[0], role=Member.Role.CHAIR)
    officer = member_client(kaicho, key)
    circular = new_circular(kaicho, send=False)
    attend = circulars.question_add(circular=circular, actor=kaicho, kind="attendance", prompt="出席")
    choice = circulars.question_add(
        circular=circular, actor=kaicho, kind="choice", prompt="日", choices=["土", "日"]
    )
    text = circulars.question_add(circular=circular, actor=kaicho, kind="text", prompt="ご意見")
    circulars.circular_send(circular=circular, actor=kaicho)
    for i, home in enumerate(homes[: households // 2]):
        member = Member.objects.create(association=association, household=home, name=f"会員{i}")
        circulars.mark_read(circular=circular, member=member)
        circulars.answer_save(question=attend, member=member, value={"attend": True, "count": 2})
        circulars.answer_save(question=choice, member=member, value={"choice": "土"})
        circulars.answer_save(question=text, member=member, value={"text": f"意見{i}"})
    url = reverse("kairan:circular_status", args=[circular.pk])
    Municipality.current()  # created on first use: not part of the page's cost
    with django_assert_num_queries(STATUS_QUERIES):
        response = officer.get(url)
    page = html(response)
    assert f"{households // 2} 世帯" in page and page.count('<th scope="row">世帯') == households

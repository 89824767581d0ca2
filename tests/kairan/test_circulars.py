"""Circular services: the people of 桜町自治会 (and one outsider association, 梅町自治会).

- Kaicho (会長) of 桜町 writes and sends circulars; the services refuse anyone who is not an officer.
- Yamada and her son Taro read for household 世帯003 (1班, on the phone): one receipt, one answer.
- Suzuki of 2班 only sees circulars for the whole association and for 2班.
- Ume, the chair of 梅町, is an officer too, but of another association: nothing of 桜町 is his.
"""

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.utils import timezone

from tests.kairan.helpers import (
    add_member,
    households_of,
    jpeg_bytes,
    make_association,
    pdf_bytes,
    png_bytes,
)
from yakuba.core.models import AuditEntry
from yakuba.kairan import circulars
from yakuba.kairan.circulars import CircularError
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
    """桜町: 2 班 of 6 households (1班: 001 003 005, 2班: 002 004 006); the first of each 班 on paper."""
    association = make_association("桜町自治会", households=6, han=2, paper_share=0.34)
    homes = {h.name: h for h in households_of(association)}
    kaicho, _key = add_member(homes["世帯001"], role=Member.Role.CHAIR, name="会長 一郎")
    return association, homes, kaicho


def han_named(association, name):
    return Han.objects.get(association=association, name=name)


def draft(kaicho, *, title="夏祭りのお知らせ", body="7月20日に夏祭りをします。", han_ids=(), due_on=None):
    return circulars.circular_save(
        author=kaicho, title=title, body=body, due_on=due_on, han_ids=list(han_ids)
    )


def sent(kaicho, **kwargs):
    circular = draft(kaicho, **kwargs)
    circulars.circular_send(circular=circular, actor=kaicho)
    circular.refresh_from_db()
    return circular


def upload(name, data, content_type="application/pdf"):
    return SimpleUploadedFile(name, data, content_type=content_type)


# --- drafts and sanitising ----------------------------------------------------------------------


XSS_BODIES = [
    '<script>alert("x")</script><p>本文</p>',
    "＜script＞alert(1)＜/script＞本文",
    '<p><a href="javascript:alert(1)">リンク</a></p>',
    '<p><a href="ｊａｖａｓｃｒｉｐｔ：alert(1)">リンク</a></p>',
    '<p><img src="x" onerror="alert(1)">本文</p>',
    "＜img src=x onerror=alert(1)＞本文",
    '<p onclick="alert(1)" style="color:red">本文</p>',
]


@pytest.mark.parametrize("body", XSS_BODIES)
def test_a_body_is_stored_sanitised_whatever_the_width_of_its_characters(town, body):
    _association, _homes, kaicho = town
    circular = draft(kaicho, body=body)
    stored = Circular.objects.get(pk=circular.pk).body
    lowered = stored.lower()
    for bad in ("<script", "javascript:", "onerror", "onclick", "<img", "style=", "＜", "ｊａｖａ"):
        assert bad not in lowered
    assert "本文" in stored or "リンク" in stored


def test_a_title_is_stored_as_plain_text_of_one_line(town):
    _association, _homes, kaicho = town
    circular = draft(kaicho, title="＜script＞alert(1)＜/script＞\n回覧")
    # The title is plain text: the tag is just characters (escaped wherever it is shown).
    assert Circular.objects.get(pk=circular.pk).title == "<script>alert(1)</script> 回覧"


def test_a_plain_text_body_becomes_paragraphs(town):
    _association, _homes, kaicho = town
    circular = draft(kaicho, body="1行目\n2行目\n\n次の段落 3 < 5")
    assert circular.body == "<p>1行目<br>2行目</p><p>次の段落 3 &lt; 5</p>"


def test_only_officers_write_circulars(town):
    _association, homes, _kaicho = town
    yamada, _key = add_member(homes["世帯003"], name="山田 花子")
    hancho, _key = add_member(homes["世帯002"], role=Member.Role.HANCHO)
    for member in (yamada, hancho):
        with pytest.raises(CircularError, match="会長と書記だけ"):
            draft(member)
    assert Circular.objects.count() == 0


def test_a_han_of_another_association_is_refused(town):
    _association, _homes, kaicho = town
    other = make_association("梅町自治会", households=2, han=1)
    with pytest.raises(CircularError, match="この自治会にありません"):
        draft(kaicho, han_ids=[han_named(other, "1班").pk])
    assert Circular.objects.count() == 0


def test_a_draft_is_updated_and_a_sent_circular_is_not(town):
    association, _homes, kaicho = town
    circular = draft(kaicho, han_ids=[han_named(association, "1班").pk])
    updated = circulars.circular_save(
        author=kaicho, pk=circular.pk, title="新しい件名", body="新しい本文", due_on=None, han_ids=[]
    )
    assert (updated.pk, updated.title, list(updated.han.all())) == (circular.pk, "新しい件名", [])
    circulars.circular_send(circular=updated, actor=kaicho)
    with pytest.raises(CircularError, match="送った回覧は変えられません"):
        circulars.circular_save(author=kaicho, pk=circular.pk, title="x", body="", due_on=None, han_ids=[])
    assert Circular.objects.get(pk=circular.pk).title == "新しい件名"


def test_an_officer_of_another_association_cannot_edit_a_draft(town):
    _association, _homes, kaicho = town
    circular = draft(kaicho)
    other = make_association("梅町自治会", households=1, han=1)
    ume, _key = add_member(households_of(other)[0], role=Member.Role.CHAIR)
    with pytest.raises(Http404):
        circulars.circular_save(
            author=ume, pk=circular.pk, title="乗っ取り", body="", due_on=None, han_ids=[]
        )
    with pytest.raises(CircularError):
        circulars.circular_send(circular=circular, actor=ume)
    assert Circular.objects.get(pk=circular.pk).title == "夏祭りのお知らせ"


def test_deleting_a_draft_is_audited_and_removes_its_files(town, django_capture_on_commit_callbacks):
    _association, _homes, kaicho = town
    circular = draft(kaicho)
    attachment = circulars.attachment_add(
        circular=circular, upload=upload("a.pdf", pdf_bytes()), actor=kaicho
    )
    stored = Path(attachment.file.path)
    assert stored.exists()
    # The file goes once the deletion commits (the test's transaction never does: run the hooks).
    with django_capture_on_commit_callbacks(execute=True):
        circulars.circular_delete(circular=circular, actor=kaicho)
    assert not Circular.objects.filter(pk=circular.pk).exists()
    assert not Attachment.objects.exists()
    assert not stored.exists()
    entry = AuditEntry.objects.filter(action="kairan_circular_delete").get()
    assert (entry.actor, entry.target_id) == (f"kairan-member:{kaicho.pk}", str(circular.pk))
    other = sent(kaicho)
    with pytest.raises(CircularError, match="送った回覧"):
        circulars.circular_delete(circular=other, actor=kaicho)
    assert Circular.objects.filter(pk=other.pk).exists()


# --- attachments --------------------------------------------------------------------------------


def test_a_real_pdf_png_and_jpeg_are_attached_with_their_checksum(town):
    import hashlib

    _association, _homes, kaicho = town
    circular = draft(kaicho)
    files = [
        ("案内.pdf", pdf_bytes(), "application/pdf", "案内.pdf"),
        ("地図.PNG", png_bytes(), "image/png", "地図.PNG"),
        ("写真.jpeg", jpeg_bytes(), "image/jpeg", "写真.jpeg"),
        (
            "minimal.pdf",
            b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
            "application/pdf",
            "minimal.pdf",
        ),
    ]
    for name, data, content_type, shown in files:
        # The browser's content type is ignored: every upload claims to be text/plain.
        attachment = circulars.attachment_add(
            circular=circular, upload=upload(name, data, "text/plain"), actor=kaicho
        )
        assert (attachment.name, attachment.content_type, attachment.size) == (shown, content_type, len(data))
        assert attachment.sha256 == hashlib.sha256(data).hexdigest()
        with attachment.file.open("rb") as stored:
            assert stored.read() == data
        assert name not in str(attachment.file.name)  # stored under a random name
    assert circular.attachments.count() == 4


@pytest.mark.parametrize(
    "name, data",
    [
        ("shell.pdf", b"<?php system($_GET['c']); ?>"),
        ("page.pdf", b"<!DOCTYPE html><html><script>alert(1)</script></html>"),
        ("page.png", b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>"),
        ("fake.png", b"\x89PNG\r\n\x1a\n" + b"not really a png" * 10),
        ("fake.jpg", b"\xff\xd8\xff\xe0" + b"garbage" * 10),
        ("empty.pdf", b""),
        ("zip.pdf", b"PK\x03\x04rest of a zip"),
    ],
)
def test_a_file_that_is_not_really_a_pdf_png_or_jpeg_is_refused(town, name, data):
    _association, _homes, kaicho = town
    circular = draft(kaicho)
    with pytest.raises(CircularError, match="PDF、PNG、JPEG"):
        circulars.attachment_add(circular=circular, upload=upload(name, data), actor=kaicho)
    assert Attachment.objects.count() == 0


def test_a_file_named_as_another_type_gets_the_extension_of_its_content(town):
    _association, _homes, kaicho = town
    circular = draft(kaicho)
    attachment = circulars.attachment_add(
        circular=circular, upload=upload("写真.pdf", png_bytes()), actor=kaicho
    )
    assert (attachment.name, attachment.content_type) == ("写真.pdf.png", "image/png")
    attachment = circulars.attachment_add(
        circular=circular, upload=upload("report.php", pdf_bytes()), actor=kaicho
    )
    assert (attachment.name, attachment.content_type) == ("report.php.pdf", "application/pdf")


@pytest.mark.parametrize(
    "name, shown",
    [
        ('<img src=x onerror="alert(1)">.pdf', "_img src=x onerror=_alert(1)__.pdf"),
        ("＜img src=x onerror=alert(1)＞地図.pdf", "_img src=x onerror=alert(1)_地図.pdf"),
        # The full-width slash becomes a path separator after NFKC: only the last part stays.
        ("＜script＞alert(1)＜／script＞.pdf", "script_.pdf"),
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\Users\\会長\\お知らせ.pdf", "お知らせ.pdf"),
    ],
)
def test_a_file_name_is_made_safe(town, name, shown):
    _association, _homes, kaicho = town
    circular = draft(kaicho)
    attachment = circulars.attachment_add(circular=circular, upload=upload(name, pdf_bytes()), actor=kaicho)
    assert attachment.name == shown
    assert "<" not in attachment.name and '"' not in attachment.name


def test_a_file_over_10_mb_is_refused(town):
    _association, _homes, kaicho = town
    circular = draft(kaicho)
    limit = circulars.MAX_ATTACHMENT_BYTES
    assert limit == 10 * 1024 * 1024
    too_big = b"%PDF-1.4\n" + b"0" * (limit + 1 - 9)
    assert len(too_big) == limit + 1
    with pytest.raises(CircularError, match="10MB"):
        circulars.attachment_add(circular=circular, upload=upload("big.pdf", too_big), actor=kaicho)
    just_right = too_big[:-1]
    attachment = circulars.attachment_add(
        circular=circular, upload=upload("ok.pdf", just_right), actor=kaicho
    )
    assert attachment.size == limit


def test_a_sixth_file_is_refused(town):
    _association, _homes, kaicho = town
    circular = draft(kaicho)
    for i in range(5):
        circulars.attachment_add(circular=circular, upload=upload(f"{i}.png", png_bytes()), actor=kaicho)
    with pytest.raises(CircularError, match="5つまで"):
        circulars.attachment_add(circular=circular, upload=upload("6.png", png_bytes()), actor=kaicho)
    assert circular.attachments.count() == 5


def test_files_are_removed_from_drafts_only(town):
    _association, _homes, kaicho = town
    circular = draft(kaicho)
    first = circulars.attachment_add(circular=circular, upload=upload("a.png", png_bytes()), actor=kaicho)
    second = circulars.attachment_add(circular=circular, upload=upload("b.png", png_bytes()), actor=kaicho)
    circulars.attachment_remove(circular=circular, attachment_id=first.pk, actor=kaicho)
    assert list(circular.attachments.values_list("name", flat=True)) == ["b.png"]
    circulars.circular_send(circular=circular, actor=kaicho)
    with pytest.raises(CircularError, match="送った回覧"):
        circulars.attachment_remove(circular=circular, attachment_id=second.pk, actor=kaicho)
    with pytest.raises(CircularError, match="送った回覧"):
        circulars.attachment_add(circular=circular, upload=upload("c.png", png_bytes()), actor=kaicho)
    assert circular.attachments.count() == 1


# --- sending ------------------------------------------------------------------------------------


def test_sending_queues_one_notification_per_member_who_wants_them(town):
    association, homes, kaicho = town
    mail, _k = add_member(homes["世帯003"], channel=Member.Channel.EMAIL, name="山田 花子")
    line, _k = add_member(homes["世帯003"], channel=Member.Channel.LINE, digest=True, name="山田 太郎")
    add_member(homes["世帯004"], name="鈴木 次郎")  # channel "none": no notification
    left, _k = add_member(homes["世帯005"], channel=Member.Channel.EMAIL)
    Member.objects.filter(pk=left.pk).update(active=False)
    circular = draft(kaicho, title="清掃のお知らせ", due_on=dt.date(2026, 11, 26))
    assert circulars.circular_send(circular=circular, actor=kaicho) == 2
    circular.refresh_from_db()
    assert circular.sent_at is not None
    rows = Notification.objects.order_by("member_id")
    assert [(n.member_id, n.channel, n.kind, n.state) for n in rows] == [
        (mail.pk, "email", "circular", "queued"),
        (line.pk, "line", "circular", "digest"),
    ]
    first = rows[0]
    assert first.subject == "回覧：清掃のお知らせ"
    assert first.url == f"http://127.0.0.1:8000/kairan/circulars/{circular.pk}/"
    assert first.body == (
        "桜町自治会から回覧が届きました。\n件名：清掃のお知らせ\n回覧の期限：令和8年11月26日\n"
        f"こちらから読めます：http://127.0.0.1:8000/kairan/circulars/{circular.pk}/"
    )
    assert first.association_id == association.pk
    entry = AuditEntry.objects.filter(action="kairan_circular_send").get()
    assert entry.target_id == str(circular.pk)
    assert entry.detail["notifications"] == 2


def test_a_circular_for_one_han_notifies_only_that_han(town):
    association, homes, kaicho = town
    ichi, _k = add_member(homes["世帯003"], channel=Member.Channel.EMAIL)
    add_member(homes["世帯004"], channel=Member.Channel.EMAIL)
    sent(kaicho, han_ids=[han_named(association, "1班").pk])
    assert list(Notification.objects.values_list("member_id", flat=True)) == [ichi.pk]


def test_a_circular_is_sent_once(town):
    _association, homes, kaicho = town
    add_member(homes["世帯003"], channel=Member.Channel.EMAIL)
    circular = sent(kaicho)
    with pytest.raises(CircularError, match="もう送ってあります"):
        circulars.circular_send(circular=circular, actor=kaicho)
    assert Notification.objects.count() == 1


def test_sending_builds_the_folded_search_text(town):
    _association, _homes, kaicho = town
    circular = draft(kaicho, title="ゴミ出しのルール", body="<p>ＡＢＣ　ｶﾝ・びん</p>")
    circulars.attachment_add(circular=circular, upload=upload("分別表.pdf", pdf_bytes()), actor=kaicho)
    circulars.circular_send(circular=circular, actor=kaicho)
    circular.refresh_from_db()
    assert circular.search_text == "ごみ出しのるーる\nabcかん・びん\n分別表.pdf".replace("\n", "")


# --- reading ------------------------------------------------------------------------------------


def test_two_members_of_one_household_leave_one_receipt(town):
    _association, homes, kaicho = town
    yamada, _k = add_member(homes["世帯003"], name="山田 花子")
    taro, _k = add_member(homes["世帯003"], name="山田 太郎")
    circular = sent(kaicho)
    assert circulars.mark_read(circular=circular, member=yamada) is True
    assert circulars.mark_read(circular=circular, member=taro) is False
    assert circulars.mark_read(circular=circular, member=yamada) is False
    receipt = ReadReceipt.objects.get()
    assert (receipt.household_id, receipt.member_id) == (homes["世帯003"].pk, yamada.pk)


def test_no_receipt_for_a_draft_or_for_a_circular_of_another_han(town):
    association, homes, kaicho = town
    suzuki, _k = add_member(homes["世帯004"])  # 2班
    assert circulars.mark_read(circular=draft(kaicho), member=kaicho) is False
    for_ichi = sent(kaicho, han_ids=[han_named(association, "1班").pk])
    assert circulars.mark_read(circular=for_ichi, member=suzuki) is False
    assert ReadReceipt.objects.count() == 0


def test_read_status_lists_every_addressed_household_in_han_order(town):
    association, homes, kaicho = town
    yamada, _k = add_member(homes["世帯003"], name="山田 花子")
    circular = sent(kaicho)
    circulars.mark_read(circular=circular, member=yamada)
    ReadReceipt.objects.create(circular=circular, household=homes["世帯002"], on_paper=True)
    rows = circulars.read_status(circular)
    assert [(r.household, r.han, r.paper, r.read_at is not None, r.reader, r.on_paper) for r in rows] == [
        ("世帯001", "1班", True, False, "", False),
        ("世帯003", "1班", False, True, "山田 花子", False),
        ("世帯005", "1班", False, False, "", False),
        ("世帯002", "2班", True, True, "", True),
        ("世帯004", "2班", False, False, "", False),
        ("世帯006", "2班", False, False, "", False),
    ]
    read, unread, per_han = circulars.read_summary(rows)
    assert (read, unread) == (2, 4)
    assert [(h.name, h.households, h.read, h.unread) for h in per_han] == [("1班", 3, 1, 2), ("2班", 3, 1, 2)]
    only_two = sent(kaicho, han_ids=[han_named(association, "2班").pk])
    assert [r.household for r in circulars.read_status(only_two)] == ["世帯002", "世帯004", "世帯006"]


def test_reminders_go_only_to_unread_digital_households(town):
    _association, homes, kaicho = town
    # 世帯001 and 世帯002 read on paper; 世帯003 has read; 世帯004 and 世帯006 have not.
    paper, _k = add_member(homes["世帯002"], channel=Member.Channel.EMAIL)
    done, _k = add_member(homes["世帯003"], channel=Member.Channel.EMAIL)
    waiting, _k = add_member(homes["世帯004"], channel=Member.Channel.EMAIL)
    waiting_digest, _k = add_member(homes["世帯006"], channel=Member.Channel.LINE, digest=True)
    add_member(homes["世帯006"])  # no channel
    circular = sent(kaicho)
    circulars.mark_read(circular=circular, member=done)
    Notification.objects.all().delete()
    assert circulars.remind_unread(circular=circular, actor=kaicho) == 2
    assert sorted(Notification.objects.values_list("member_id", "kind", "state")) == sorted(
        [(waiting.pk, "reminder", "queued"), (waiting_digest.pk, "reminder", "digest")]
    )
    reminder = Notification.objects.filter(member=waiting).get()
    assert reminder.subject == "【未読】回覧：夏祭りのお知らせ"
    assert paper.pk not in Notification.objects.values_list("member_id", flat=True)
    with pytest.raises(CircularError, match="1時間"):
        circulars.remind_unread(circular=circular, actor=kaicho)
    assert Notification.objects.count() == 2
    assert AuditEntry.objects.filter(action="kairan_circular_remind").count() == 1


# --- answers ------------------------------------------------------------------------------------


def questioned(kaicho, *, due_on=None):
    circular = draft(kaicho, title="総会の出欠", due_on=due_on)
    kinds = {
        "attendance": circulars.question_add(
            circular=circular, actor=kaicho, kind="attendance", prompt="総会に出席しますか"
        ),
        "yesno": circulars.question_add(
            circular=circular, actor=kaicho, kind="yesno", prompt="会費の値上げに賛成ですか"
        ),
        "choice": circulars.question_add(
            circular=circular,
            actor=kaicho,
            kind="choice",
            prompt="清掃の日",
            choices=["土曜", "日曜", "土曜", " "],
        ),
        "text": circulars.question_add(circular=circular, actor=kaicho, kind="text", prompt="ご意見"),
    }
    circulars.circular_send(circular=circular, actor=kaicho)
    circular.refresh_from_db()
    return circular, {k: Question.objects.get(pk=q.pk) for k, q in kinds.items()}


def test_question_choices_are_cleaned_and_need_two(town):
    _association, _homes, kaicho = town
    _circular, questions = questioned(kaicho)
    assert questions["choice"].choices == ["土曜", "日曜"]
    circular = draft(kaicho)
    with pytest.raises(CircularError, match="選択肢"):
        circulars.question_add(circular=circular, actor=kaicho, kind="choice", prompt="x", choices=["ひとつ"])


@pytest.mark.parametrize(
    "kind, value, stored",
    [
        ("attendance", {"attend": True, "count": 3}, {"attend": True, "count": 3}),
        ("attendance", {"attend": False, "count": 5}, {"attend": False, "count": 0}),
        ("attendance", {"attend": False}, {"attend": False, "count": 0}),
        ("attendance", {"attend": True, "count": 20}, {"attend": True, "count": 20}),
        ("yesno", {"yes": True}, {"yes": True}),
        ("yesno", {"yes": False, "extra": "x"}, {"yes": False}),
        ("choice", {"choice": "日曜"}, {"choice": "日曜"}),
        ("text", {"text": "  街灯を\n増やしてほしい  "}, {"text": "街灯を 増やしてほしい"}),
        ("text", {"text": "＜script＞"}, {"text": "<script>"}),
        ("text", {"text": "あ" * 500}, {"text": "あ" * 500}),
    ],
)
def test_valid_answers_are_stored_in_their_canonical_form(town, kind, value, stored):
    _association, homes, kaicho = town
    yamada, _k = add_member(homes["世帯003"])
    _circular, questions = questioned(kaicho)
    answer = circulars.answer_save(question=questions[kind], member=yamada, value=value)
    assert Answer.objects.get(pk=answer.pk).value == stored


@pytest.mark.parametrize(
    "kind, value, message",
    [
        ("attendance", {"attend": True}, "人数"),
        ("attendance", {"attend": True, "count": 0}, "人数"),
        ("attendance", {"attend": True, "count": 21}, "人数"),
        ("attendance", {"attend": True, "count": "3"}, "人数"),
        ("attendance", {"attend": True, "count": True}, "人数"),
        ("attendance", {"attend": "yes", "count": 2}, "出席か欠席"),
        ("yesno", {"yes": "true"}, "はい"),
        ("yesno", {}, "はい"),
        ("choice", {"choice": "月曜"}, "選択肢"),
        ("choice", {"choice": ["土曜"]}, "選択肢"),
        ("text", {"text": "あ" * 501}, "500文字"),
        ("text", {"text": "   "}, "回答を入れて"),
        ("text", "just a string", "回答を選んで"),
    ],
)
def test_invalid_answers_are_refused(town, kind, value, message):
    _association, homes, kaicho = town
    yamada, _k = add_member(homes["世帯003"])
    _circular, questions = questioned(kaicho)
    with pytest.raises(CircularError, match=message):
        circulars.answer_save(question=questions[kind], member=yamada, value=value)
    assert Answer.objects.count() == 0


def test_one_answer_per_household_the_latest_counts(town):
    _association, homes, kaicho = town
    yamada, _k = add_member(homes["世帯003"], name="山田 花子")
    taro, _k = add_member(homes["世帯003"], name="山田 太郎")
    _circular, questions = questioned(kaicho)
    circulars.answer_save(question=questions["yesno"], member=yamada, value={"yes": True})
    circulars.answer_save(question=questions["yesno"], member=taro, value={"yes": False})
    answer = Answer.objects.get()
    assert (answer.household_id, answer.member_id, answer.value) == (
        homes["世帯003"].pk,
        taro.pk,
        {"yes": False},
    )


def test_answers_are_refused_after_the_due_date(town, monkeypatch):
    _association, homes, kaicho = town
    yamada, _k = add_member(homes["世帯003"])
    due = dt.date(2026, 7, 10)
    _circular, questions = questioned(kaicho, due_on=due)
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: due)
    circulars.answer_save(question=questions["yesno"], member=yamada, value={"yes": True})
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: due + dt.timedelta(days=1))
    with pytest.raises(CircularError) as refused:
        circulars.answer_save(question=questions["yesno"], member=yamada, value={"yes": False})
    assert (
        str(refused.value)
        == "回答の期限（令和8年7月10日）を過ぎたため、受け付けできません。役員の方に直接お伝えください。"
    )
    assert Answer.objects.get().value == {"yes": True}


def test_a_household_of_another_han_cannot_answer(town):
    association, homes, kaicho = town
    suzuki, _k = add_member(homes["世帯004"])  # 2班
    circular = draft(kaicho, han_ids=[han_named(association, "1班").pk])
    question = circulars.question_add(circular=circular, actor=kaicho, kind="yesno", prompt="参加しますか")
    circulars.circular_send(circular=circular, actor=kaicho)
    question = Question.objects.get(pk=question.pk)
    with pytest.raises(CircularError, match="班あてではない"):
        circulars.answer_save(question=question, member=suzuki, value={"yes": True})
    assert Answer.objects.count() == 0


def test_a_draft_cannot_be_answered_and_questions_change_on_drafts_only(town):
    _association, homes, kaicho = town
    yamada, _k = add_member(homes["世帯003"])
    circular = draft(kaicho)
    question = circulars.question_add(circular=circular, actor=kaicho, kind="yesno", prompt="参加しますか")
    with pytest.raises(CircularError, match="まだ回答できません"):
        circulars.answer_save(question=question, member=yamada, value={"yes": True})
    circulars.circular_send(circular=circular, actor=kaicho)
    with pytest.raises(CircularError, match="送った回覧"):
        circulars.question_add(circular=circular, actor=kaicho, kind="yesno", prompt="もう1問")
    with pytest.raises(CircularError, match="送った回覧"):
        circulars.question_remove(circular=circular, question_id=question.pk, actor=kaicho)
    assert circular.questions.count() == 1


def answer_all(homes, questions):
    """Five households answer (世帯001 and 世帯006 do not)."""
    given = {
        "世帯002": ({"attend": True, "count": 2}, {"yes": True}, {"choice": "土曜"}, "ごみ置き場を広く"),
        "世帯003": ({"attend": True, "count": 4}, {"yes": True}, {"choice": "日曜"}, "=SUM(A1:A9)"),
        "世帯004": ({"attend": False}, {"yes": False}, {"choice": "土曜"}, None),
        "世帯005": ({"attend": True, "count": 1}, {"yes": True}, {"choice": "土曜"}, None),
    }
    for household, (attendance, yesno, choice, written) in given.items():
        member, _k = add_member(homes[household])
        circulars.answer_save(question=questions["attendance"], member=member, value=attendance)
        circulars.answer_save(question=questions["yesno"], member=member, value=yesno)
        circulars.answer_save(question=questions["choice"], member=member, value=choice)
        if written:
            circulars.answer_save(question=questions["text"], member=member, value={"text": written})


def test_tallies_count_households_and_heads(town):
    _association, homes, kaicho = town
    circular, questions = questioned(kaicho)
    answer_all(homes, questions)
    tallies = {t.question.kind: t for t in circulars.tallies(circular)}
    attendance = tallies["attendance"]
    assert (attendance.answered, attendance.attending, attendance.heads, attendance.absent) == (4, 3, 7, 1)
    assert (tallies["yesno"].yes, tallies["yesno"].no) == (3, 1)
    assert tallies["choice"].choices == [("土曜", 3), ("日曜", 1)]
    assert tallies["text"].texts == [("世帯003", "=SUM(A1:A9)"), ("世帯002", "ごみ置き場を広く")]
    single = circulars.tally(questions["attendance"])
    assert (single.attending, single.heads) == (3, 7)


def test_the_answers_csv_is_exact(town, monkeypatch):
    _association, homes, kaicho = town
    circular, questions = questioned(kaicho)
    moment = timezone.make_aware(dt.datetime(2026, 6, 10, 9, 5))
    monkeypatch.setattr(timezone, "now", lambda: moment)
    answer_all(homes, questions)
    data = circulars.answers_csv(circular)
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert text == (
        "世帯,班,質問,回答,回答日時\r\n"
        "世帯003,1班,総会に出席しますか,出席 4人,2026-06-10 09:05\r\n"
        "世帯005,1班,総会に出席しますか,出席 1人,2026-06-10 09:05\r\n"
        "世帯002,2班,総会に出席しますか,出席 2人,2026-06-10 09:05\r\n"
        "世帯004,2班,総会に出席しますか,欠席,2026-06-10 09:05\r\n"
        "世帯003,1班,会費の値上げに賛成ですか,はい,2026-06-10 09:05\r\n"
        "世帯005,1班,会費の値上げに賛成ですか,はい,2026-06-10 09:05\r\n"
        "世帯002,2班,会費の値上げに賛成ですか,はい,2026-06-10 09:05\r\n"
        "世帯004,2班,会費の値上げに賛成ですか,いいえ,2026-06-10 09:05\r\n"
        "世帯003,1班,清掃の日,日曜,2026-06-10 09:05\r\n"
        "世帯005,1班,清掃の日,土曜,2026-06-10 09:05\r\n"
        "世帯002,2班,清掃の日,土曜,2026-06-10 09:05\r\n"
        "世帯004,2班,清掃の日,土曜,2026-06-10 09:05\r\n"
        # A formula typed as an answer is quoted, so a spreadsheet shows it and does not run it.
        "世帯003,1班,ご意見,'=SUM(A1:A9),2026-06-10 09:05\r\n"
        "世帯002,2班,ご意見,ごみ置き場を広く,2026-06-10 09:05\r\n"
    )
    assert next(csv.reader(io.StringIO(text))) == ["世帯", "班", "質問", "回答", "回答日時"]


# --- the archive --------------------------------------------------------------------------------


def test_the_archive_finds_hiragana_with_katakana_and_width_variants(town):
    _association, homes, kaicho = town
    yamada, _k = add_member(homes["世帯003"])
    gomi = sent(kaicho, title="ごみの出し方", body="燃えるごみは火曜です。")
    sent(kaicho, title="夏祭り", body="7月です。")
    for query in ("ゴミ", "ごみ", "ｺﾞﾐ", " ゴ ミ "):
        assert list(circulars.archive_search(yamada, query)) == [gomi]
    assert len(circulars.archive_search(yamada, "")) == 2


def test_the_archive_shows_no_drafts_other_han_or_other_associations(town):
    association, homes, kaicho = town
    suzuki, _k = add_member(homes["世帯004"])  # 2班
    sent(kaicho, title="1班のごみ当番", han_ids=[han_named(association, "1班").pk])
    draft(kaicho, title="下書きのごみ")
    whole = sent(kaicho, title="全体のごみ")
    other = make_association("梅町自治会", households=1, han=1)
    ume, _k = add_member(households_of(other)[0], role=Member.Role.CHAIR)
    sent(ume, title="梅町のごみ")
    assert list(circulars.archive_search(suzuki, "ごみ")) == [whole]
    assert [c.title for c in circulars.archive_search(kaicho, "ごみ")] == ["全体のごみ", "1班のごみ当番"]

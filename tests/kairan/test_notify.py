"""The kairan outbox: email (locmem), LINE (a fake HTTP server), retries, the daily digest, and
見守り (安否確認) alerts built on constructed read histories."""

import datetime as dt
import logging
import smtplib
import threading
import time
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.mail.backends import locmem
from django.core.management import call_command
from django.http import Http404

from tests.kairan.fake_line import FakeLine
from tests.kairan.helpers import add_member, households_of, make_association
from yakuba.kairan import notify, watch
from yakuba.kairan.models import (
    Circular,
    Han,
    Household,
    Member,
    Notification,
    ReadReceipt,
    Watch,
)

TOKYO = ZoneInfo("Asia/Tokyo")
LONG_AGO = dt.datetime(2025, 1, 1, tzinfo=TOKYO)
LINE_ID = "U" + "0123456789abcdef" * 2
EMAIL = "hanako.yamada@example.jp"

pytestmark = pytest.mark.django_db


# --- builders: tests/kairan/helpers.py (the shared steps), plus member settings -------------------


def person(home: Household, name: str, *, role: str = Member.Role.MEMBER, **fields) -> Member:
    """A member who joined the real way (``helpers.add_member``), then with these settings."""
    who, _key = add_member(home, role=role, name=name)
    if fields:
        Member.objects.filter(pk=who.pk).update(**fields)
        who.refresh_from_db()
    return who


def notification(who: Member, **extra) -> Notification:
    values = {
        "association": who.association,
        "member": who,
        "channel": who.channel,
        "kind": "circular",
        "subject": "回覧：夏祭りのお知らせ",
        "body": "8月2日に夏祭りを行います。",
        "url": "/kairan/c/7/",
    }
    values.update(extra)
    return Notification.objects.create(**values)


@pytest.fixture(autouse=True)
def _kairan_settings(settings):
    settings.DEFAULT_FROM_EMAIL = "kairan@city.example.jp"
    settings.YAKUBA_PUBLIC_URL = "https://yakuba.example.jp"
    settings.YAKUBA_LINE_CHANNEL_TOKEN = ""
    settings.YAKUBA_KAIRAN_DIGEST_HOUR = 18


@pytest.fixture
def line(settings):
    with FakeLine() as fake:
        settings.YAKUBA_LINE_API_BASE = fake.base
        settings.YAKUBA_LINE_CHANNEL_TOKEN = "test-channel-token"
        yield fake


@pytest.fixture
def town():
    assoc = make_association("本町自治会", households=1, han=1, paper_share=0)
    home = households_of(assoc)[0]
    return assoc, home.han, home


# --- email ----------------------------------------------------------------------------------------


def test_email_is_sent_as_plain_text_with_the_link(town):
    _assoc, _han, home = town
    who = person(home, "山田 花子", channel=Member.Channel.EMAIL, email=EMAIL)
    row = notification(who)

    assert notify.deliver_queued() == (1, 0)

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "回覧：夏祭りのお知らせ"
    assert message.to == [EMAIL]
    assert message.from_email == "kairan@city.example.jp"
    assert message.body == "8月2日に夏祭りを行います。\n\nhttps://yakuba.example.jp/kairan/c/7/\n"
    row.refresh_from_db()
    assert (row.state, row.attempts, row.error) == ("sent", 1, "")
    assert row.sent_at is not None
    # Sent rows are not sent again.
    assert notify.deliver_queued() == (0, 0)
    assert len(mail.outbox) == 1


def test_the_members_current_channel_is_used(town, line):
    _assoc, _han, home = town
    who = person(home, "山田 花子", channel=Member.Channel.EMAIL, email=EMAIL)
    row = notification(who)
    who.channel = Member.Channel.LINE
    who.line_user_id = LINE_ID
    who.save()

    assert notify.deliver_queued() == (1, 0)

    assert mail.outbox == []
    assert len(line.requests) == 1
    row.refresh_from_db()
    assert (row.state, row.channel) == ("sent", "line")


def test_a_member_who_opted_out_gets_nothing_and_it_is_not_retried(town):
    _assoc, _han, home = town
    who = person(home, "山田 花子", channel=Member.Channel.EMAIL, email=EMAIL)
    row = notification(who)
    Member.objects.filter(pk=who.pk).update(channel=Member.Channel.NONE)

    assert notify.deliver_queued() == (0, 1)
    row.refresh_from_db()
    assert (row.state, row.attempts, row.error) == ("failed", 3, "member receives no notifications")
    assert notify.deliver_queued() == (0, 0)
    assert mail.outbox == []


# --- LINE -----------------------------------------------------------------------------------------


def test_line_push_request(town, line):
    _assoc, _han, home = town
    who = person(home, "山田 花子", channel=Member.Channel.LINE, line_user_id=LINE_ID)
    row = notification(who)

    assert notify.deliver_queued() == (1, 0)

    assert len(line.requests) == 1
    request = line.requests[0]
    assert request.method == "POST"
    assert request.path == "/v2/bot/message/push"
    assert request.headers["Authorization"] == "Bearer test-channel-token"
    assert request.headers["Content-Type"].startswith("application/json")
    assert request.json == {
        "to": LINE_ID,
        "messages": [
            {
                "type": "text",
                "text": "回覧：夏祭りのお知らせ\n\n8月2日に夏祭りを行います。\n\nhttps://yakuba.example.jp/kairan/c/7/",
            }
        ],
    }
    row.refresh_from_db()
    assert (row.state, row.attempts) == ("sent", 1)


def test_line_500_fails_then_is_retried(town, line):
    _assoc, _han, home = town
    who = person(home, "山田 花子", channel=Member.Channel.LINE, line_user_id=LINE_ID)
    row = notification(who)
    line.statuses = [500]

    assert notify.deliver_queued() == (0, 1)
    row.refresh_from_db()
    assert (row.state, row.attempts, row.error) == ("failed", 1, "LINE answered HTTP 500")

    assert notify.deliver_queued() == (1, 0)
    row.refresh_from_db()
    assert (row.state, row.attempts, row.error) == ("sent", 2, "")
    assert len(line.requests) == 2


def test_line_gives_up_after_three_attempts(town, line):
    _assoc, _han, home = town
    who = person(home, "山田 花子", channel=Member.Channel.LINE, line_user_id=LINE_ID)
    row = notification(who)
    line.statuses = [500, 502, 503, 500]

    assert [notify.deliver_queued() for _ in range(4)] == [(0, 1), (0, 1), (0, 1), (0, 0)]

    row.refresh_from_db()
    assert (row.state, row.attempts, row.error) == ("failed", 3, "LINE answered HTTP 503")
    assert len(line.requests) == 3


def test_line_without_a_token_is_not_configured(town, line, settings):
    settings.YAKUBA_LINE_CHANNEL_TOKEN = ""
    _assoc, _han, home = town
    who = person(home, "山田 花子", channel=Member.Channel.LINE, line_user_id=LINE_ID)
    row = notification(who)

    assert notify.deliver_queued() == (0, 1)

    row.refresh_from_db()
    assert (row.state, row.attempts, row.error) == ("failed", 1, "LINE is not configured")
    assert line.requests == []


def test_line_text_stays_within_5000_characters_and_keeps_the_link(town, line):
    _assoc, _han, home = town
    who = person(home, "山田 花子", channel=Member.Channel.LINE, line_user_id=LINE_ID)
    notification(who, body="あ" * 6000)

    assert notify.deliver_queued() == (1, 0)

    text = line.requests[0].json["messages"][0]["text"]
    assert len(text) == 5000
    assert text.startswith("回覧：夏祭りのお知らせ\n\nあああ")
    assert text.endswith("あ…\n\nhttps://yakuba.example.jp/kairan/c/7/")


def test_a_link_already_in_the_body_is_not_repeated(town, line):
    _assoc, _han, home = town
    by_mail = person(home, "山田 花子", channel=Member.Channel.EMAIL, email=EMAIL)
    by_line = person(home, "山田 太郎", channel=Member.Channel.LINE, line_user_id=LINE_ID)
    link = "https://yakuba.example.jp/kairan/c/7/"
    body = f"本町自治会から回覧が届きました。\nこちらから読めます：{link}"
    notification(by_mail, body=body, url=link)
    notification(by_line, body=body, url=link)

    assert notify.deliver_queued() == (2, 0)

    assert mail.outbox[0].body == body + "\n"
    assert line.requests[0].json["messages"][0]["text"] == f"回覧：夏祭りのお知らせ\n\n{body}"
    # A longer link that merely starts with the URL does not count.
    assert notify.mentions(f"{link}", link)
    assert not notify.mentions(f"{link}attachments/1/", link)


def test_no_address_or_line_id_in_errors_or_logs(town, line, monkeypatch, caplog):
    caplog.set_level(logging.DEBUG)
    monkeypatch.setattr(locmem.EmailBackend, "send_messages", refuse)
    _assoc, _han, home = town
    by_mail = person(home, "山田 花子", channel=Member.Channel.EMAIL, email=EMAIL)
    by_line = person(home, "山田 太郎", channel=Member.Channel.LINE, line_user_id=LINE_ID)
    no_address = person(home, "山田 次郎", channel=Member.Channel.EMAIL, email="")
    rows = [notification(by_mail), notification(by_line), notification(no_address)]
    line.statuses = [400]

    assert notify.deliver_queued() == (0, 3)

    errors = {row.member_id: row.error for row in Notification.objects.filter(pk__in=[r.pk for r in rows])}
    assert errors == {
        by_mail.pk: "email not sent (SMTPRecipientsRefused)",
        by_line.pk: "LINE answered HTTP 400",
        no_address.pk: "member has no email address",
    }
    logged = caplog.text + "".join(str(r.args) for r in caplog.records)
    assert "failed" in logged
    for secret in (EMAIL, LINE_ID, "hanako"):
        assert secret not in logged
        assert all(secret not in e for e in errors.values())


def refuse(self, email_messages):
    """An SMTP server that refuses the recipient, naming the address in the exception (as SMTP does)."""
    raise smtplib.SMTPRecipientsRefused({EMAIL: (550, f"5.1.1 <{EMAIL}> unknown user".encode())})


# --- the daily digest -----------------------------------------------------------------------------


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=TOKYO)


def test_digest_combines_three_into_one_message_at_18_and_not_before(town):
    _assoc, _han, home = town
    who = person(home, "山田 花子", channel=Member.Channel.EMAIL, email=EMAIL, digest=True)
    day = dt.date(2026, 6, 10)
    rows = [
        notification(who, subject=f"回覧{i}", url=f"/kairan/c/{i}/", state="digest", created_at=at(day, h))
        for i, h in ((1, 9), (2, 12), (3, 15))
    ]

    # The queue leaves digest rows alone.
    assert notify.deliver_queued() == (0, 0)
    assert notify.deliver_digests(at(day, 17, 59)) == (0, 0)
    assert mail.outbox == []

    assert notify.deliver_digests(at(day, 18, 0)) == (1, 0)

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "回覧板のお知らせ（3件）"
    assert message.to == [EMAIL]
    assert message.body == (
        "・回覧1\nhttps://yakuba.example.jp/kairan/c/1/\n\n"
        "・回覧2\nhttps://yakuba.example.jp/kairan/c/2/\n\n"
        "・回覧3\nhttps://yakuba.example.jp/kairan/c/3/\n\n"
        "https://yakuba.example.jp/kairan/\n"
    )
    assert {(r.state, r.attempts) for r in Notification.objects.filter(pk__in=[r.pk for r in rows])} == {
        ("sent", 1)
    }
    # Once a day: a later run the same evening sends nothing, even for a row that arrived after 18:00.
    late = notification(who, subject="回覧4", state="digest", created_at=at(day, 18, 10))
    assert notify.deliver_digests(at(day, 21, 0)) == (0, 0)
    assert notify.deliver_digests(at(day + dt.timedelta(days=1), 17, 0)) == (0, 0)
    assert len(mail.outbox) == 1
    assert notify.deliver_digests(at(day + dt.timedelta(days=1), 18, 5)) == (1, 0)
    assert mail.outbox[1].subject == "回覧板のお知らせ（1件）"
    late.refresh_from_db()
    assert late.state == "sent"


def test_digest_respects_the_configured_hour(town, settings):
    settings.YAKUBA_KAIRAN_DIGEST_HOUR = 7
    _assoc, _han, home = town
    who = person(home, "山田 花子", channel=Member.Channel.EMAIL, email=EMAIL, digest=True)
    day = dt.date(2026, 6, 10)
    notification(who, state="digest", created_at=at(day - dt.timedelta(days=1), 20))
    assert notify.deliver_digests(at(day, 6, 59)) == (0, 0)
    assert notify.deliver_digests(at(day, 7, 0)) == (1, 0)


def test_digest_rows_of_a_member_who_turned_digest_off_go_to_the_queue(town):
    _assoc, _han, home = town
    who = person(home, "山田 花子", channel=Member.Channel.EMAIL, email=EMAIL, digest=False)
    row = notification(who, state="digest")
    assert notify.deliver_digests(at(dt.date(2026, 6, 10), 9)) == (0, 0)
    row.refresh_from_db()
    assert row.state == "queued"
    assert notify.deliver_queued() == (1, 0)


def test_a_failed_digest_is_retried_then_given_up(town, line):
    _assoc, _han, home = town
    who = person(home, "山田 花子", channel=Member.Channel.LINE, line_user_id=LINE_ID, digest=True)
    day = dt.date(2026, 6, 10)
    rows = [notification(who, state="digest", created_at=at(day, h)) for h in (9, 10)]
    line.statuses = [500, 500, 500]
    for expected_state, attempts in (("digest", 1), ("digest", 2), ("failed", 3)):
        assert notify.deliver_digests(at(day, 19)) == (0, 1)
        states = {(r.state, r.attempts) for r in Notification.objects.filter(pk__in=[r.pk for r in rows])}
        assert states == {(expected_state, attempts)}
    assert notify.deliver_digests(at(day, 20)) == (0, 0)
    assert len(line.requests) == 3


# --- the task and the command ---------------------------------------------------------------------


def test_enqueue_delivery_leaves_development_sends_to_the_command(town, django_capture_on_commit_callbacks):
    """With the immediate task backend the officer's request does not send a thousand messages."""
    _assoc, _han, home = town
    who = person(home, "山田 花子", channel=Member.Channel.EMAIL, email=EMAIL)
    notification(who)
    with django_capture_on_commit_callbacks(execute=True):
        notify.enqueue_delivery()
    assert mail.outbox == []
    call_command("kairan_notify")
    assert len(mail.outbox) == 1


def test_enqueue_delivery_asks_the_worker_after_commit(town, settings, django_capture_on_commit_callbacks):
    from django.tasks import task_backends

    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify.enqueue_delivery()
    assert task_backends["default"].results == []
    for callback in callbacks:
        callback()
    assert [r.task.name for r in task_backends["default"].results] == ["deliver_notifications"]


def test_task_returns_the_counts(town):
    _assoc, _han, home = town
    who = person(home, "山田 花子", channel=Member.Channel.EMAIL, email=EMAIL)
    notification(who)
    result = notify.deliver_notifications.enqueue(digests=False)
    assert result.return_value == {"sent": 1, "failed": 0}


def test_command(town, capsys):
    _assoc, _han, home = town
    who = person(home, "山田 花子", channel=Member.Channel.EMAIL, email=EMAIL)
    notification(who)
    call_command("kairan_notify", "--digest")
    out = capsys.readouterr().out
    assert "queued: 1 sent, 0 failed" in out
    assert "digest: 0 sent, 0 failed" in out
    assert len(mail.outbox) == 1


# --- two workers at once (PostgreSQL) -------------------------------------------------------------


class SlowChannel:
    def __init__(self):
        self.sent: list[str] = []
        self.lock = threading.Lock()

    def send(self, *, to, subject, body, url):
        time.sleep(0.01)
        with self.lock:
            self.sent.append(subject)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_never_send_one_notification_twice(postgres_only):
    from tests.concurrency import race

    home = households_of(make_association("本町自治会", households=1, han=0))[0]
    who = person(home, "山田 花子", channel=Member.Channel.EMAIL, email=EMAIL)
    for i in range(40):
        notification(who, subject=f"n{i}")
    slow = SlowChannel()
    previous = notify.set_channels({"email": slow})
    try:
        results = race([notify.deliver_queued for _ in range(4)])
    finally:
        notify.set_channels(previous)
    assert all(kind == "ok" for kind, _value in results)
    assert sorted(slow.sent) == sorted(f"n{i}" for i in range(40))
    assert sum(value[0] for _kind, value in results) == 40
    assert Notification.objects.filter(state="sent", attempts=1).count() == 40


# --- 見守り (安否確認) ----------------------------------------------------------------------------

NOW = dt.datetime(2026, 6, 10, 12, 0, tzinfo=TOKYO)


def sent(circular: Circular) -> dt.datetime:
    assert circular.sent_at is not None
    return circular.sent_at


def days_ago(n: float) -> dt.datetime:
    return NOW - dt.timedelta(days=n)


@pytest.fixture
def street():
    """One association, 1班 and 2班. Five circulars to everyone 30..10 days ago and one 3 days ago.

    1班: 山田 (digital, read 4 of the 5, last 8 days ago), 佐藤 (digital, read 1 of the 5: an occasional
    reader, silent), 鈴木 (paper, every one ticked from paper long ago), 田中 (digital, read the newest
    2 days ago), 伊藤 (the 班長's house, reads everything). 2班: 高橋 (digital, usual reader, silent).
    """
    assoc = make_association("本町自治会", households=10, han=2, paper_share=0)
    han1, han2 = Han.objects.filter(association=assoc).order_by("order")
    first, second = households_of(assoc, han1), households_of(assoc, han2)
    homes = dict(zip(("山田", "佐藤", "鈴木", "田中", "伊藤"), first, strict=True)) | {"高橋": second[0]}
    for name, home in homes.items():
        home.name, home.paper = name, name == "鈴木"
        home.save(update_fields=["name", "paper"])
    Household.objects.filter(association=assoc).update(created_at=LONG_AGO)
    old = [
        Circular.objects.create(association=assoc, title=f"回覧{i}", sent_at=days_ago(d))
        for i, d in enumerate((30, 25, 20, 15, 10), start=1)
    ]
    new = Circular.objects.create(association=assoc, title="回覧6", sent_at=days_ago(3))

    def read(name, circular, when, on_paper=False):
        ReadReceipt.objects.create(circular=circular, household=homes[name], read_at=when, on_paper=on_paper)

    for c in old[:4]:
        read("山田", c, sent(c) + dt.timedelta(hours=5))
    read("山田", old[4], days_ago(8))
    read("佐藤", old[1], sent(old[1]) + dt.timedelta(days=1))
    for c in old:
        read("鈴木", c, sent(c) + dt.timedelta(days=2), on_paper=True)
    for c in [*old, new]:
        read("田中", c, min(sent(c) + dt.timedelta(days=1), days_ago(2)))
        read("伊藤", c, sent(c) + dt.timedelta(hours=1))
    for c in old[:3]:
        read("高橋", c, sent(c) + dt.timedelta(hours=2))
    hancho = person(
        homes["伊藤"], "伊藤 一郎", role=Member.Role.HANCHO, channel="email", email="ito@example.jp"
    )
    chair = person(
        homes["田中"], "田中 会長", role=Member.Role.CHAIR, channel="email", email="chair@example.jp"
    )
    return {"assoc": assoc, "han1": han1, "han2": han2, "homes": homes, "hancho": hancho, "chair": chair}


def test_overdue_is_the_usual_reader_only(street):
    watch_ = Watch.objects.create(member=street["hancho"], han=street["han1"], days=7)
    overdue = watch.overdue_households(watch_, NOW)
    assert [(h.name, last) for h, last in overdue] == [("山田", days_ago(8))]


def test_the_usual_reader_silent_8_days_is_alerted_once_a_day(street):
    watch_ = watch.watch_set(member=street["hancho"], han=street["han1"], days=7, active=True)

    assert watch.check_watches(NOW) == 1

    alert = Notification.objects.get()
    assert alert.member == street["hancho"]
    assert (alert.kind, alert.channel, alert.state) == ("watch", "email", "queued")
    assert alert.subject == "見守り：山田さん宅が8日間回覧を読んでいません"
    assert alert.body.startswith("1班の山田さん宅は、令和8年6月2日から回覧を読んでいません。")
    assert alert.url == "/kairan/watch/"
    for other in ("佐藤", "鈴木", "田中", "高橋", "2班"):
        assert other not in alert.subject + alert.body
    watch_.refresh_from_db()
    assert watch_.last_alerted == {str(street["homes"]["山田"].pk): "2026-06-10"}

    # The same day again: nothing new.
    assert watch.check_watches(NOW + dt.timedelta(hours=6)) == 0
    assert Notification.objects.count() == 1
    # The next day, still silent: one more.
    assert watch.check_watches(NOW + dt.timedelta(days=1)) == 1
    assert Notification.objects.order_by("-pk")[0].subject == "見守り：山田さん宅が9日間回覧を読んでいません"


def test_reading_again_ends_the_alerts(street):
    watch.watch_set(member=street["hancho"], han=street["han1"], days=7, active=True)
    assert watch.check_watches(NOW) == 1
    new = Circular.objects.get(title="回覧6")
    ReadReceipt.objects.create(
        circular=new, household=street["homes"]["山田"], read_at=NOW + dt.timedelta(hours=1)
    )
    assert watch.check_watches(NOW + dt.timedelta(days=1)) == 0
    assert Watch.objects.get().last_alerted == {}


def test_nothing_sent_in_the_period_means_no_alert(street):
    Circular.objects.filter(title="回覧6").delete()
    watch.watch_set(member=street["hancho"], han=street["han1"], days=7, active=True)
    assert watch.check_watches(NOW) == 0


def test_a_longer_period_waits_longer(street):
    watch.watch_set(member=street["hancho"], han=street["han1"], days=9, active=True)
    assert watch.check_watches(NOW) == 0
    # 10 days after: 山田's last read is 10 days old; the baseline is the circulars sent 9+ days ago.
    assert watch.check_watches(NOW + dt.timedelta(days=2)) == 1


def test_inactive_watch_and_a_former_hancho_get_nothing(street):
    watch.watch_set(member=street["hancho"], han=street["han1"], days=7, active=False)
    assert watch.check_watches(NOW) == 0
    watch.watch_set(member=street["hancho"], han=street["han1"], days=7, active=True)
    Member.objects.filter(pk=street["hancho"].pk).update(role=Member.Role.MEMBER)
    assert watch.check_watches(NOW) == 0
    assert Notification.objects.count() == 0


def test_each_watch_sees_only_its_own_han(street):
    watch.watch_set(member=street["chair"], han=street["han2"], days=7, active=True)
    assert watch.check_watches(NOW) == 1
    alert = Notification.objects.get()
    assert alert.member == street["chair"]
    assert alert.subject == "見守り：高橋さん宅が19日間回覧を読んでいません"
    assert "山田" not in alert.body


def test_a_member_without_a_channel_is_not_notified(street):
    Member.objects.filter(pk=street["hancho"].pk).update(channel=Member.Channel.NONE)
    street["hancho"].refresh_from_db()
    watch.watch_set(member=street["hancho"], han=street["han1"], days=7, active=True)
    assert watch.check_watches(NOW) == 0
    assert Notification.objects.count() == 0


def test_watch_set_rules(street):
    hancho, chair = street["hancho"], street["chair"]
    with pytest.raises(Http404):
        watch.watch_set(member=hancho, han=street["han2"], days=7, active=True)  # not their 班
    plain = person(street["homes"]["佐藤"], "佐藤 花子")
    with pytest.raises(Http404):
        watch.watch_set(member=plain, han=street["han1"], days=7, active=True)
    other_han = Han.objects.get(association=make_association("他町自治会", households=1, han=1))
    with pytest.raises(Http404):
        watch.watch_set(member=chair, han=other_han, days=7, active=True)
    for days in (0, 61):
        with pytest.raises(watch.WatchError):
            watch.watch_set(member=hancho, han=street["han1"], days=days, active=True)
    first = watch.watch_set(member=hancho, han=street["han1"], days=1, active=True)
    second = watch.watch_set(member=hancho, han=street["han1"], days=60, active=False)
    assert first.pk == second.pk
    assert (second.days, second.active) == (60, False)
    assert watch.watch_set(member=chair, han=street["han2"], days=14, active=True).days == 14


def test_command_watch_queues_and_sends(street):
    watch.watch_set(member=street["hancho"], han=street["han1"], days=7, active=True)
    # The command checks "now": move the histories so that now is NOW.
    shift = dt.datetime.now(tz=TOKYO) - NOW
    for c in Circular.objects.all():
        Circular.objects.filter(pk=c.pk).update(sent_at=sent(c) + shift)
    for r in ReadReceipt.objects.all():
        ReadReceipt.objects.filter(pk=r.pk).update(read_at=r.read_at + shift)
    call_command("kairan_notify", "--watch")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ito@example.jp"]
    assert mail.outbox[0].subject == "見守り：山田さん宅が8日間回覧を読んでいません"

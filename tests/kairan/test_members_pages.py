"""Members' own pages: settings (and signing devices out), events, officers' event editing, the
iCalendar feed, 見守り — and every page taking an id answers 404 to another association."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.test import Client
from django.urls import reverse

from tests.kairan.helpers import add_member, households_of, make_association, member_client
from tests.kairan.test_notify import NOW, days_ago, sent
from yakuba.kairan import calendar, members
from yakuba.kairan.models import (
    Circular,
    DeviceSession,
    Event,
    Han,
    Household,
    Member,
    ReadReceipt,
    Watch,
)

TOKYO = ZoneInfo("Asia/Tokyo")
LINE_ID = "U" + "0123456789abcdef" * 2

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _kairan_settings(settings):
    settings.YAKUBA_PUBLIC_URL = "https://yakuba.example.jp"
    settings.YAKUBA_LINE_CHANNEL_TOKEN = ""


def sign_in(person: Member, label: str = "iPhone") -> tuple[Client, DeviceSession]:
    """Another phone signed in as ``person`` (``helpers.member_client``), with its label."""
    client = member_client(person)
    device = DeviceSession.objects.filter(member=person).latest("pk")
    DeviceSession.objects.filter(pk=device.pk).update(label=label)
    device.label = label
    return client, device


def build(name: str) -> dict:
    """An association (``helpers.make_association``) with 1班 and 2班, a chair and a 班長 in 1班, a
    plain member in 2班, and three events."""
    assoc = make_association(name, households=3, han=2, paper_share=0)
    han1, han2 = Han.objects.filter(association=assoc).order_by("order")
    first, second = households_of(assoc, han1), households_of(assoc, han2)
    chair, _key = add_member(first[0], role=Member.Role.CHAIR, name="田中 会長")
    hancho, _key = add_member(first[1], role=Member.Role.HANCHO, name="伊藤 班長")
    plain, _key = add_member(second[0], name="佐藤 花子")
    cleanup = Event.objects.create(
        association=assoc,
        title=f"{name}の一斉清掃",
        starts_at=dt.datetime(2099, 7, 12, 8, 0, tzinfo=TOKYO),
        ends_at=dt.datetime(2099, 7, 12, 10, 0, tzinfo=TOKYO),
        place="本町公民館前",
        description="軍手と袋は自治会で用意します。\n雨天中止。",
    )
    festival = Event.objects.create(
        association=assoc,
        title=f"{name}の夏祭り",
        starts_at=dt.datetime(2099, 8, 2, 17, 30, tzinfo=TOKYO),
        place="本町公園",
    )
    past = Event.objects.create(
        association=assoc, title=f"{name}の総会", starts_at=dt.datetime(2020, 4, 19, 10, 0, tzinfo=TOKYO)
    )
    return {
        "assoc": assoc,
        "han1": han1,
        "han2": han2,
        "chair": chair,
        "hancho": hancho,
        "plain": plain,
        "events": [cleanup, festival, past],
    }


@pytest.fixture
def ours():
    return build("本町自治会")


@pytest.fixture
def theirs():
    return build("北町自治会")


def no_inline_code(html: str) -> None:
    assert "<script" not in html
    assert " style=" not in html
    assert " onclick=" not in html


# --- settings -------------------------------------------------------------------------------------


def test_settings_page_shows_devices_and_the_calendar_address(ours):
    client, _device = sign_in(ours["plain"], "Android 携帯")
    sign_in(ours["plain"], "タブレット")
    response = client.get(reverse("kairan:settings"))
    assert response.status_code == 200
    html = response.content.decode()
    no_inline_code(html)
    assert "Android 携帯" in html and "タブレット" in html
    assert "この端末" in html
    token = calendar.feed_token(ours["plain"])
    assert f"http://testserver/kairan/calendar/{token}.ics" in html
    assert "webcal://testserver/kairan/calendar/" in html
    assert 'value="line"' not in html  # LINE is not set up in this town


def test_settings_saves(ours):
    client, _device = sign_in(ours["plain"])
    response = client.post(
        reverse("kairan:settings"),
        {
            "name": "佐藤　花子",
            "channel": "email",
            "email": "hanako@example.jp",
            "digest": "on",
            "furigana": "on",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("kairan:settings")
    person = Member.objects.get(pk=ours["plain"].pk)
    assert (person.name, person.channel, person.email, person.digest, person.furigana) == (
        "佐藤 花子",
        "email",
        "hanako@example.jp",
        True,
        True,
    )
    # Turning things off again.
    client.post(reverse("kairan:settings"), {"name": "佐藤 花子", "channel": "none", "email": ""})
    person.refresh_from_db()
    assert (person.channel, person.digest, person.furigana) == ("none", False, False)


def test_settings_needs_an_address_for_the_channel(ours, settings):
    client, _device = sign_in(ours["plain"])
    response = client.post(reverse("kairan:settings"), {"name": "佐藤 花子", "channel": "email", "email": ""})
    assert response.status_code == 200
    assert "メールで受け取るには、メールアドレスを入れてください。" in response.content.decode()
    assert Member.objects.get(pk=ours["plain"].pk).channel == "none"

    settings.YAKUBA_LINE_CHANNEL_TOKEN = "token"
    response = client.post(
        reverse("kairan:settings"), {"name": "佐藤 花子", "channel": "line", "line_user_id": "yamada"}
    )
    assert "LINEのユーザーIDは、Uで始まる33文字（英数字）です。" in response.content.decode()
    response = client.post(
        reverse("kairan:settings"), {"name": "佐藤 花子", "channel": "line", "line_user_id": LINE_ID}
    )
    assert response.status_code == 302
    person = Member.objects.get(pk=ours["plain"].pk)
    assert (person.channel, person.line_user_id) == ("line", LINE_ID)


def test_signing_another_device_out(ours):
    client, _mine = sign_in(ours["plain"], "いつもの携帯")
    lost, lost_device = sign_in(ours["plain"], "なくした携帯")
    assert lost.get(reverse("kairan:settings")).status_code == 200

    response = client.post(reverse("kairan:device_sign_out", args=[lost_device.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("kairan:settings")
    lost_device.refresh_from_db()
    assert lost_device.revoked_at is not None
    # The revoked cookie no longer signs in.
    response = lost.get(reverse("kairan:settings"))
    assert response.status_code == 302
    assert response["Location"] == reverse("kairan:join")
    assert client.get(reverse("kairan:settings")).status_code == 200
    assert "なくした携帯" not in client.get(reverse("kairan:settings")).content.decode()


def test_signing_this_device_out(ours):
    client, device = sign_in(ours["plain"])
    response = client.post(reverse("kairan:device_sign_out", args=[device.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("kairan:join")
    assert response.cookies[members.COOKIE].value == ""
    device.refresh_from_db()
    assert device.revoked_at is not None


def test_another_members_device_is_404_even_in_the_same_association(ours):
    client, _device = sign_in(ours["plain"])
    _other, chairs_device = sign_in(ours["chair"])
    assert client.post(reverse("kairan:device_sign_out", args=[chairs_device.pk])).status_code == 404
    chairs_device.refresh_from_db()
    assert chairs_device.revoked_at is None


def test_settings_needs_a_signed_in_device():
    response = Client().get(reverse("kairan:settings"))
    assert response.status_code == 302
    assert response["Location"] == reverse("kairan:join")


# --- events ---------------------------------------------------------------------------------------


def test_events_upcoming_first_in_wareki(ours, theirs):
    client, _device = sign_in(ours["plain"])
    response = client.get(reverse("kairan:events"))
    assert response.status_code == 200
    html = response.content.decode()
    no_inline_code(html)
    cleanup = html.index("本町自治会の一斉清掃")
    festival = html.index("本町自治会の夏祭り")
    general = html.index("本町自治会の総会")
    assert cleanup < festival < general
    assert "令和81年7月12日（日）8:00〜10:00" in html
    assert "令和81年8月2日（日）17:30" in html
    assert "令和2年4月19日（日）10:00" in html
    assert "軍手と袋は自治会で用意します。<br>雨天中止。" in html
    assert "北町自治会" not in html
    assert reverse("kairan:event_new") not in html  # not an officer


def test_when_text():
    event = Event(
        starts_at=dt.datetime(2026, 12, 31, 22, 0, tzinfo=TOKYO),
        ends_at=dt.datetime(2027, 1, 1, 1, 5, tzinfo=TOKYO),
    )
    assert calendar.when_text(event) == "令和8年12月31日（木）22:00〜令和9年1月1日（金）1:05"


def test_officer_creates_edits_and_deletes_an_event(ours):
    client, _device = sign_in(ours["chair"])
    assert client.get(reverse("kairan:event_new")).status_code == 200
    response = client.post(
        reverse("kairan:event_new"),
        {
            "title": "防災訓練",
            "day": "2099-09-01",
            "starts": "09:00",
            "ends": "11:30",
            "place": "本町小学校",
            "description": "ヘルメットをお持ちください。",
        },
    )
    assert response.status_code == 302
    event = Event.objects.get(title="防災訓練")
    assert event.association == ours["assoc"]
    assert event.starts_at == dt.datetime(2099, 9, 1, 9, 0, tzinfo=TOKYO)
    assert event.ends_at == dt.datetime(2099, 9, 1, 11, 30, tzinfo=TOKYO)
    assert (event.place, event.description) == ("本町小学校", "ヘルメットをお持ちください。")

    page = client.get(reverse("kairan:event_edit", args=[event.pk]))
    assert page.status_code == 200
    assert 'value="2099-09-01"' in page.content.decode()
    response = client.post(
        reverse("kairan:event_edit", args=[event.pk]),
        {
            "title": "防災訓練（変更）",
            "day": "2099-09-02",
            "starts": "10:00",
            "ends": "",
            "place": "",
            "description": "",
        },
    )
    assert response.status_code == 302
    event.refresh_from_db()
    assert (event.title, event.starts_at, event.ends_at) == (
        "防災訓練(変更)",  # NFKC, as all association text
        dt.datetime(2099, 9, 2, 10, 0, tzinfo=TOKYO),
        None,
    )

    assert client.get(reverse("kairan:event_delete", args=[event.pk])).status_code == 200
    response = client.post(reverse("kairan:event_delete", args=[event.pk]))
    assert response.status_code == 302
    assert not Event.objects.filter(pk=event.pk).exists()


def test_event_end_before_start_is_refused(ours):
    client, _device = sign_in(ours["chair"])
    response = client.post(
        reverse("kairan:event_new"),
        {"title": "夜回り", "day": "2099-12-20", "starts": "20:00", "ends": "19:00"},
    )
    assert response.status_code == 200
    assert "終わる時刻は始まる時刻より後にしてください。" in response.content.decode()
    assert not Event.objects.filter(title="夜回り").exists()


@pytest.mark.parametrize("role", ["plain", "hancho"])
def test_event_pages_are_404_to_non_officers(ours, role):
    client, _device = sign_in(ours[role])
    event = ours["events"][0]
    assert client.get(reverse("kairan:event_new")).status_code == 404
    assert (
        client.post(
            reverse("kairan:event_new"), {"title": "x", "day": "2099-01-01", "starts": "10:00"}
        ).status_code
        == 404
    )
    assert client.get(reverse("kairan:event_edit", args=[event.pk])).status_code == 404
    assert client.post(reverse("kairan:event_delete", args=[event.pk])).status_code == 404
    assert Event.objects.filter(pk=event.pk).exists()


# --- the iCalendar feed ---------------------------------------------------------------------------


def test_ical_feed_has_exactly_the_associations_events(ours, theirs):
    token = calendar.feed_token(ours["plain"])
    response = Client().get(reverse("kairan:calendar_feed", args=[token]))  # no cookie: calendar apps
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    cal = icalendar.Calendar.from_ical(response.content)
    assert str(cal["X-WR-CALNAME"]) == "本町自治会の行事"
    events = {str(e["UID"]): e for e in cal.walk("VEVENT")}
    cleanup, festival, general = ours["events"]
    assert sorted(events) == sorted(
        f"kairan-event-{e.pk}@yakuba.example.jp" for e in (cleanup, festival, general)
    )
    first = events[f"kairan-event-{cleanup.pk}@yakuba.example.jp"]
    assert str(first["SUMMARY"]) == "本町自治会の一斉清掃"
    assert str(first["LOCATION"]) == "本町公民館前"
    assert str(first["DESCRIPTION"]) == "軍手と袋は自治会で用意します。\n雨天中止。"
    start = first.decoded("DTSTART")
    assert start == dt.datetime(2099, 7, 12, 8, 0, tzinfo=TOKYO)
    assert str(start.tzinfo) == "Asia/Tokyo"
    assert first["DTSTART"].params["TZID"] == "Asia/Tokyo"
    assert first.decoded("DTEND") == dt.datetime(2099, 7, 12, 10, 0, tzinfo=TOKYO)
    second = events[f"kairan-event-{festival.pk}@yakuba.example.jp"]
    assert "DTEND" not in second  # no end time known
    assert "DESCRIPTION" not in second
    assert [tz["TZID"] for tz in cal.walk("VTIMEZONE")] == ["Asia/Tokyo"]
    # The UID stays the same when the event changes.
    Event.objects.filter(pk=cleanup.pk).update(title="変更")
    again = icalendar.Calendar.from_ical(Client().get(reverse("kairan:calendar_feed", args=[token])).content)
    assert f"kairan-event-{cleanup.pk}@yakuba.example.jp" in {str(e["UID"]) for e in again.walk("VEVENT")}


def test_ical_feed_strips_html_from_descriptions(ours):
    Event.objects.filter(pk=ours["events"][1].pk).update(
        description="<p>持ち物：<b>うちわ</b> &amp; 飲み物</p>"
    )
    body = calendar.ical_feed(ours["plain"])
    event = next(
        e for e in icalendar.Calendar.from_ical(body).walk("VEVENT") if str(e["SUMMARY"]).endswith("夏祭り")
    )
    assert str(event["DESCRIPTION"]) == "持ち物：うちわ & 飲み物"


def test_ical_feed_wrong_token_is_404(ours):
    person = ours["plain"]
    good = calendar.feed_token(person)
    pk, signature = good.split(".")
    wrong = "0" * 32 if signature != "0" * 32 else "1" * 32
    other_pk = ours["chair"].pk
    for token in (
        f"{pk}.{wrong}",
        f"{other_pk}.{signature}",  # someone else's id with this signature
        pk,
        f"{pk}.{signature[:31]}",
        "x.y",
        f"{pk}.{signature}X",
    ):
        assert Client().get(f"/kairan/calendar/{token}.ics").status_code == 404, token
    assert calendar.member_for_token(good) == person
    Member.objects.filter(pk=person.pk).update(active=False)
    assert Client().get(reverse("kairan:calendar_feed", args=[good])).status_code == 404


# --- 見守り ---------------------------------------------------------------------------------------


def silent_household(ours) -> Household:
    """A usual reader of 1班 who has read nothing for 8 days while a circular came 3 days ago."""
    yamada = Household.objects.create(
        association=ours["assoc"], han=ours["han1"], name="山田", address="本町1-2-3", paper=False,
        created_at=NOW - dt.timedelta(days=400),
    )  # fmt: skip
    now = dt.datetime.now(tz=TOKYO)
    shift = now - NOW
    for i, d in enumerate((30, 25, 20, 15, 10), start=1):
        c = Circular.objects.create(association=ours["assoc"], title=f"回覧{i}", sent_at=days_ago(d) + shift)
        ReadReceipt.objects.create(circular=c, household=yamada, read_at=sent(c) + dt.timedelta(hours=3))
    Circular.objects.create(association=ours["assoc"], title="回覧6", sent_at=days_ago(3) + shift)
    ReadReceipt.objects.filter(household=yamada).order_by("-read_at").update(read_at=days_ago(8) + shift)
    return yamada


def test_watch_page_for_the_hancho(ours):
    silent_household(ours)
    client, _device = sign_in(ours["hancho"])
    response = client.get(reverse("kairan:watch"))
    assert response.status_code == 200
    html = response.content.decode()
    no_inline_code(html)
    assert "1班" in html and "2班" not in html
    assert "山田さん宅" not in html  # not opted in yet

    response = client.post(
        reverse("kairan:watch_han", args=[ours["han1"].pk]),
        {f"han{ours['han1'].pk}-active": "on", f"han{ours['han1'].pk}-days": "7"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("kairan:watch")
    watch = Watch.objects.get(member=ours["hancho"])
    assert (watch.han, watch.days, watch.active) == (ours["han1"], 7, True)

    html = client.get(reverse("kairan:watch")).content.decode()
    assert "山田さん宅" in html
    assert "本町1-2-3" in html
    assert re.search(r"<td>8日</td>", html)
    assert "「通知しない」" in html  # the 班長 receives no notifications: told so

    client.post(reverse("kairan:watch_han", args=[ours["han1"].pk]), {f"han{ours['han1'].pk}-days": "10"})
    watch.refresh_from_db()
    assert (watch.days, watch.active) == (10, False)

    response = client.post(
        reverse("kairan:watch_han", args=[ours["han1"].pk]), {f"han{ours['han1'].pk}-days": "0"}
    )
    assert response.status_code == 302
    watch.refresh_from_db()
    assert watch.days == 10


def test_watch_page_for_an_officer_lists_every_han(ours):
    client, _device = sign_in(ours["chair"])
    html = client.get(reverse("kairan:watch")).content.decode()
    assert "1班" in html and "2班" in html
    response = client.post(
        reverse("kairan:watch_han", args=[ours["han2"].pk]),
        {f"han{ours['han2'].pk}-active": "on", f"han{ours['han2'].pk}-days": "14"},
    )
    assert response.status_code == 302
    assert Watch.objects.get(member=ours["chair"]).han == ours["han2"]


def test_watch_is_404_for_members_without_the_role(ours):
    client, _device = sign_in(ours["plain"])
    assert client.get(reverse("kairan:watch")).status_code == 404
    assert (
        client.post(
            reverse("kairan:watch_han", args=[ours["han2"].pk]), {f"han{ours['han2'].pk}-days": "7"}
        ).status_code
        == 404
    )
    assert not Watch.objects.exists()


def test_hancho_cannot_watch_another_han(ours):
    client, _device = sign_in(ours["hancho"])
    response = client.post(
        reverse("kairan:watch_han", args=[ours["han2"].pk]),
        {f"han{ours['han2'].pk}-active": "on", f"han{ours['han2'].pk}-days": "7"},
    )
    assert response.status_code == 404
    assert not Watch.objects.exists()


# --- rule 5: every url with an id answers 404 to another association ------------------------------


def id_urls(world: dict) -> list[tuple[str, str]]:
    """(method, url) of every page of views_members that takes an id, pointing into ``world``."""
    _client, device = sign_in(world["plain"])
    event = world["events"][0]
    return [
        ("post", reverse("kairan:device_sign_out", args=[device.pk])),
        ("get", reverse("kairan:event_edit", args=[event.pk])),
        ("post", reverse("kairan:event_edit", args=[event.pk])),
        ("get", reverse("kairan:event_delete", args=[event.pk])),
        ("post", reverse("kairan:event_delete", args=[event.pk])),
        ("post", reverse("kairan:watch_han", args=[world["han1"].pk])),
        ("post", reverse("kairan:watch_han", args=[world["han2"].pk])),
    ]


@pytest.mark.parametrize("role", ["plain", "hancho", "chair"])
def test_every_id_url_is_404_to_another_association(ours, theirs, role):
    client, _device = sign_in(theirs[role])
    for method, url in id_urls(ours):
        response = getattr(client, method)(url, {"title": "乗っ取り", "day": "2099-01-01", "starts": "10:00"})
        assert response.status_code == 404, (role, method, url)
    # Nothing changed on our side.
    assert DeviceSession.objects.filter(member=ours["plain"], revoked_at__isnull=False).count() == 0
    assert Event.objects.filter(association=ours["assoc"]).count() == 3
    assert not Event.objects.filter(title="乗っ取り").exists()
    assert not Watch.objects.exists()


def test_a_feed_token_never_opens_another_associations_events(ours, theirs):
    body = Client().get(reverse("kairan:calendar_feed", args=[calendar.feed_token(theirs["chair"])])).content
    summaries = {str(e["SUMMARY"]) for e in icalendar.Calendar.from_ical(body).walk("VEVENT")}
    assert summaries == {"北町自治会の一斉清掃", "北町自治会の夏祭り", "北町自治会の総会"}

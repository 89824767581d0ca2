"""Every page of the circular board passes axe-core (WCAG 2.2 AA), on a phone-sized screen as members
use it, for the chair, a 班長 and a member."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.kairan.helpers import add_member, households_of, make_association
from yakuba.kairan import circulars, members
from yakuba.kairan.models import Event, Member, Question

pytestmark = pytest.mark.django_db(transaction=True)


def _phone(browser, live_server, key: str):
    context = browser.new_context(locale="ja-JP", viewport={"width": 390, "height": 844})
    context.add_cookies([{"name": members.COOKIE, "value": key, "url": live_server.url}])
    return context


def test_every_kairan_page_passes_axe(browser, live_server, axe_check):
    association = make_association(households=8, han=2)
    home = households_of(association)
    for i, household in enumerate(home):
        household.x_m, household.y_m = float(i * 40), float((i % 3) * 30)
        household.save(update_fields=["x_m", "y_m"])
    chair, chair_key = add_member(home[0], role=Member.Role.CHAIR, name="山田 花子")
    hancho, hancho_key = add_member(home[1], role=Member.Role.HANCHO, name="佐藤 一郎")
    reader, reader_key = add_member(home[2], name="鈴木 次郎")
    circular = circulars.circular_save(
        author=chair, title="清掃のお知らせ", body="日曜日の朝です。", due_on=timezone.localdate(), han_ids=[]
    )
    Question.objects.create(circular=circular, kind="attendance", prompt="参加しますか")
    draft = circulars.circular_save(author=chair, title="下書き", body="まだです。", due_on=None, han_ids=[])
    circulars.circular_send(circular=circular, actor=chair)
    event = Event.objects.create(
        association=association,
        title="夏祭り",
        starts_at=timezone.now() + dt.timedelta(days=5),
        place="公民館",
    )
    han = association.han.first()

    officer_pages = [
        "/kairan/",
        "/kairan/archive/?q=清掃",
        f"/kairan/circulars/{circular.pk}/",
        "/kairan/events/",
        "/kairan/settings/",
        "/kairan/watch/",
        "/kairan/manage/",
        "/kairan/manage/circulars/",
        "/kairan/manage/circulars/new/",
        f"/kairan/manage/circulars/{draft.pk}/",
        f"/kairan/manage/circulars/{draft.pk}/send/",
        f"/kairan/manage/circulars/{draft.pk}/delete/",
        f"/kairan/manage/circulars/{circular.pk}/status/",
        "/kairan/manage/households/",
        "/kairan/manage/households/new/",
        "/kairan/manage/households/import/",
        f"/kairan/manage/households/{home[3].pk}/",
        f"/kairan/manage/han/{han.pk}/",
        f"/kairan/manage/han/{han.pk}/route/",
        "/kairan/manage/invitations/",
        "/kairan/manage/members/",
        "/kairan/manage/events/new/",
        f"/kairan/manage/events/{event.pk}/edit/",
        f"/kairan/manage/events/{event.pk}/delete/",
    ]
    context = _phone(browser, live_server, chair_key)
    page = context.new_page()
    for path in officer_pages:
        response = page.goto(f"{live_server.url}{path}")
        assert response is not None and response.status == 200, path
        axe_check(page, f"chair {path}")
    context.close()

    context = _phone(browser, live_server, hancho_key)
    page = context.new_page()
    for path in ("/kairan/watch/", f"/kairan/manage/han/{hancho.household.han_id}/route/"):
        assert page.goto(f"{live_server.url}{path}").status == 200, path
        axe_check(page, f"班長 {path}")
    context.close()

    context = _phone(browser, live_server, reader_key)
    page = context.new_page()
    for path in ("/kairan/", f"/kairan/circulars/{circular.pk}/", "/kairan/settings/", "/kairan/events/"):
        assert page.goto(f"{live_server.url}{path}").status == 200, path
        axe_check(page, f"member {path}")
    context.close()

    context = browser.new_context(locale="ja-JP", viewport={"width": 390, "height": 844})
    page = context.new_page()
    for path in ("/kairan/join/",):
        assert page.goto(f"{live_server.url}{path}").status == 200, path
        axe_check(page, f"anyone {path}")
    context.close()
    assert reader.role == Member.Role.MEMBER

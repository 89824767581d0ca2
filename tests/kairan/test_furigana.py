"""ふりがな on request: a member who asked for it reads circulars with ruby; nobody else does, and
nothing a writer typed becomes markup either way."""

import pytest
from django.urls import reverse

from tests.kairan.helpers import households_of, make_association, signed_in
from yakuba.core.furigana import ruby_html, ruby_text
from yakuba.kairan import circulars
from yakuba.kairan.models import Member

pytestmark = pytest.mark.django_db


def test_ruby_keeps_okurigana_outside_and_escapes_text():
    assert ruby_text("読んで") == "<ruby>読<rp>（</rp><rt>よ</rt><rp>）</rp></ruby>んで"
    assert ruby_text("<script>") == "&lt;script&gt;"
    assert ruby_text("ごみ") == "ごみ"
    assert ruby_html("<p>清掃&amp;<b>草</b></p>") == (
        "<p><ruby>清掃<rp>（</rp><rt>せいそう</rt><rp>）</rp></ruby>&amp;"
        "<b><ruby>草<rp>（</rp><rt>くさ</rt><rp>）</rp></ruby></b></p>"
    )


def test_a_member_who_asked_sees_ruby():
    association = make_association(households=2, han=0)
    home = households_of(association)
    chair, _chair_client = signed_in(home[0], role=Member.Role.CHAIR)
    reader, client = signed_in(home[1])
    circular = circulars.circular_save(
        author=chair, title="回覧板 <script>x</script>", body="町内会の清掃です。", due_on=None, han_ids=[]
    )
    circulars.circular_send(circular=circular, actor=chair)
    url = reverse("kairan:circular", args=[circular.pk])
    plain = client.get(url).content.decode()
    assert "<ruby>" not in plain and "町内会の清掃です。" in plain
    reader.furigana = True
    reader.save(update_fields=["furigana"])
    html = client.get(url).content.decode()
    assert "<ruby>町内会<rp>（</rp><rt>ちょうないかい</rt>" in html
    assert "<ruby>回覧板<rp>（</rp><rt>かいらんばん</rt>" in html
    assert "<script>x" not in html

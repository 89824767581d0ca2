"""Officers of 桜町自治会 keep their households, 班 and members, and print invitation letters; the
city's 地域振興担当 registers associations and prints the chair's letter.

People, and why each can or cannot act:
- Yamada (会長 of 桜町, household 1) does everything here, and alone may change roles.
- Sato (書記 of 桜町) manages households and members, but changes no roles and stands down no officer.
- Suzuki (班長 of 桜町's 1班) and Takahashi (a plain member) see none of these pages: 404.
- Umeda (会長 of 梅町自治会) is an officer elsewhere: every id of 桜町 answers 404 to him.
- Chiiki (地域振興担当 at city hall) registers associations; Tanin (staff, no role) gets 403.
"""

import io
import math
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import URLPattern, reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from pypdf import PdfReader

from tests.kairan.helpers import add_member, households_of, make_association, member_client, signed_in
from tests.personas import make_persona, totp_key, verified_login
from tests.qr import decode_qr
from yakuba.core.models import StaffUser
from yakuba.kairan import households as service
from yakuba.kairan import members, views_households
from yakuba.kairan.models import Association, DeviceSession, Han, Household, Invitation, Member

PUBLIC = "https://kairan.example.jp"


@pytest.fixture(autouse=True)
def _public_url(settings):
    settings.YAKUBA_PUBLIC_URL = PUBLIC


@pytest.fixture
def sakura(db):
    """桜町自治会: 6 households in 1班 and 2班 (three each), the first of each 班 on paper."""
    return make_association("桜町自治会", households=6, han=2)


def house(name: str) -> Household:
    return Household.objects.get(association__name="桜町自治会", name=name)


@pytest.fixture
def chair(sakura):
    return signed_in(house("世帯001"), role=Member.Role.CHAIR, name="山田 花子")


@pytest.fixture
def secretary(sakura):
    return signed_in(house("世帯002"), role=Member.Role.SECRETARY, name="佐藤 一郎")


@pytest.fixture
def other_chair(db):
    ume = make_association("梅町自治会", households=2, han=1)
    return signed_in(households_of(ume)[0], role=Member.Role.CHAIR, name="梅田 三郎")


def page_texts(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def flat(text: str) -> str:
    return "".join(text.split())


def codes_in(text: str) -> list[str]:
    return re.findall(r"[A-Z2-9]{4}-[A-Z2-9]{4}", flat(text))


# --- the CSV import ----------------------------------------------------------------------------------


def csv_bytes(text: str, encoding: str = "utf-8") -> bytes:
    return text.replace("\n", "\r\n").encode(encoding)


GOOD = """世帯名,ふりがな,住所,班,回覧,手助け,位置x,位置y,回覧順
山田,やまだ,桜町1-1,東班,紙,高齢,１２．５,−３０,１
佐藤,さとう,桜町1-2,東班,デジタル,,40,30,2
鈴木,すずき,桜町1-3,1班,,手助けが必要,40,30,
"""


def test_import_adds_exactly_the_rows_and_new_han(sakura, chair) -> None:
    member, _client = chair
    before = set(Household.objects.values_list("pk", flat=True))

    result = service.households_import(actor=member, data=("\ufeff" + GOOD).encode("utf-8"))

    assert result == service.ImportResult(created=3, han_created=("東班",))
    rows = list(
        Household.objects.exclude(pk__in=before)
        .order_by("pk")
        .values_list(
            "name", "name_kana", "address", "han__name", "paper", "mobility", "x_m", "y_m", "paper_order"
        )
    )
    assert rows == [
        ("山田", "やまだ", "桜町1-1", "東班", True, "elderly", 12.5, -30.0, 1),  # full width, "−"
        ("佐藤", "さとう", "桜町1-2", "東班", False, "normal", 40.0, 30.0, 2),
        # Same position as 佐藤 (an apartment block): allowed.
        ("鈴木", "すずき", "桜町1-3", "1班", True, "help", 40.0, 30.0, None),
    ]
    assert list(Han.objects.filter(association=sakura).values_list("name", "order")) == [
        ("1班", 1),
        ("2班", 2),
        ("東班", 3),
    ]


def test_import_reads_shift_jis_from_excel(sakura, chair) -> None:
    member, _client = chair
    result = service.households_import(
        actor=member, data=csv_bytes("世帯名,住所,回覧\n髙橋,桜町２丁目,デジタル\n", "cp932")
    )
    assert result.created == 1
    assert Household.objects.filter(
        association=sakura, name="髙橋", address="桜町2丁目", paper=False
    ).exists()


def test_import_projects_longitude_and_latitude_to_utm_metres(sakura, chair) -> None:
    member, _client = chair
    data = "世帯名,経度,緯度\n子午線,135,35\n葵町6-1,135.163299998,34.213611244\n葵町6-2,135.16331704,34.213530943\n"
    assert service.households_import(actor=member, data=data.encode()).created == 3
    meridian = Household.objects.get(name="子午線")
    # On the central meridian of UTM zone 53: easting 500 km, northing 0.9996 × the meridian arc.
    assert (meridian.x_m, round(meridian.y_m or 0, 1)) == (500000.0, 3873043.1)
    a, b = Household.objects.get(name="葵町6-1"), Household.objects.get(name="葵町6-2")
    # Neighbours in Wakayama, 9.0449 m apart on the ellipsoid (Vincenty); UTM's scale there is 0.9996.
    assert math.dist((a.x_m or 0, a.y_m or 0), (b.x_m or 0, b.y_m or 0)) == pytest.approx(
        9.0449 * 0.9996, abs=0.0005
    )


def import_refused(member: Member, data: bytes) -> service.ImportResult:
    counts = (Household.objects.count(), Han.objects.count())
    result = service.households_import(actor=member, data=data)
    assert not result.ok and result.created == 0
    assert (Household.objects.count(), Han.objects.count()) == counts
    return result


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ("ふりがな,住所\nやまだ,桜町\n", "1行目: 「世帯名」の見出しがありません。"),
        ("世帯名,備考\n山田,x\n", "1行目 備考: この見出しは使えません。"),
        ("世帯名,回覧\n山田,紙\n佐藤,回覧板\n", "3行目 回覧: 「紙」か「デジタル」を入れてください。"),
        (
            "世帯名,手助け\n山田,すこし\n",
            "2行目 手助け: 「ふつう」「高齢」「手助けが必要」のどれかを入れてください。",
        ),
        ("世帯名,位置x,位置y\n山田,東に10m,5\n", "2行目 位置x: 数字（メートル）を入れてください。"),
        ("世帯名,位置x,位置y\n山田,nan,5\n", "2行目 位置x: 数字（メートル）を入れてください。"),
        (
            "世帯名,位置x,位置y\n山田,10,\n",
            "2行目 位置y: 「位置x」だけでは位置になりません。「位置y」も入れてください。",
        ),
        (
            "世帯名,経度,緯度\n山田,135.1,\n",
            "2行目 緯度: 「経度」だけでは位置になりません。「緯度」も入れてください。",
        ),
        (
            "世帯名,経度\n山田,135.1\n",
            "2行目 緯度: 「経度」だけでは位置になりません。「緯度」も入れてください。",
        ),
        ("世帯名,経度,緯度\n山田,34.2,135.1\n", "2行目 緯度: 緯度は -80 から 84 までです。"),
        ("世帯名,回覧順\n山田,1.5\n", "2行目 回覧順: 1以上の整数を入れてください。"),
        ("世帯名,住所\n,桜町\n", "2行目 世帯名: 世帯名を入れてください。"),
        ("世帯名,住所\n山田,桜町1\n山田,桜町１\n", "3行目 世帯名: 2行目と同じ世帯名と住所です。"),
        ("世帯名,住所\n世帯001,桜町1番地\n", "2行目 世帯名: 同じ世帯名と住所の世帯がもう登録されています。"),
        ("世帯名,住所\n山田,桜町,余分\n", "2行目: 見出しより列が多くなっています。"),
        ("世帯名,住所\n", "世帯の行がありません。"),
        ("", "1行目に見出し（世帯名、住所 など）がありません。"),
    ],
    ids=[
        "missing-header",
        "unknown-header",
        "unknown-kairan-value",
        "unknown-mobility",
        "position-not-a-number",
        "position-nan",
        "x-without-y",
        "longitude-without-latitude",
        "longitude-column-alone",
        "latitude-out-of-range",
        "order-not-integer",
        "no-name",
        "duplicate-in-file",
        "duplicate-of-registered",
        "too-many-cells",
        "no-rows",
        "empty-file",
    ],
)
def test_import_refuses_a_bad_file_and_imports_nothing(sakura, chair, data, error) -> None:
    member, _client = chair
    result = import_refused(member, data.encode())
    assert result.errors[0].startswith(error)


def test_one_bad_row_among_good_ones_imports_nothing(sakura, chair) -> None:
    member, _client = chair
    result = import_refused(member, "世帯名,回覧\n山田,紙\n佐藤,デジタル\n鈴木,かみ\n".encode())
    assert result.errors == ("4行目 回覧: 「紙」か「デジタル」を入れてください。",)


def test_import_shows_twenty_errors_of_many(sakura, chair) -> None:
    member, _client = chair
    data = "世帯名,回覧\n" + "".join(f"世帯{i},x\n" for i in range(25))
    result = import_refused(member, data.encode())
    assert (len(result.errors), result.error_count) == (20, 25)
    assert result.errors[19] == "21行目 回覧: 「紙」か「デジタル」を入れてください。"


def test_import_refuses_more_than_5000_rows(sakura, chair) -> None:
    member, _client = chair
    data = "世帯名\n" + "".join(f"世帯{i:05d}\n" for i in range(5001))
    assert import_refused(member, data.encode()).errors == (
        "行が多すぎます（5,000行まで）。ファイルを分けてください。",
    )


def test_import_refuses_more_than_5_mb(sakura, chair) -> None:
    member, _client = chair
    data = b"\xe4\xb8\x96\xe5\xb8\xaf\xe5\x90\x8d\n" + b"x" * (5 * 1024 * 1024)
    assert import_refused(member, data).errors == ("ファイルが大きすぎます（5MBまで）。",)


def test_import_refuses_an_unreadable_encoding(sakura, chair) -> None:
    member, _client = chair
    result = import_refused(member, "世帯名\n山田\n".encode("utf-16"))
    assert result.errors[0].startswith("文字コードが読めません。")


def test_import_page_lists_the_errors_and_imports_nothing(sakura, chair) -> None:
    _member, client = chair
    upload = io.BytesIO("世帯名,回覧\n山田,紙\n佐藤,回覧板\n".encode())
    upload.name = "setai.csv"
    response = client.post(reverse("kairan:households_import"), {"file": upload})
    assert response.status_code == 200
    content = response.content.decode()
    assert "3行目 回覧: 「紙」か「デジタル」を入れてください。" in content
    assert "何も取り込んでいません" in content
    assert not Household.objects.filter(name="山田").exists()


def test_import_page_imports_a_good_file(sakura, chair) -> None:
    _member, client = chair
    upload = io.BytesIO(GOOD.encode())
    upload.name = "setai.csv"
    response = client.post(reverse("kairan:households_import"), {"file": upload}, follow=True)
    assert "3世帯を取り込みました。新しい班：東班" in response.content.decode()


# --- households and 班 -----------------------------------------------------------------------------


def test_households_page_lists_households_by_han(sakura, chair) -> None:
    _member, client = chair
    response = client.get(reverse("kairan:households"))
    assert response.status_code == 200
    assert "未登録" in response.content.decode()  # no positions yet
    assert [g.han.name if g.han else None for g in response.context["groups"]] == ["1班", "2班", None]
    assert response.context["active_count"] == 6
    first_han = response.context["groups"][0]
    assert [(h.name, h.paper, h.member_count) for h in first_han.households] == [
        ("世帯001", True, 1),  # Yamada's
        ("世帯003", True, 0),
        ("世帯005", False, 0),
    ]


def test_officer_adds_a_household_with_full_width_numbers(sakura, chair) -> None:
    _member, client = chair
    han = Han.objects.get(association=sakura, name="2班")
    response = client.post(
        reverse("kairan:household_new"),
        {
            "name": "伊藤",
            "name_kana": "いとう",
            "address": "桜町7番地",
            "han": han.pk,
            "paper": "0",
            "mobility": "elderly",
            "x_m": "１２．５",
            "y_m": "－３",
            "paper_order": "４",
        },
    )
    assert response.status_code == 302
    added = Household.objects.get(name="伊藤")
    assert (added.han, added.paper, added.mobility, added.x_m, added.y_m, added.paper_order) == (
        han,
        False,
        "elderly",
        12.5,
        -3.0,
        4,
    )


def test_household_form_converts_longitude_and_latitude(sakura, chair) -> None:
    _member, client = chair
    data = {"name": "子午線", "paper": "1", "mobility": "normal", "lon": "135", "lat": "35"}
    assert client.post(reverse("kairan:household_new"), data).status_code == 302
    added = Household.objects.get(name="子午線")
    assert (added.x_m, round(added.y_m or 0, 1)) == (500000.0, 3873043.1)


def test_household_form_refuses_a_duplicate(sakura, chair) -> None:
    _member, client = chair
    data = {"name": "世帯００１", "address": "桜町1番地", "paper": "1", "mobility": "normal"}
    response = client.post(reverse("kairan:household_new"), data)
    assert response.status_code == 200
    assert "同じ世帯名と住所の世帯がもう登録されています。" in response.content.decode()
    assert Household.objects.filter(association=sakura).count() == 6


def test_officer_edits_a_household(sakura, chair) -> None:
    _member, client = chair
    household = house("世帯003")
    data = {
        "name": "世帯003",
        "address": "桜町3番地",
        "paper": "0",
        "mobility": "help",
        "x_m": "1",
        "y_m": "2",
    }
    assert client.post(reverse("kairan:household_edit", args=[household.pk]), data).status_code == 302
    household.refresh_from_db()
    assert (household.paper, household.mobility, household.x_m, household.y_m, household.han) == (
        False,
        "help",
        1.0,
        2.0,
        None,
    )


def test_a_household_that_leaves_loses_its_members(sakura, chair) -> None:
    _member, client = chair
    household = house("世帯004")
    reader, key = add_member(household)
    _code, _token = members.invitation_issue(actor="test", household=household)

    response = client.post(reverse("kairan:household_active", args=[household.pk]), {"active": "0"})

    assert response.status_code == 302
    household.refresh_from_db()
    reader.refresh_from_db()
    assert (household.active, reader.active) == (False, False)
    assert not Invitation.objects.filter(
        household=household, revoked_at__isnull=True, used_at__isnull=True
    ).exists()
    assert member_client(reader, key).get(reverse("kairan:home")).status_code == 302
    client.post(reverse("kairan:household_active", args=[household.pk]), {"active": "1"})
    household.refresh_from_db()
    assert household.active


def test_the_chairs_household_cannot_leave(sakura, chair) -> None:
    member, client = chair
    client.post(reverse("kairan:household_active", args=[member.household_id]), {"active": "0"})
    assert Household.objects.get(pk=member.household_id).active


def test_officer_creates_renames_and_reorders_han(sakura, chair) -> None:
    _member, client = chair
    client.post(reverse("kairan:han_new"), {"name": "３班"})
    third = Han.objects.get(association=sakura, name="3班")
    client.post(reverse("kairan:han_edit", args=[third.pk]), {"name": "東班"})
    client.post(reverse("kairan:han_move", args=[third.pk]), {"direction": "up"})
    assert list(Han.objects.filter(association=sakura).values_list("name", flat=True)) == [
        "1班",
        "東班",
        "2班",
    ]
    response = client.post(reverse("kairan:han_edit", args=[third.pk]), {"name": "1班"})
    assert "同じ名前の班があります。" in response.content.decode()


# --- invitations -------------------------------------------------------------------------------------


def rasterise(data: bytes, page: int = 1):
    cv2 = pytest.importorskip("cv2")
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        pytest.skip("pdftoppm is missing: install the Debian package poppler-utils to rasterise the PDF")
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "letters.pdf"
        source.write_bytes(data)
        subprocess.run(
            [
                pdftoppm,
                "-r",
                "150",
                "-png",
                "-f",
                str(page),
                "-l",
                str(page),
                "-singlefile",
                str(source),
                f"{tmp}/p",
            ],
            check=True,
        )
        return cv2.imread(f"{tmp}/p.png", cv2.IMREAD_GRAYSCALE)


def qr_text(data: bytes, page: int = 1) -> str:
    return decode_qr(rasterise(data, page))


def test_invitation_letters_of_a_han_join_by_qr_code(sakura, chair) -> None:
    _member, client = chair
    first_han = Han.objects.get(association=sakura, name="1班")

    response = client.post(
        reverse("kairan:invitations"), {"which": "han", "han": first_han.pk, "layout": "a4"}
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    texts = page_texts(response.content)
    assert len(texts) == 3  # 世帯001, 世帯003, 世帯005: one A4 page each
    for text, name in zip(texts, ["世帯001", "世帯003", "世帯005"], strict=True):
        assert "桜町自治会" in flat(text) and f"{name}様" in flat(text)
        assert len(codes_in(text)) == 1
        assert "有効期限" in flat(text)
    url = qr_text(response.content, page=2)
    assert url.startswith(f"{PUBLIC}/kairan/j/")

    stranger = Client()
    answer = stranger.get(url.removeprefix(PUBLIC), follow=True)
    assert answer.request["PATH_INFO"] == reverse("kairan:join_name")
    stranger.post(reverse("kairan:join_name"), {"name": "高橋 三奈"})
    joined = Member.objects.get(name="高橋 三奈")
    assert (joined.household.name, joined.role) == ("世帯003", Member.Role.MEMBER)
    assert stranger.get(reverse("kairan:manage")).status_code == 404  # a member, not an officer


def test_the_printed_code_joins_too(sakura, chair) -> None:
    _member, client = chair
    household = house("世帯006")
    response = client.post(reverse("kairan:household_invitation", args=[household.pk]), {"layout": "a4"})
    [text] = page_texts(response.content)
    [code] = codes_in(text)
    stranger = Client()
    assert stranger.post(reverse("kairan:join"), {"code": code.lower()}).status_code == 302
    stranger.post(reverse("kairan:join_name"), {"name": "伊藤 五月"})
    assert Member.objects.get(name="伊藤 五月").household == household


def test_reissuing_revokes_the_earlier_letter(sakura, chair) -> None:
    _member, client = chair
    household = house("世帯006")
    old = client.post(reverse("kairan:household_invitation", args=[household.pk]), {"layout": "a4"})
    new = client.post(reverse("kairan:household_invitation", args=[household.pk]), {"layout": "a4"})
    [old_code], [new_code] = codes_in(page_texts(old.content)[0]), codes_in(page_texts(new.content)[0])
    refused = Client().post(reverse("kairan:join"), {"code": old_code})
    assert "もう使われています" in refused.content.decode()
    assert Client().post(reverse("kairan:join"), {"code": new_code}).status_code == 302


def test_two_a5_letters_on_each_a4_sheet_for_households_without_members(sakura, chair, secretary) -> None:
    _member, client = chair
    response = client.post(reverse("kairan:invitations"), {"which": "without", "layout": "a5"})
    reader = PdfReader(io.BytesIO(response.content))
    # 6 households, two with members (the chair's and the secretary's): 4 letters on 2 sheets.
    assert len(reader.pages) == 2
    assert [round(float(v)) for v in reader.pages[0].mediabox[2:]] == [842, 595]  # landscape A4
    names = re.findall(r"世帯\d{3}様", flat("".join(page.extract_text() for page in reader.pages)))
    assert names == ["世帯003様", "世帯005様", "世帯004様", "世帯006様"]  # by 班, then paper order
    assert Invitation.objects.filter(revoked_at__isnull=True, used_at__isnull=True).count() == 4


def test_invitation_page_says_it_reissues(sakura, chair) -> None:
    _member, client = chair
    content = client.get(reverse("kairan:invitations")).content.decode()
    assert "作り直しになります" in content
    response = client.post(reverse("kairan:invitations"), {"which": "han", "layout": "a4"})
    assert "班を選んでください。" in response.content.decode()


# --- members -----------------------------------------------------------------------------------------


def test_members_page_lists_members_with_devices(sakura, chair, secretary) -> None:
    _member, client = chair
    response = client.get(reverse("kairan:members"))
    rows = {
        row.name: (row.household.name, row.role, row.device_count) for row, _form in response.context["rows"]
    }
    assert rows == {
        "山田 花子": ("世帯001", "chair", 1),
        "佐藤 一郎": ("世帯002", "secretary", 1),
    }


def test_the_chair_makes_a_hancho_and_a_new_chair_and_steps_down(sakura, chair) -> None:
    member, client = chair
    suzuki, _key = add_member(house("世帯003"), name="鈴木 次郎")
    client.post(reverse("kairan:member_role", args=[suzuki.pk]), {"role": "hancho"})
    suzuki.refresh_from_db()
    assert suzuki.role == Member.Role.HANCHO

    # The last chair cannot step down ...
    response = client.post(reverse("kairan:member_role", args=[member.pk]), {"role": "member"}, follow=True)
    assert "会長が1人もいなくなります。" in response.content.decode()
    member.refresh_from_db()
    assert member.role == Member.Role.CHAIR
    # ... until there is another.
    client.post(reverse("kairan:member_role", args=[suzuki.pk]), {"role": "chair"})
    client.post(reverse("kairan:member_role", args=[member.pk]), {"role": "member"})
    assert list(Member.objects.filter(role="chair").values_list("name", flat=True)) == ["鈴木 次郎"]


def test_the_secretary_changes_no_roles(sakura, chair, secretary) -> None:
    _sato, client = secretary
    yamada, _client = chair
    response = client.post(reverse("kairan:member_role", args=[yamada.pk]), {"role": "member"}, follow=True)
    assert "役割を変えられるのは会長だけです。" in response.content.decode()
    yamada.refresh_from_db()
    assert yamada.role == Member.Role.CHAIR
    client.post(reverse("kairan:member_deactivate", args=[yamada.pk]))
    yamada.refresh_from_db()
    assert yamada.active


def test_an_officer_stands_a_member_down_and_signs_out_a_lost_phone(sakura, chair) -> None:
    _member, client = chair
    takahashi, key = add_member(house("世帯004"), name="高橋 三奈")
    phone = member_client(takahashi, key)
    tablet = member_client(takahashi)

    client.post(reverse("kairan:member_sign_out", args=[takahashi.pk]))
    assert phone.get(reverse("kairan:home")).status_code == 302
    assert tablet.get(reverse("kairan:home")).status_code == 302
    assert not DeviceSession.objects.filter(member=takahashi, revoked_at__isnull=True).exists()

    client.post(reverse("kairan:member_deactivate", args=[takahashi.pk]))
    takahashi.refresh_from_db()
    assert not takahashi.active


# --- who may see these pages ---------------------------------------------------------------------------

OFFICER_PAGES = [
    "kairan:households",
    "kairan:household_new",
    "kairan:households_import",
    "kairan:invitations",
    "kairan:members",
]


@pytest.mark.parametrize("name", OFFICER_PAGES)
@pytest.mark.parametrize("role", [Member.Role.MEMBER, Member.Role.HANCHO])
def test_non_officers_find_no_officer_page(sakura, name, role) -> None:
    _member, client = signed_in(house("世帯003"), role=role)
    assert client.get(reverse(name)).status_code == 404


@pytest.mark.parametrize("name", OFFICER_PAGES)
def test_officers_open_every_officer_page(sakura, secretary, name) -> None:
    _member, client = secretary
    assert client.get(reverse(name)).status_code == 200


# Every URL with an id, how it is called, and which of 桜町's objects the id names.
ID_URLS = [
    ("kairan:household_edit", "get", "household"),
    ("kairan:household_edit", "post", "household"),
    ("kairan:household_active", "post", "household"),
    ("kairan:household_invitation", "post", "household"),
    ("kairan:han_edit", "get", "han"),
    ("kairan:han_edit", "post", "han"),
    ("kairan:han_move", "post", "han"),
    ("kairan:route", "get", "han"),
    ("kairan:route_adopt", "post", "han"),
    ("kairan:route_closed", "post", "han"),
    ("kairan:route_pdf", "get", "han"),
    ("kairan:member_role", "post", "member"),
    ("kairan:member_deactivate", "post", "member"),
    ("kairan:member_sign_out", "post", "member"),
]
STAFF_ID_URLS = {"association_invitation", "association_reissue"}  # staff pages, tested below


def test_every_url_with_an_id_is_in_the_cross_association_list() -> None:
    with_id = {
        p.name
        for p in views_households.urlpatterns
        if isinstance(p, URLPattern) and "<int:" in str(p.pattern)
    }
    assert with_id == {name.split(":")[1] for name, _m, _k in ID_URLS} | STAFF_ID_URLS


@pytest.mark.parametrize(("name", "method", "kind"), ID_URLS)
@pytest.mark.parametrize("role", [Member.Role.CHAIR, Member.Role.HANCHO])
def test_ids_of_another_association_answer_404(sakura, chair, name, method, kind, role) -> None:
    yamada, _client = chair
    ume = make_association("梅町自治会", households=2, han=1)
    _umeda, client = signed_in(households_of(ume)[0], role=role, name="梅田 三郎")
    target = {
        "household": house("世帯001").pk,
        "han": Han.objects.get(association=sakura, name="1班").pk,
        "member": yamada.pk,
    }[kind]
    before = (
        list(Household.objects.filter(association=sakura).values_list("name", "active", "paper_order")),
        list(Han.objects.filter(association=sakura).values_list("name", "order", "closed_route")),
        list(Member.objects.filter(association=sakura).values_list("role", "active")),
        DeviceSession.objects.filter(revoked_at__isnull=True).count(),
        Invitation.objects.count(),
    )
    url = reverse(name, args=[target])
    data = {
        "name": "乗っ取り",
        "active": "0",
        "role": "member",
        "closed": "0",
        "direction": "up",
        "order": "1",
    }
    response = client.get(url) if method == "get" else client.post(url, data)
    assert response.status_code == 404
    assert before == (
        list(Household.objects.filter(association=sakura).values_list("name", "active", "paper_order")),
        list(Han.objects.filter(association=sakura).values_list("name", "order", "closed_route")),
        list(Member.objects.filter(association=sakura).values_list("role", "active")),
        DeviceSession.objects.filter(revoked_at__isnull=True).count(),
        Invitation.objects.count(),
    )


def test_an_officer_cannot_import_into_another_association(sakura, other_chair) -> None:
    umeda, client = other_chair
    upload = io.BytesIO("世帯名,班\n乗っ取り,1班\n".encode())
    upload.name = "x.csv"
    client.post(reverse("kairan:households_import"), {"file": upload})
    assert Household.objects.get(name="乗っ取り").association_id == umeda.association_id
    assert not Household.objects.filter(association=sakura, name="乗っ取り").exists()


def test_a_han_of_another_association_is_refused_in_the_household_form(sakura, chair, other_chair) -> None:
    _umeda, client = other_chair
    han = Han.objects.get(association=sakura, name="1班")
    response = client.post(
        reverse("kairan:household_new"), {"name": "x", "han": han.pk, "paper": "1", "mobility": "normal"}
    )
    assert response.status_code == 200
    assert not Household.objects.filter(name="x").exists()


# --- the city's register of associations -----------------------------------------------------------------


@pytest.fixture
def chiiki(db):
    """A clerk of 地域振興担当 (the role that registers associations)."""
    user = StaffUser.objects.create_user(username="chiiki", password="x" * 20, display_name="地域 振子")
    user.groups.set(Group.objects.filter(name="地域振興担当"))
    TOTPDevice.objects.create(user=user, name="test", key=totp_key("chiiki"), confirmed=True)
    client = Client()
    verified_login(client, user)
    return client


def test_staff_registers_an_association_and_prints_the_chairs_letter_once(chiiki) -> None:
    response = chiiki.post(
        reverse("kairan:associations"),
        {"name": "葵町自治会", "chair_household": "和歌山", "chair_address": "葵町6-1"},
        follow=True,
    )
    association = Association.objects.get(name="葵町自治会")
    letter_url = reverse("kairan:association_invitation", args=[association.pk])
    assert letter_url in response.content.decode()

    letter = chiiki.get(letter_url)
    assert letter["Content-Type"] == "application/pdf"
    [text] = page_texts(letter.content)
    assert "葵町自治会" in flat(text) and "和歌山様" in flat(text) and len(codes_in(text)) == 1
    assert chiiki.get(letter_url).status_code == 404  # once only

    url = qr_text(letter.content)
    assert url.startswith(f"{PUBLIC}/kairan/j/")
    chair = Client()
    chair.get(url.removeprefix(PUBLIC))
    chair.post(reverse("kairan:join_name"), {"name": "和歌山 太郎"})
    joined = Member.objects.get(name="和歌山 太郎")
    assert (joined.association, joined.role) == (association, Member.Role.CHAIR)
    assert chair.get(reverse("kairan:households")).status_code == 200

    listing = chiiki.get(reverse("kairan:associations"))
    [row] = listing.context["associations"]
    assert (row.household_count, row.member_count, row.sent_count, row.chair_count) == (1, 1, 0, 1)


def test_staff_reissues_the_chairs_letter_until_the_chair_joins(chiiki) -> None:
    chiiki.post(reverse("kairan:associations"), {"name": "葵町自治会", "chair_household": "和歌山"})
    association = Association.objects.get(name="葵町自治会")
    chiiki.post(reverse("kairan:association_reissue", args=[association.pk]))
    letter = chiiki.get(reverse("kairan:association_invitation", args=[association.pk]))
    [code] = codes_in(page_texts(letter.content)[0])
    assert Invitation.objects.filter(association=association, revoked_at__isnull=True).count() == 1
    chair = Client()
    chair.post(reverse("kairan:join"), {"code": code})
    chair.post(reverse("kairan:join_name"), {"name": "和歌山 太郎"})
    response = chiiki.post(reverse("kairan:association_reissue", args=[association.pk]), follow=True)
    assert "会長はもう参加しています。" in response.content.decode()
    assert Invitation.objects.filter(association=association).count() == 2


def test_staff_without_the_role_are_refused(db, as_user) -> None:
    client = as_user(make_persona("tanin"))
    assert client.get(reverse("kairan:associations")).status_code == 403
    assert (
        client.post(reverse("kairan:associations"), {"name": "x", "chair_household": "y"}).status_code == 403
    )
    assert not Association.objects.exists()


def test_association_members_are_not_staff(sakura, chair) -> None:
    _member, client = chair
    response = client.get(reverse("kairan:associations"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("core:login"))

"""Shared steps of the 回覧板 stories. Other kairan tests import these: keep the names and signatures.

- ``make_association(name="桜町自治会", *, households=6, han=2, paper_share=0.5) -> Association``
  An association with ``han`` 班 (「1班」「2班」…, in that order) and ``households`` households
  (「世帯001」…) dealt to the 班 in turn (household i goes to 班 i % han; ``han=0``: no 班). The first
  ``round(households * paper_share)`` households of each 班 read on paper (``paper=True``), the
  others on their phones; every household has a ``paper_order`` within its 班.
- ``households_of(association, han=None) -> list[Household]``: in 班 and paper order.
- ``add_member(household, *, role="member", name="", channel="none", digest=False)
  -> (Member, device_key)``: a member who joined the real way (``members.invitation_issue`` then
  ``members.join``); ``device_key`` is the value of the ``members.COOKIE`` cookie.
- ``member_client(member, key=None) -> Client``: a test client signed in as the member (with ``key``
  from ``add_member``, or a new device of the member when ``key`` is None).
- ``signed_in(household, *, role="member", name="") -> (Member, Client)``: both at once.
- ``png_bytes()``, ``jpeg_bytes()``, ``pdf_bytes()``: small real files for attachments.
"""

import io

from django.test import Client

from yakuba.kairan import members
from yakuba.kairan.models import Association, DeviceSession, Han, Household, Member

_NAMES = ("山田 花子", "佐藤 一郎", "鈴木 次郎", "高橋 三奈", "田中 四郎", "伊藤 五月")


def make_association(
    name: str = "桜町自治会", *, households: int = 6, han: int = 2, paper_share: float = 0.5
) -> Association:
    association = Association.objects.create(name=name, area=f"{name}の区域")
    groups = [Han(association=association, name=f"{k + 1}班", order=k + 1) for k in range(han)]
    Han.objects.bulk_create(groups)
    groups = list(Han.objects.filter(association=association).order_by("order"))
    per_han: dict[int | None, list[int]] = {}
    for i in range(households):
        key = groups[i % han].pk if han else None
        per_han.setdefault(key, []).append(i)
    rows = []
    for key, indexes in per_han.items():
        paper = round(len(indexes) * paper_share)
        for position, i in enumerate(indexes):
            rows.append(
                Household(
                    association=association,
                    han_id=key,
                    name=f"世帯{i + 1:03d}",
                    address=f"桜町{i + 1}番地",
                    paper=position < paper,
                    paper_order=position + 1,
                )
            )
    Household.objects.bulk_create(rows, batch_size=500)
    return association


def households_of(association: Association, han: Han | None = None) -> list[Household]:
    qs = Household.objects.filter(association=association).select_related("han", "association")
    if han is not None:
        qs = qs.filter(han=han)
    return list(qs)


def add_member(
    household: Household,
    *,
    role: str = Member.Role.MEMBER,
    name: str = "",
    channel: str = Member.Channel.NONE,
    digest: bool = False,
) -> tuple[Member, str]:
    _code, token = members.invitation_issue(actor="test-clerk", household=household, role=role)
    invitation = members.invitation_find(token=token)
    member, key = members.join(
        invitation=invitation, name=name or _NAMES[household.pk % len(_NAMES)], label="test phone"
    )
    if channel != Member.Channel.NONE or digest:
        Member.objects.filter(pk=member.pk).update(
            channel=channel, digest=digest, email=f"m{member.pk}@example.jp"
        )
        member.refresh_from_db()
    return member, key


def member_client(member: Member, key: str | None = None) -> Client:
    if key is None:
        import secrets

        key = secrets.token_urlsafe(32)
        DeviceSession.objects.create(member=member, key_hash=members._key_hash(key), label="test phone")
    client = Client()
    client.cookies[members.COOKIE] = key
    return client


def signed_in(
    household: Household, *, role: str = Member.Role.MEMBER, name: str = ""
) -> tuple[Member, Client]:
    member, key = add_member(household, role=role, name=name)
    return member, member_client(member, key)


def png_bytes(size: tuple[int, int] = (4, 4)) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def jpeg_bytes(size: tuple[int, int] = (4, 4)) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, (30, 30, 200)).save(out, format="JPEG")
    return out.getvalue()


def pdf_bytes(text: str = "Kairan") -> bytes:
    """A one-page PDF made with reportlab."""
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    page = canvas.Canvas(out)
    page.drawString(72, 720, text)
    page.showPage()
    page.save()
    return out.getvalue()

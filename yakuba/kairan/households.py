"""Writes of an association's officers: households and their 班, the CSV import, invitation letters,
members' roles, and the paper route of a 班 (worked out with ``kairan.routing``, saved as each
household's ``paper_order``).

Every function takes the acting ``Member`` (an officer; the views check that through ``scope``) and
works inside that member's association only. Refusals raise ``HouseholdError`` with a message for the
officer (Japanese); nothing was changed then.

Positions are metres on a flat plane (``x_m`` east, ``y_m`` north). Positions given as 経度/緯度 are
projected with UTM (transverse Mercator on GRS80, the ellipsoid of JGD2011; the zone follows from the
longitude: 6° bands, zone 53 is 132°E-138°E). UTM is fixed and needs no reference point, so
households imported at different times (or typed into the form later) land in the same plane, and
a distance inside a 班 is off by at most 0.1% (the scale factor is 0.9996 to 1.0010 across a zone).
An association lying across a zone boundary (126°E, 132°E, 138°E, 144°E) would have its two sides
in different planes: there, give 位置x/位置y in one plane instead (for example the 平面直角座標系).
"""

import csv
import dataclasses
import datetime as dt
import io
import math
import unicodedata
from collections.abc import Iterable, Sequence

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from yakuba.core.audit import audit_record
from yakuba.kairan import members as member_service
from yakuba.kairan import text
from yakuba.kairan.models import DeviceSession, Han, Household, Invitation, Member

MAX_IMPORT_BYTES = 5 * 1024 * 1024
MAX_IMPORT_ROWS = 5000
MAX_ERRORS_SHOWN = 20
MAX_COORDINATE_M = 100_000_000  # a typo, not a place
MAX_PAPER_ORDER = 100_000

# The weight of the household handing the board on: a leg walked by an elderly person, or by someone
# who needs help, counts 1.5 or 2 times its length when the longest leg is kept short, so that those
# households get the shortest walks to the next door.
MOBILITY_WEIGHTS: dict[str, float] = {
    Household.Mobility.NORMAL: 1.0,
    Household.Mobility.ELDERLY: 1.5,
    Household.Mobility.HELP: 2.0,
}
ROUTE_SECONDS = 1.0


class HouseholdError(Exception):
    """A refusal with a message for the officer (Japanese); nothing was changed."""


def _actor(member: Member) -> str:
    return f"kairan-member:{member.pk}"


def _key(name: str, address: str) -> tuple[str, str]:
    """Two households are the same when their names and addresses are, spaces and width aside."""
    return ("".join(text.normalise(name).split()), "".join(text.normalise(address).split()))


# --- positions ----------------------------------------------------------------------------------

_A = 6378137.0  # GRS80
_F = 1 / 298.257222101
_K0 = 0.9996
_N = _F / (2 - _F)
_RECT = _A / (1 + _N) * (1 + _N**2 / 4 + _N**4 / 64)
_ALPHA = (
    _N / 2 - 2 * _N**2 / 3 + 5 * _N**3 / 16,
    13 * _N**2 / 48 - 3 * _N**3 / 5,
    61 * _N**3 / 240,
)
_E = 2 * math.sqrt(_N) / (1 + _N)


def lonlat_to_metres(lon: float, lat: float) -> tuple[float, float]:
    """UTM easting and northing (metres) of a point, in the zone of its longitude (see the module
    docstring). Krüger's series to n³: well under a millimetre inside the zone."""
    zone = min(int((lon + 180) // 6) + 1, 60)
    lon0 = math.radians(zone * 6 - 183)
    phi, dlon = math.radians(lat), math.radians(lon) - lon0
    sin_phi = math.sin(phi)
    t = math.sinh(math.atanh(sin_phi) - _E * math.atanh(_E * sin_phi))
    xi = math.atan2(t, math.cos(dlon))
    eta = math.atanh(math.sin(dlon) / math.sqrt(1 + t * t))
    easting = eta + sum(a * math.cos(2 * j * xi) * math.sinh(2 * j * eta) for j, a in enumerate(_ALPHA, 1))
    northing = xi + sum(a * math.sin(2 * j * xi) * math.cosh(2 * j * eta) for j, a in enumerate(_ALPHA, 1))
    return 500_000 + _K0 * _RECT * easting, _K0 * _RECT * northing


# --- households and 班 -----------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class HouseholdData:
    name: str
    name_kana: str = ""
    address: str = ""
    han: Han | None = None
    paper: bool = True
    mobility: str = Household.Mobility.NORMAL
    x_m: float | None = None
    y_m: float | None = None
    paper_order: int | None = None


def _check_han(actor: Member, han: Han | None) -> None:
    if han is not None and han.association_id != actor.association_id:
        raise HouseholdError(_("その班はこの自治会にありません。"))


def _refuse_duplicate(actor: Member, data: HouseholdData, exclude: int | None = None) -> None:
    key = _key(data.name, data.address)
    others = Household.objects.filter(association_id=actor.association_id, active=True)
    if exclude is not None:
        others = others.exclude(pk=exclude)
    if any(_key(h.name, h.address) == key for h in others.only("name", "address")):
        raise HouseholdError(_("同じ世帯名と住所の世帯がもう登録されています。"))


def _fields(data: HouseholdData) -> dict[str, object]:
    return {
        "name": text.plain(data.name, max_length=100),
        "name_kana": text.plain(data.name_kana, max_length=200),
        "address": text.plain(data.address, max_length=200),
        "han": data.han,
        "paper": data.paper,
        "mobility": data.mobility,
        "x_m": data.x_m if data.y_m is not None else None,
        "y_m": data.y_m if data.x_m is not None else None,
        "paper_order": data.paper_order,
    }


def household_create(*, actor: Member, data: HouseholdData) -> Household:
    _check_han(actor, data.han)
    if not text.plain(data.name, max_length=100):
        raise HouseholdError(_("世帯名を入れてください。"))
    with transaction.atomic():
        _refuse_duplicate(actor, data)
        household = Household.objects.create(association_id=actor.association_id, **_fields(data))
        audit_record(
            actor=_actor(actor),
            action="kairan_household_create",
            target_type="kairan_household",
            target_id=str(household.pk),
            detail={"association": actor.association_id},
        )
    return household


def household_update(*, actor: Member, household: Household, data: HouseholdData) -> Household:
    if household.association_id != actor.association_id:
        raise HouseholdError(_("その世帯はこの自治会にありません。"))
    _check_han(actor, data.han)
    if not text.plain(data.name, max_length=100):
        raise HouseholdError(_("世帯名を入れてください。"))
    fields = _fields(data)
    with transaction.atomic():
        if household.active:
            _refuse_duplicate(actor, data, exclude=household.pk)
        Household.objects.filter(pk=household.pk).update(**fields)
        audit_record(
            actor=_actor(actor),
            action="kairan_household_update",
            target_type="kairan_household",
            target_id=str(household.pk),
            detail={"association": actor.association_id, "fields": sorted(fields)},
        )
    household.refresh_from_db()
    return household


def household_set_active(*, actor: Member, household: Household, active: bool) -> None:
    """A household leaves the association (its members are signed out, its unused invitations
    revoked) or comes back (its members do not: they join again with a new invitation)."""
    if household.association_id != actor.association_id:
        raise HouseholdError(_("その世帯はこの自治会にありません。"))
    if not active and household.members.filter(active=True, role=Member.Role.CHAIR).exists():
        raise HouseholdError(_("会長の世帯は退会にできません。先に会長を交代してください。"))
    now = timezone.now()
    with transaction.atomic():
        if active:
            _refuse_duplicate(
                actor, HouseholdData(name=household.name, address=household.address), household.pk
            )
        Household.objects.filter(pk=household.pk).update(active=active)
        if not active:
            Member.objects.filter(household=household, active=True).update(active=False)
            DeviceSession.objects.filter(member__household=household, revoked_at__isnull=True).update(
                revoked_at=now
            )
            Invitation.objects.filter(
                household=household, used_at__isnull=True, revoked_at__isnull=True
            ).update(revoked_at=now)
        audit_record(
            actor=_actor(actor),
            action="kairan_household_active" if active else "kairan_household_leave",
            target_type="kairan_household",
            target_id=str(household.pk),
            detail={"association": actor.association_id},
        )
    household.active = active


def _han_name(name: str) -> str:
    cleaned = text.plain(name, max_length=50)
    if not cleaned:
        raise HouseholdError(_("班の名前を入れてください。"))
    return cleaned


def han_create(*, actor: Member, name: str) -> Han:
    cleaned = _han_name(name)
    with transaction.atomic():
        if Han.objects.filter(association_id=actor.association_id, name=cleaned).exists():
            raise HouseholdError(_("同じ名前の班があります。"))
        last = Han.objects.filter(association_id=actor.association_id).aggregate(m=Max("order"))["m"]
        han = Han.objects.create(
            association_id=actor.association_id, name=cleaned, order=0 if last is None else last + 1
        )
        audit_record(
            actor=_actor(actor), action="kairan_han_create", target_type="kairan_han", target_id=str(han.pk)
        )
    return han


def han_rename(*, actor: Member, han: Han, name: str) -> Han:
    if han.association_id != actor.association_id:
        raise HouseholdError(_("その班はこの自治会にありません。"))
    cleaned = _han_name(name)
    with transaction.atomic():
        if Han.objects.filter(association_id=actor.association_id, name=cleaned).exclude(pk=han.pk).exists():
            raise HouseholdError(_("同じ名前の班があります。"))
        Han.objects.filter(pk=han.pk).update(name=cleaned)
        audit_record(
            actor=_actor(actor), action="kairan_han_rename", target_type="kairan_han", target_id=str(han.pk)
        )
    han.name = cleaned
    return han


def han_move(*, actor: Member, han: Han, step: int) -> None:
    """Moves the 班 one place up (``step=-1``) or down (``step=1``) in the list; the orders are
    renumbered 0, 1, 2 ... on the way."""
    if han.association_id != actor.association_id:
        raise HouseholdError(_("その班はこの自治会にありません。"))
    with transaction.atomic():
        ids = list(
            Han.objects.select_for_update()
            .filter(association_id=actor.association_id)
            .order_by("order", "name")
            .values_list("pk", flat=True)
        )
        i = ids.index(han.pk)
        j = i + (1 if step > 0 else -1)
        if 0 <= j < len(ids):
            ids[i], ids[j] = ids[j], ids[i]
        for order, pk in enumerate(ids):
            Han.objects.filter(pk=pk).update(order=order)
        audit_record(
            actor=_actor(actor), action="kairan_han_move", target_type="kairan_han", target_id=str(han.pk)
        )


def han_set_closed(*, actor: Member, han: Han, closed: bool) -> None:
    """Whether the board comes back to the 班長 at the end (a closed route) or stops at the last
    household (open)."""
    with transaction.atomic():
        Han.objects.filter(pk=han.pk, association_id=actor.association_id).update(closed_route=closed)
        audit_record(
            actor=_actor(actor),
            action="kairan_han_route_closed",
            target_type="kairan_han",
            target_id=str(han.pk),
            detail={"closed": closed},
        )
    han.closed_route = closed


# --- the CSV import ----------------------------------------------------------------------------------

COLUMNS = ("世帯名", "ふりがな", "住所", "班", "回覧", "手助け", "位置x", "位置y", "経度", "緯度", "回覧順")
PAPER_VALUES = {"紙": True, "デジタル": False}
MOBILITY_VALUES = {
    "ふつう": Household.Mobility.NORMAL,
    "高齢": Household.Mobility.ELDERLY,
    "手助けが必要": Household.Mobility.HELP,
}


@dataclasses.dataclass(frozen=True)
class ImportResult:
    """``created`` households (0 when anything was wrong: all or nothing), the 班 that were new, and
    up to ``MAX_ERRORS_SHOWN`` errors of ``error_count`` in all."""

    created: int = 0
    han_created: tuple[str, ...] = ()
    errors: tuple[str, ...] = ()
    error_count: int = 0

    @property
    def ok(self) -> bool:
        return not self.error_count


class _RowError(Exception):
    def __init__(self, column: str, message: str) -> None:
        super().__init__(message)
        self.column = column
        self.message = message


def _decode(data: bytes) -> str | None:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    for encoding in ("utf-8", "cp932"):  # cp932: Shift_JIS as Windows and Excel write it
        try:
            decoded = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        # cp932 decodes almost any bytes (UTF-16, a spreadsheet file): NULs or private-use characters
        # (外字) mean it was not text in that encoding.
        if "\x00" in decoded or any("\ue000" <= ch <= "\uf8ff" for ch in decoded):
            return None
        return decoded
    return None


def _header_name(cell: str) -> str:
    return "".join(unicodedata.normalize("NFKC", cell).split()).lower()


def _number(value: str, column: str, message: str) -> float | None:
    if not value:
        return None
    try:
        number = float(value.replace(",", "").replace("\u2212", "-"))  # − (minus sign) as typed in Japanese
    except ValueError:
        raise _RowError(column, message) from None
    if not math.isfinite(number):
        raise _RowError(column, message)
    return number


def _pair(row: dict[str, str], first: str, second: str, message: str) -> tuple[float, float] | None:
    a = _number(row.get(first, ""), first, message)
    b = _number(row.get(second, ""), second, message)
    if a is None and b is None:
        return None
    if a is None:
        raise _RowError(
            first,
            _("「%(other)s」だけでは位置になりません。「%(this)s」も入れてください。")
            % {"other": second, "this": first},
        )
    if b is None:
        raise _RowError(
            second,
            _("「%(other)s」だけでは位置になりません。「%(this)s」も入れてください。")
            % {"other": first, "this": second},
        )
    return a, b


def _parse_row(row: dict[str, str]) -> tuple[HouseholdData, str]:
    """One row of the file as household data and its 班 name (may be empty)."""
    name = row.get("世帯名", "")
    if not name:
        raise _RowError("世帯名", _("世帯名を入れてください。"))
    for column, limit in (("世帯名", 100), ("ふりがな", 200), ("住所", 200), ("班", 50)):
        if len(row.get(column, "")) > limit:
            raise _RowError(column, _("%(n)s文字までにしてください。") % {"n": limit})
    paper_text = row.get("回覧", "") or "紙"
    if paper_text not in PAPER_VALUES:
        raise _RowError("回覧", _("「紙」か「デジタル」を入れてください。"))
    mobility_text = row.get("手助け", "") or "ふつう"
    if mobility_text not in MOBILITY_VALUES:
        raise _RowError("手助け", _("「ふつう」「高齢」「手助けが必要」のどれかを入れてください。"))
    metres = _pair(row, "位置x", "位置y", _("数字（メートル）を入れてください。"))
    if metres is not None and max(abs(metres[0]), abs(metres[1])) > MAX_COORDINATE_M:
        raise _RowError("位置x", _("位置が大きすぎます。メートルで入れてください。"))
    degrees = _pair(row, "経度", "緯度", _("数字（度、例：135.1633）を入れてください。"))
    if metres is not None and degrees is not None:
        raise _RowError("経度", _("位置は「位置x・位置y」か「経度・緯度」のどちらか一方にしてください。"))
    if degrees is not None:
        lon, lat = degrees
        if not -180 <= lon <= 180:
            raise _RowError("経度", _("経度は -180 から 180 までです。"))
        if not -80 <= lat <= 84:
            raise _RowError("緯度", _("緯度は -80 から 84 までです。"))
        metres = lonlat_to_metres(lon, lat)
    order_text = row.get("回覧順", "")
    order: int | None = None
    if order_text:
        if (
            not order_text.isascii()
            or not order_text.isdigit()
            or not 1 <= int(order_text) <= MAX_PAPER_ORDER
        ):
            raise _RowError("回覧順", _("1以上の整数を入れてください。"))
        order = int(order_text)
    data = HouseholdData(
        name=name,
        name_kana=row.get("ふりがな", ""),
        address=row.get("住所", ""),
        paper=PAPER_VALUES[paper_text],
        mobility=MOBILITY_VALUES[mobility_text],
        x_m=metres[0] if metres else None,
        y_m=metres[1] if metres else None,
        paper_order=order,
    )
    return data, row.get("班", "")


def _failed(errors: list[str]) -> ImportResult:
    shown = errors[:MAX_ERRORS_SHOWN]
    return ImportResult(errors=tuple(shown), error_count=len(errors))


def households_import(*, actor: Member, data: bytes) -> ImportResult:
    """Adds the households of a CSV file (layout in docs: a header row, then one household a line),
    all or nothing: with any error nothing is imported, and the errors name the line and column."""
    if len(data) > MAX_IMPORT_BYTES:
        return _failed([_("ファイルが大きすぎます（5MBまで）。")])
    decoded = _decode(data)
    if decoded is None:
        return _failed(
            [_("文字コードが読めません。UTF-8 か Shift_JIS で保存したCSVファイルにしてください。")]
        )
    reader = csv.reader(io.StringIO(decoded, newline=""))
    try:
        header = next(reader, None)
    except csv.Error:
        header = None
    if not header or not any(cell.strip() for cell in header):
        return _failed([_("1行目に見出し（世帯名、住所 など）がありません。")])
    names = [_header_name(cell) for cell in header]
    errors: list[str] = []
    for i, column in enumerate(names):
        if column not in COLUMNS:
            errors.append(
                _("1行目 %(cell)s: この見出しは使えません。使える見出し：%(columns)s")
                % {
                    "cell": header[i].strip() or _("（空欄、%(n)s列目）") % {"n": i + 1},
                    "columns": "、".join(COLUMNS),
                }
            )
        elif names.index(column) != i:
            errors.append(_("1行目 %(cell)s: 同じ見出しが2回あります。") % {"cell": column})
    if "世帯名" not in names:
        errors.append(_("1行目: 「世帯名」の見出しがありません。"))
    if errors:
        return _failed(errors)

    existing = {
        _key(h.name, h.address): h
        for h in Household.objects.filter(association_id=actor.association_id, active=True).only(
            "name", "address"
        )
    }
    seen: dict[tuple[str, str], int] = {}
    parsed: list[tuple[HouseholdData, str]] = []
    rows = 0
    try:
        for cells in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            rows += 1
            if rows > MAX_IMPORT_ROWS:
                return _failed(
                    [
                        _("行が多すぎます（%(n)s行まで）。ファイルを分けてください。")
                        % {"n": f"{MAX_IMPORT_ROWS:,}"}
                    ]
                )
            if len(cells) > len(names) and any(cell.strip() for cell in cells[len(names) :]):
                errors.append(_("%(line)s行目: 見出しより列が多くなっています。") % {"line": line})
                continue
            row = {
                column: " ".join(text.normalise(cells[i]).split()) if i < len(cells) else ""
                for i, column in enumerate(names)
            }
            try:
                household, han_name = _parse_row(row)
            except _RowError as exc:
                errors.append(
                    _("%(line)s行目 %(column)s: %(message)s")
                    % {"line": line, "column": exc.column, "message": exc.message}
                )
                continue
            key = _key(household.name, household.address)
            if key in existing:
                errors.append(
                    _("%(line)s行目 世帯名: 同じ世帯名と住所の世帯がもう登録されています。") % {"line": line}
                )
            elif key in seen:
                errors.append(
                    _("%(line)s行目 世帯名: %(first)s行目と同じ世帯名と住所です。")
                    % {"line": line, "first": seen[key]}
                )
            else:
                seen[key] = line
                parsed.append((household, han_name))
    except csv.Error as exc:
        errors.append(
            _("%(line)s行目: CSVとして読めません（%(error)s）。") % {"line": reader.line_num, "error": exc}
        )
    if errors:
        return _failed(errors)
    if not parsed:
        return _failed([_("世帯の行がありません。")])
    return _import_rows(actor, parsed)


def _import_rows(actor: Member, parsed: Sequence[tuple[HouseholdData, str]]) -> ImportResult:
    with transaction.atomic():
        han_by_name = {h.name: h for h in Han.objects.filter(association_id=actor.association_id)}
        created_han: list[str] = []
        last = max((h.order for h in han_by_name.values()), default=-1)
        for _data, han_name in parsed:
            if han_name and han_name not in han_by_name:
                last += 1
                han_by_name[han_name] = Han.objects.create(
                    association_id=actor.association_id, name=han_name, order=last
                )
                created_han.append(han_name)
        households = Household.objects.bulk_create(
            Household(
                association_id=actor.association_id,
                **_fields(dataclasses.replace(data, han=han_by_name[han_name] if han_name else None)),
            )
            for data, han_name in parsed
        )
        audit_record(
            actor=_actor(actor),
            action="kairan_households_import",
            target_type="kairan_association",
            target_id=str(actor.association_id),
            detail={"households": len(households), "han_created": created_han},
        )
    return ImportResult(created=len(households), han_created=tuple(created_han))


# --- invitations -------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class IssuedInvitation:
    household: Household
    code: str  # 8 characters, not stored in clear anywhere
    token: str
    expires_on: dt.date


def households_for_invitations(*, actor: Member, which: str, han: Han | None = None) -> list[Household]:
    """The active households to invite: ``all``, those of ``han``, or those ``without`` an active
    member yet."""
    qs = Household.objects.filter(association_id=actor.association_id, active=True).select_related("han")
    if which == "han":
        if han is None or han.association_id != actor.association_id:
            raise HouseholdError(_("班を選んでください。"))
        qs = qs.filter(han=han)
    elif which == "without":
        qs = qs.exclude(members__active=True)
    return list(qs.distinct())


def invitations_issue(*, actor: Member, households: Iterable[Household]) -> list[IssuedInvitation]:
    """A new invitation per household (each revokes the household's earlier unused ones), for the
    letters. Call it inside the transaction that renders the letters, so that a failed print
    revokes nothing."""
    issued: list[tuple[Household, str, str]] = []
    with transaction.atomic():
        for household in households:
            if household.association_id != actor.association_id or not household.active:
                raise HouseholdError(_("その世帯はこの自治会にありません。"))
            code, token = member_service.invitation_issue(actor=_actor(actor), household=household)
            issued.append((household, code, token))
        expiry = dict(
            Invitation.objects.filter(
                household__in=[h for h, _c, _t in issued], used_at__isnull=True, revoked_at__isnull=True
            ).values_list("household_id", "expires_at")
        )
    return [
        IssuedInvitation(household=h, code=code, token=token, expires_on=timezone.localdate(expiry[h.pk]))
        for h, code, token in issued
    ]


# --- members -----------------------------------------------------------------------------------------

ASSIGNABLE_ROLES = (Member.Role.CHAIR, Member.Role.SECRETARY, Member.Role.HANCHO, Member.Role.MEMBER)


def _other_chairs(target: Member) -> int:
    return (
        Member.objects.select_for_update()
        .filter(association_id=target.association_id, role=Member.Role.CHAIR, active=True)
        .exclude(pk=target.pk)
        .count()
    )


def member_set_role(*, actor: Member, target: Member, role: str) -> None:
    """The chair gives a member a role (会長, 書記, 班長 or 会員); at least one chair remains."""
    if actor.role != Member.Role.CHAIR:
        raise HouseholdError(_("役割を変えられるのは会長だけです。"))
    if target.association_id != actor.association_id or not target.active:
        raise HouseholdError(_("その会員はこの自治会にいません。"))
    if role not in ASSIGNABLE_ROLES:
        raise HouseholdError(_("役割を選んでください。"))
    with transaction.atomic():
        if target.role == Member.Role.CHAIR and role != Member.Role.CHAIR and not _other_chairs(target):
            raise HouseholdError(_("会長が1人もいなくなります。先にほかの会員を会長にしてください。"))
        Member.objects.filter(pk=target.pk).update(role=role)
        audit_record(
            actor=_actor(actor),
            action="kairan_member_role",
            target_type="kairan_member",
            target_id=str(target.pk),
            detail={"from": target.role, "to": role},
        )
    target.role = role


def member_deactivate(*, actor: Member, target: Member) -> None:
    """The member can no longer read (their devices are signed out). Officers are stood down by the
    chair only; the last chair stays."""
    if target.association_id != actor.association_id or not target.active:
        raise HouseholdError(_("その会員はこの自治会にいません。"))
    if target.pk == actor.pk:
        raise HouseholdError(_("ご自身を退会にはできません。"))
    if target.is_officer and actor.role != Member.Role.CHAIR:
        raise HouseholdError(_("役員を退会にできるのは会長だけです。"))
    with transaction.atomic():
        if target.role == Member.Role.CHAIR and not _other_chairs(target):
            raise HouseholdError(_("会長が1人もいなくなります。先にほかの会員を会長にしてください。"))
        Member.objects.filter(pk=target.pk).update(active=False)
        DeviceSession.objects.filter(member=target, revoked_at__isnull=True).update(revoked_at=timezone.now())
        audit_record(
            actor=_actor(actor),
            action="kairan_member_leave",
            target_type="kairan_member",
            target_id=str(target.pk),
        )
    target.active = False


def member_devices_revoke(*, actor: Member, target: Member) -> int:
    """Signs out every device of the member (a lost phone); returns how many were signed in."""
    if target.association_id != actor.association_id:
        raise HouseholdError(_("その会員はこの自治会にいません。"))
    ids = list(target.devices.filter(revoked_at__isnull=True).values_list("pk", flat=True))
    return sum(member_service.device_revoke(member=target, device_id=pk, actor=_actor(actor)) for pk in ids)


# --- the paper route -----------------------------------------------------------------------------------
# ``kairan.routing`` is imported inside the functions: it loads OR-Tools (about 0.4 s), which no other
# page of the process needs.


@dataclasses.dataclass(frozen=True)
class RouteFigures:
    total: float  # metres, straight lines between positions
    longest: float
    longest_weighted: float


@dataclasses.dataclass(frozen=True)
class RoutePlan:
    """The households of a 班 the paper board goes to (those on paper, and the 班長's, where it
    starts), in today's order and in the optimised one. The figures count households with a position
    only; those without one are listed last in both orders."""

    han: Han
    leader: Member | None
    start: Household | None
    closed: bool
    current: list[Household]
    optimised: list[Household]
    current_figures: RouteFigures | None
    optimised_figures: RouteFigures | None
    proven_optimal: bool
    method: str

    @property
    def missing(self) -> list[Household]:
        return [h for h in self.optimised if not _placed(h)]

    @property
    def changed(self) -> bool:
        return [h.pk for h in self.current] != [h.pk for h in self.optimised] or any(
            h.paper_order != i for i, h in enumerate(self.current, 1)
        )


def _placed(household: Household) -> bool:
    return household.x_m is not None and household.y_m is not None


def han_leader(han: Han) -> Member | None:
    """The 班長: the first active member with that role whose household is in the 班."""
    return (
        Member.objects.select_related("household")
        .filter(role=Member.Role.HANCHO, active=True, household__han=han, household__active=True)
        .order_by("pk")
        .first()
    )


def route_households(han: Han, leader: Member | None) -> list[Household]:
    """Today's order: by ``paper_order`` (households without one last), turned so that it starts at
    the 班長's household (the board goes round from there)."""
    wanted = Q(paper=True)
    if leader is not None:
        wanted |= Q(pk=leader.household_id)
    households = sorted(
        Household.objects.filter(han=han, active=True).filter(wanted),
        key=lambda h: (h.paper_order is None, h.paper_order or 0, h.pk),
    )
    if leader is not None:
        i = next(i for i, h in enumerate(households) if h.pk == leader.household_id)
        households = households[i:] + households[:i]
    return households


def _weights(households: Sequence[Household]) -> list[float]:
    return [MOBILITY_WEIGHTS.get(h.mobility, 1.0) for h in households]


def _figures(placed: Sequence[Household], closed: bool) -> RouteFigures | None:
    from yakuba.kairan.routing import Point, distance_matrix, route_stats

    if not placed:
        return None
    dist = distance_matrix([Point(h.x_m or 0.0, h.y_m or 0.0) for h in placed])
    total, longest, weighted = route_stats(
        dist, list(range(len(placed))), closed=closed, weights=_weights(placed)
    )
    return RouteFigures(total, longest, weighted)


def route_plan(han: Han) -> RoutePlan:
    """Today's order and the optimised one (the longest leg, weighted by the mobility of the
    household handing on, first; then the total walk), each with its figures.

    When the 班長's household has no position, the board still starts there, and the optimiser
    starts at the first household of today's order that has one."""
    from yakuba.kairan.routing import Point, route_with_missing

    leader = han_leader(han)
    current = route_households(han, leader)
    closed = han.closed_route
    if not current:
        return RoutePlan(han, leader, None, closed, [], [], None, None, False, "")
    placed = [i for i, h in enumerate(current) if _placed(h)]
    if not placed:
        return RoutePlan(han, leader, current[0], closed, current, current, None, None, False, "")
    anchor = placed[0]  # 0, the 班長's household, unless it has no position
    result = route_with_missing(
        [Point(h.x_m, h.y_m) if h.x_m is not None and h.y_m is not None else None for h in current],
        start=anchor,
        closed=closed,
        weights=_weights(current),
        seconds=ROUTE_SECONDS,
    )
    order = result.order if anchor == 0 else [0, *(i for i in result.order if i != 0)]
    optimised = [current[i] for i in order]
    current_figures = _figures([h for h in current if _placed(h)], closed)
    optimised_figures = _figures([h for h in optimised if _placed(h)], closed)
    if current_figures and optimised_figures and not _shorter(optimised_figures, current_figures):
        # Today's order is as good (ties are common): keep it, so that an adopted order stays put.
        optimised, optimised_figures = current, current_figures
    return RoutePlan(
        han=han,
        leader=leader,
        start=current[0],
        closed=closed,
        current=current,
        optimised=optimised,
        current_figures=current_figures,
        optimised_figures=optimised_figures,
        proven_optimal=result.proven_optimal,
        method=result.method,
    )


def _shorter(a: RouteFigures, b: RouteFigures) -> bool:
    """``a`` is better than ``b``: a shorter longest weighted leg, then a shorter total (to the mm)."""
    return (round(a.longest_weighted, 3), round(a.total, 3)) < (
        round(b.longest_weighted, 3),
        round(b.total, 3),
    )


def route_adopt(*, actor: Member, han: Han, order: Sequence[int]) -> None:
    """Saves ``order`` (household ids, the 班長's first) as the 班's paper order 1, 2, 3 ... It must
    hold exactly the households of the route as they are now."""
    if han.association_id != actor.association_id:
        raise HouseholdError(_("その班はこの自治会にありません。"))
    with transaction.atomic():
        expected = {h.pk for h in route_households(han, han_leader(han))}
        if len(order) != len(set(order)) or set(order) != expected:
            raise HouseholdError(
                _("班の世帯が変わりました。回覧順を計算し直しましたので、もう一度お確かめください。")
            )
        for position, pk in enumerate(order, 1):
            Household.objects.filter(pk=pk, han=han).update(paper_order=position)
        audit_record(
            actor=_actor(actor),
            action="kairan_route_adopt",
            target_type="kairan_han",
            target_id=str(han.pk),
            detail={"order": list(order)},
        )

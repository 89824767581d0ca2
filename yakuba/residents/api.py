"""Linkage API (pull type, after the standard): full and delta extracts of 本登録 data, as JSON and as
CSV with the documented column layout (docs/residents.md). 仮登録 data is never exposed: it is not in
the tables these read.

Callers authenticate with ``Authorization: Bearer <token>`` (an ``ApiClient`` with the ``residents``
scope) or as signed-in, two-factor-verified staff with the 連携管理 role. The 個人番号 column is filled
only when asked for (``include_mynumber=true``) by a caller allowed to receive it. Every call is audited.
"""

import csv
from collections.abc import Iterable, Iterator
from typing import Any

from django.http import HttpRequest, StreamingHttpResponse
from ninja import Field, Router, Schema
from ninja.errors import HttpError
from ninja.security import HttpBearer

from yakuba.core.apiclients import api_client_by_token
from yakuba.core.audit import audit_record
from yakuba.core.models import ApiClient
from yakuba.residents import access, selectors

SCOPE = "residents"
MAX_LIMIT = 5000


class BearerClient(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> ApiClient | None:
        client = api_client_by_token(token)
        if client is None or SCOPE not in client.scopes:
            return None
        return client


def staff_session(request: HttpRequest) -> Any:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.is_verified() and user.has_perm(access.EXTRACT):
        return user
    return None


router = Router(tags=["residents"], auth=[BearerClient(), staff_session])


class ResidentRow(Schema):
    seq: int = Field(description="変更連番 (change sequence; delta extracts resume after it)")
    atena_no: str = Field(description="宛名番号 (10 digits, check digit last)")
    rireki_no: int = Field(description="履歴番号")
    setai_no: str = Field(description="世帯番号")
    status: str = Field(description="住民状態: resident / moved_out / deceased / removed")
    kind: str = Field(description="住民種別: japanese / foreign")
    name: str
    name_kana: str
    former_surname: str
    birth_date: str = Field(description="YYYY-MM-DD; 00 for unknown parts, trailing ~ for 頃")
    sex: str = Field(description="1 男 / 2 女")
    relationship: str
    head_name: str
    postal_code: str
    address: str
    katagaki: str
    became_resident_on: str
    address_set_on: str
    notified_on: str
    previous_address: str
    moved_out_to: str
    left_on: str
    last_idou_kind: str
    last_idou_date: str
    honseki: str
    hittousha: str
    juminhyo_code: str
    mynumber: str = Field(description="個人番号; empty unless requested by an allowed caller")
    support_measure: bool
    nationality: str
    alphabet_name: str
    tsusho: str
    residence_status: str
    residence_period: str
    residence_expires_on: str
    residence_card_no: str
    art30_45: str


class ChangesOut(Schema):
    since: int
    next_since: int = Field(description="pass as `since` to get the following changes")
    items: list[ResidentRow]


class ExtractOut(Schema):
    cursor: str
    next_cursor: str | None
    items: list[ResidentRow]


class ColumnOut(Schema):
    number: int
    key: str
    heading: str


def _caller(request: HttpRequest) -> tuple[str, bool]:
    """(audit name, may receive 個人番号)."""
    auth = request.auth  # type: ignore[attr-defined]
    if isinstance(auth, ApiClient):
        return f"api:{auth.name}", auth.can_see_mynumber
    return auth.get_username(), access.can_see_sensitive(auth)


def _with_mynumber(request: HttpRequest, include_mynumber: bool) -> tuple[str, bool]:
    actor, allowed = _caller(request)
    if include_mynumber and not allowed:
        raise HttpError(403, "個人番号の提供は許可されていません。")
    return actor, include_mynumber


@router.get("/layout", response=list[ColumnOut], summary="CSV/JSON column layout")
def layout(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {"number": n, "key": key, "heading": heading}
        for n, (key, heading) in enumerate(selectors.EXTRACT_COLUMNS, start=1)
    ]


def _delta(
    request: HttpRequest, *, since: int, limit: int, include_mynumber: bool, action: str
) -> list[dict[str, Any]]:
    actor, with_mynumber = _with_mynumber(request, include_mynumber)
    limit = max(1, min(limit, MAX_LIMIT))
    items = selectors.extract_changes(since=since, limit=limit, with_mynumber=with_mynumber)
    audit_record(
        actor=actor,
        action=action,
        target_type="residents",
        target_id=f"since:{since}",
        mynumber_shown=with_mynumber and bool(items),
        detail={"count": len(items)},
    )
    return items


@router.get("/changes", response=ChangesOut, summary="Delta extract since a change sequence number")
def changes(
    request: HttpRequest, since: int = 0, limit: int = 1000, include_mynumber: bool = False
) -> dict[str, Any]:
    items = _delta(
        request, since=since, limit=limit, include_mynumber=include_mynumber, action="extract_delta"
    )
    return {"since": since, "next_since": items[-1]["seq"] if items else since, "items": items}


@router.get("/extract", response=ExtractOut, summary="Full extract (current records), paged by 宛名番号")
def extract(
    request: HttpRequest,
    cursor: str = "",
    limit: int = 1000,
    include_mynumber: bool = False,
    status: str = "",
) -> dict[str, Any]:
    actor, with_mynumber = _with_mynumber(request, include_mynumber)
    limit = max(1, min(limit, MAX_LIMIT))
    items = list(
        selectors.extract_full_page(
            after=cursor, limit=limit, with_mynumber=with_mynumber, status=status or None
        )
    )
    audit_record(
        actor=actor,
        action="extract_full_page",
        target_type="residents",
        target_id=f"after:{cursor}",
        mynumber_shown=with_mynumber and bool(items),
        detail={"count": len(items)},
    )
    next_cursor = items[-1]["atena_no"] if len(items) == limit else None
    return {"cursor": cursor, "next_cursor": next_cursor, "items": items}


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_stream(rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    writer = csv.writer(_Echo(), lineterminator="\r\n")
    yield writer.writerow([heading for _key, heading in selectors.EXTRACT_COLUMNS])
    keys = [key for key, _heading in selectors.EXTRACT_COLUMNS]
    for row in rows:
        yield writer.writerow([_csv_value(row[key]) for key in keys])


def _csv_value(value: Any) -> Any:
    if isinstance(value, bool):
        return "1" if value else "0"
    return value


def _csv_response(rows: Iterable[dict[str, Any]], filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(csv_stream(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@router.get("/changes.csv", summary="Delta extract as CSV", response={200: None})
def changes_csv(
    request: HttpRequest, since: int = 0, limit: int = 1000, include_mynumber: bool = False
) -> StreamingHttpResponse:
    items = _delta(
        request, since=since, limit=limit, include_mynumber=include_mynumber, action="extract_delta_csv"
    )
    return _csv_response(items, f"residents-changes-{since}.csv")


@router.get("/extract.csv", summary="Full extract as CSV (streamed)", response={200: None})
def extract_csv(
    request: HttpRequest, include_mynumber: bool = False, status: str = ""
) -> StreamingHttpResponse:
    actor, with_mynumber = _with_mynumber(request, include_mynumber)
    audit_record(
        actor=actor,
        action="extract_full_csv",
        target_type="residents",
        target_id="all",
        mynumber_shown=with_mynumber,
        detail={"status": status},
    )
    return _csv_response(
        selectors.extract_full(with_mynumber=with_mynumber, status=status or None), "residents-full.csv"
    )

"""Kiosk terminal API (``/api/v1/certificates/kiosk/...``) and public verification.

A terminal (a store's multi-function printer) authenticates as an API client with the ``kiosk`` scope;
its client name is its terminal id. The card answers a challenge; every later call carries the kiosk
session token, and the person on the certificate always comes from that session.
"""

import base64
import binascii
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema
from ninja.errors import HttpError
from ninja.security import HttpBearer

from yakuba.certificates import services
from yakuba.certificates.documents import Options
from yakuba.certificates.services import CertificateError, IdempotencyConflict
from yakuba.core.apiclients import api_client_by_token
from yakuba.core.models import ApiClient

router = Router(tags=["certificates"])


class KioskTerminal(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> ApiClient | None:
        client = api_client_by_token(token)
        if client is None or "kiosk" not in client.scopes:
            return None
        return client


def _terminal(request: HttpRequest) -> str:
    return str(request.auth.name)  # type: ignore[attr-defined]


def _fail(exc: CertificateError) -> HttpError:
    return HttpError(409 if isinstance(exc, IdempotencyConflict) else 400, exc.message)


class ChallengeIn(Schema):
    card_serial: str = Field(max_length=40)


class ChallengeOut(Schema):
    nonce: str = Field(description="hex; the card signs these bytes (ECDSA-SHA256)")


class LoginIn(Schema):
    nonce: str = Field(max_length=64)
    certificate_pem: str = Field(max_length=8000)
    signature_b64: str = Field(max_length=400)


class LoginOut(Schema):
    session_token: str
    expires_at: str


class ChoiceOut(Schema):
    code: str
    title: str
    fee: int
    refusal: str


class MenuOut(Schema):
    refusal: str = Field(description="why the card holder cannot use the kiosk at all; empty if they can")
    choices: list[ChoiceOut]


class IssueIn(Schema):
    session_token: str = Field(max_length=64)
    type: str = Field(max_length=20)
    scope: str = Field("self", max_length=10, description="self | household")
    relationship: bool = False
    honseki: bool = False
    juminhyo_code: bool = False
    mynumber: bool = False
    idempotency_key: str = Field(min_length=1, max_length=100)


class IssueOut(Schema):
    number: str
    pages: int
    fee: int
    state: str


class PrintedIn(Schema):
    session_token: str = Field(max_length=64)
    ok: bool


class VerifyOut(Schema):
    found: bool
    genuine: bool
    state: str
    type: str
    issued_on: str
    pages: int


@router.post("/kiosk/challenge", response=ChallengeOut, auth=KioskTerminal())
def kiosk_challenge(request: HttpRequest, body: ChallengeIn) -> dict[str, Any]:
    try:
        return {"nonce": services.kiosk_challenge(terminal=_terminal(request), card_serial=body.card_serial)}
    except CertificateError as exc:
        raise _fail(exc) from exc


@router.post("/kiosk/login", response=LoginOut, auth=KioskTerminal())
def kiosk_login(request: HttpRequest, body: LoginIn) -> dict[str, Any]:
    try:
        signature = base64.b64decode(body.signature_b64, validate=True)
        session = services.kiosk_login(
            terminal=_terminal(request),
            nonce=body.nonce,
            certificate_pem=body.certificate_pem.encode(),
            signature=signature,
        )
    except (binascii.Error, ValueError) as exc:
        raise HttpError(400, "カードを確認できませんでした。") from exc
    except CertificateError as exc:
        raise _fail(exc) from exc
    return {"session_token": session.token, "expires_at": session.expires_at.isoformat()}


@router.get("/kiosk/menu", response=MenuOut, auth=KioskTerminal())
def kiosk_menu(request: HttpRequest, session_token: str) -> dict[str, Any]:
    try:
        _holder, choices, refusal = services.kiosk_menu(token=session_token, terminal=_terminal(request))
    except CertificateError as exc:
        raise _fail(exc) from exc
    return {"refusal": refusal, "choices": [c.__dict__ for c in choices]}


@router.post("/kiosk/issue", response=IssueOut, auth=KioskTerminal())
def kiosk_issue(request: HttpRequest, body: IssueIn) -> dict[str, Any]:
    try:
        issuance = services.kiosk_issue(
            token=body.session_token,
            terminal=_terminal(request),
            type_code=body.type,
            scope=body.scope,
            options=Options(
                relationship=body.relationship,
                honseki=body.honseki,
                juminhyo_code=body.juminhyo_code,
                mynumber=body.mynumber,
            ),
            idempotency_key=body.idempotency_key,
        )
    except CertificateError as exc:
        raise _fail(exc) from exc
    return {"number": issuance.number, "pages": issuance.pages, "fee": issuance.fee, "state": issuance.state}


@router.get("/kiosk/issuances/{number}/pdf", auth=KioskTerminal(), response={200: None})
def kiosk_pdf(request: HttpRequest, number: str, session_token: str) -> HttpResponse:
    try:
        pdf = services.kiosk_pdf(token=session_token, terminal=_terminal(request), number=number)
    except CertificateError as exc:
        raise _fail(exc) from exc
    return HttpResponse(pdf, content_type="application/pdf")


@router.post("/kiosk/issuances/{number}/printed", response=IssueOut, auth=KioskTerminal())
def kiosk_printed(request: HttpRequest, number: str, body: PrintedIn) -> dict[str, Any]:
    try:
        issuance = services.kiosk_printed(
            token=body.session_token, terminal=_terminal(request), number=number, ok=body.ok
        )
    except CertificateError as exc:
        raise _fail(exc) from exc
    return {"number": issuance.number, "pages": issuance.pages, "fee": issuance.fee, "state": issuance.state}


@router.get("/verify", response=VerifyOut, auth=None)
def verify(request: HttpRequest, q: str) -> dict[str, Any]:
    result = services.verify_code(q[:300])
    return {
        "found": result.found,
        "genuine": result.genuine,
        "state": result.state,
        "type": result.type_title,
        "issued_on": result.issued_on,
        "pages": result.pages,
    }

"""The register's JSON API (``/api/v1/payments/...``) for a register terminal or another cashier
system: prices (public), sales and idempotent payments.

A terminal authenticates as an API client with the ``register`` scope. A payment carries an
``Idempotency-Key`` header: the same key and body answer the original payment (200), the same key
with another body answers 409, and keys expire after 24 hours.
"""

from django.http import HttpRequest
from ninja import Field, Header, Router, Schema
from ninja.errors import HttpError
from ninja.security import HttpBearer

from yakuba.core.apiclients import api_client_by_token
from yakuba.core.models import ApiClient
from yakuba.payments import services
from yakuba.payments.models import Payment
from yakuba.payments.services import IdempotencyConflict, LineRequest, PaymentError

router = Router(tags=["payments"])


class RegisterTerminal(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> ApiClient | None:
        client = api_client_by_token(token)
        if client is None or "register" not in client.scopes:
            return None
        return client


def _actor(request: HttpRequest) -> str:
    return f"api:{request.auth.name}"  # type: ignore[attr-defined]


def _fail(exc: PaymentError) -> HttpError:
    return HttpError(409 if isinstance(exc, IdempotencyConflict) else 400, str(exc))


class PriceOut(Schema):
    code: str
    channel: str
    price: int


@router.get("/prices/{code}", response=PriceOut, auth=None, summary="手数料表の金額（公開）")
def price(request: HttpRequest, code: str, channel: str = "window") -> PriceOut:
    if channel not in ("window", "kiosk") or len(code) > 40 or not code.isprintable():
        raise HttpError(400, "channel は window か kiosk、項目コードは40文字までの英数字です。")
    value = services.price_for(code=code, channel=channel)
    if value is None:
        raise HttpError(404, "手数料表にない項目です。")
    return PriceOut(code=code, channel=channel, price=value)


class LineIn(Schema):
    item_code: str = Field(max_length=40, pattern=r"^[A-Za-z0-9_.-]+$")
    quantity: int = Field(1, ge=1, le=99)
    exemption: str = Field("", max_length=40, pattern=r"^[A-Za-z0-9_.-]*$")


class SaleIn(Schema):
    drawer: str = Field(max_length=10, pattern=r"^[A-Za-z0-9_-]+$")
    lines: list[LineIn] = Field(default_factory=list, max_length=50)
    charge_ids: list[int] = Field(default_factory=list, max_length=50)


class SaleOut(Schema):
    number: str
    total: int
    state: str


@router.post("/sales", response=SaleOut, auth=RegisterTerminal(), summary="会計を作る")
def sale_create(request: HttpRequest, body: SaleIn) -> SaleOut:
    try:
        sale = services.sale_create(
            actor=_actor(request),
            drawer_code=body.drawer,
            lines=[LineRequest(line.item_code, line.quantity, line.exemption) for line in body.lines],
            charge_ids=body.charge_ids,
        )
    except PaymentError as exc:
        raise _fail(exc) from None
    return SaleOut(number=sale.number, total=sale.total, state=sale.state)


class PayIn(Schema):
    method: str = Field(pattern="^(cash|card|emoney|qr)$")
    tendered: int = Field(0, ge=0, le=services.MAX_TENDER)


class PaymentOut(Schema):
    number: str
    sale: str
    method: str
    state: str
    amount: int
    tendered: int
    change: int
    change_coins: dict[str, int]


def _out(payment: Payment) -> PaymentOut:
    return PaymentOut(
        number=payment.number,
        sale=payment.sale.number,
        method=payment.method,
        state=payment.state,
        amount=payment.amount,
        tendered=payment.tendered,
        change=payment.change,
        change_coins=payment.change_coins,
    )


@router.post(
    "/sales/{number}/payments",
    response={200: PaymentOut, 409: dict, 400: dict},
    auth=RegisterTerminal(),
    summary="会計を支払う（Idempotency-Key 必須）",
)
def pay(
    request: HttpRequest,
    number: str,
    body: PayIn,
    idempotency_key: str = Header(..., alias="Idempotency-Key", min_length=8, max_length=100),
) -> PaymentOut:
    if len(number) > 30 or not number.isprintable():
        raise HttpError(400, "会計番号が正しくありません。")
    try:
        payment = services.pay(
            actor=_actor(request),
            sale_number=number,
            method=body.method,
            tendered=body.tendered,
            idempotency_key=idempotency_key,
        )
    except PaymentError as exc:
        raise _fail(exc) from None
    return _out(payment)


@router.get("/payments/{number}", response=PaymentOut, auth=RegisterTerminal(), summary="支払の状態")
def payment_get(request: HttpRequest, number: str) -> PaymentOut:
    if not number.isprintable():
        raise HttpError(404, "支払が見つかりません。")
    payment = Payment.objects.select_related("sale").filter(number=number[:30]).first()
    if payment is None:
        raise HttpError(404, "支払が見つかりません。")
    return _out(payment)

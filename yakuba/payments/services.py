"""Writes of the register: prices, charges from other modules, sales, payments (idempotent, by the
state table in ``states.py``), voids, and the daily close. Views, the API and commands stay thin.

Every payment, void and close is audited. A closed day (``DailyClose``) refuses any further payment
or void of that drawer and date.
"""

import dataclasses
import datetime as dt
import hashlib
import json
from collections.abc import Sequence

from django.db import IntegrityError, connection, transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from yakuba.core import events
from yakuba.core.audit import audit_record
from yakuba.core.sequences import sequence_next
from yakuba.core.text import is_plain_text
from yakuba.payments import adapters, states
from yakuba.payments.interface import ChargeRef, PaymentCaptured, PaymentVoided
from yakuba.payments.models import (
    CampaignPrice,
    DailyClose,
    Drawer,
    Exemption,
    FeeItem,
    IdempotencyKey,
    Payment,
    PendingCharge,
    Sale,
    SaleLine,
)

KEY_HOURS = 24
CASHLESS = (Payment.Method.CARD, Payment.Method.EMONEY, Payment.Method.QR)
MAX_TENDER = 1_000_000


class PaymentError(Exception):
    """A refusal with a message for the clerk or the resident (Japanese); nothing was changed."""


class IdempotencyConflict(PaymentError):
    """The same idempotency key with a different request (HTTP 409)."""


def _actor(actor: object) -> str:
    return actor if isinstance(actor, str) else str(getattr(actor, "username", actor))


def _now() -> dt.datetime:
    return timezone.now()


def business_date() -> dt.date:
    return timezone.localdate()


# --- prices and charges --------------------------------------------------------------------------


def price_for(*, code: str, channel: str, on: dt.date | None = None) -> int | None:
    """The item's price at ``channel``, or the lowest campaign price running that day. One plain
    query: every kiosk issuance asks, and the ORM's compiling of a subquery cost more than the query."""
    day = on or business_date()
    items, campaigns = FeeItem._meta.db_table, CampaignPrice._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT f.window_price, f.kiosk_price, MIN(c.price) FROM {items} f "  # noqa: S608 - model tables
            f"LEFT JOIN {campaigns} c ON c.item_id = f.id AND c.channel = %s AND c.starts_on <= %s "
            "AND c.ends_on >= %s WHERE f.code = %s AND f.active GROUP BY f.id, f.window_price, f.kiosk_price",
            [channel, day, day, code],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    window, kiosk, campaign_price = row
    if campaign_price is not None:
        return int(campaign_price)
    return window if channel == "window" else kiosk


def charge_request(*, source: str, ref: str, item_code: str, description: str, amount: int) -> PendingCharge:
    if not description:
        description = (
            FeeItem.objects.filter(code=item_code).values_list("name", flat=True).first() or item_code
        )
    charge, _created = PendingCharge.objects.get_or_create(
        source=source,
        ref=ref,
        defaults={"item_code": item_code, "description": description, "amount": amount},
    )
    return charge


def charge_cancel(*, source: str, ref: str) -> bool:
    with transaction.atomic():
        charge = PendingCharge.objects.select_for_update().filter(source=source, ref=ref).first()
        if charge is None or charge.state == PendingCharge.State.PAID:
            return False
        if charge.sale_id:
            Sale.objects.filter(pk=charge.sale_id, state=Sale.State.OPEN).update(state=Sale.State.CANCELLED)
        charge.state = PendingCharge.State.CANCELLED
        charge.save(update_fields=["state"])
    return True


# --- sales ---------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class LineRequest:
    item_code: str
    quantity: int = 1
    exemption: str = ""  # an Exemption code: the line costs nothing


def _plain(*values: str) -> None:
    """Codes, numbers and keys from clients: printable text only (PostgreSQL refuses NUL bytes, and
    nothing here needs control characters)."""
    for value in values:
        if not is_plain_text(value):
            raise PaymentError(_("使えない文字が含まれています。"))


def _drawer(code: str) -> Drawer:
    _plain(code)
    drawer = Drawer.objects.filter(code=code).first()
    if drawer is None:
        raise PaymentError(_("レジ %(code)s がありません。") % {"code": code})
    return drawer


def _require_open_day(drawer: Drawer, day: dt.date) -> None:
    if DailyClose.objects.filter(drawer=drawer, business_date=day).exists():
        raise PaymentError(
            _("%(drawer)s の %(day)s の日計は締め済みです。変更できません。")
            % {"drawer": drawer.code, "day": day}
        )


def sale_create(
    *, actor: object, drawer_code: str, lines: Sequence[LineRequest] = (), charge_ids: Sequence[int] = ()
) -> Sale:
    """A sale of catalogue items and charges other modules asked for. The charges are reserved for
    this sale until it is paid or cancelled."""
    if not lines and not charge_ids:
        raise PaymentError(_("会計する項目がありません。"))
    drawer = _drawer(drawer_code)
    day = business_date()
    _require_open_day(drawer, day)
    with transaction.atomic():
        serial = sequence_next(name=f"sale:{day:%Y%m%d}:{drawer.code}")
        sale = Sale.objects.create(
            number=f"{day:%Y%m%d}-{drawer.code}-{serial:05d}",
            drawer=drawer,
            clerk=_actor(actor),
            business_date=day,
            created_at=_now(),
        )
        rows: list[SaleLine] = []
        for line in lines:
            _plain(line.item_code, line.exemption)
            if not 1 <= line.quantity <= 99:
                raise PaymentError(_("数量は1から99までです。"))
            item = FeeItem.objects.filter(code=line.item_code, active=True).first()
            if item is None:
                raise PaymentError(_("手数料表にない項目です: %(code)s") % {"code": line.item_code})
            exemption = ""
            if line.exemption:
                found = Exemption.objects.filter(code=line.exemption, active=True).first()
                if found is None:
                    raise PaymentError(_("免除の理由が正しくありません。"))
                exemption = found.name
            unit = price_for(code=item.code, channel="window", on=day) or 0
            amount = 0 if exemption else unit * line.quantity
            rows.append(
                SaleLine(
                    sale=sale,
                    item_code=item.code,
                    description=item.name,
                    unit_price=unit,
                    quantity=line.quantity,
                    amount=amount,
                    exemption=exemption,
                )
            )
        charges = list(
            PendingCharge.objects.select_for_update().filter(pk__in=list(charge_ids)).order_by("pk")
        )
        if len(charges) != len(set(charge_ids)):
            raise PaymentError(_("未収の項目が見つかりません。"))
        for charge in charges:
            if charge.state != PendingCharge.State.OPEN or (
                charge.sale_id and Sale.objects.filter(pk=charge.sale_id, state=Sale.State.OPEN).exists()
            ):
                raise PaymentError(
                    _("「%(what)s」はほかの会計で扱っています。") % {"what": charge.description}
                )
            charge.sale = sale
            charge.save(update_fields=["sale"])
            rows.append(
                SaleLine(
                    sale=sale,
                    item_code=charge.item_code,
                    description=charge.description,
                    unit_price=charge.amount,
                    amount=charge.amount,
                    charge=charge,
                )
            )
        SaleLine.objects.bulk_create(rows)
        sale.total = sum(r.amount for r in rows)
        sale.save(update_fields=["total"])
        audit_record(
            actor=actor,
            action="sale_create",
            target_type="sale",
            target_id=sale.number,
            detail={"total": sale.total, "lines": [[r.item_code, r.quantity, r.amount] for r in rows]},
        )
    return sale


def sale_cancel(*, actor: object, number: str) -> Sale:
    with transaction.atomic():
        sale = Sale.objects.select_for_update().filter(number=number).first()
        if sale is None:
            raise PaymentError(_("会計が見つかりません。"))
        if sale.state != Sale.State.OPEN:
            raise PaymentError(_("支払の済んだ会計は中止できません。取消しをしてください。"))
        sale.state = Sale.State.CANCELLED
        sale.save(update_fields=["state"])
        PendingCharge.objects.filter(sale=sale, state=PendingCharge.State.OPEN).update(sale=None)
        audit_record(actor=actor, action="sale_cancel", target_type="sale", target_id=number)
    return sale


# --- payments ------------------------------------------------------------------------------------


def _request_hash(sale_number: str, method: str, tendered: int) -> str:
    body = json.dumps({"sale": sale_number, "method": method, "tendered": tendered}, sort_keys=True)
    return hashlib.sha256(body.encode()).hexdigest()


def _existing(key: str, request_hash: str) -> Payment | None:
    """The payment this key already made, if the key is alive. Same key, other request: 409."""
    row = IdempotencyKey.objects.select_related("payment").filter(key=key).first()
    if row is None:
        return None
    if row.expires_at <= _now():
        IdempotencyKey.objects.filter(pk=row.pk).delete()
        return None
    if row.request_hash != request_hash:
        raise IdempotencyConflict(_("この受付番号は別の支払で使われています。"))
    return row.payment


def _charge_refs(sale: Sale) -> tuple[ChargeRef, ...]:
    return tuple(
        ChargeRef(source, ref)
        for source, ref in PendingCharge.objects.filter(sale=sale).values_list("source", "ref").order_by("pk")
    )


def _tender_pieces(tendered: int, pieces: dict[int, int] | None) -> dict[int, int]:
    if pieces is None:
        return adapters.breakdown(tendered, denominations=adapters.DENOMINATIONS)
    if any(d not in adapters.DENOMINATIONS or n < 0 for d, n in pieces.items()):
        raise PaymentError(_("お預かりした金種が正しくありません。"))
    if sum(d * n for d, n in pieces.items()) != tendered:
        raise PaymentError(_("お預かりした金種の合計がお預かり額と合いません。"))
    return {d: n for d, n in pieces.items() if n}


def pay(
    *,
    actor: object,
    sale_number: str,
    method: str,
    idempotency_key: str,
    tendered: int = 0,
    tendered_pieces: dict[int, int] | None = None,
) -> Payment:
    """Pay a sale in full by one method. Cash: ``tendered`` must cover the total and the machine must
    be able to pay the change. Cashless: the gateway authorises and captures. The same key and request
    return the original payment; the same key with another request raises IdempotencyConflict."""
    if method not in Payment.Method.values:
        raise PaymentError(_("支払方法が正しくありません。"))
    _plain(sale_number, idempotency_key or "")
    key = (idempotency_key or "").strip()
    if not 8 <= len(key) <= 100:
        raise PaymentError(_("受付番号（idempotency key）は8〜100文字です。"))
    if method != Payment.Method.CASH:
        tendered = 0
        tendered_pieces = None
    if not 0 <= tendered <= MAX_TENDER:
        raise PaymentError(_("お預かり額が正しくありません。"))
    request_hash = _request_hash(sale_number, method, tendered)
    existing = _existing(key, request_hash)
    if existing is not None:
        return _resume(existing)
    try:
        if method == Payment.Method.CASH:
            return _pay_cash(actor, sale_number, key, request_hash, tendered, tendered_pieces)
        payment = _create_cashless(actor, sale_number, method, key, request_hash)
        if payment.idempotency_key != key or payment.state != Payment.State.CREATED:
            return _resume(payment)
    except IntegrityError:
        # Another request with this key won the race: answer with its payment.
        existing = _existing(key, request_hash)
        if existing is None:
            raise
        return _resume(existing)
    return _complete_cashless(payment)


def _lock_open_sale(sale_number: str, key: str, request_hash: str) -> Sale | Payment:
    """The sale, locked; or the payment this key already made (a concurrent twin of this request
    committed while we waited for the lock)."""
    sale = Sale.objects.select_for_update().select_related("drawer").filter(number=sale_number).first()
    if sale is None:
        raise PaymentError(_("会計が見つかりません。"))
    existing = _existing(key, request_hash)
    if existing is not None:
        return existing
    if sale.state == Sale.State.PAID:
        raise PaymentError(_("この会計は支払済みです。"))
    if sale.state != Sale.State.OPEN:
        raise PaymentError(_("この会計は中止または取消しされています。"))
    _require_open_day(sale.drawer, business_date())
    return sale


def _new_payment(sale: Sale, actor: object, method: str, key: str, request_hash: str) -> Payment:
    day = business_date()
    serial = sequence_next(name=f"payment:{day:%Y%m%d}:{sale.drawer.code}")
    payment = Payment.objects.create(
        number=f"P{day:%Y%m%d}-{sale.drawer.code}-{serial:05d}",
        sale=sale,
        drawer=sale.drawer,
        idempotency_key=key,
        method=method,
        amount=sale.total,
        business_date=day,
        created_at=_now(),
        clerk=_actor(actor),
    )
    IdempotencyKey.objects.create(
        key=key, request_hash=request_hash, payment=payment, expires_at=_now() + dt.timedelta(hours=KEY_HOURS)
    )
    return payment


def _settle_sale(sale: Sale, payment: Payment) -> None:
    sale.state = Sale.State.PAID
    sale.save(update_fields=["state"])
    PendingCharge.objects.filter(sale=sale, state=PendingCharge.State.OPEN).update(
        state=PendingCharge.State.PAID
    )
    events.publish(
        PaymentCaptured(
            payment_number=payment.number,
            sale_number=sale.number,
            method=payment.method,
            amount=payment.amount,
            charges=_charge_refs(sale),
        )
    )


def _pay_cash(
    actor: object,
    sale_number: str,
    key: str,
    request_hash: str,
    tendered: int,
    pieces: dict[int, int] | None,
) -> Payment:
    with transaction.atomic():
        sale = _lock_open_sale(sale_number, key, request_hash)
        if isinstance(sale, Payment):
            return sale
        if tendered < sale.total:
            raise PaymentError(
                _("お預かり額が %(short)s 円足りません。") % {"short": f"{sale.total - tendered:,}"}
            )
        given = _tender_pieces(tendered, pieces)
        payment = _new_payment(sale, actor, Payment.Method.CASH, key, request_hash)
        change = tendered - sale.total
        try:
            paid_out = adapters.change_machine().pay(drawer=sale.drawer, tendered=given, change=change)
        except adapters.ChangeUnavailable:
            raise PaymentError(
                _("釣銭機のお釣りが足りません。細かいお金でお支払いいただくか、釣銭を補充してください。")
            ) from None
        states.move(payment, Payment.State.AUTHORISED)
        states.move(payment, Payment.State.CAPTURED)
        payment.tendered = tendered
        payment.change = change
        payment.change_coins = {str(d): n for d, n in paid_out.items()}
        payment.captured_at = _now()
        payment.save(update_fields=["state", "tendered", "change", "change_coins", "captured_at"])
        _settle_sale(sale, payment)
        audit_record(
            actor=actor,
            action="payment_capture",
            target_type="payment",
            target_id=payment.number,
            detail={
                "sale": sale.number,
                "method": "cash",
                "amount": payment.amount,
                "tendered": tendered,
                "change": change,
            },
        )
    return payment


def _create_cashless(actor: object, sale_number: str, method: str, key: str, request_hash: str) -> Payment:
    with transaction.atomic():
        sale = _lock_open_sale(sale_number, key, request_hash)
        if isinstance(sale, Payment):
            return sale
        if sale.total == 0:
            raise PaymentError(_("0円の会計はキャッシュレスで支払えません。"))
        payment = _new_payment(sale, actor, method, key, request_hash)
        audit_record(
            actor=actor,
            action="payment_create",
            target_type="payment",
            target_id=payment.number,
            detail={"sale": sale.number, "method": method, "amount": payment.amount},
        )
    return payment


def _fee(amount: int, rate_bp: int) -> int:
    """The processor's fee in whole yen, rounded half up (a contract may say otherwise)."""
    return (amount * rate_bp + 5000) // 10000


def _complete_cashless(payment: Payment) -> Payment:
    """Authorise, then capture, each step committed before the next call, so a crash anywhere is
    finished by ``reconcile`` from the gateway's own record."""
    gw = adapters.gateway()
    if payment.state == Payment.State.CREATED:
        result = gw.authorise(merchant_key=payment.number, method=payment.method, amount=payment.amount)
        with transaction.atomic():
            payment = Payment.objects.select_for_update().get(pk=payment.pk)
            if payment.state != Payment.State.CREATED:
                return payment
            if not result.ok:
                states.move(payment, Payment.State.FAILED)
                payment.failure = result.reason
                payment.save(update_fields=["state", "failure"])
                audit_record(
                    actor=payment.clerk,
                    action="payment_failed",
                    target_type="payment",
                    target_id=payment.number,
                    detail={"reason": result.reason},
                )
                return payment
            states.move(payment, Payment.State.AUTHORISED)
            payment.gateway_ref = result.ref
            payment.fee_rate_bp = result.fee_rate_bp
            payment.fee_yen = _fee(payment.amount, result.fee_rate_bp)
            payment.save(update_fields=["state", "gateway_ref", "fee_rate_bp", "fee_yen"])
    if payment.state == Payment.State.AUTHORISED:
        result = gw.capture(ref=payment.gateway_ref)
        if result.ok and result.state == "captured":
            _mark_captured(payment.pk)
        payment.refresh_from_db()
    return payment


def _mark_captured(pk: int) -> None:
    with transaction.atomic():
        payment = Payment.objects.select_for_update().select_related("sale").get(pk=pk)
        if payment.state != Payment.State.AUTHORISED:
            return
        sale = Sale.objects.select_for_update().get(pk=payment.sale_id)
        states.move(payment, Payment.State.CAPTURED)
        payment.captured_at = _now()
        payment.save(update_fields=["state", "captured_at"])
        _settle_sale(sale, payment)
        audit_record(
            actor=payment.clerk,
            action="payment_capture",
            target_type="payment",
            target_id=payment.number,
            detail={
                "sale": sale.number,
                "method": payment.method,
                "amount": payment.amount,
                "fee_yen": payment.fee_yen,
                "gateway_ref": payment.gateway_ref,
            },
        )


def _resume(payment: Payment) -> Payment:
    """A repeated request: the original answer, finishing a cashless payment a crash interrupted."""
    if payment.method != Payment.Method.CASH and payment.state in (
        Payment.State.CREATED,
        Payment.State.AUTHORISED,
    ):
        return _complete_cashless(payment)
    return payment


def reconcile(*, older_than: dt.timedelta = dt.timedelta(minutes=2)) -> int:
    """Finish or undo cashless payments left half-way (a crash, a lost connection): ask the gateway
    what it holds. Captured there: captured here. Only authorised there: released and failed. Unknown
    there: failed. Returns how many payments were settled."""
    gw = adapters.gateway()
    stuck = Payment.objects.filter(
        state__in=[Payment.State.CREATED, Payment.State.AUTHORISED], created_at__lt=_now() - older_than
    ).exclude(method=Payment.Method.CASH)
    settled = 0
    for payment in stuck:
        status = gw.status(merchant_key=payment.number)
        if status.ok and status.state == "captured":
            if payment.state == Payment.State.CREATED:
                with transaction.atomic():
                    Payment.objects.filter(pk=payment.pk, state=Payment.State.CREATED).update(
                        state=Payment.State.AUTHORISED,
                        gateway_ref=status.ref,
                        fee_rate_bp=status.fee_rate_bp,
                        fee_yen=_fee(payment.amount, status.fee_rate_bp),
                    )
            _mark_captured(payment.pk)
        else:
            if status.ok and status.state == "authorised":
                gw.void(ref=status.ref)
            with transaction.atomic():
                locked = Payment.objects.select_for_update().get(pk=payment.pk)
                if locked.state in (Payment.State.CREATED, Payment.State.AUTHORISED):
                    states.move(locked, Payment.State.FAILED)
                    locked.failure = "interrupted"
                    locked.save(update_fields=["state", "failure"])
                    audit_record(
                        actor="reconcile",
                        action="payment_failed",
                        target_type="payment",
                        target_id=locked.number,
                        detail={"reason": "interrupted", "gateway": status.state},
                    )
        settled += 1
    return settled


def payment_void(*, actor: object, number: str, reason: str) -> Payment:
    """Cancel a captured payment on its own business day, before the day is closed: cash goes back
    from the drawer, cashless is voided at the processor (no refunds on another day)."""
    reason = (reason or "").strip()
    if not reason:
        raise PaymentError(_("取消しの理由を入力してください。"))
    _plain(number)
    with transaction.atomic():
        payment = Payment.objects.select_for_update().select_related("drawer").filter(number=number).first()
        if payment is None:
            raise PaymentError(_("支払が見つかりません。"))
        if payment.state == Payment.State.VOIDED:
            return payment
        if payment.state != Payment.State.CAPTURED:
            raise PaymentError(_("支払の済んでいないものは取り消せません。"))
        if payment.business_date != business_date():
            raise PaymentError(
                _("取消しは支払った日のうちに限ります。キャッシュレスの返金は窓口ではできません。")
            )
        _require_open_day(payment.drawer, payment.business_date)
        if payment.method == Payment.Method.CASH:
            try:
                adapters.change_machine().refund(drawer=payment.drawer, amount=payment.amount)
            except adapters.ChangeUnavailable:
                raise PaymentError(_("釣銭機の現金が足りないため返金できません。")) from None
        else:
            result = adapters.gateway().void(ref=payment.gateway_ref)
            if not result.ok:
                raise PaymentError(_("決済事業者で取り消せませんでした。時間をおいてやり直してください。"))
        states.move(payment, Payment.State.VOIDED)
        payment.voided_at = _now()
        payment.failure = reason[:200]
        payment.save(update_fields=["state", "voided_at", "failure"])
        sale = Sale.objects.select_for_update().get(pk=payment.sale_id)
        sale.state = Sale.State.VOIDED
        sale.save(update_fields=["state"])
        refs = _charge_refs(sale)
        # The fees are owed again: the charges go back to the list of uncollected ones.
        PendingCharge.objects.filter(sale=sale).update(state=PendingCharge.State.OPEN, sale=None)
        audit_record(
            actor=actor,
            action="payment_void",
            target_type="payment",
            target_id=number,
            detail={"amount": payment.amount, "method": payment.method, "reason": reason[:200]},
        )
        events.publish(
            PaymentVoided(payment_number=number, sale_number=sale.number, amount=payment.amount, charges=refs)
        )
    return payment


# --- the daily close -----------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class DayTotals:
    drawer: str
    business_date: dt.date
    by_method: dict[str, tuple[int, int]]  # method -> (count, yen)
    by_item: dict[str, tuple[str, int, int]]  # item code -> (name, quantity, yen)
    voided: tuple[int, int]
    fees_yen: int  # the processors' fees on cashless
    change_fund: int
    expected_cash: int
    open_payments: int


def day_totals(*, drawer_code: str, day: dt.date) -> DayTotals:
    drawer = _drawer(drawer_code)
    payments = Payment.objects.filter(drawer=drawer, business_date=day)
    captured = payments.filter(state=Payment.State.CAPTURED)
    by_method: dict[str, tuple[int, int]] = {}
    for method in Payment.Method.values:
        rows = captured.filter(method=method)
        by_method[method] = (rows.count(), int(rows.aggregate(s=Sum("amount"))["s"] or 0))
    by_item: dict[str, tuple[str, int, int]] = {}
    for line in SaleLine.objects.filter(sale__payments__in=captured).order_by("item_code", "pk"):
        name, qty, yen = by_item.get(line.item_code, (line.description, 0, 0))
        by_item[line.item_code] = (name, qty + line.quantity, yen + line.amount)
    voided = payments.filter(state=Payment.State.VOIDED)
    open_count = payments.filter(state__in=[Payment.State.CREATED, Payment.State.AUTHORISED]).count()
    return DayTotals(
        drawer=drawer.code,
        business_date=day,
        by_method=by_method,
        by_item=dict(sorted(by_item.items())),
        voided=(voided.count(), int(voided.aggregate(s=Sum("amount"))["s"] or 0)),
        fees_yen=int(captured.aggregate(s=Sum("fee_yen"))["s"] or 0),
        change_fund=drawer.change_fund,
        expected_cash=drawer.change_fund + by_method[Payment.Method.CASH][1],
        open_payments=open_count,
    )


def day_close(
    *,
    actor: object,
    drawer_code: str,
    day: dt.date,
    counted_pieces: dict[int, int],
    reason: str = "",
) -> DailyClose:
    """Close a drawer's day: the cash counted by denomination against the book; an over or short
    needs a reason. Once closed, the day's payments are frozen."""
    if any(d not in adapters.DENOMINATIONS or n < 0 for d, n in counted_pieces.items()):
        raise PaymentError(_("金種ごとの枚数が正しくありません。"))
    drawer = _drawer(drawer_code)
    if day > business_date():
        raise PaymentError(_("これからの日の日計は締められません。"))
    reconcile(older_than=dt.timedelta(0))
    with transaction.atomic():
        Drawer.objects.select_for_update().filter(pk=drawer.pk).first()
        if DailyClose.objects.filter(drawer=drawer, business_date=day).exists():
            raise PaymentError(_("この日の日計は締め済みです。"))
        totals = day_totals(drawer_code=drawer_code, day=day)
        if totals.open_payments:
            raise PaymentError(_("処理中の支払があります。終わってから締めてください。"))
        counted = sum(d * n for d, n in counted_pieces.items())
        over_short = counted - totals.expected_cash
        reason = (reason or "").strip()
        if over_short and not reason:
            raise PaymentError(
                _("現金が %(diff)s 円%(kind)sしています。理由を入力してください。")
                % {"diff": f"{abs(over_short):,}", "kind": _("過剰") if over_short > 0 else _("不足")}
            )
        close = DailyClose.objects.create(
            drawer=drawer,
            business_date=day,
            expected_cash=totals.expected_cash,
            counted_cash=counted,
            counted_coins={str(d): n for d, n in sorted(counted_pieces.items(), reverse=True) if n},
            over_short=over_short,
            reason=reason[:300],
            totals=_totals_json(totals),
            closed_by=_actor(actor),
            closed_at=_now(),
        )
        if day == business_date():
            # The takings go to the bank; the machine starts tomorrow with the change fund again.
            fund = {int(d): int(n) for d, n in drawer.fund_pieces.items()}
            adapters.change_machine().reset(drawer=drawer, pieces=fund)
        audit_record(
            actor=actor,
            action="day_close",
            target_type="drawer",
            target_id=f"{drawer.code}:{day.isoformat()}",
            detail={
                "expected": totals.expected_cash,
                "counted": counted,
                "over_short": over_short,
                "reason": reason[:300],
            },
        )
    return close


def _totals_json(totals: DayTotals) -> dict[str, object]:
    return {
        "by_method": {m: list(v) for m, v in totals.by_method.items()},
        "by_item": {code: list(v) for code, v in totals.by_item.items()},
        "voided": list(totals.voided),
        "fees_yen": totals.fees_yen,
        "change_fund": totals.change_fund,
        "expected_cash": totals.expected_cash,
    }


def to_bank(close: DailyClose) -> int:
    """What the close takes to the bank (預入額): the cash counted less the change fund kept."""
    return close.counted_cash - int(close.totals.get("change_fund", 0))


def open_charges() -> list[PendingCharge]:
    """Fees other modules asked for that nobody has paid, oldest first (not in an open sale)."""
    return list(
        PendingCharge.objects.filter(state=PendingCharge.State.OPEN)
        .filter(Q(sale__isnull=True) | ~Q(sale__state=Sale.State.OPEN))
        .order_by("created_at", "pk")
    )

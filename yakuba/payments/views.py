"""Pages of the register (clerk and self-pay screens), receipts, voids, the daily close and the fee
table. Thin: ``services`` decides, ``access`` checks roles."""

import datetime as dt
import uuid

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from yakuba.core.audit import audit_record
from yakuba.payments import access, pdf, reports, services
from yakuba.payments.adapters import DENOMINATIONS, change_machine
from yakuba.payments.forms import CloseForm, PayForm, PriceForm, RegisterForm, VoidForm
from yakuba.payments.models import DailyClose, Drawer, FeeItem, Payment, Sale
from yakuba.payments.services import IdempotencyConflict, LineRequest, PaymentError


def _sale(number: str) -> Sale:
    sale = Sale.objects.select_related("drawer").filter(number=number).first()
    if sale is None:
        raise Http404
    return sale


@require_http_methods(["GET", "POST"])
def register_view(request: HttpRequest) -> HttpResponse:
    access.require(request.user, access.REGISTER)
    charges = services.open_charges()
    initial = {"drawer": request.session.get("payments_drawer")}
    form = RegisterForm(request.POST or None, charges=charges, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        request.session["payments_drawer"] = data["drawer"].code
        try:
            sale = services.sale_create(
                actor=request.user,
                drawer_code=data["drawer"].code,
                lines=[LineRequest(code, qty, ex) for code, qty, ex in data["lines"]],
                charge_ids=data["charge_ids"],
            )
        except PaymentError as exc:
            messages.error(request, str(exc))
        else:
            return redirect("payments:sale", number=sale.number)
    today = Sale.objects.filter(business_date=services.business_date()).prefetch_related("payments")[:30]
    return render(request, "payments/register.html", {"form": form, "sales": today})


@require_http_methods(["GET"])
def sale_view(request: HttpRequest, number: str) -> HttpResponse:
    access.require(request.user, access.REGISTER)
    sale = _sale(number)
    payments = list(sale.payments.order_by("created_at"))
    captured = next((p for p in payments if p.state == Payment.State.CAPTURED), None)
    return render(
        request,
        "payments/sale.html",
        {
            "sale": sale,
            "lines": sale.lines.all(),
            "payments": payments,
            "captured": captured,
            "void_form": VoidForm(),
            "can_void": request.user.has_perm(access.VOID),
        },
    )


@require_http_methods(["GET", "POST"])
def pay_view(request: HttpRequest, number: str) -> HttpResponse:
    """The self-pay screen the resident sees: the total, cash (with change) or a cashless method."""
    access.require(request.user, access.REGISTER)
    sale = _sale(number)
    payment = None
    form = PayForm(request.POST or None, initial={"key": uuid.uuid4().hex, "method": "cash"})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            payment = services.pay(
                actor=request.user,
                sale_number=sale.number,
                method=data["method"],
                tendered=data.get("tendered") or 0,
                idempotency_key=data["key"],
            )
        except IdempotencyConflict as exc:
            messages.error(request, str(exc))
            return render(request, "payments/pay.html", {"sale": sale, "form": form}, status=409)
        except PaymentError as exc:
            messages.error(request, str(exc))
        else:
            if payment.state == Payment.State.FAILED:
                messages.error(request, _("お支払いができませんでした。別の方法でお支払いください。"))
                form = PayForm(initial={"key": uuid.uuid4().hex, "method": "cash"})
                payment = None
            sale.refresh_from_db()
    if request.method == "POST" and payment is None and form.is_bound and not form.is_valid():
        pass  # the form shows its errors
    elif request.method == "POST" and payment is None:
        # A refused payment: a fresh key for the next attempt, the entered values kept.
        form = PayForm(initial={"key": uuid.uuid4().hex, "method": request.POST.get("method", "cash")})
    return render(request, "payments/pay.html", {"sale": sale, "form": form, "payment": payment})


@require_http_methods(["POST"])
def sale_cancel_view(request: HttpRequest, number: str) -> HttpResponse:
    access.require(request.user, access.REGISTER)
    try:
        services.sale_cancel(actor=request.user, number=number)
    except PaymentError as exc:
        messages.error(request, str(exc))
        return redirect("payments:sale", number=number)
    messages.success(request, _("会計を中止しました。"))
    return redirect("payments:register")


@require_http_methods(["GET"])
def receipt_view(request: HttpRequest, number: str) -> HttpResponse:
    access.require(request.user, access.REGISTER)
    payment = Payment.objects.select_related("sale", "drawer").filter(number=number).first()
    if payment is None or payment.state not in (Payment.State.CAPTURED, Payment.State.VOIDED):
        raise Http404
    body = pdf.receipt_pdf(payment)
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="receipt-{payment.number}.pdf"'
    return response


@require_http_methods(["POST"])
def void_view(request: HttpRequest, number: str) -> HttpResponse:
    access.require(request.user, access.VOID)
    payment = Payment.objects.filter(number=number).select_related("sale").first()
    if payment is None:
        raise Http404
    form = VoidForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("取消しの理由を入力してください。"))
    else:
        try:
            services.payment_void(actor=request.user, number=number, reason=form.cleaned_data["reason"])
        except PaymentError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("支払を取り消しました。"))
    return redirect("payments:sale", number=payment.sale.number)


# --- the daily close -----------------------------------------------------------------------------


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise Http404 from None


@require_http_methods(["GET", "POST"])
def close_view(request: HttpRequest) -> HttpResponse:
    access.require(request.user, access.CLOSE)
    drawers = list(Drawer.objects.all())
    code = request.GET.get("drawer") or request.POST.get("drawer") or (drawers[0].code if drawers else "")
    drawer = next((d for d in drawers if d.code == code), None)
    if drawer is None:
        raise Http404
    day = _day(request.GET.get("day") or request.POST.get("day") or timezone.localdate().isoformat())
    closed = DailyClose.objects.filter(drawer=drawer, business_date=day).first()
    if closed:
        return redirect("payments:close_detail", drawer=drawer.code, day=day.isoformat())
    form = CloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.day_close(
                actor=request.user,
                drawer_code=drawer.code,
                day=day,
                counted_pieces=form.pieces(),
                reason=form.cleaned_data["reason"],
            )
        except PaymentError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("日計を締めました。"))
            return redirect("payments:close_detail", drawer=drawer.code, day=day.isoformat())
    totals = services.day_totals(drawer_code=drawer.code, day=day)
    return render(
        request,
        "payments/close.html",
        {
            "drawers": drawers,
            "drawer": drawer,
            "day": day,
            "totals": totals,
            "methods": reports.method_rows(totals.by_method),
            "form": form,
            "stock": sorted(change_machine().stock(drawer=drawer).items(), reverse=True),
            "denominations": DENOMINATIONS,
        },
    )


def _close(drawer: str, day: str) -> DailyClose:
    close = (
        DailyClose.objects.select_related("drawer")
        .filter(drawer__code=drawer, business_date=_day(day))
        .first()
    )
    if close is None:
        raise Http404
    return close


@require_http_methods(["GET"])
def close_detail_view(request: HttpRequest, drawer: str, day: str) -> HttpResponse:
    access.require(request.user, access.CLOSE)
    close = _close(drawer, day)
    return render(request, "payments/close_detail.html", {"close": close, **reports.close_context(close)})


@require_http_methods(["GET"])
def close_csv_view(request: HttpRequest, drawer: str, day: str) -> HttpResponse:
    access.require(request.user, access.CLOSE)
    close = _close(drawer, day)
    audit_record(
        actor=request.user, action="day_close_export", target_type="drawer", target_id=f"{drawer}:{day}"
    )
    response = HttpResponse(reports.close_csv(close), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="nikkei-{drawer}-{day}.csv"'
    return response


@require_http_methods(["GET"])
def close_pdf_view(request: HttpRequest, drawer: str, day: str) -> HttpResponse:
    access.require(request.user, access.CLOSE)
    close = _close(drawer, day)
    response = HttpResponse(pdf.close_pdf(close), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="nikkei-{drawer}-{day}.pdf"'
    return response


# --- the fee table -------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def fees_view(request: HttpRequest) -> HttpResponse:
    access.require(request.user, access.FEES)
    form = PriceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        changed = []
        with transaction.atomic():
            for item in form.items:
                window = form.cleaned_data[f"w_{item.code}"]
                kiosk = form.cleaned_data.get(f"k_{item.code}")
                if (window, kiosk) != (item.window_price, item.kiosk_price):
                    changed.append([item.code, item.window_price, item.kiosk_price, window, kiosk])
                    FeeItem.objects.filter(pk=item.pk).update(window_price=window, kiosk_price=kiosk)
            if changed:
                audit_record(
                    actor=request.user,
                    action="fee_change",
                    target_type="fee_table",
                    detail={"changes": changed},
                )
        messages.success(request, _("手数料表を保存しました（%(n)s件の変更）。") % {"n": len(changed)})
        return redirect("payments:fees")
    items = FeeItem.objects.prefetch_related("campaigns")
    return render(request, "payments/fees.html", {"form": form, "items": items})

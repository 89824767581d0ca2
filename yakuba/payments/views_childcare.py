"""Pages of day-care fees by 口座振替: facilities, enrolments, bank accounts (口座振替依頼書), the monthly
run with its request and result files, and arrears with reminder letters. Thin: ``debit`` decides,
``access`` checks the 保育担当 role on every page. Account numbers are shown masked only."""

from typing import Any

from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from yakuba.payments import access, debit, zengin
from yakuba.payments.debit import DebitError
from yakuba.payments.forms_childcare import (
    AccountForm,
    EnrolForm,
    EnrolmentAccountForm,
    EnrolmentEndForm,
    FacilityForm,
    ResultUploadForm,
    RunForm,
)
from yakuba.payments.models import BankAccount, DebitRun, Enrolment, Facility

LIST_LIMIT = 200


def _put_error(form: Any, exc: DebitError) -> None:
    """The service's refusal on the field it names (or the whole form), every message kept."""
    target = exc.field if exc.field in form.fields else None
    if exc.field == "parent_atena_nos" and "parent1" in form.fields:
        target = "parent1"
    for message in exc.messages:
        form.add_error(target, message)


def _runs() -> Any:
    return DebitRun.objects.defer("request_file").order_by("-fiscal_year", "-month")


@require_http_methods(["GET"])
def childcare_view(request: HttpRequest) -> HttpResponse:
    access.require(request.user, access.CHILDCARE)
    q = request.GET.get("q", "").strip()
    enrolments = Enrolment.objects.select_related("facility", "account").order_by("-starts_on", "-pk")
    accounts = BankAccount.objects.order_by("-created_at", "-pk")
    if q:
        enrolments = enrolments.filter(Q(child_atena_no=q) | Q(account__customer_number=q))
        accounts = accounts.filter(Q(payer_atena_no=q) | Q(customer_number=q))
    else:
        enrolments = enrolments.filter(ends_on__isnull=True)
    return render(
        request,
        "payments/childcare.html",
        {
            "q": q,
            "enrolments": enrolments[:LIST_LIMIT],
            "accounts": accounts[:LIST_LIMIT],
            "runs": _runs()[:24],
            "arrears_count": debit.arrears_count(),
            "facility_form": FacilityForm(),
            "facilities": Facility.objects.all(),
            "limit": LIST_LIMIT,
        },
    )


@require_http_methods(["POST"])
def facility_view(request: HttpRequest) -> HttpResponse:
    access.require(request.user, access.CHILDCARE)
    form = FacilityForm(request.POST)
    if form.is_valid():
        try:
            facility = debit.facility_save(actor=request.user, **form.cleaned_data)
        except DebitError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("施設「%(name)s」を登録しました。") % {"name": facility.name})
    else:
        for field_name, errors in form.errors.items():
            label = form.fields[field_name].label if field_name in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}：{error}" if label else str(error))
    return redirect("payments:childcare")


@require_http_methods(["GET", "POST"])
def enrol_view(request: HttpRequest) -> HttpResponse:
    access.require(request.user, access.CHILDCARE)
    form = EnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        account = data["account"]
        try:
            enrolment = debit.enrol(
                actor=request.user,
                child_atena_no=data["child_atena_no"],
                parent_atena_nos=form.parents(),
                facility_code=data["facility"].code,
                standard_hours=data["standard_hours"],
                starts_on=data["starts_on"],
                account_id=account.pk if account else None,
            )
        except DebitError as exc:
            _put_error(form, exc)
        else:
            messages.success(
                request,
                _("入所を登録しました（児童の宛名番号 %(no)s、%(facility)s）。")
                % {"no": enrolment.child_atena_no, "facility": enrolment.facility.name},
            )
            return redirect("payments:childcare_enrolment", pk=enrolment.pk)
    return render(request, "payments/childcare_enrol.html", {"form": form})


@require_http_methods(["GET", "POST"])
def enrolment_view(request: HttpRequest, pk: int) -> HttpResponse:
    access.require(request.user, access.CHILDCARE)
    enrolment = Enrolment.objects.select_related("facility", "account").filter(pk=pk).first()
    if enrolment is None:
        raise Http404
    end_form = EnrolmentEndForm(request.POST if "end" in request.POST else None)
    account_form = EnrolmentAccountForm(
        request.POST if "change_account" in request.POST else None,
        initial={"account": enrolment.account.customer_number if enrolment.account else ""},
    )
    if request.method == "POST":
        try:
            if "end" in request.POST and end_form.is_valid():
                debit.enrolment_end(
                    actor=request.user, enrolment_id=pk, ends_on=end_form.cleaned_data["ends_on"]
                )
                messages.success(request, _("退所日を登録しました。"))
                return redirect("payments:childcare_enrolment", pk=pk)
            if "change_account" in request.POST and account_form.is_valid():
                account = account_form.cleaned_data["account"]
                debit.enrolment_change_account(
                    actor=request.user, enrolment_id=pk, account_id=account.pk if account else None
                )
                messages.success(request, _("振替口座を変更しました。"))
                return redirect("payments:childcare_enrolment", pk=pk)
        except DebitError as exc:
            _put_error(end_form if "end" in request.POST else account_form, exc)
    return render(
        request,
        "payments/childcare_enrolment.html",
        {"enrolment": enrolment, "end_form": end_form, "account_form": account_form},
    )


@sensitive_post_parameters("account_number")
@require_http_methods(["GET", "POST"])
def account_view(request: HttpRequest) -> HttpResponse:
    access.require(request.user, access.CHILDCARE)
    form = AccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            account = debit.account_register(actor=request.user, **form.cleaned_data)
        except DebitError as exc:
            _put_error(form, exc)
        else:
            messages.success(
                request,
                _("口座を登録しました。顧客番号 %(no)s（%(bank)s %(branch)s %(masked)s）")
                % {
                    "no": account.customer_number,
                    "bank": account.bank_name_kana,
                    "branch": account.branch_name_kana,
                    "masked": debit.masked(account.account_last3),
                },
            )
            return redirect(f"{reverse('payments:childcare')}?q={account.customer_number}")
    return render(request, "payments/childcare_account.html", {"form": form})


@require_http_methods(["POST"])
def account_state_view(request: HttpRequest, pk: int) -> HttpResponse:
    access.require(request.user, access.CHILDCARE)
    action = request.POST.get("action", "")
    try:
        if action == "end":
            account = debit.account_end(actor=request.user, account_id=pk)
            messages.success(
                request, _("顧客番号 %(no)s の口座を廃止しました。") % {"no": account.customer_number}
            )
        elif action == "clear_flag":
            account = debit.account_clear_flag(actor=request.user, account_id=pk)
            messages.success(
                request, _("顧客番号 %(no)s の口座を有効に戻しました。") % {"no": account.customer_number}
            )
        else:
            raise Http404
    except DebitError as exc:
        for message in exc.messages:
            messages.error(request, message)
    return redirect("payments:childcare")


@require_http_methods(["GET", "POST"])
def runs_view(request: HttpRequest) -> HttpResponse:
    access.require(request.user, access.CHILDCARE)
    form = RunForm(request.POST or None)
    preview = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if "preview" in request.POST:
                fees = debit.month_fees(
                    fiscal_year=data["fiscal_year"], month=data["month"], actor=request.user
                )
                preview = {
                    "label": debit.month_label(data["fiscal_year"], data["month"]),
                    "rows": [
                        (account, len(rows), fees.account_total(account))
                        for account, rows in sorted(
                            fees.by_account.items(), key=lambda kv: kv[0].customer_number
                        )
                    ],
                    "problems": fees.problems,
                }
            else:
                run = debit.run_generate(
                    actor=request.user,
                    fiscal_year=data["fiscal_year"],
                    month=data["month"],
                    debit_date=data["debit_date"],
                )
                messages.success(
                    request,
                    _("%(month)s分の口座振替データを作成しました（%(n)s件、%(yen)s円）。")
                    % {
                        "month": debit.month_label(run.fiscal_year, run.month),
                        "n": f"{run.records:,}",
                        "yen": f"{run.total:,}",
                    },
                )
                return redirect("payments:childcare_run", pk=run.pk)
        except DebitError as exc:
            _put_error(form, exc)
    return render(
        request, "payments/childcare_runs.html", {"form": form, "runs": _runs(), "preview": preview}
    )


def _run(pk: int) -> DebitRun:
    run = DebitRun.objects.defer("request_file").filter(pk=pk).first()
    if run is None:
        raise Http404
    return run


@require_http_methods(["GET", "POST"])
def run_view(request: HttpRequest, pk: int) -> HttpResponse:
    access.require(request.user, access.CHILDCARE)
    run = _run(pk)
    form = ResultUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            run = debit.run_import_results(
                actor=request.user, run_id=run.pk, data=form.cleaned_data["file"].read()
            )
        except DebitError as exc:
            _put_error(form, exc)
        else:
            messages.success(
                request,
                _("振替結果を取り込みました（振替済 %(paid)s件、振替不能 %(unpaid)s件）。")
                % {"paid": f"{run.paid_count:,}", "unpaid": f"{run.records - run.paid_count:,}"},
            )
            return redirect("payments:childcare_run", pk=run.pk)
    items = list(run.items.select_related("account").order_by("customer_number"))
    return render(
        request,
        "payments/childcare_run.html",
        {
            "run": run,
            "label": debit.month_label(run.fiscal_year, run.month),
            "nendo": debit.nendo(run.fiscal_year),
            "items": items,
            "reasons": zengin.RESULT_CODES,
            "form": form,
            "unpaid_count": run.records - run.paid_count,
            "unpaid_total": run.total - run.paid_total,
        },
    )


@require_http_methods(["GET"])
def run_file_view(request: HttpRequest, pk: int) -> HttpResponse:
    access.require(request.user, access.CHILDCARE)
    try:
        run, data = debit.request_file_read(actor=request.user, run_id=pk)
    except DebitError as exc:
        raise Http404 from exc
    response = HttpResponse(data, content_type="application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="{debit.request_file_name(run)}"'
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET"])
def arrears_view(request: HttpRequest) -> HttpResponse:
    access.require(request.user, access.CHILDCARE)
    rows = debit.arrears(actor=request.user)
    return render(
        request,
        "payments/childcare_arrears.html",
        {"rows": rows, "total": sum(r.amount for r in rows)},
    )


@require_http_methods(["GET"])
def reminder_view(request: HttpRequest, item_id: int) -> HttpResponse:
    access.require(request.user, access.CHILDCARE)
    try:
        pdf = debit.reminder_letter(actor=request.user, item_id=item_id)
    except DebitError as exc:
        raise Http404 from exc
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="reminder-{item_id}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["POST"])
def settle_view(request: HttpRequest, item_id: int) -> HttpResponse:
    access.require(request.user, access.CHILDCARE)
    try:
        item = debit.settle_item(actor=request.user, item_id=item_id)
    except DebitError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("顧客番号 %(no)s の %(yen)s円を納付済みにしました。")
            % {"no": item.customer_number, "yen": f"{item.amount:,}"},
        )
    return redirect("payments:childcare_arrears")


urlpatterns = [
    path("payments/childcare/", childcare_view, name="childcare"),
    path("payments/childcare/facilities/", facility_view, name="childcare_facility"),
    path("payments/childcare/enrol/", enrol_view, name="childcare_enrol"),
    path("payments/childcare/enrolments/<int:pk>/", enrolment_view, name="childcare_enrolment"),
    path("payments/childcare/accounts/new/", account_view, name="childcare_account"),
    path("payments/childcare/accounts/<int:pk>/state/", account_state_view, name="childcare_account_state"),
    path("payments/childcare/runs/", runs_view, name="childcare_runs"),
    path("payments/childcare/runs/<int:pk>/", run_view, name="childcare_run"),
    path("payments/childcare/runs/<int:pk>/request-file/", run_file_view, name="childcare_run_file"),
    path("payments/childcare/arrears/", arrears_view, name="childcare_arrears"),
    path("payments/childcare/arrears/<int:item_id>/reminder.pdf", reminder_view, name="childcare_reminder"),
    path("payments/childcare/arrears/<int:item_id>/settle/", settle_view, name="childcare_settle"),
]

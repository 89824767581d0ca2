"""Staff pages of the assistant (広報担当): the FAQ, the departments, the sources and their sync, and the
report of questions and ratings. Thin: the forms collect, ``services`` checks and writes (and bumps the
index version), ``access`` decides. Staff login with two factors is enforced by the middleware.
"""

import logging
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from yakuba.assistant import access, services
from yakuba.assistant.forms_staff import DepartmentForm, FaqFilterForm, FaqForm, ReportForm, SourceForm
from yakuba.assistant.models import Department, Faq, Source
from yakuba.assistant.services import ContentError

logger = logging.getLogger(__name__)

FAQ_PAGE_SIZE = 50


def _manage(request: HttpRequest) -> None:
    access.require(request.user, access.MANAGE)


def _refused(form: Any, exc: ContentError) -> None:
    for field, message in exc.errors.items():
        form.add_error(field if field in form.fields else None, message)


# --- FAQ ---------------------------------------------------------------------------------------------


@require_http_methods(["GET"])
def faq_list(request: HttpRequest) -> HttpResponse:
    _manage(request)
    form = FaqFilterForm(request.GET)
    filters = form.filters()
    page = Paginator(services.faq_search(**filters), FAQ_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "assistant/staff/faq_list.html",
        {
            "form": form,
            "page": page,
            "filtered": any(filters.values()),
            "section": "faq",
        },
    )


def _faq_form(request: HttpRequest, faq: Faq | None) -> HttpResponse:
    initial = None
    if faq is None and request.method == "GET":
        initial = {"question": request.GET.get("question", "")[: services.QUESTION_MAX], "published": True}
    form = FaqForm(request.POST or None, faq=faq, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.faq_save(
                actor=request.user,
                faq=faq,
                question=data["question"],
                answer=data["answer"],
                department=data["department"],
                url=data["url"],
                published=data["published"],
            )
        except ContentError as exc:
            _refused(form, exc)
        else:
            messages.success(request, _("よくある質問を保存しました。"))
            return redirect("assistant:faq_list")
    return render(request, "assistant/staff/faq_form.html", {"form": form, "faq": faq, "section": "faq"})


@require_http_methods(["GET", "POST"])
def faq_create(request: HttpRequest) -> HttpResponse:
    _manage(request)
    return _faq_form(request, None)


@require_http_methods(["GET", "POST"])
def faq_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _manage(request)
    return _faq_form(request, get_object_or_404(Faq, pk=pk))


@require_http_methods(["GET", "POST"])
def faq_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks for confirmation; POST deletes."""
    _manage(request)
    faq = get_object_or_404(Faq, pk=pk)
    if request.method == "POST":
        services.faq_delete(actor=request.user, faq=faq)
        messages.success(
            request, _("よくある質問「%(question)s」を削除しました。") % {"question": faq.question}
        )
        return redirect("assistant:faq_list")
    return render(request, "assistant/staff/faq_delete.html", {"faq": faq, "section": "faq"})


# --- departments ---------------------------------------------------------------------------------------


@require_http_methods(["GET"])
def department_list(request: HttpRequest) -> HttpResponse:
    _manage(request)
    departments = Department.objects.annotate(faq_count=Count("faq")).order_by("name")
    return render(
        request,
        "assistant/staff/department_list.html",
        {"departments": departments, "section": "departments"},
    )


def _department_form(request: HttpRequest, department: Department | None) -> HttpResponse:
    form = DepartmentForm(request.POST or None, department=department)
    if request.method == "POST" and form.is_valid():
        try:
            services.department_save(actor=request.user, department=department, **form.cleaned_data)
        except ContentError as exc:
            _refused(form, exc)
        else:
            messages.success(request, _("担当部署を保存しました。"))
            return redirect("assistant:department_list")
    return render(
        request,
        "assistant/staff/department_form.html",
        {"form": form, "department": department, "section": "departments"},
    )


@require_http_methods(["GET", "POST"])
def department_create(request: HttpRequest) -> HttpResponse:
    _manage(request)
    return _department_form(request, None)


@require_http_methods(["GET", "POST"])
def department_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _manage(request)
    return _department_form(request, get_object_or_404(Department, pk=pk))


# --- sources -------------------------------------------------------------------------------------------


@require_http_methods(["GET"])
def source_list(request: HttpRequest) -> HttpResponse:
    _manage(request)
    sources = Source.objects.select_related("department").annotate(page_count=Count("pages")).order_by("pk")
    return render(request, "assistant/staff/source_list.html", {"sources": sources, "section": "sources"})


def _source_form(request: HttpRequest, source: Source | None) -> HttpResponse:
    form = SourceForm(request.POST or None, source=source)
    if request.method == "POST" and form.is_valid():
        try:
            services.source_save(actor=request.user, source=source, **form.cleaned_data)
        except ContentError as exc:
            _refused(form, exc)
        else:
            messages.success(request, _("情報源を保存しました。「今すぐ同期」でページを取り込めます。"))
            return redirect("assistant:source_list")
    return render(
        request, "assistant/staff/source_form.html", {"form": form, "source": source, "section": "sources"}
    )


@require_http_methods(["GET", "POST"])
def source_create(request: HttpRequest) -> HttpResponse:
    _manage(request)
    return _source_form(request, None)


@require_http_methods(["GET", "POST"])
def source_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _manage(request)
    return _source_form(request, get_object_or_404(Source, pk=pk))


@require_http_methods(["POST"])
def source_sync(request: HttpRequest, pk: int) -> HttpResponse:
    """Sync one source now (「今すぐ同期」) and show what changed."""
    _manage(request)
    source = get_object_or_404(Source, pk=pk)
    from yakuba.assistant import tasks
    from yakuba.assistant.ingest import sync_all

    if tasks.runs_in_a_worker():
        # A large site takes minutes: the worker syncs it and the list shows the result when done.
        transaction.on_commit(lambda: tasks.sync_sources.enqueue(source_id=source.pk))
        messages.success(
            request,
            _("「%(name)s」の同期を始めました。結果はしばらくしてからこの一覧に表示されます。")
            % {"name": source.name},
        )
        return redirect("assistant:source_list")
    try:
        results = sync_all(source_id=source.pk)
    except Exception:
        logger.exception("assistant: sync of source %s failed", source.pk)
        messages.error(
            request,
            _(
                "「%(name)s」を同期できませんでした。場所が正しいか確かめて、しばらくしてからもう一度試してください。"
            )
            % {"name": source.name},
        )
    else:
        if not results:
            messages.warning(
                request,
                _("「%(name)s」は同期しませんでした（有効になっていない情報源は同期しません）。")
                % {"name": source.name},
            )
        for synced, result in results:
            messages.success(
                request, _("「%(name)s」：%(summary)s") % {"name": synced.name, "summary": result.summary()}
            )
    return redirect("assistant:source_list")


# --- the report ------------------------------------------------------------------------------------------


def _language_label(code: str) -> str:
    labels = {"ja": _("日本語"), "easy": _("やさしい日本語"), "en": _("英語")}
    return labels.get(code, code)


@never_cache
@require_http_methods(["GET"])
def report(request: HttpRequest) -> HttpResponse:
    """Totals for a period (the last 30 days unless chosen), the topics an FAQ could fix (questions
    answered 「分からない」 or rated bad), and counts per language; ``?format=csv`` downloads the topics."""
    access.require(request.user, access.REPORT)
    form = ReportForm(request.GET)
    since, until = form.period()
    if not any(request.GET.get(k) for k in ("date_from", "date_to")):
        form = ReportForm(initial={"date_from": since, "date_to": until})
    result = services.report_build(since=since, until=until)
    if request.GET.get("format") == "csv":
        response = HttpResponse(services.report_csv(result), content_type="text/csv; charset=utf-8")
        name = f"assistant-topics-{since:%Y%m%d}-{until:%Y%m%d}.csv"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response

    def rate(n: int) -> float:
        return round(100 * n / result.questions, 1) if result.questions else 0.0

    totals = [
        (_("質問"), result.questions, None),
        (_("回答した"), result.answered, rate(result.answered)),
        (_("設定値から回答した"), result.fact, rate(result.fact)),
        (_("「分からない」と答えた"), result.abstained, rate(result.abstained)),
        (_("「役に立った」の評価"), result.good, None),
        (_("「役に立たなかった」の評価"), result.bad, None),
    ]
    return render(
        request,
        "assistant/staff/report.html",
        {
            "form": form,
            "report": result,
            "totals": totals,
            "no_topic": services.no_topic_label(),
            "by_language": [(_language_label(code), n) for code, n in result.languages],
            "csv_url": reverse("assistant:report")
            + "?"
            + urlencode({"date_from": since.isoformat(), "date_to": until.isoformat(), "format": "csv"}),
            "section": "report",
        },
    )

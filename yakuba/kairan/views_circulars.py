"""Pages of circulars: members read, download, answer and search; officers write drafts, attach files
and questions, send, follow the read status and export the answers.

Thin: ``circulars.py`` decides; every object is fetched through ``scope.py``, so an id of another
association (or of a 班 the member may not see) answers 404.
"""

import datetime as dt
import html
import re
import urllib.parse
from dataclasses import dataclass
from typing import Any, cast

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from yakuba.core.era import wareki
from yakuba.kairan import circulars, notify, scope
from yakuba.kairan.circulars import CircularError
from yakuba.kairan.forms_circulars import (
    AnswerForm,
    ArchiveSearchForm,
    AttachmentForm,
    CircularForm,
    QuestionForm,
)
from yakuba.kairan.members import member_required, officer_required
from yakuba.kairan.models import Answer, Attachment, Circular, Member, ReadReceipt

HOME_LIMIT = 50


def _member(request: HttpRequest) -> Member:
    return request.member  # type: ignore[attr-defined]


def _day(moment: dt.datetime | None) -> str:
    return wareki(timezone.localtime(moment).date()) if moment else ""


def _due(day: dt.date | None) -> str:
    return wareki(day) if day else ""


def _addressed(qs: QuerySet[Circular], member: Member) -> QuerySet[Circular]:
    """Circulars for the member's own household (officers may see others, but they are not theirs to
    read)."""
    return qs.filter(Q(han__isnull=True) | Q(han=member.household.han_id)).distinct()


# --- members: home, a circular, its files, answers, the archive ---------------------------------


@dataclass(frozen=True)
class ListRow:
    circular: Circular
    read: bool
    sent: str
    due: str


@member_required
@require_http_methods(["GET"])
def home_view(request: HttpRequest) -> HttpResponse:
    """The member's circulars: unread first (marked 「未読」), then the latest read ones."""
    member = _member(request)
    read = Exists(ReadReceipt.objects.filter(circular=OuterRef("pk"), household_id=member.household_id))
    qs = (
        _addressed(scope.circulars_for(member).filter(sent_at__isnull=False), member)
        .annotate(read=read)
        .order_by("read", "-sent_at", "-pk")[:HOME_LIMIT]
    )
    rows = [ListRow(c, bool(c.read), _day(c.sent_at), _due(c.due_on)) for c in qs]  # type: ignore[attr-defined]
    return render(
        request,
        "kairan/home.html",
        {
            "member": member,
            "rows": rows,
            "unread": sum(1 for r in rows if not r.read),
            "drafts": (
                Circular.objects.filter(association_id=member.association_id, sent_at__isnull=True).count()
                if member.is_officer
                else 0
            ),
        },
    )


def _circular_page(
    request: HttpRequest,
    member: Member,
    circular: Circular,
    bound: AnswerForm | None = None,
    status: int = 200,
) -> HttpResponse:
    addressed = circulars.is_addressed_to(circular, member.household)
    closed = circulars.answering_closed(circular)
    answers = {
        a.question_id: a
        for a in Answer.objects.filter(question__circular=circular, household_id=member.household_id)
    }
    questions = []
    for question in circular.questions.all():
        answer = answers.get(question.pk)
        if bound is not None and bound.question.pk == question.pk:
            form = bound
        else:
            form = AnswerForm(
                question=question, initial=AnswerForm.initial_for(question, answer.value if answer else None)
            )
        questions.append(
            {
                "question": question,
                "form": form,
                "answer": circulars.answer_text(question, answer.value) if answer else "",
                "answered_at": answer.answered_at if answer else None,
            }
        )
    return render(
        request,
        "kairan/circular.html",
        {
            "member": member,
            "circular": circular,
            "sent": _day(circular.sent_at),
            "due": _due(circular.due_on),
            "attachments": list(circular.attachments.order_by("pk")),
            "han": list(circular.han.all()),
            "questions": questions,
            "can_answer": circular.sent_at is not None and addressed and not closed,
            "closed": closed,
            "addressed": addressed,
        },
        status=status,
    )


@member_required
@require_http_methods(["GET"])
def circular_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A circular: opening it is the household's read receipt."""
    member = _member(request)
    circular = scope.circular(member, pk)
    circulars.mark_read(circular=circular, member=member)
    return _circular_page(request, member, circular)


def _ascii_fallback(name: str) -> str:
    stem, dot, ext = name.rpartition(".")
    safe = re.sub(r"_+", "_", re.sub(r"[^A-Za-z0-9._-]", "_", stem if dot else name))
    if not re.search(r"[A-Za-z0-9]", safe):
        safe = "file"
    return f"{safe}.{ext}" if dot and ext.isascii() else safe


def content_disposition(name: str) -> str:
    """``attachment`` with an ASCII fallback and the real name as RFC 5987 ``filename*``."""
    quoted = urllib.parse.quote(name, safe="")
    return f"attachment; filename=\"{_ascii_fallback(name)}\"; filename*=UTF-8''{quoted}"


@member_required
@require_http_methods(["GET"])
def attachment_view(request: HttpRequest, pk: int, file_pk: int) -> HttpResponse:
    member = _member(request)
    circular = scope.circular(member, pk)
    attachment = Attachment.objects.filter(circular=circular, pk=file_pk).first()
    if attachment is None:
        raise Http404
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type=attachment.content_type)
    response["Content-Disposition"] = content_disposition(attachment.name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=0"
    # Streamed (files go up to 10 MB); the decorators are typed for HttpResponse, which it is not.
    return cast(HttpResponse, response)


@member_required
@require_http_methods(["POST"])
def answer_view(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member(request)
    question = scope.question(member, pk)
    circular = question.circular
    form = AnswerForm(request.POST, question=question)
    if form.is_valid():
        try:
            circulars.answer_save(question=question, member=member, value=form.value())
        except CircularError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("回答を受け付けました。期限までは何度でも直せます。"))
            return redirect(f"{reverse('kairan:circular', args=[circular.pk])}#q{question.pk}")
    return _circular_page(request, member, circular, bound=form, status=400)


@member_required
@require_http_methods(["GET"])
def archive_view(request: HttpRequest) -> HttpResponse:
    member = _member(request)
    form = ArchiveSearchForm(request.GET or None)
    q = form.cleaned_data["q"] if form.is_valid() else ""
    page = Paginator(circulars.archive_search(member, q), circulars.ARCHIVE_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = [ListRow(c, True, _day(c.sent_at), _due(c.due_on)) for c in page.object_list]
    return render(
        request,
        "kairan/archive.html",
        {"member": member, "form": form, "q": q, "page": page, "rows": rows},
    )


# --- officers: drafts ---------------------------------------------------------------------------


@officer_required
@require_http_methods(["GET"])
def circular_list_view(request: HttpRequest) -> HttpResponse:
    member = _member(request)
    own = Circular.objects.filter(association_id=member.association_id)
    drafts = [
        ListRow(c, False, "", _due(c.due_on))
        for c in own.filter(sent_at__isnull=True).order_by("-created_at")
    ]
    sent = [
        ListRow(c, True, _day(c.sent_at), _due(c.due_on))
        for c in own.filter(sent_at__isnull=False)
        .annotate(readers=Count("receipts"))
        .order_by("-sent_at")[:50]
    ]
    return render(request, "kairan/circular_list.html", {"member": member, "drafts": drafts, "sent": sent})


_SIMPLE_BODY = re.compile(r"^(?:<p>.*?</p>)*$", re.DOTALL)
_OTHER_TAG = re.compile(r"<(?!/?p>|br>)")


def body_for_editing(body: str) -> str:
    """A body typed as plain text comes back as that text (paragraphs as blank lines); a body with
    other formatting is edited as its HTML."""
    if not body or not _SIMPLE_BODY.match(body) or _OTHER_TAG.search(body):
        return body
    paragraphs = re.findall(r"<p>(.*?)</p>", body, re.DOTALL)
    return "\n\n".join(html.unescape(p.replace("<br>", "\n")) for p in paragraphs)


def _edit_page(
    request: HttpRequest, member: Member, form: CircularForm, circular: Circular | None, status: int = 200
) -> HttpResponse:
    context: dict[str, Any] = {"member": member, "form": form, "circular": circular}
    if circular is not None:
        context.update(
            {
                "attachments": list(circular.attachments.order_by("pk")),
                "questions": list(circular.questions.all()),
                "attachment_form": AttachmentForm(),
                "question_form": QuestionForm(auto_id="question_%s"),
                "max_attachments": circulars.MAX_ATTACHMENTS,
            }
        )
    return render(request, "kairan/circular_edit.html", context, status=status)


def _save(request: HttpRequest, member: Member, circular: Circular | None) -> HttpResponse:
    association = member.association
    if circular is None:
        initial: dict[str, Any] = {}
    else:
        initial = {
            "title": circular.title,
            "body": body_for_editing(circular.body),
            "due_on": circular.due_on,
            "han": list(circular.han.all()),
        }
    form = CircularForm(request.POST or None, association=association, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = circulars.circular_save(
                author=member,
                pk=circular.pk if circular else None,
                title=data["title"],
                body=data["body"],
                due_on=data["due_on"],
                han_ids=[h.pk for h in data["han"]],
            )
        except CircularError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("下書きを保存しました。"))
            return redirect("kairan:circular_edit", pk=saved.pk)
    return _edit_page(request, member, form, circular, status=400 if form.errors else 200)


@officer_required
@require_http_methods(["GET", "POST"])
def circular_new_view(request: HttpRequest) -> HttpResponse:
    return _save(request, _member(request), None)


def _draft(request: HttpRequest, pk: int) -> tuple[Member, Circular]:
    member = _member(request)
    return member, scope.circular(member, pk)


@officer_required
@require_http_methods(["GET", "POST"])
def circular_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    member, circular = _draft(request, pk)
    if circular.sent_at is not None:
        messages.info(request, _("送った回覧は変えられません。読まれた状況を表示します。"))
        return redirect("kairan:circular_status", pk=circular.pk)
    return _save(request, member, circular)


def _to_edit(circular: Circular) -> HttpResponse:
    return redirect("kairan:circular_edit", pk=circular.pk)


@officer_required
@require_http_methods(["POST"])
def attachment_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    member, circular = _draft(request, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("添付するファイルを選んでください。"))
        return _to_edit(circular)
    try:
        attachment = circulars.attachment_add(
            circular=circular, upload=form.cleaned_data["file"], actor=member
        )
    except CircularError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("「%(name)s」を添付しました。") % {"name": attachment.name})
    return _to_edit(circular)


@officer_required
@require_http_methods(["POST"])
def attachment_remove_view(request: HttpRequest, pk: int, file_pk: int) -> HttpResponse:
    member, circular = _draft(request, pk)
    try:
        circulars.attachment_remove(circular=circular, attachment_id=file_pk, actor=member)
    except CircularError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("添付ファイルを外しました。"))
    return _to_edit(circular)


@officer_required
@require_http_methods(["POST"])
def question_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    member, circular = _draft(request, pk)
    form = QuestionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("質問と回答の種類を入れてください。"))
        return _to_edit(circular)
    try:
        circulars.question_add(
            circular=circular,
            actor=member,
            kind=form.cleaned_data["kind"],
            prompt=form.cleaned_data["prompt"],
            choices=form.choice_list(),
        )
    except CircularError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("質問を加えました。"))
    return _to_edit(circular)


@officer_required
@require_http_methods(["POST"])
def question_remove_view(request: HttpRequest, pk: int, question_pk: int) -> HttpResponse:
    member, circular = _draft(request, pk)
    try:
        circulars.question_remove(circular=circular, question_id=question_pk, actor=member)
    except CircularError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("質問を外しました。"))
    return _to_edit(circular)


@officer_required
@require_http_methods(["GET", "POST"])
def circular_send_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A confirmation page (GET) and the send itself (POST)."""
    member, circular = _draft(request, pk)
    if circular.sent_at is not None:
        messages.info(request, _("この回覧はもう送ってあります。"))
        return redirect("kairan:circular_status", pk=circular.pk)
    if request.method == "POST":
        try:
            queued = circulars.circular_send(circular=circular, actor=member)
        except CircularError as exc:
            messages.error(request, str(exc))
        else:
            notify.enqueue_delivery()
            messages.success(
                request, _("回覧を送りました。お知らせ %(n)s 件を送信待ちにしました。") % {"n": queued}
            )
            return redirect("kairan:circular_status", pk=circular.pk)
    households = circulars.addressed_households(circular)
    return render(
        request,
        "kairan/circular_send.html",
        {
            "member": member,
            "circular": circular,
            "due": _due(circular.due_on),
            "han": list(circular.han.all()),
            "households": households.count(),
            "paper": households.filter(paper=True).count(),
            "notified": Member.objects.filter(household__in=households, active=True)
            .exclude(channel=Member.Channel.NONE)
            .count(),
            "attachments": circular.attachments.count(),
            "questions": circular.questions.count(),
        },
    )


@officer_required
@require_http_methods(["GET", "POST"])
def circular_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    member, circular = _draft(request, pk)
    if circular.sent_at is not None:
        messages.error(request, _("送った回覧は消せません。"))
        return redirect("kairan:circular_status", pk=circular.pk)
    if request.method == "POST":
        circulars.circular_delete(circular=circular, actor=member)
        messages.success(request, _("下書き「%(title)s」を消しました。") % {"title": circular.title})
        return redirect("kairan:circular_list")
    return render(request, "kairan/circular_delete.html", {"member": member, "circular": circular})


# --- officers: after sending --------------------------------------------------------------------


def household_rows_html(rows: list[circulars.StatusRow]) -> SafeString:
    """The body of the per-household table. Built here rather than in a template loop, which costs
    about 0.1 ms a row (too slow for an association of 1,000 households): every text in it goes
    through ``html.escape``; the read time is digits only."""
    escape = html.escape
    zone = timezone.get_current_timezone()
    paper, digital, on_paper = escape(_("紙")), escape(_("スマートフォン")), escape(_("紙で確認"))
    unread = f'<span class="tag tag--pending">{escape(_("未読"))}</span>'
    han: dict[str, str] = {}
    out = []
    for r in rows:
        han_html = han.get(r.han)
        if han_html is None:
            han_html = han[r.han] = escape(r.han)
        if r.read_at is None:
            read = unread
        else:
            local = r.read_at.astimezone(zone)
            read = f"{local.month}/{local.day} {local:%H:%M}"
        out.append(
            f'<tr><th scope="row">{escape(r.household)}</th><td>{han_html}</td>'
            f"<td>{paper if r.paper else digital}</td><td>{read}</td>"
            f"<td>{on_paper if r.on_paper else escape(r.reader)}</td></tr>"
        )
    return mark_safe("\n".join(out))  # noqa: S308 -- every text above went through html.escape


@officer_required
@never_cache
@require_http_methods(["GET"])
def circular_status_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Who has read (per household and per 班), the paper households to ask in person, the tallies.
    A constant number of queries whatever the association's size."""
    member, circular = _draft(request, pk)
    if circular.sent_at is None:
        return _to_edit(circular)
    rows = circulars.read_status(circular)
    read, unread, per_han = circulars.read_summary(rows)
    return render(
        request,
        "kairan/circular_status.html",
        {
            "member": member,
            "circular": circular,
            "sent": _day(circular.sent_at),
            "due": _due(circular.due_on),
            "household_rows": household_rows_html(rows),
            "read": read,
            "unread": unread,
            "per_han": per_han,
            "paper_unread": [r for r in rows if r.paper and r.read_at is None],
            "digital_unread": sum(1 for r in rows if not r.paper and r.read_at is None),
            "tallies": circulars.tallies(circular),
        },
    )


@officer_required
@require_http_methods(["POST"])
def circular_remind_view(request: HttpRequest, pk: int) -> HttpResponse:
    member, circular = _draft(request, pk)
    try:
        queued = circulars.remind_unread(circular=circular, actor=member)
    except CircularError as exc:
        messages.error(request, str(exc))
    else:
        notify.enqueue_delivery()
        messages.success(
            request, _("まだ読んでいない世帯に催促を %(n)s 件送信待ちにしました。") % {"n": queued}
        )
    return redirect("kairan:circular_status", pk=circular.pk)


@officer_required
@never_cache
@require_http_methods(["GET"])
def answers_csv_view(request: HttpRequest, pk: int) -> HttpResponse:
    _officer, circular = _draft(request, pk)
    response = HttpResponse(circulars.answers_csv(circular), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition(_("回覧%(pk)s_回答.csv") % {"pk": circular.pk})
    return response


urlpatterns: list = [
    path("kairan/", home_view, name="home"),
    path("kairan/archive/", archive_view, name="archive"),
    path("kairan/circulars/<int:pk>/", circular_view, name="circular"),
    path("kairan/circulars/<int:pk>/files/<int:file_pk>/", attachment_view, name="circular_file"),
    path("kairan/questions/<int:pk>/answer/", answer_view, name="answer"),
    path("kairan/manage/circulars/", circular_list_view, name="circular_list"),
    path("kairan/manage/circulars/new/", circular_new_view, name="circular_new"),
    path("kairan/manage/circulars/<int:pk>/", circular_edit_view, name="circular_edit"),
    path("kairan/manage/circulars/<int:pk>/files/", attachment_add_view, name="circular_file_add"),
    path(
        "kairan/manage/circulars/<int:pk>/files/<int:file_pk>/remove/",
        attachment_remove_view,
        name="circular_file_remove",
    ),
    path("kairan/manage/circulars/<int:pk>/questions/", question_add_view, name="circular_question_add"),
    path(
        "kairan/manage/circulars/<int:pk>/questions/<int:question_pk>/remove/",
        question_remove_view,
        name="circular_question_remove",
    ),
    path("kairan/manage/circulars/<int:pk>/send/", circular_send_view, name="circular_send"),
    path("kairan/manage/circulars/<int:pk>/delete/", circular_delete_view, name="circular_delete"),
    path("kairan/manage/circulars/<int:pk>/status/", circular_status_view, name="circular_status"),
    path("kairan/manage/circulars/<int:pk>/remind/", circular_remind_view, name="circular_remind"),
    path("kairan/manage/circulars/<int:pk>/answers.csv", answers_csv_view, name="circular_answers_csv"),
]

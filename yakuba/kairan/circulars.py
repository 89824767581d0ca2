"""Circulars (回覧): officers write a draft, attach files and questions, and send it to the whole
association or to some 班; members read it (one read receipt per household), answer its questions
(one answer per household, changeable until the due date), and find it again in the archive.

Writes are keyword-only services inside ``transaction.atomic``; sends, reminders and deletions are
audited. Reads by members are association data, not the resident register, and are not audited.
Objects passed in are expected to come through ``scope.py`` (an id from another association never
reaches a service); the services check the roles and the states themselves.

Refusals raise ``CircularError`` with a Japanese message that can be shown as is.
"""

import csv
import datetime as dt
import hashlib
import io
import uuid
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from yakuba.core.audit import audit_record
from yakuba.core.era import wareki
from yakuba.kairan import scope, text
from yakuba.kairan.models import (
    Answer,
    Attachment,
    Circular,
    Han,
    Household,
    Member,
    Notification,
    Question,
    ReadReceipt,
)

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_ATTACHMENTS = 5
MAX_QUESTIONS = 10
MAX_CHOICES = 10
MAX_TEXT_ANSWER = 500
MAX_ATTENDANCE = 20
ARCHIVE_PAGE_SIZE = 20
REMINDER_INTERVAL = dt.timedelta(hours=1)

# What a file really is, read from its first bytes: (magic, content type, extension, Pillow format).
_KINDS: tuple[tuple[bytes, str, str, str], ...] = (
    (b"%PDF-", "application/pdf", ".pdf", ""),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png", "PNG"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg", "JPEG"),
)
_EXTENSIONS = {".pdf": ".pdf", ".png": ".png", ".jpg": ".jpg", ".jpeg": ".jpg"}


class CircularError(Exception):
    """A refusal with a message for the officer or member (Japanese)."""


def _actor(member: Member) -> str:
    return f"kairan-member:{member.pk}"


def _require_officer(member: Member, association_id: int) -> None:
    if not member.is_officer or member.association_id != association_id:
        raise CircularError(_("回覧を書いたり送ったりできるのは、会長と書記だけです。"))


def _require_draft(circular: Circular) -> None:
    if circular.sent_at is not None:
        raise CircularError(_("送った回覧は変えられません。"))


def _locked(circular: Circular) -> Circular:
    """The circular's row, locked for the rest of the transaction (SQLite: the IMMEDIATE transaction
    already holds the write lock)."""
    return Circular.objects.select_for_update().get(pk=circular.pk)


def circular_url(circular: Circular) -> str:
    """The circular's page, as an absolute address for notifications."""
    path = reverse("kairan:circular", args=[circular.pk])
    return f"{settings.YAKUBA_PUBLIC_URL.rstrip('/')}{path}"


# --- drafts -------------------------------------------------------------------------------------


def circular_save(
    *,
    author: Member,
    pk: int | None = None,
    title: str,
    body: str,
    due_on: dt.date | None,
    han_ids: Iterable[int],
) -> Circular:
    """Create (``pk=None``) or update a draft of the author's association. The title is stored as
    plain text, the body as sanitised HTML (``text.clean_html``: the page shows it as is). ``han_ids``
    empty addresses the whole association; each id must be a 班 of the association.

    Raises Http404 for a ``pk`` the author cannot see, CircularError for a non-officer, a sent
    circular, an empty title or a 班 of another association."""
    _require_officer(author, author.association_id)
    clean_title = text.plain(title, max_length=200)
    if not clean_title:
        raise CircularError(_("件名を入れてください。"))
    wanted = {int(h) for h in han_ids}
    with transaction.atomic():
        han = list(Han.objects.filter(association_id=author.association_id, pk__in=wanted))
        if len(han) != len(wanted):
            raise CircularError(_("選んだ班がこの自治会にありません。もう一度選んでください。"))
        if pk is None:
            circular = Circular(association_id=author.association_id, author=author)
        else:
            circular = _locked(scope.circular(author, pk))
            _require_draft(circular)
        circular.title = clean_title
        circular.body = text.clean_html(body)
        circular.due_on = due_on
        circular.save()
        circular.han.set(han)
    return circular


def circular_delete(*, circular: Circular, actor: Member) -> None:
    """Delete a draft with its files (a sent circular stays: households have read it)."""
    _require_officer(actor, circular.association_id)
    with transaction.atomic():
        locked = _locked(circular)
        _require_draft(locked)
        files = [a.file.name for a in locked.attachments.all()]
        audit_record(
            actor=_actor(actor),
            action="kairan_circular_delete",
            target_type="kairan_circular",
            target_id=str(locked.pk),
            detail={"association": locked.association_id, "title": locked.title},
        )
        locked.delete()
        transaction.on_commit(lambda: _delete_files(files))


def _delete_files(names: Iterable[str | None]) -> None:
    from django.core.files.storage import default_storage

    for name in names:
        if name:
            default_storage.delete(name)


# --- attachments --------------------------------------------------------------------------------


def _sniff(head: bytes) -> tuple[str, str, str] | None:
    for magic, content_type, extension, pillow_format in _KINDS:
        if head.startswith(magic):
            return content_type, extension, pillow_format
    return None


def _verify_image(data: bytes, pillow_format: str) -> bool:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format != pillow_format:
                return False
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return False
    return True


def _display_name(raw: str, extension: str) -> str:
    """The uploader's name made safe, with the extension of what the file really is (a PNG sent as
    「写真.pdf」 downloads as 「写真.pdf.png」, never as a PDF)."""
    name = text.safe_file_name(raw)
    _stem, dot, ext = name.rpartition(".")
    if dot and _EXTENSIONS.get(f".{ext.lower()}") == extension:
        return name
    return f"{name[: 150 - len(extension)]}{extension}"


def attachment_add(*, circular: Circular, upload: UploadedFile, actor: Member | None = None) -> Attachment:
    """Attach a PDF, PNG or JPEG to a draft. The type is read from the content (magic bytes; images
    are also opened with Pillow), never from the name or the browser's content type. At most
    10 MB each and 5 per circular. The file is stored under a random name; the displayed name is
    ``text.safe_file_name`` of the uploaded one."""
    if actor is not None:
        _require_officer(actor, circular.association_id)
    size = upload.size or 0
    if size > MAX_ATTACHMENT_BYTES:
        raise CircularError(_("ファイルが大きすぎます。1つ10MBまでです。"))
    with transaction.atomic():
        locked = _locked(circular)
        _require_draft(locked)
        if locked.attachments.count() >= MAX_ATTACHMENTS:
            raise CircularError(_("添付できるファイルは1つの回覧に5つまでです。"))
        upload.seek(0)
        data = upload.read(MAX_ATTACHMENT_BYTES + 1)
        if len(data) > MAX_ATTACHMENT_BYTES:
            raise CircularError(_("ファイルが大きすぎます。1つ10MBまでです。"))
        kind = _sniff(data[:16])
        if kind is None or (kind[2] and not _verify_image(data, kind[2])):
            raise CircularError(
                _("添付できるのはPDF、PNG、JPEGのファイルだけです。ファイルの中身を確かめてください。")
            )
        content_type, extension, _pillow = kind
        attachment = Attachment(
            circular=locked,
            name=_display_name(upload.name or "", extension),
            content_type=content_type,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
        )
        attachment.file.save(f"{uuid.uuid4().hex}{extension}", ContentFile(data), save=False)
        stored = attachment.file.name
        try:
            attachment.save()
        except Exception:
            _delete_files([stored])
            raise
    return attachment


def attachment_remove(*, circular: Circular, attachment_id: int, actor: Member) -> None:
    """Remove a file from a draft (Http404 if it is not the circular's)."""
    _require_officer(actor, circular.association_id)
    with transaction.atomic():
        locked = _locked(circular)
        _require_draft(locked)
        attachment = locked.attachments.filter(pk=attachment_id).first()
        if attachment is None:
            raise Http404
        name = attachment.file.name
        audit_record(
            actor=_actor(actor),
            action="kairan_attachment_remove",
            target_type="kairan_circular",
            target_id=str(locked.pk),
            detail={"association": locked.association_id, "file": attachment.name},
        )
        attachment.delete()
        transaction.on_commit(lambda: _delete_files([name]))


# --- questions ----------------------------------------------------------------------------------


def question_add(
    *, circular: Circular, actor: Member, kind: str, prompt: str, choices: Iterable[str] = ()
) -> Question:
    """Add a question to a draft. ``choices`` (choice questions only): 2 to 10 distinct options."""
    _require_officer(actor, circular.association_id)
    if kind not in Question.Kind.values:
        raise CircularError(_("回答の種類を選んでください。"))
    clean_prompt = text.plain(prompt, max_length=200)
    if not clean_prompt:
        raise CircularError(_("質問を入れてください。"))
    options: list[str] = []
    if kind == Question.Kind.CHOICE:
        for choice in choices:
            option = text.plain(choice, max_length=100)
            if option and option not in options:
                options.append(option)
        if not 2 <= len(options) <= MAX_CHOICES:
            raise CircularError(_("選択肢は2つから10まで、1行に1つずつ入れてください。"))
    with transaction.atomic():
        locked = _locked(circular)
        _require_draft(locked)
        count = locked.questions.count()
        if count >= MAX_QUESTIONS:
            raise CircularError(_("質問は1つの回覧に10までです。"))
        return Question.objects.create(
            circular=locked, kind=kind, prompt=clean_prompt, choices=options, order=count + 1
        )


def question_remove(*, circular: Circular, question_id: int, actor: Member) -> None:
    _require_officer(actor, circular.association_id)
    with transaction.atomic():
        locked = _locked(circular)
        _require_draft(locked)
        if not locked.questions.filter(pk=question_id).delete()[0]:
            raise Http404


# --- sending ------------------------------------------------------------------------------------


def addressed_households(circular: Circular) -> QuerySet[Household]:
    """The active households a circular is for: the whole association, or its 班."""
    qs = Household.objects.filter(association_id=circular.association_id, active=True)
    han_ids = list(circular.han.values_list("pk", flat=True))
    if han_ids:
        qs = qs.filter(han_id__in=han_ids)
    return qs


def _recipients(circular: Circular, households: QuerySet[Household]) -> QuerySet[Member]:
    return (
        Member.objects.filter(association_id=circular.association_id, active=True, household__in=households)
        .exclude(channel=Member.Channel.NONE)
        .only("pk", "channel", "digest")
    )


def _notifications(
    circular: Circular, recipients: Iterable[Member], *, kind: str, subject: str, body: str
) -> list[Notification]:
    now = timezone.now()
    url = circular_url(circular)
    rows = [
        Notification(
            association_id=circular.association_id,
            member=m,
            channel=m.channel,
            kind=kind,
            subject=subject[:200],
            body=body,
            url=url[:300],
            state=Notification.State.DIGEST if m.digest else Notification.State.QUEUED,
            created_at=now,
        )
        for m in recipients
    ]
    return Notification.objects.bulk_create(rows, batch_size=500)


def _due_text(circular: Circular) -> str:
    return wareki(circular.due_on) if circular.due_on else ""


def circular_send(*, circular: Circular, actor: Member) -> int:
    """Send a draft: ``sent_at`` is set, the search text built (title, body text and file names,
    folded by ``text.search_key``) and one notification queued per active member of the addressed
    households who asked for them (``digest`` members get theirs in the daily digest). Audited.
    Returns the number of notifications queued."""
    _require_officer(actor, circular.association_id)
    with transaction.atomic():
        locked = _locked(circular)
        if locked.sent_at is not None:
            raise CircularError(_("この回覧はもう送ってあります。"))
        names = list(locked.attachments.values_list("name", flat=True))
        locked.sent_at = timezone.now()
        locked.search_text = text.search_key("\n".join([locked.title, locked.body, *names]))
        locked.save(update_fields=["sent_at", "search_text"])
        households = addressed_households(locked)
        with translation.override(settings.LANGUAGE_CODE):
            subject = _("回覧：%(title)s") % {"title": locked.title}
            lines = [
                _("%(association)sから回覧が届きました。") % {"association": locked.association.name},
                _("件名：%(title)s") % {"title": locked.title},
            ]
            if locked.due_on:
                lines.append(_("回覧の期限：%(due)s") % {"due": _due_text(locked)})
            lines.append(_("こちらから読めます：%(url)s") % {"url": circular_url(locked)})
        queued = _notifications(
            locked, _recipients(locked, households), kind="circular", subject=subject, body="\n".join(lines)
        )
        audit_record(
            actor=_actor(actor),
            action="kairan_circular_send",
            target_type="kairan_circular",
            target_id=str(locked.pk),
            detail={
                "association": locked.association_id,
                "han": sorted(locked.han.values_list("pk", flat=True)),
                "notifications": len(queued),
            },
        )
    circular.sent_at, circular.search_text = locked.sent_at, locked.search_text
    return len(queued)


def remind_unread(*, circular: Circular, actor: Member) -> int:
    """Queue a reminder (kind ``reminder``) to the members of addressed digital households that have
    not read the circular. Paper households are left to the 班長 (the status page lists them). At
    most one reminder an hour per circular. Audited; returns the number queued."""
    _require_officer(actor, circular.association_id)
    with transaction.atomic():
        locked = _locked(circular)
        if locked.sent_at is None:
            raise CircularError(_("まだ送っていない回覧です。"))
        url = circular_url(locked)
        recent = Notification.objects.filter(
            association_id=locked.association_id,
            kind="reminder",
            url=url[:300],
            created_at__gte=timezone.now() - REMINDER_INTERVAL,
        )
        if recent.exists():
            raise CircularError(_("さきほど催促を送りました。次の催促は1時間ほどあけてください。"))
        unread = (
            addressed_households(locked)
            .filter(paper=False)
            .exclude(pk__in=ReadReceipt.objects.filter(circular=locked).values("household_id"))
        )
        with translation.override(settings.LANGUAGE_CODE):
            subject = _("【未読】回覧：%(title)s") % {"title": locked.title}
            lines = [
                _("%(association)sの回覧がまだ読まれていません。") % {"association": locked.association.name},
                _("件名：%(title)s") % {"title": locked.title},
            ]
            if locked.due_on:
                lines.append(_("回覧の期限：%(due)s") % {"due": _due_text(locked)})
            lines.append(_("こちらから読めます：%(url)s") % {"url": url})
        queued = _notifications(
            locked, _recipients(locked, unread), kind="reminder", subject=subject, body="\n".join(lines)
        )
        audit_record(
            actor=_actor(actor),
            action="kairan_circular_remind",
            target_type="kairan_circular",
            target_id=str(locked.pk),
            detail={"association": locked.association_id, "notifications": len(queued)},
        )
    return len(queued)


# --- reading and answering ----------------------------------------------------------------------


def is_addressed_to(circular: Circular, household: Household) -> bool:
    han_ids = set(circular.han.values_list("pk", flat=True))
    return household.association_id == circular.association_id and (
        not han_ids or household.han_id in han_ids
    )


def mark_read(*, circular: Circular, member: Member) -> bool:
    """Record that the member's household has read a sent circular addressed to it (the first reader
    counts; later reads change nothing). Returns True if this was the household's first read. An
    officer previewing a draft, or reading a circular for another 班, leaves no receipt."""
    if circular.sent_at is None or not is_addressed_to(circular, member.household):
        return False
    # get_or_create catches the IntegrityError of a second phone of the household racing this one.
    _receipt, created = ReadReceipt.objects.get_or_create(
        circular=circular, household_id=member.household_id, defaults={"member": member}
    )
    return created


def _is_bool(value: Any) -> bool:
    return isinstance(value, bool)


def clean_answer(question: Question, value: Any) -> dict[str, Any]:
    """The stored form of an answer, or CircularError:

    - attendance ``{"attend": bool, "count": 1-20}`` (count required when attending; 0 when not)
    - yesno ``{"yes": bool}``
    - choice ``{"choice": one of question.choices}``
    - text ``{"text": plain text of at most 500 characters}``"""
    if not isinstance(value, dict):
        raise CircularError(_("回答を選んでください。"))
    kind = question.kind
    if kind == Question.Kind.ATTENDANCE:
        attend = value.get("attend")
        if not _is_bool(attend):
            raise CircularError(_("出席か欠席かを選んでください。"))
        if not attend:
            return {"attend": False, "count": 0}
        count = value.get("count")
        if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= MAX_ATTENDANCE:
            raise CircularError(_("出席する人数を1から20の数で入れてください。"))
        return {"attend": True, "count": count}
    if kind == Question.Kind.YESNO:
        yes = value.get("yes")
        if not _is_bool(yes):
            raise CircularError(_("「はい」か「いいえ」を選んでください。"))
        return {"yes": yes}
    if kind == Question.Kind.CHOICE:
        choice = value.get("choice")
        if not isinstance(choice, str) or choice not in question.choices:
            raise CircularError(_("選択肢の中から選んでください。"))
        return {"choice": choice}
    if kind == Question.Kind.TEXT:
        raw = value.get("text")
        if not isinstance(raw, str):
            raise CircularError(_("回答を入れてください。"))
        written = " ".join(text.normalise(raw).split())
        if not written:
            raise CircularError(_("回答を入れてください。"))
        if len(written) > MAX_TEXT_ANSWER:
            raise CircularError(_("回答は500文字までにしてください。"))
        return {"text": written}
    raise CircularError(_("この質問には回答できません。"))


def answering_closed(circular: Circular, today: dt.date | None = None) -> bool:
    """Answers are taken until the end of the due date (local time)."""
    today = today or timezone.localdate()
    return circular.due_on is not None and today > circular.due_on


def answer_save(*, question: Question, member: Member, value: Any) -> Answer:
    """The household's answer to a question of a sent circular (the latest one counts; it can be
    changed until the due date has passed). Validated per kind by ``clean_answer``."""
    circular = Circular.objects.get(pk=question.circular_id)  # fresh: sent or due date may have changed
    if circular.sent_at is None or circular.association_id != member.association_id:
        raise CircularError(_("この回覧にはまだ回答できません。"))
    if not is_addressed_to(circular, member.household):
        raise CircularError(_("この回覧はあなたの班あてではないため、回答できません。"))
    if answering_closed(circular):
        raise CircularError(
            _("回答の期限（%(due)s）を過ぎたため、受け付けできません。役員の方に直接お伝えください。")
            % {"due": _due_text(circular)}
        )
    stored = clean_answer(question, value)
    with transaction.atomic():
        answer, _created = Answer.objects.update_or_create(
            question=question,
            household_id=member.household_id,
            defaults={"value": stored, "member": member, "answered_at": timezone.now()},
        )
    return answer


def answer_text(question: Question, value: dict[str, Any]) -> str:
    """An answer as a person reads it (the CSV and the status page)."""
    if question.kind == Question.Kind.ATTENDANCE:
        if value.get("attend"):
            return _("出席 %(count)s人") % {"count": value.get("count", 0)}
        return _("欠席")
    if question.kind == Question.Kind.YESNO:
        return _("はい") if value.get("yes") else _("いいえ")
    if question.kind == Question.Kind.CHOICE:
        return str(value.get("choice", ""))
    return str(value.get("text", ""))


# --- the officers' view: read status, tallies, CSV ---------------------------------------------


@dataclass(frozen=True)
class StatusRow:
    household_id: int
    household: str
    han: str
    paper: bool
    read_at: dt.datetime | None
    reader: str
    on_paper: bool = False


@dataclass
class HanCount:
    name: str
    households: int = 0
    read: int = 0

    @property
    def unread(self) -> int:
        return self.households - self.read


def read_status(circular: Circular) -> list[StatusRow]:
    """One row per addressed household, in 班 and paper-route order: read or not, when, by whom.
    Three queries whatever the size (the 班 addressed, the households, the receipts)."""
    receipts = {
        r["household_id"]: r
        for r in ReadReceipt.objects.filter(circular=circular).values(
            "household_id", "read_at", "member__name", "on_paper"
        )
    }
    households = addressed_households(circular).values_list("pk", "name", "han__name", "paper")
    rows = []
    for pk, name, han_name, paper in households:
        receipt = receipts.get(pk)
        rows.append(
            StatusRow(
                household_id=pk,
                household=name,
                han=han_name or "",
                paper=paper,
                read_at=receipt["read_at"] if receipt else None,
                reader=(receipt["member__name"] or "") if receipt else "",
                on_paper=bool(receipt and receipt["on_paper"]),
            )
        )
    return rows


def read_summary(rows: list[StatusRow]) -> tuple[int, int, list[HanCount]]:
    """(households read, unread, counts per 班 in the rows' order)."""
    per_han: dict[str, HanCount] = {}
    read = 0
    for row in rows:
        count = per_han.setdefault(row.han, HanCount(row.han or _("班なし")))
        count.households += 1
        if row.read_at is not None:
            count.read += 1
            read += 1
    return read, len(rows) - read, list(per_han.values())


@dataclass
class Tally:
    """The answers of one question, counted per household."""

    question: Question
    answered: int = 0
    attending: int = 0  # attendance: households attending
    heads: int = 0  # attendance: people attending
    absent: int = 0
    yes: int = 0
    no: int = 0
    choices: list[tuple[str, int]] = field(default_factory=list)
    texts: list[tuple[str, str]] = field(default_factory=list)  # (household, text)


def _tally(question: Question, answers: list[tuple[str, dict[str, Any]]]) -> Tally:
    result = Tally(question=question, answered=len(answers))
    picked: Counter[str] = Counter()
    for household, value in answers:
        if question.kind == Question.Kind.ATTENDANCE:
            if value.get("attend"):
                result.attending += 1
                result.heads += int(value.get("count", 0))
            else:
                result.absent += 1
        elif question.kind == Question.Kind.YESNO:
            if value.get("yes"):
                result.yes += 1
            else:
                result.no += 1
        elif question.kind == Question.Kind.CHOICE:
            picked[str(value.get("choice", ""))] += 1
        else:
            result.texts.append((household, str(value.get("text", ""))))
    if question.kind == Question.Kind.CHOICE:
        result.choices = [(c, picked[c]) for c in question.choices]
    return result


def _answers_by_question(circular: Circular) -> dict[int, list[tuple[str, dict[str, Any]]]]:
    grouped: dict[int, list[tuple[str, dict[str, Any]]]] = {}
    rows = Answer.objects.filter(question__circular=circular).order_by(
        "household__han__order", "household__paper_order", "household_id"
    )
    for question_id, household, value in rows.values_list("question_id", "household__name", "value"):
        grouped.setdefault(question_id, []).append((household, value or {}))
    return grouped


def tally(question: Question) -> Tally:
    """Attendance: households attending and the total head count; yes/no counts; counts per option
    in the question's order; free texts with their household."""
    answers = _answers_by_question(question.circular).get(question.pk, [])
    return _tally(question, answers)


def tallies(circular: Circular) -> list[Tally]:
    """``tally`` of every question of the circular in two queries."""
    grouped = _answers_by_question(circular)
    return [_tally(q, grouped.get(q.pk, [])) for q in circular.questions.all()]


def _csv_cell(value: str) -> str:
    """Spreadsheets run cells that start with = + - @ as formulas: such text is quoted with '."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def answers_csv(circular: Circular) -> bytes:
    """The answers as CSV for a spreadsheet: UTF-8 with BOM, CRLF, one row per household and
    question: 世帯, 班, 質問, 回答, 回答日時 (local time, YYYY-MM-DD HH:MM)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([_("世帯"), _("班"), _("質問"), _("回答"), _("回答日時")])
    questions = {q.pk: q for q in circular.questions.all()}
    rows = (
        Answer.objects.filter(question__circular=circular)
        .select_related("household__han")
        .order_by(
            "question__order",
            "question_id",
            "household__han__order",
            "household__paper_order",
            "household_id",
        )
    )
    for answer in rows:
        question = questions[answer.question_id]
        han = answer.household.han
        writer.writerow(
            [
                _csv_cell(answer.household.name),
                _csv_cell(han.name if han else ""),
                _csv_cell(question.prompt),
                _csv_cell(answer_text(question, answer.value or {})),
                timezone.localtime(answer.answered_at).strftime("%Y-%m-%d %H:%M"),
            ]
        )
    return "\ufeff".encode() + out.getvalue().encode("utf-8")


# --- the archive --------------------------------------------------------------------------------


def archive_search(member: Member, q: str = "") -> QuerySet[Circular]:
    """The sent circulars the member may read whose title, body or file names contain ``q``, folded
    like the stored text (katakana/hiragana, full/half width, case), newest first. The page shows
    ``ARCHIVE_PAGE_SIZE`` at a time."""
    qs = scope.circulars_for(member).filter(sent_at__isnull=False)
    key = text.search_key(q or "")
    if key:
        qs = qs.filter(search_text__contains=key)
    return qs.order_by("-sent_at", "-pk")

"""Writes of the assistant's content (FAQ, departments, sources) from the staff pages, and the reads
those pages need (the FAQ search, the report of questions and ratings).

Every write checks its input, runs in one transaction and bumps ``IndexState`` in that transaction, so
the chat processes rebuild their search index exactly when the content moved. A refusal raises
``ContentError`` with Japanese messages by field; nothing was changed then.

FAQ answers are plain text: they are shown as typed (HTML is not interpreted), so nothing is stripped;
only control characters are refused.
"""

import csv
import dataclasses
import datetime as dt
import io
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.translation import gettext as _

from yakuba.assistant.models import Department, Exchange, Faq, IndexState, Source
from yakuba.core.kana import normalise_text, search_key
from yakuba.core.text import is_plain_text

QUESTION_MAX = 300
FAQ_URL_MAX = 500
EXAMPLES_PER_TOPIC = 5


class ContentError(Exception):
    """A refusal: ``errors`` maps a field name ("" for the whole form) to a Japanese message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(" ".join(errors.values()))
        self.errors = errors


def _actor_name(actor: Any) -> str:
    if isinstance(actor, str):
        return actor
    getter = getattr(actor, "get_username", None)
    return str(getter() if getter else actor)


def _line(value: str | None) -> str:
    """One line of text, trimmed (full-width spaces at the ends go too)."""
    return (value or "").strip()


def _text(value: str | None) -> str:
    """Several lines: CR LF as LF, trimmed at both ends."""
    return (value or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def _http_url(value: str) -> bool:
    if any(ch.isspace() for ch in value) or not is_plain_text(value, printable=False):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def _link(value: str) -> bool:
    """An http(s) URL or a path of this site (``/...``, not ``//host``)."""
    if value.startswith("/"):
        return (
            not value.startswith("//")
            and "\\" not in value
            and not any(ch.isspace() for ch in value)
            and is_plain_text(value, printable=False)
        )
    return _http_url(value)


def _raise(errors: dict[str, str]) -> None:
    if errors:
        raise ContentError(errors)


# --- FAQ -------------------------------------------------------------------------------------------


def faq_save(
    *,
    actor: Any,
    faq: Faq | None = None,
    question: str,
    answer: str,
    department: Department | None,
    url: str,
    published: bool,
) -> Faq:
    """Create (``faq=None``) or update an FAQ entry; ``updated_by`` is the actor's username."""
    question, answer, url = _line(question), _text(answer), _line(url)
    errors: dict[str, str] = {}
    if not question:
        errors["question"] = _("質問を入れてください。")
    elif len(question) > QUESTION_MAX:
        errors["question"] = _("質問は%(max)d文字までにしてください（いま%(n)d文字）。") % {
            "max": QUESTION_MAX,
            "n": len(question),
        }
    elif not is_plain_text(question, printable=False):
        errors["question"] = _("質問に使えない文字（制御文字）が入っています。改行も使えません。")
    if not answer:
        errors["answer"] = _("回答を入れてください。")
    elif not is_plain_text(answer, printable=False, line_breaks=True):
        errors["answer"] = _("回答に使えない文字（制御文字）が入っています。")
    if url and (len(url) > FAQ_URL_MAX or not _link(url)):
        errors["url"] = _(
            "詳しいページのURLは、http:// か https:// で始まるURL、または / で始まるこのサイトのパスで入れてください（%(max)d文字まで）。"
        ) % {"max": FAQ_URL_MAX}
    _raise(errors)
    with transaction.atomic():
        if faq is None:
            faq = Faq()
        faq.question = question
        faq.answer = answer
        faq.department = department
        faq.url = url
        faq.published = published
        faq.updated_by = _actor_name(actor)[:150]
        faq.save()
        IndexState.bump()
    return faq


def faq_delete(*, actor: Any, faq: Faq) -> None:
    with transaction.atomic():
        faq.delete()
        IndexState.bump()


def faq_search(*, q: str = "", department: str = "", published: str = "") -> QuerySet[Faq]:
    """FAQ entries matching every word of ``q`` in the question or the answer, tolerant of full- and
    half-width forms and of hiragana/katakana; ``department`` is a pk or "none" (no department);
    ``published`` is "1", "0" or "" (both)."""
    faqs = Faq.objects.select_related("department").order_by("pk")
    if department == "none":
        faqs = faqs.filter(department__isnull=True)
    elif department.isdigit():
        faqs = faqs.filter(department_id=int(department))
    if published in ("1", "0"):
        faqs = faqs.filter(published=published == "1")
    words = [search_key(w) for w in normalise_text(q).split(" ") if search_key(w)]
    if words:
        ids = [
            pk
            for pk, question, answer in faqs.values_list("pk", "question", "answer")
            if all(w in search_key(question) or w in search_key(answer) for w in words)
        ]
        faqs = faqs.filter(pk__in=ids)
    return faqs


# --- departments -------------------------------------------------------------------------------------


def department_save(
    *,
    actor: Any,
    department: Department | None = None,
    name: str,
    phone: str = "",
    email: str = "",
    hours: str = "",
    url: str = "",
    topics: str = "",
) -> Department:
    """Create (``department=None``) or update a department, the contact point the assistant names."""
    name, phone, email, hours, url = _line(name), _line(phone), _line(email), _line(hours), _line(url)
    topics = " ".join((topics or "").split())  # keywords separated by single spaces
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = _("部署名を入れてください。")
    elif len(name) > 100 or not is_plain_text(name, printable=False):
        errors["name"] = _("部署名は改行や制御文字なしで100文字までにしてください。")
    else:
        others = Department.objects.filter(name=name)
        if department is not None:
            others = others.exclude(pk=department.pk)
        if others.exists():
            errors["name"] = _("同じ名前の部署がもう登録されています。")
    if len(phone) > 30 or not is_plain_text(phone, printable=False):
        errors["phone"] = _("電話番号は30文字までにしてください。")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = _("メールアドレスの形が正しくありません（例：kurashi@city.example.jp）。")
    if len(hours) > 100 or not is_plain_text(hours, printable=False):
        errors["hours"] = _("受付時間は改行なしで100文字までにしてください。")
    if url and (len(url) > 200 or not _http_url(url)):
        errors["url"] = _("案内ページは http:// か https:// で始まるURLで入れてください。")
    if not is_plain_text(topics, printable=False):
        errors["topics"] = _("担当する事柄に使えない文字（制御文字）が入っています。")
    _raise(errors)
    try:
        with transaction.atomic():
            if department is None:
                department = Department()
            department.name = name
            department.phone = phone
            department.email = email
            department.hours = hours
            department.url = url
            department.topics = topics
            department.save()
            IndexState.bump()
    except IntegrityError:  # the same name saved by someone else a moment ago
        raise ContentError({"name": _("同じ名前の部署がもう登録されています。")}) from None
    return department


# --- sources -----------------------------------------------------------------------------------------


def _source_location(kind: str, location: str) -> tuple[str, str]:
    """The location stored for ``kind``, or an error message."""
    if kind == Source.Kind.FOLDER:
        path = _line(location)
        if not path:
            return "", _("フォルダのパスを入れてください。")
        if "\n" in path or not is_plain_text(path, printable=False):
            return "", _("フォルダのパスは1行で入れてください。")
        if not Path(path).is_dir():
            return "", _(
                "フォルダ「%(path)s」がサーバー上に見つかりません。サーバーにあるフォルダのパスを入れてください。"
            ) % {"path": path}
        return path, ""
    lines = [_line(line) for line in _text(location).split("\n") if _line(line)]
    if not lines:
        if kind == Source.Kind.SITEMAP:
            return "", _("サイトマップのURLを入れてください。")
        return "", _("URLを1行に1つずつ入れてください。")
    if kind == Source.Kind.SITEMAP and len(lines) > 1:
        return "", _("サイトマップのURLは1つだけ入れてください。")
    wrong = [line for line in lines if not _http_url(line)]
    if wrong:
        return "", _("http:// か https:// で始まるURLだけを入れてください（正しくないもの：%(url)s）。") % {
            "url": wrong[0][:100]
        }
    return "\n".join(lines), ""


def source_save(
    *,
    actor: Any,
    source: Source | None = None,
    name: str,
    kind: str,
    location: str,
    base_url: str = "",
    department: Department | None = None,
    active: bool = True,
) -> Source:
    """Create (``source=None``) or update a source. Folders must exist on this server; sitemaps and URL
    lists take http(s) URLs only (a URL list one per line)."""
    name, base_url = _line(name), _line(base_url)
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = _("名前を入れてください。")
    elif len(name) > 100 or not is_plain_text(name, printable=False):
        errors["name"] = _("名前は改行や制御文字なしで100文字までにしてください。")
    if kind not in Source.Kind.values:
        errors["kind"] = _("種類を選んでください。")
    else:
        location, problem = _source_location(kind, location)
        if problem:
            errors["location"] = problem
    if base_url and (len(base_url) > 300 or not _http_url(base_url)):
        errors["base_url"] = _("公開URLの先頭は http:// か https:// で始まるURLで入れてください。")
    _raise(errors)
    with transaction.atomic():
        if source is None:
            source = Source()
        source.name = name
        source.kind = kind
        source.location = location
        source.base_url = base_url
        source.department = department
        source.active = active
        source.save()
        IndexState.bump()
    return source


def source_delete(*, actor: Any, source: Source) -> None:
    """Delete a source with its pages and passages."""
    with transaction.atomic():
        source.delete()
        IndexState.bump()


# --- the report ----------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Example:
    question: str
    created_at: dt.datetime
    rating: int


@dataclasses.dataclass(frozen=True)
class TopicGroup:
    topic: str  # "" when the exchange has none
    count: int
    abstained: int
    bad: int
    share: float  # percent of all flagged exchanges in the period
    examples: list[Example]


@dataclasses.dataclass(frozen=True)
class Report:
    since: dt.date
    until: dt.date
    questions: int
    answered: int
    fact: int
    abstained: int
    good: int
    bad: int
    flagged: int  # abstained or rated bad: the questions an FAQ could fix
    groups: list[TopicGroup]
    languages: list[tuple[str, int]]


def _period(since: dt.date, until: dt.date) -> QuerySet[Exchange]:
    start = timezone.make_aware(dt.datetime.combine(since, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min))
    return Exchange.objects.filter(created_at__gte=start, created_at__lt=end)


def report_build(*, since: dt.date, until: dt.date) -> Report:
    """Totals, the topics of questions the assistant could not answer or that were rated bad (by count,
    with up to five recent examples each), and counts per language, for local days since..until."""
    exchanges = _period(since, until)
    totals = exchanges.aggregate(
        questions=Count("pk"),
        answered=Count("pk", filter=Q(status=Exchange.Status.ANSWERED)),
        fact=Count("pk", filter=Q(status=Exchange.Status.FACT)),
        abstained=Count("pk", filter=Q(status=Exchange.Status.ABSTAINED)),
        good=Count("pk", filter=Q(rating=1)),
        bad=Count("pk", filter=Q(rating=-1)),
    )
    flagged_qs = exchanges.filter(Q(status=Exchange.Status.ABSTAINED) | Q(rating=-1))
    rows = list(
        flagged_qs.order_by()
        .values("topic")
        .annotate(
            n=Count("pk"),
            abstained=Count("pk", filter=Q(status=Exchange.Status.ABSTAINED)),
            bad=Count("pk", filter=Q(rating=-1)),
        )
        .order_by("-n", "topic")
    )
    examples: dict[str, list[Example]] = {}
    recent = (
        flagged_qs.annotate(
            row=Window(
                RowNumber(), partition_by=[F("topic")], order_by=[F("created_at").desc(), F("pk").desc()]
            )
        )
        .filter(row__lte=EXAMPLES_PER_TOPIC)
        .order_by("topic", "row")
        .values_list("topic", "question", "created_at", "rating")
    )
    for topic, question, created_at, rating in recent:
        examples.setdefault(topic, []).append(Example(question, created_at, rating))
    flagged = sum(r["n"] for r in rows)
    groups = [
        TopicGroup(
            topic=r["topic"],
            count=r["n"],
            abstained=r["abstained"],
            bad=r["bad"],
            share=round(100 * r["n"] / flagged, 1) if flagged else 0.0,
            examples=examples.get(r["topic"], []),
        )
        for r in rows
    ]
    languages = [
        (r["lang"], r["n"])
        for r in exchanges.order_by().values("lang").annotate(n=Count("pk")).order_by("-n", "lang")
    ]
    return Report(
        since=since,
        until=until,
        questions=totals["questions"],
        answered=totals["answered"],
        fact=totals["fact"],
        abstained=totals["abstained"],
        good=totals["good"],
        bad=totals["bad"],
        flagged=flagged,
        groups=groups,
        languages=languages,
    )


def _csv_cell(value: str) -> str:
    """Spreadsheets run cells that start with = + - @ as formulas: such text is quoted with '."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def no_topic_label() -> str:
    return _("（話題なし）")


def report_csv(report: Report) -> bytes:
    """The topic groups as CSV for a spreadsheet: UTF-8 with BOM, CRLF; columns 話題, 件数, 分からない,
    低評価, 質問の例 (up to five, separated by " / ")."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([_("話題"), _("件数"), _("分からない"), _("低評価"), _("質問の例")])
    for group in report.groups:
        writer.writerow(
            [
                _csv_cell(group.topic or no_topic_label()),
                group.count,
                group.abstained,
                group.bad,
                _csv_cell(
                    " / ".join(e.question.replace("\r", " ").replace("\n", " ") for e in group.examples)
                ),
            ]
        )
    return "\ufeff".encode() + out.getvalue().encode("utf-8")

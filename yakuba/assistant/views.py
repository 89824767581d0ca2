"""The public side of the assistant: the chat page (/assistant/), the same chat framed in city pages
(/assistant/embed/, shown by /assistant/widget.js), the JSON endpoints the chat script calls, the page
of live facts that fact answers cite, FAQ entries as pages, and the demo city's website (/city/).

No login, no cookies needed: a conversation is a random token the page keeps. The endpoints take no
session, so they are exempt from CSRF (a forged request could only ask a question in a conversation of
its own); ratings need the conversation's token. Questions are limited in length and per minute.
"""

import contextlib
import json
import re
import time
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils import translation
from django.utils.csp import CSP
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yakuba.assistant import answer as composer
from yakuba.assistant import conversations
from yakuba.assistant import facts as live_facts
from yakuba.assistant.masking import mask
from yakuba.assistant.models import Exchange, Faq
from yakuba.core.text import is_plain_text

MAX_QUESTION = 300
DEMO_SITE = Path(__file__).resolve().parent / "demo_site"


def _lang(value: str | None) -> str:
    if value in composer.LANGS:
        return str(value)
    return "en" if (get_language() or "ja").startswith("en") else "ja"


def _client_ip(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", ""))


def too_many(request: HttpRequest) -> bool:
    """At most YAKUBA_ASSISTANT_QUESTIONS_PER_MINUTE questions per address and minute."""
    limit = int(getattr(settings, "YAKUBA_ASSISTANT_QUESTIONS_PER_MINUTE", 20))
    key = f"assistant:rate:{_client_ip(request)}:{int(time.time() // 60)}"
    cache.add(key, 0, timeout=70)
    try:
        count = cache.incr(key)
    except ValueError:
        count = 1
    return count > limit


def clean_question(raw: str) -> tuple[str, str]:
    """(question, error message): NFC, trimmed, no control characters, at most MAX_QUESTION."""
    text = unicodedata.normalize("NFC", raw or "").strip()
    if not text:
        return "", _("質問を入力してください。")
    if not is_plain_text(text, printable=False, line_breaks=True):
        return "", _("質問に使えない文字が含まれています。")
    if len(text) > MAX_QUESTION:
        return "", _("質問は%(n)s文字以内で入力してください。") % {"n": MAX_QUESTION}
    return text, ""


def answer_question(question: str, *, lang: str, token: str) -> tuple[Exchange, composer.Answer, str]:
    conversation = conversations.conversation_for(token, lang=lang)
    previous = conversations.previous_of(conversation)
    started = time.perf_counter()
    # The question is masked before anything reads it: not even a configured LLM sees a phone number.
    result = composer.compose(mask(question), lang=lang, previous=previous)
    latency = (time.perf_counter() - started) * 1000
    exchange = conversations.exchange_record(
        conversation=conversation, question=question, answer=result, latency_ms=latency
    )
    return exchange, result, conversation.token


def _history(token: str) -> list[Exchange]:
    if not token:
        return []
    return list(Exchange.objects.filter(conversation__token=token).order_by("pk")[:50])


def _strings() -> dict[str, str]:
    """The chat script's sentences, in the page's language."""
    return {
        "question": _("質問："),
        "answer": _("回答："),
        "sources": _("出典"),
        "suggestions": _("関係がありそうなページ（答えを確かめられなかったページです）"),
        "contact": _("問い合わせ先："),
        "rate_question": _("この回答は役に立ちましたか。"),
        "good": _("役に立った"),
        "bad": _("役に立たなかった"),
        "new_tab": _("（新しいタブで開きます）"),
        "thinking": _("回答を作成しています…"),
        "answered": _("回答しました。"),
        "empty": _("質問を入力してください。"),
        "failed": _("うまく送信できませんでした。時間をおいてもう一度お試しください。"),
    }


def _render_chat(request: HttpRequest, context: dict[str, Any], *, embed: bool, status: int) -> HttpResponse:
    # The English chat is English throughout, whatever language the site's own switch selects.
    with translation.override("en") if context.get("lang") == "en" else contextlib.nullcontext():
        context = {"embed": embed, "max_question": MAX_QUESTION, "strings": _strings(), **context}
        response = render(request, "assistant/chat.html", context, status=status)
    if embed:
        origins = list(getattr(settings, "YAKUBA_ASSISTANT_EMBED_ORIGINS", []))
        response._csp_config = {**settings.SECURE_CSP, "frame-ancestors": [CSP.SELF, *origins]}  # type: ignore[attr-defined]
        response.xframe_options_exempt = True  # type: ignore[attr-defined]
    return response


def _chat_page(request: HttpRequest, *, embed: bool) -> HttpResponse:
    lang = _lang(request.POST.get("lang") or request.GET.get("lang"))
    token = request.POST.get("conversation", "")
    error = ""
    status = 200
    if request.method == "POST":
        question, error = clean_question(request.POST.get("question", ""))
        if not error and too_many(request):
            error, status = _("質問が多すぎます。1分ほど待ってからもう一度お試しください。"), 429
        if not error:
            _exchange, _result, token = answer_question(question, lang=lang, token=token)
        else:
            status = status if status != 200 else 400
    context = {"lang": lang, "conversation": token, "history": _history(token), "error": error}
    return _render_chat(request, context, embed=embed, status=status)


@login_not_required
@csrf_exempt
@sensitive_post_parameters("question", "comment")
@require_http_methods(["GET", "POST"])
def chat(request: HttpRequest) -> HttpResponse:
    return _chat_page(request, embed=False)


@login_not_required
@csrf_exempt
@xframe_options_exempt
@sensitive_post_parameters("question", "comment")
@require_http_methods(["GET", "POST"])
def embed(request: HttpRequest) -> HttpResponse:
    return _chat_page(request, embed=True)


def _json_body(request: HttpRequest) -> dict[str, Any]:
    if request.content_type == "application/json":
        try:
            data = json.loads(request.body or b"{}")
        except (json.JSONDecodeError, UnicodeDecodeError):
            return {}
        return data if isinstance(data, dict) else {}
    return request.POST.dict()


@login_not_required
@csrf_exempt
@sensitive_post_parameters("question", "comment")
@require_POST
def ask(request: HttpRequest) -> JsonResponse:
    data = _json_body(request)
    question, error = clean_question(str(data.get("question", "")))
    if error:
        return JsonResponse({"error": error}, status=400)
    if too_many(request):
        return JsonResponse(
            {"error": _("質問が多すぎます。1分ほど待ってからもう一度お試しください。")}, status=429
        )
    lang = _lang(str(data.get("lang", "")))
    exchange, result, token = answer_question(
        question, lang=lang, token=str(data.get("conversation", ""))[:64]
    )
    return JsonResponse({"conversation": token, "exchange": exchange.pk, **result.as_dict()})


@login_not_required
@csrf_exempt
@sensitive_post_parameters("question", "comment")
@require_POST
def feedback(request: HttpRequest) -> HttpResponse:
    data = _json_body(request)
    try:
        rating = int(data.get("rating", 0))
        exchange_id = int(data.get("exchange", 0))
    except (TypeError, ValueError):
        rating = exchange_id = 0
    token = str(data.get("conversation", ""))[:64]
    ok = rating in (1, -1) and conversations.exchange_rate(
        token=token, exchange_id=exchange_id, rating=rating, comment=str(data.get("comment", ""))[:2000]
    )
    if request.content_type == "application/json":
        if not ok:
            return JsonResponse({"error": _("評価を受け付けられませんでした。")}, status=400)
        return JsonResponse({"ok": True, "message": _("ご意見ありがとうございました。")})
    # Without JavaScript: show the conversation again.
    embed_page = data.get("embed") == "1"
    context = {
        "lang": _lang(data.get("lang")),
        "conversation": token,
        "history": _history(token),
        "error": "" if ok else _("評価を受け付けられませんでした。"),
        "rated": exchange_id if ok else None,
    }
    return _render_chat(request, context, embed=embed_page, status=200 if ok else 400)


@login_not_required
@require_GET
def facts(request: HttpRequest) -> HttpResponse:
    lang = "en" if (get_language() or "ja").startswith("en") else "ja"
    rows = list(live_facts.facts(lang).values())
    return render(request, "assistant/facts.html", {"facts": rows})


@login_not_required
@require_GET
def faq_detail(request: HttpRequest, pk: int) -> HttpResponse:
    faq = get_object_or_404(Faq.objects.select_related("department"), pk=pk, published=True)
    return render(request, "assistant/faq_detail.html", {"faq": faq})


@lru_cache(maxsize=1)
def _widget_source() -> str:
    """The widget script, read once per process (every page of the city's website loads it)."""
    return (Path(__file__).resolve().parent / "static" / "assistant" / "widget.js").read_text(
        encoding="utf-8"
    )


@login_not_required
@require_GET
def widget_js(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(_widget_source(), content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "public, max-age=3600"
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response


@login_not_required
@require_GET
def demo_site(request: HttpRequest, name: str = "index.html") -> FileResponse:
    """The demo city's own website (fictional pages written for the demo), where the widget lives."""
    if not getattr(settings, "YAKUBA_ASSISTANT_DEMO_SITE", False):
        raise Http404
    if not re.fullmatch(r"[a-z0-9][a-z0-9\-]*\.html", name or ""):
        raise Http404
    path = DEMO_SITE / name
    if not path.is_file():
        raise Http404
    return FileResponse(path.open("rb"), content_type="text/html; charset=utf-8")

"""The assistant's JSON API (``/api/v1/assistant/...``), public like the chat: for a city that builds
its own chat front end, a kiosk, or another channel (LINE, a phone line's speech front end). The same
validation, masking, rate limit and answers as ``/assistant/ask``."""

from typing import Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.errors import HttpError

from yakuba.assistant import conversations
from yakuba.assistant import facts as live_facts
from yakuba.assistant.views import answer_question, clean_question, too_many

router = Router(tags=["assistant"])


class AskIn(Schema):
    question: str = Field(max_length=2000)
    lang: Literal["ja", "easy", "en"] = "ja"
    conversation: str = Field("", max_length=64)


class CitationOut(Schema):
    number: int
    title: str
    url: str
    kind: str
    key: str
    department: str
    updated_on: str
    updated_label: str


class ContactOut(Schema):
    name: str
    phone: str
    email: str
    hours: str
    url: str


class AnswerOut(Schema):
    conversation: str
    exchange: int
    status: str
    text: str
    lang: str
    notice: str
    generated: bool
    citations: list[CitationOut]
    contact: ContactOut | None
    suggestions: list[CitationOut]
    ruby: list[list[str]]


class FeedbackIn(Schema):
    conversation: str = Field(max_length=64)
    exchange: int = Field(ge=1, le=2**62)
    rating: Literal[1, -1]
    comment: str = Field("", max_length=2000)


class FeedbackOut(Schema):
    ok: bool


class FactOut(Schema):
    key: str
    label: str
    value: str


@router.post("/ask", response=AnswerOut, auth=None, summary="質問する（公開）")
def ask(request: HttpRequest, payload: AskIn) -> dict:
    question, error = clean_question(payload.question)
    if error:
        raise HttpError(400, error)
    if too_many(request):
        raise HttpError(429, "質問が多すぎます。1分ほど待ってからもう一度お試しください。")
    exchange, result, token = answer_question(question, lang=payload.lang, token=payload.conversation)
    return {"conversation": token, "exchange": exchange.pk, **result.as_dict()}


@router.post("/feedback", response=FeedbackOut, auth=None, summary="回答を評価する（公開）")
def feedback(request: HttpRequest, payload: FeedbackIn) -> dict:
    ok = conversations.exchange_rate(
        token=payload.conversation,
        exchange_id=payload.exchange,
        rating=payload.rating,
        comment=payload.comment,
    )
    if not ok:
        raise HttpError(404, "評価する回答が見つかりません。")
    return {"ok": True}


@router.get("/facts", response=list[FactOut], auth=None, summary="公開している設定値（手数料・時間など）")
def facts(request: HttpRequest, lang: Literal["ja", "en"] = "ja") -> list[dict]:
    return [{"key": f.key, "label": f.label, "value": f.value} for f in live_facts.facts(lang).values()]

"""Writes of the chat: conversations, exchanges (masked) and ratings. Keyword-only, typed, atomic."""

import secrets

from django.db import transaction

from yakuba.assistant.answer import Answer, Previous
from yakuba.assistant.masking import mask
from yakuba.assistant.models import Conversation, Exchange

MAX_COMMENT = 1000


def conversation_for(token: str, *, lang: str) -> Conversation:
    """The conversation with this token, or a new one (unknown or empty tokens start afresh)."""
    if token:
        found = Conversation.objects.filter(token=token).first()
        if found is not None:
            return found
    return Conversation.objects.create(token=secrets.token_urlsafe(32), lang=lang)


def previous_of(conversation: Conversation) -> Previous | None:
    last = conversation.exchanges.order_by("-pk").first()
    if last is None:
        return None
    keys = tuple(c.get("key", "") for c in last.citations if c.get("key"))
    return Previous(question=last.question, keys=keys)


@transaction.atomic
def exchange_record(
    *, conversation: Conversation, question: str, answer: Answer, latency_ms: float
) -> Exchange:
    return Exchange.objects.create(
        conversation=conversation,
        question=mask(question),
        answer=answer.text,  # public content (pages, FAQ, facts): not masked, phone numbers stay
        contact=answer.contact.__dict__ if answer.contact else {},
        suggestions=[{"n": c.number, "title": c.title, "url": c.url} for c in answer.suggestions],
        notice=answer.notice[:300],
        status=answer.status,
        lang=answer.lang,
        citations=[
            {
                "n": c.number,
                "title": c.title,
                "url": c.url,
                "key": c.key,
                "kind": c.kind,
                "updated": c.updated_label,
            }
            for c in answer.citations
        ],
        confidence=round(answer.confidence, 4),
        topic=mask(answer.topic)[:100],
        latency_ms=round(latency_ms, 2),
    )


def exchange_rate(*, token: str, exchange_id: int, rating: int, comment: str = "") -> bool:
    """Rate an exchange of the caller's own conversation (the token proves it). False if not found."""
    if rating not in (1, -1):
        raise ValueError("rating must be 1 or -1")
    updated = Exchange.objects.filter(pk=exchange_id, conversation__token=token).update(
        rating=rating, comment=mask(comment.strip())[:MAX_COMMENT]
    )
    return bool(updated) and bool(token)

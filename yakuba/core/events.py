"""Cross-module events: past-tense frozen dataclasses, delivered after the transaction commits.

A module defines its events in its ``interface.py``; another module subscribes in its
``AppConfig.ready``. Handlers must be idempotent: a handler may see the same event again after a
retry. A failing handler is logged and does not affect the publisher or other handlers.
"""

import logging
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django.db import transaction

logger = logging.getLogger(__name__)

Handler = Callable[[Any], None]
_handlers: dict[type, list[Handler]] = defaultdict(list)


def subscribe(event_type: type, handler: Handler) -> None:
    if handler not in _handlers[event_type]:
        _handlers[event_type].append(handler)


def unsubscribe(event_type: type, handler: Handler) -> None:
    if handler in _handlers[event_type]:
        _handlers[event_type].remove(handler)


def _dispatch(event: object) -> None:
    for handler in list(_handlers[type(event)]):
        try:
            handler(event)
        except Exception:
            logger.exception("event handler %s failed for %s", handler, type(event).__name__)


def publish(event: object) -> None:
    """Deliver ``event`` once the current transaction commits (at once outside a transaction);
    nothing is delivered if it rolls back."""
    transaction.on_commit(lambda: _dispatch(event), robust=False)

"""The assistant's search index over its own content: published FAQ entries, page passages, and the
registry's live facts. Each process keeps one index in memory and rebuilds it when the content's
version (``IndexState``) or the set of facts moves; everything else about retrieval lives in
``retrieval/`` and is shared with ``yakuba assistant eval``."""

import threading
import time
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db import connections
from django.utils.module_loading import import_string

from yakuba.assistant import facts as live_facts
from yakuba.assistant.models import Department, Faq, IndexState, Passage
from yakuba.assistant.retrieval import analyse
from yakuba.assistant.retrieval.bm25 import BM25
from yakuba.assistant.retrieval.index import Document, Embedder, SearchIndex, WordVectorEmbedder

FACTS_URL = "/assistant/facts/"


@dataclass(frozen=True)
class Ref:
    """What a document stands for: enough to cite it without another query."""

    kind: str  # "faq", "page" or "fact"
    pk: int | str  # Faq/Passage pk, or the fact's key
    url: str
    title: str
    heading: str
    text: str
    department_id: int | None
    updated_on: date | None = None
    page_id: int | None = None
    position: int = 0


def _faq_documents() -> list[Document]:
    docs = []
    for faq in Faq.objects.filter(published=True).order_by("pk"):
        ref = Ref("faq", faq.pk, faq.url, faq.question, "", faq.answer, faq.department_id)
        docs.append(Document(f"faq:{faq.pk}", faq.question, faq.answer, "faq", ref))
    return docs


def _page_documents() -> list[Document]:
    docs = []
    rows = Passage.objects.select_related("page").order_by("page_id", "position")
    for p in rows.iterator(chunk_size=2000):
        page = p.page
        title = f"{page.title} {p.heading}".strip() if p.heading and p.heading != page.title else page.title
        ref = Ref(
            "page",
            p.pk,
            page.url,
            page.title,
            p.heading,
            p.text,
            page.department_id,
            page.updated_on,
            page.pk,
            p.position,
        )
        docs.append(Document(f"passage:{p.pk}", title, p.text, "page", ref))
    return docs


def _fact_documents(known: dict[str, live_facts.PublicFact]) -> list[Document]:
    docs = []
    for key, fact in known.items():
        ref = Ref("fact", key, f"{FACTS_URL}#{key}", fact.label, "", "", None)
        docs.append(Document(f"fact:{key}", fact.label, live_facts.asked_as(key), "fact", ref))
    return docs


@dataclass(frozen=True)
class Directory:
    """The departments, read with the index they belong to (one query per rebuild, not per answer):
    for naming a source's department and guessing the contact when the assistant cannot answer."""

    departments: tuple[Department, ...]
    by_id: dict[int, Department]
    topics: BM25  # over each department's name and topic keywords
    words: tuple[frozenset[str], ...]


def _directory() -> Directory:
    departments = tuple(Department.objects.order_by("pk"))
    words = [analyse.words(f"{d.name} {d.topics}") for d in departments]
    return Directory(
        departments, {d.pk: d for d in departments}, BM25(words), tuple(frozenset(w) for w in words)
    )


def embedder() -> Embedder | None:
    """The configured embedder: YAKUBA_ASSISTANT_EMBEDDER (a dotted path to a class with ``embed``),
    else YAKUBA_ASSISTANT_WORD_VECTORS (a word2vec text file), else none (lexical retrieval only)."""
    dotted = getattr(settings, "YAKUBA_ASSISTANT_EMBEDDER", "")
    if dotted:
        return import_string(dotted)()  # type: ignore[no-any-return]
    path = getattr(settings, "YAKUBA_ASSISTANT_WORD_VECTORS", "")
    return WordVectorEmbedder(path) if path else None


_lock = threading.Lock()
_state: dict[str, object] = {
    "version": None,
    "facts": None,
    "index": None,
    "directory": None,
    "facts_checked": 0.0,
    "building": None,  # the (version, facts) a background rebuild is working on
}
_embedder_cache: dict[str, Embedder | None] = {}
# The content version is read on every question (one indexed row); the facts' labels, which move only
# when a module's settings gain or lose an item, every FACTS_RECHECK_SECONDS.
FACTS_RECHECK_SECONDS = 30.0
# An index this large takes seconds to rebuild (about 12 s for 20,000 passages): questions keep being
# answered from the previous index while a thread builds the new one. Smaller ones rebuild in place.
BACKGROUND_ABOVE = 3000


def _facts_signature(known: dict[str, live_facts.PublicFact]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((k, f.label) for k, f in known.items()))


def _build(known: dict[str, live_facts.PublicFact]) -> tuple[SearchIndex, Directory]:
    if "embedder" not in _embedder_cache:
        _embedder_cache["embedder"] = embedder()
    index = SearchIndex(
        _faq_documents() + _page_documents() + _fact_documents(known), embedder=_embedder_cache["embedder"]
    )
    return index, _directory()


def _build_in_background(version: int, signature: object, known: dict[str, live_facts.PublicFact]) -> None:
    try:
        built, directory = _build(known)
        with _lock:
            _state.update(
                version=version,
                facts=signature,
                index=built,
                directory=directory,
                facts_checked=time.monotonic(),
            )
    finally:
        with _lock:
            _state["building"] = None
        connections.close_all()  # this thread's database connection


def current() -> tuple[SearchIndex, Directory]:
    """This process's index and department directory, rebuilt when the content version or the facts'
    labels changed."""
    now = time.monotonic()
    version = IndexState.current()
    fresh_facts = now - float(_state["facts_checked"]) < FACTS_RECHECK_SECONDS  # type: ignore[arg-type]
    if _state["index"] is not None and _state["version"] == version and fresh_facts:
        return _state["index"], _state["directory"]  # type: ignore[return-value]
    known = live_facts.facts()
    signature = _facts_signature(known)
    with _lock:
        index = _state["index"]
        if isinstance(index, SearchIndex) and _state["version"] == version and _state["facts"] == signature:
            _state["facts_checked"] = now
            return index, _state["directory"]  # type: ignore[return-value]
        if isinstance(index, SearchIndex) and len(index) > BACKGROUND_ABOVE:
            if _state["building"] is None:
                _state["building"] = (version, signature)
                threading.Thread(
                    target=_build_in_background, args=(version, signature, known), daemon=True
                ).start()
            return index, _state["directory"]  # type: ignore[return-value]
        built, directory = _build(known)
        _state.update(version=version, facts=signature, index=built, directory=directory, facts_checked=now)
        return built, directory


def current_index() -> SearchIndex:
    return current()[0]


def reset() -> None:
    """Forget the cached index (tests, and after settings change)."""
    with _lock:
        _state.update(version=None, facts=None, index=None, directory=None, facts_checked=0.0, building=None)
        _embedder_cache.clear()

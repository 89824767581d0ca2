"""Answer composition: from a question to an answer with numbered citations, or an honest
「分かりません」 with the most likely contact point.

1. A follow-up such as 「もっと詳しく」 expands the previous answer's sources (the whole passage and the
   next one on the same page) instead of searching again.
2. English questions are mapped onto Japanese search words (``english.py``); when nothing is understood
   the assistant says so and names the contact.
3. Retrieval (``search.current_index``). A short question after an earlier one (「手数料は？」) is read
   together with the earlier question (only when it names at most one topic word of its own).
4. When no good document covers the question's topic (``retrieval.index.usable``), the
   assistant abstains and names the department whose topics match best, else the city's main number.
5. Otherwise: live facts are answered from the registry's current values; a curated FAQ entry wins
   when it matches nearly as well as the best passage; a page passage is shortened to its sentences
   that carry the question's words. Up to three sources are cited.
6. With an LLM configured (``llm.py``), the answer is generated from the same passages only, must cite
   them, and falls back to the extractive answer when it does not.

The result is plain text with citation marks 「[1]」; templates and the JSON API render it.
"""

import re
from dataclasses import dataclass, field
from typing import Any

from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from yakuba.assistant import english, llm
from yakuba.assistant import facts as live_facts
from yakuba.assistant.models import Department, Passage
from yakuba.assistant.retrieval import analyse
from yakuba.assistant.retrieval.index import RELATED_AT, Hit, SearchIndex
from yakuba.assistant.retrieval.index import usable as answerable
from yakuba.assistant.retrieval.snippets import snippet
from yakuba.assistant.search import Directory, Ref, current
from yakuba.core import furigana

LANGS = ("ja", "easy", "en")
MAX_CITATIONS = 3
FAQ_WINS_AT = 0.9  # an FAQ entry within 90% of the best score is preferred to a page passage
FACT_WINS_AT = 0.7  # a live fact within 70% of the best score answers first (its value is current)
FACTS_TOGETHER = 0.9  # facts within 90% of the best fact are given together
SUGGEST_COVERAGE = 0.25  # with a refusal, pages covering a quarter of the question whose title names
# one of its topic words are offered as links
SNIPPET_CHARS = {"ja": 220, "easy": 120, "en": 220}

_FOLLOWUP = re.compile(
    r"^\s*(?:"
    r"(?:もっと|もう少し|もうすこし|さらに|より)\s*(?:詳しく|くわしく|詳細)?.{0,8}"
    r"|(?:詳しく|くわしく|詳細)(?:を|に)?\s*(?:教えて|おしえて|知りたい|お願い)?.{0,6}"
    r"|続き.{0,6}|つづき.{0,6}"
    r"|(?:tell me )?more(?: details?| info(?:rmation)?)?(?: please)?"
    r"|details?(?: please)?"
    r")\s*[。．.!！?？]*\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Citation:
    number: int
    title: str
    url: str
    kind: str
    key: str
    department: str = ""
    updated_on: str = ""  # ISO date of the page's last update
    updated_label: str = ""  # the same for people: 「2026年10月1日更新」 / "Updated Oct. 1, 2026"


@dataclass(frozen=True)
class Contact:
    name: str
    phone: str = ""
    email: str = ""
    hours: str = ""
    url: str = ""


@dataclass(frozen=True)
class Previous:
    """What a follow-up needs of the previous exchange in the same conversation."""

    question: str
    keys: tuple[str, ...]


@dataclass
class Answer:
    status: str  # "answered", "fact" or "abstained"
    text: str
    lang: str
    citations: list[Citation] = field(default_factory=list)
    contact: Contact | None = None
    notice: str = ""
    confidence: float = 0.0
    topic: str = ""
    generated: bool = False  # written by the configured LLM from the cited passages
    suggestions: list[Citation] = field(default_factory=list)  # with a refusal: pages that may help

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "text": self.text,
            "lang": self.lang,
            "notice": self.notice,
            "generated": self.generated,
            "citations": [c.__dict__ for c in self.citations],
            "contact": self.contact.__dict__ if self.contact else None,
            "suggestions": [c.__dict__ for c in self.suggestions],
            # やさしい日本語: the text as (text, reading) pieces, for ruby over the kanji.
            "ruby": [list(piece) for piece in furigana.segments(self.text)] if self.lang == "easy" else [],
        }


def is_followup(text: str) -> bool:
    return bool(_FOLLOWUP.match(text))


# --- messages in the three interface languages -------------------------------------------------


def _msg(lang: str, key: str, **values: Any) -> str:
    """One of the assistant's fixed sentences in 日本語, やさしい日本語 or English."""
    if lang == "easy":
        table = {
            "unknown": pgettext("easy", "わかりません。市の ページに 答えが ありませんでした。"),
            "ask": pgettext("easy", "%(name)s に 聞いてください。"),
            "fact": pgettext("easy", "%(label)s は %(value)s です。"),
            "more_none": pgettext("easy", "これより くわしい 情報は ありません。"),
            "related": pgettext("easy", "ほかの ページ："),
        }
        return table[key] % values
    with translation.override("en" if lang == "en" else "ja"):
        table = {
            "unknown": _(
                "分かりません。市のページやよくある質問に、この質問への答えが見つかりませんでした。"
            ),
            "ask": _("%(name)sにお問い合わせください。"),
            "fact": _("%(label)sは%(value)sです。"),
            "more_none": _("これ以上詳しい情報は見つかりませんでした。"),
            "related": _("関連するページ："),
            "english_unmatched": _(
                "この質問を市の日本語のページと結び付けられませんでした。市の情報は日本語で書かれています。"
            ),
            "english_japanese": _("市のページは日本語です。該当する部分をそのまま示します。"),
        }
        return table[key] % values


# --- contacts ------------------------------------------------------------------------------------


def _contact_of(department: Department) -> Contact:
    return Contact(department.name, department.phone, department.email, department.hours, department.url)


def _general_contact(lang: str) -> Contact:
    known = live_facts.facts(lang)
    name = known.get("core.name")
    phone = known.get("core.phone")
    hours = known.get("core.window_hours")
    with translation.override("en" if lang == "en" else "ja"):
        label = _("%(city)s 代表電話") % {"city": name.value if name else ""}
    return Contact(label.strip(), phone.value if phone else "", "", hours.value if hours else "")


def contact_for(query: str, *, department_id: int | None, lang: str, directory: Directory) -> Contact:
    """The department that owns the source, else the one whose topics match the question best, else
    the city's main number."""
    department = directory.by_id.get(department_id) if department_id is not None else None
    if department is not None:
        return _contact_of(department)
    if directory.departments:
        # The department must handle what the question is about (its topic noun), not merely share a
        # word with it: 「宝くじの当選番号」 is not for the pension office because of 基礎年金番号.
        topic = set(analyse.words(analyse.topic(query)))
        scores = directory.topics.scores(analyse.words(query))
        for i in scores.argsort()[::-1]:
            if scores[i] <= 0:
                break
            if topic <= directory.words[int(i)]:
                return _contact_of(directory.departments[int(i)])
    return _general_contact(lang)


# --- topics (for the staff report) ---------------------------------------------------------------


def topic_of(query: str, index: SearchIndex) -> str:
    """What the question is about (the staff report groups by it): its first noun compound (see
    ``analyse.topic``), else its rarest non-generic content word."""
    first = analyse.topic(query)
    if first:
        return first[:100]
    words = [w for w in dict.fromkeys(analyse.words(query)) if w not in analyse.GENERIC and len(w) > 1]
    if not words:
        return ""
    return max(words, key=lambda w: index.words_full.term_idf(w))[:100]


# --- composition ---------------------------------------------------------------------------------


def _citation(number: int, ref: Ref, directory: Directory, lang: str) -> Citation:
    title = ref.title if not ref.heading or ref.heading == ref.title else f"{ref.title}（{ref.heading}）"
    url = ref.url or (f"/assistant/faq/{ref.pk}/" if ref.kind == "faq" else "")
    return Citation(
        number=number,
        title=title,
        url=url,
        kind=ref.kind,
        key=f"{'passage' if ref.kind == 'page' else ref.kind}:{ref.pk}",  # the document's key in the index
        department=directory.by_id[ref.department_id].name if ref.department_id in directory.by_id else "",
        updated_on=ref.updated_on.isoformat() if ref.updated_on else "",
        updated_label=_updated_label(ref.updated_on, lang),
    )


def _updated_label(day: Any, lang: str) -> str:
    if not day:
        return ""
    with translation.override("en" if lang == "en" else "ja"):
        return _("%(date)s更新") % {"date": formats.date_format(day, "DATE_FORMAT")}


def _suggestions(hits: list[Hit], query: str, lang: str, directory: Directory) -> list[Citation]:
    """With a refusal, the pages that share the question's words most and name one of its topic words
    in their title (not an answer: the resident judges). Situational questions (「引っ越してきたばかりで…」)
    often miss the coverage needed for an answer while the right page is among these; a page that only
    mentions the word in passing (パスポート as an ID document) is not offered."""
    topical = {w for w in analyse.words(query) if w not in analyse.GENERIC}
    if not hits or not topical:
        return []
    out: list[Citation] = []
    seen: set[str] = set()
    for hit in hits[:6]:
        ref: Ref = hit.document.payload
        if ref.kind == "fact" or hit.coverage < SUGGEST_COVERAGE or hit.score < RELATED_AT * hits[0].score:
            continue
        if not topical & set(analyse.words(hit.document.title)):
            continue
        citation = _citation(len(out) + 1, ref, directory, lang)
        if citation.url in seen:
            continue
        seen.add(citation.url)
        out.append(citation)
        if len(out) >= MAX_CITATIONS:
            break
    return out


def _abstain(
    query: str,
    lang: str,
    *,
    topic: str,
    confidence: float,
    directory: Directory,
    notice: str = "",
    hits: list[Hit] | None = None,
) -> Answer:
    contact = contact_for(query, department_id=None, lang=lang, directory=directory)
    text = _msg(lang, "unknown") + " " + _msg(lang, "ask", name=contact.name)
    answer = Answer("abstained", text, lang, [], contact, notice, confidence, topic)
    answer.suggestions = _suggestions(hits or [], query, lang, directory)
    return answer


def _pick(hits: list[Hit]) -> list[Hit]:
    """The sources to answer from, primary first, or [] when none is good enough.

    Among the best documents (within RELATED_AT of the top score) only those that cover the question's
    topic count. A live fact close to the best (FACT_WINS_AT) answers first, with the other facts nearly
    as good (window and kiosk fees together), because its value is current; a curated FAQ entry within
    FAQ_WINS_AT of the best passage is preferred to the passage. Other sources follow as related
    citations, one per page.
    """
    top = hits[0].score
    usable = answerable(hits)
    if not usable:
        return []
    facts = [h for h in usable if h.document.kind == "fact" and h.score >= FACT_WINS_AT * top]
    others = [h for h in usable if h.document.kind != "fact"]
    if facts:
        best = facts[0].score
        chosen = [h for h in facts if h.score >= FACTS_TOGETHER * best][:MAX_CITATIONS]
        return chosen + others[: max(0, MAX_CITATIONS + 1 - len(chosen))][:1]
    if not others:
        return []
    primary = others[0]
    if primary.document.kind == "page":
        primary = next(
            (h for h in others if h.document.kind == "faq" and h.score >= FAQ_WINS_AT * top), primary
        )
    chosen = [primary]
    seen = {primary.document.payload.url or primary.document.key}
    for h in others:
        where = h.document.payload.url or h.document.key
        if h is primary or where in seen:
            continue
        chosen.append(h)
        seen.add(where)
        if len(chosen) >= MAX_CITATIONS:
            break
    return chosen


def compose(question: str, *, lang: str = "ja", previous: Previous | None = None) -> Answer:
    lang = lang if lang in LANGS else "ja"
    query = question.strip()
    notice = ""
    index, directory = current()
    if previous is not None and previous.keys and is_followup(query):
        return _more(previous, lang, index, directory)
    if lang == "en" or english.is_english(query):
        ja_words, understood = english.to_japanese(query)
        if not understood:
            contact = _general_contact("en")
            text = _msg("en", "english_unmatched") + " " + _msg("en", "ask", name=contact.name)
            return Answer("abstained", text, "en", [], contact, "", 0.0, query[:100])
        query = ja_words
        lang = "en"
        notice = _msg("en", "english_japanese")
    hits = index.search(query, k=10)
    chosen = _pick(hits) if hits else []
    if previous is not None and previous.question:
        topical = [w for w in analyse.words(query) if w not in analyse.GENERIC]
        # Only a short question (「手数料は？」「何時まで？」) is read with the previous one: a new
        # topic that the content does not cover must not borrow the previous topic's answer.
        if len(topical) <= 1:
            combined = index.search(f"{previous.question} {query}", k=10)
            chosen_combined = _pick(combined) if combined else []
            if chosen_combined:
                hits, chosen = combined, chosen_combined
                query = f"{previous.question} {query}"
    topic = topic_of(query, index)
    confidence = hits[0].coverage if hits else 0.0
    if not chosen:
        return _abstain(query, lang, topic=topic, confidence=confidence, directory=directory, hits=hits)
    qwords = analyse.words(query)
    citations: list[Citation] = []
    lines: list[str] = []
    status = "answered"
    known = live_facts.facts(lang) if any(h.document.kind == "fact" for h in chosen) else {}
    for hit in chosen:
        ref: Ref = hit.document.payload
        number = len(citations) + 1
        if ref.kind == "fact":
            fact = known.get(str(ref.pk))
            if fact is None:
                continue  # the module that published it was switched off since the index was built
            if not lines:
                status = "fact"
            citations.append(
                _citation(number, Ref("fact", ref.pk, ref.url, fact.label, "", "", None), directory, lang)
            )
            lines.append(_msg(lang, "fact", label=fact.label, value=fact.value) + f"[{number}]")
        elif not lines:
            citations.append(_citation(number, ref, directory, lang))
            lines.append(snippet(ref.text, qwords, index, SNIPPET_CHARS[lang]) + f"[{number}]")
        else:
            citations.append(_citation(number, ref, directory, lang))  # related: cited, not quoted
    if not lines:
        return _abstain(query, lang, topic=topic, confidence=confidence, directory=directory)
    primary: Ref = chosen[0].document.payload
    contact = contact_for(query, department_id=primary.department_id, lang=lang, directory=directory)
    answer = Answer(status, "\n".join(lines), lang, citations, contact, notice, confidence, topic)
    if llm.configured() and status == "answered":
        generated = llm.generate(question, [h.document.payload for h in chosen], lang=lang)
        if generated is not None:
            if generated.refused:
                return _abstain(
                    query, lang, topic=topic, confidence=confidence, directory=directory, notice=notice
                )
            answer.text = generated.text
            answer.generated = True
    return answer


def _more(previous: Previous, lang: str, index: SearchIndex, directory: Directory) -> Answer:
    """「もっと詳しく」: the previous answer's first source (not a fact) in full, and the passage that
    follows it on the same page."""
    docs = (index.by_key.get(key) for key in previous.keys)
    doc = next((d for d in docs if d is not None and d.kind != "fact"), None)
    if doc is None:
        contact = contact_for(previous.question, department_id=None, lang=lang, directory=directory)
        text = _msg(lang, "more_none") + " " + _msg(lang, "ask", name=contact.name)
        return Answer("abstained", text, lang, [], contact, "", 0.0, "")
    ref: Ref = doc.payload
    body = ref.text
    if ref.kind == "page" and ref.page_id is not None:
        following = (
            Passage.objects.filter(page_id=ref.page_id, position=ref.position + 1)
            .values_list("text", flat=True)
            .first()
        )
        if following:
            body = f"{body}\n{following}"
    contact = contact_for(previous.question, department_id=ref.department_id, lang=lang, directory=directory)
    notice = _msg("en", "english_japanese") if lang == "en" else ""
    citations = [_citation(1, ref, directory, lang)]
    return Answer("answered", f"{body}[1]", lang, citations, contact, notice, 1.0, "")

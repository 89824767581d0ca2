"""Demo data of the assistant: the demo city's departments, its curated FAQ, and its website (the
fictional pages in ``demo_site/``, served at /city/ in development) as a folder source, synced once.
Idempotent: loading again updates what is there."""

import json
from pathlib import Path
from typing import Any

from django.db import transaction

from yakuba.assistant.models import Department, Faq, IndexState, Source

DEMO_SITE = Path(__file__).resolve().parent / "demo_site"
DEMO_SOURCE = "一ノ森市ホームページ（デモ）"


def _read(name: str) -> Any:
    with open(DEMO_SITE / name, encoding="utf-8") as handle:
        return json.load(handle)


@transaction.atomic
def load_content() -> Source:
    departments = {}
    for row in _read("departments.json"):
        department, _created = Department.objects.update_or_create(
            name=row["name"],
            defaults={k: row.get(k, "") for k in ("phone", "email", "hours", "topics")},
        )
        departments[department.name] = department
    for row in _read("faq.json"):
        Faq.objects.update_or_create(
            question=row["question"],
            defaults={
                "answer": row["answer"],
                "department": departments.get(row.get("department", "")),
                "url": f"/city/{row['page']}" if row.get("page") else "",
                "published": True,
                "updated_by": "demo",
            },
        )
    source, _created = Source.objects.update_or_create(
        name=DEMO_SOURCE,
        defaults={
            "kind": Source.Kind.FOLDER,
            "location": str(DEMO_SITE),
            "base_url": "/city/",
            "department": departments.get("総務課"),
            "active": True,
        },
    )
    IndexState.bump()
    return source


def demo_load(*, stdout: Any = None, **_: Any) -> None:
    from yakuba.assistant.ingest import sync_all

    source = load_content()
    for _source, result in sync_all(source_id=source.pk):
        if stdout is not None:
            stdout.write(f"assistant: {result.summary()}")

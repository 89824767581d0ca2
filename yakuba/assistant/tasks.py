"""Background work of the assistant: syncing the sources (the city's website) in the task worker.
Run nightly from cron with ``yakuba assistant sync``, or from the staff page's 「今すぐ同期」 button."""

from typing import Any

from django.conf import settings
from django.tasks import task


@task()
def sync_sources(*, source_id: int | None = None) -> list[dict[str, Any]]:
    from yakuba.assistant.ingest import sync_all

    return [
        {"source": source.pk, "summary": result.summary(), "failed": len(result.failed)}
        for source, result in sync_all(source_id=source_id)
    ]


def runs_in_a_worker() -> bool:
    """True when tasks go to a worker (not the immediate backend used in development)."""
    return "Immediate" not in str(settings.TASKS.get("default", {}).get("BACKEND", ""))

"""Background work of the register: file exchange with other systems (the standard's base mode).

A scheduler (cron, systemd timer) runs ``yakuba residents_export`` nightly or every few minutes; with
the database task backend the export runs in ``yakuba db_worker`` instead of the caller.
"""

import os
from pathlib import Path
from typing import Any

from django.tasks import task

from yakuba.core.audit import audit_record
from yakuba.residents import selectors
from yakuba.residents.api import csv_stream


@task()
def extract_export(*, path: str, since: int | None = None, with_mynumber: bool = False) -> dict[str, Any]:
    """Write a full extract (``since`` None) or a delta extract (changes after ``since``) as CSV in the
    documented layout. Writes to a temporary name and renames, so a reader never sees half a file.
    Returns the row count and the last change sequence included (the next delta's ``since``)."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    rows: Any
    if since is None:
        rows = selectors.extract_full(with_mynumber=with_mynumber)
    else:
        rows = selectors.extract_changes(since=since, limit=10**9, with_mynumber=with_mynumber)
    count = 0
    last_seq = since or 0

    def counted(source: Any) -> Any:
        nonlocal count, last_seq
        for row in source:
            count += 1
            last_seq = max(last_seq, row["seq"])
            yield row

    partial = target.with_name(target.name + ".part")
    with open(partial, "w", encoding="utf-8", newline="") as out:
        for line in csv_stream(counted(rows)):
            out.write(line)
    os.replace(partial, target)
    audit_record(
        actor="system:export",
        action="extract_full_file" if since is None else "extract_delta_file",
        target_type="residents",
        target_id=target.name,
        mynumber_shown=with_mynumber and count > 0,
        detail={"rows": count, "since": since},
    )
    return {"rows": count, "last_seq": last_seq, "path": str(target)}

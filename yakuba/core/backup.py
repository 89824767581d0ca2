"""Backups that round-trip: every table's rows (as Django serialised JSON lines, with natural keys
for users, groups and permissions) and the uploaded media files, in one ``.tar.gz``.

Encrypted columns stay encrypted: keep ``YAKUBA_FIELD_KEY`` somewhere other than the backup, or the
個人番号 in it can never be read again. On PostgreSQL, ``pg_dump`` is the faster tool for large
databases; this format also moves data between SQLite and PostgreSQL.
"""

import io
import tarfile
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management import call_command

DATA_NAME = "data.jsonl"
MEDIA_PREFIX = "media/"
# Rebuilt by migrate, or worthless after a restore.
EXCLUDED = ["contenttypes", "auth.permission", "sessions", "core.loginfailure", "django_tasks_database"]


def backup_create(path: Path) -> int:
    """Write the backup to ``path``; returns the number of media files included."""
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / DATA_NAME
        call_command(
            "dumpdata",
            natural_foreign=True,
            natural_primary=True,
            exclude=EXCLUDED,
            format="jsonl",
            output=str(data),
            verbosity=0,
        )
        media_root = Path(settings.MEDIA_ROOT)
        files = [p for p in media_root.rglob("*") if p.is_file()] if media_root.exists() else []
        with tarfile.open(path, "w:gz") as tar:
            tar.add(data, arcname=DATA_NAME)
            for file in files:
                tar.add(file, arcname=MEDIA_PREFIX + file.relative_to(media_root).as_posix())
    return len(files)


def backup_restore(path: Path) -> None:
    """Replace every table's rows with the backup's (after ``migrate``) and restore media files."""
    media_root = Path(settings.MEDIA_ROOT)
    with tarfile.open(path, "r:gz") as tar, tempfile.TemporaryDirectory() as tmp:
        member = tar.getmember(DATA_NAME)
        extracted = tar.extractfile(member)
        if extracted is None:
            raise ValueError("backup has no data")
        data = Path(tmp) / DATA_NAME
        data.write_bytes(extracted.read())
        call_command("flush", interactive=False, verbosity=0)
        call_command("loaddata", str(data), verbosity=0)
        for item in tar.getmembers():
            if not item.isfile() or not item.name.startswith(MEDIA_PREFIX):
                continue
            relative = Path(item.name[len(MEDIA_PREFIX) :])
            if relative.is_absolute() or ".." in relative.parts:
                raise ValueError(f"unsafe path in backup: {item.name}")
            target = media_root / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            source = tar.extractfile(item)
            if source is not None:
                target.write_bytes(io.BytesIO(source.read()).getvalue())

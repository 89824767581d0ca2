"""Benchmark of the resident register on a freshly loaded city.

    .venv/bin/python bench/residents.py [--residents 110000] [--seed 1] [--database-url URL] [--keep]

Creates a fresh SQLite database in a temporary directory (or uses ``--database-url``, which must
point at an EMPTY database: the script refuses one that already holds residents), runs
``yakuba migrate``, times ``yakuba demo --residents N``, runs ``yakuba bench residents --json`` and
prints every figure against its target, with the load time and the data used. Each step runs in a
subprocess of its own, so the figures are not skewed by the loader's memory or caches.

``DEBUG`` is off unless set in the environment (as in production: no query logging).
"""

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from table import print_table  # bench/table.py, beside this script

ROOT = Path(__file__).resolve().parent.parent

# figure: (label, unit, target text, check or None)
TARGETS: dict[str, tuple[str, str, str, Any]] = {
    "load_s": ("Load (yakuba demo)", "s", "< 180 s @110k", lambda v, f: f["residents"] > 110_000 or v < 180),
    "kana_prefix_search_p95_ms": ("Kana prefix search, p95 of 200", "ms", "< 30 ms", lambda v, f: v < 30),
    "household_page_p95_ms": ("Household page, p95 of 100", "ms", "< 50 ms", lambda v, f: v < 50),
    "household_page_queries": (
        "Household page queries, max",
        "",
        "constant",
        lambda v, f: v == f.get("household_page_queries_min"),
    ),
    "household_page_queries_min": ("Household page queries, min", "", "= max", None),
    "delta_extract_1000_ms": (
        "Delta extract 1,000 + JSON, median of 5",
        "ms",
        "< 1000 ms",
        lambda v, f: v < 1000,
    ),
    "full_extract_csv_s": ("Full extract as CSV (streamed)", "s", "< 30 s", lambda v, f: v < 30),
    "full_extract_rows": ("Full extract rows", "", "= residents", lambda v, f: v == f["residents"]),
    "full_extract_peak_rss_mb_delta": ("Full extract peak RSS growth", "MB", "bounded", None),
}
COUNTS = {"household_page_queries", "household_page_queries_min", "full_extract_rows"}

HAS_COMMANDS = """
import json
from django.core.management import get_commands
commands = get_commands()
print(json.dumps({"demo": "demo" in commands, "bench": "bench" in commands}))
"""
RESIDENT_COUNT = """
from yakuba.residents.models import Resident
print(Resident.objects.count())
"""
DEMO_FALLBACK = """
import sys
from yakuba.residents.demo import demo_load
demo_load(residents=int(sys.argv[1]), stdout=sys.stdout, seed=int(sys.argv[2]))
"""
BENCH_FALLBACK = """
import json, sys
from yakuba.residents.bench import bench_run
print(json.dumps(bench_run(stdout=sys.stderr), ensure_ascii=False))
"""
DATA_USED = """
import json, sqlite3, django
from django.db import connection
from yakuba.residents.models import Household, Kind, Resident, ResidentHistory, Status
data = {
    "residents": Resident.objects.count(),
    "living": Resident.objects.filter(status=Status.RESIDENT).count(),
    "foreign": Resident.objects.filter(kind=Kind.FOREIGN).count(),
    "households": Household.objects.count(),
    "active_households": Household.objects.filter(active=True).count(),
    "history_rows": ResidentHistory.objects.count(),
    "database": connection.vendor,
    "django": django.get_version(),
}
if connection.vendor == "sqlite":
    data["sqlite"] = sqlite3.sqlite_version
else:
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        data["server"] = cursor.fetchone()[0].split(",")[0]
print(json.dumps(data))
"""


def yakuba() -> list[str]:
    script = Path(sys.executable).parent / "yakuba"
    return [str(script)] if script.exists() else [sys.executable, "-m", "yakuba.cli"]


def django_python(code: str, *args: str) -> list[str]:
    setup = "import django\ndjango.setup()\n"
    return [sys.executable, "-c", setup + code, *args]


def run(cmd: list[str], env: dict[str, str], *, capture: bool = False) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(cmd, env=env, cwd=ROOT, text=True, stdout=subprocess.PIPE if capture else None)
    if result.returncode != 0:
        sys.exit(f"failed ({result.returncode}): {' '.join(cmd[:3])} ...")
    return result


def last_json(text: str) -> dict[str, Any]:
    """The last JSON object in a command's output (one line, or pretty-printed)."""
    lines = text.strip().splitlines()
    for start in range(len(lines) - 1, -1, -1):
        if lines[start].lstrip().startswith("{"):
            try:
                return json.loads("\n".join(lines[start:]))
            except json.JSONDecodeError:
                continue
    raise SystemExit(f"no JSON object in the output:\n{text[-2000:]}")


def masked(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urlunsplit(parts._replace(netloc=netloc))
    return url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--residents", type=int, default=110_000, help="residents to load (default 110000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", help="an EMPTY database to use instead of a temporary SQLite file")
    parser.add_argument("--keep", action="store_true", help="keep the temporary SQLite database")
    args = parser.parse_args()

    tmpdir = None
    if args.database_url:
        url = args.database_url
    else:
        tmpdir = tempfile.mkdtemp(prefix="yakuba-bench-")
        url = f"sqlite:///{Path(tmpdir) / 'bench.sqlite3'}"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "yakuba.settings", "DATABASE_URL": url}
    env.setdefault("DEBUG", "0")
    try:
        print(f"Database: {masked(url)}")
        run([*yakuba(), "migrate", "--verbosity", "0"], env)
        existing = int(run(django_python(RESIDENT_COUNT), env, capture=True).stdout.strip())
        if existing:
            sys.exit(f"refusing: the database already holds {existing:,} residents (it must be empty)")
        commands = json.loads(run(django_python(HAS_COMMANDS), env, capture=True).stdout)

        print(f"Loading {args.residents:,} residents (seed {args.seed}) ...")
        if commands["demo"]:
            load_cmd = [*yakuba(), "demo", "--residents", str(args.residents), "--seed", str(args.seed)]
        else:
            load_cmd = django_python(DEMO_FALLBACK, str(args.residents), str(args.seed))
        started = time.perf_counter()
        run(load_cmd, env)
        load_s = round(time.perf_counter() - started, 1)

        print("Running the benchmarks ...")
        if commands["bench"]:
            out = run([*yakuba(), "bench", "residents", "--json"], env, capture=True).stdout
        else:
            out = run(django_python(BENCH_FALLBACK), env, capture=True).stdout
        figures = {**last_json(out), "load_s": load_s}
        data = json.loads(run(django_python(DATA_USED), env, capture=True).stdout)
        if url.startswith("sqlite") and tmpdir:
            data["sqlite_file_mb"] = round((Path(tmpdir) / "bench.sqlite3").stat().st_size / 2**20, 1)

        print()
        print(
            f"Data: {data['residents']:,} residents ({data['living']:,} living, {data['foreign']:,} foreign) in "
            f"{data['households']:,} households ({data['active_households']:,} active), "
            f"{data['history_rows']:,} history rows, seed {args.seed}"
        )
        engine = data.get("server") or f"SQLite {data.get('sqlite')}"
        size = f", file {data['sqlite_file_mb']} MB" if "sqlite_file_mb" in data else ""
        print(
            f"On: {engine}{size}; Django {data['django']}; Python {platform.python_version()}; "
            f"{platform.machine()} {os.cpu_count()} CPUs; DEBUG={env['DEBUG']}; "
            f"load via {'yakuba demo' if commands['demo'] else 'demo_load()'} (includes process start)"
        )
        print()
        ok = print_table(
            {**figures, "residents": figures.get("residents", data["residents"])}, TARGETS, counts=COUNTS
        )
        print()
        print("All targets met." if ok else "Some targets were MISSED.")
        if args.keep and tmpdir:
            print(f"Database kept: {masked(url)}")
    finally:
        if tmpdir and not args.keep:
            shutil.rmtree(tmpdir, ignore_errors=True)


if __name__ == "__main__":
    main()

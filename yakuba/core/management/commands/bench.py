"""``yakuba bench MODULE [--json]``: run a module's benchmarks on the current database."""

import io
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.module_loading import import_string

from yakuba.core import registry


class Command(BaseCommand):
    help = "Run a module's benchmarks on the current database and print the figures."

    def add_arguments(self, parser: CommandParser) -> None:
        names = [m.name for m in registry.manifests() if m.bench]
        parser.add_argument("module", choices=names)
        parser.add_argument("--json", action="store_true", help="print one JSON object of figures")

    def handle(self, *args: Any, **options: Any) -> None:
        manifest = registry.manifest(options["module"])
        if manifest is None or not manifest.bench:
            raise CommandError(f"module {options['module']!r} has no benchmarks")
        bench = import_string(manifest.bench)
        try:
            if options["json"]:
                figures = bench(stdout=io.StringIO())
                self.stdout.write(json.dumps(figures, ensure_ascii=False))
            else:
                bench(stdout=self.stdout)
        except RuntimeError as exc:
            # The benchmark's own refusal (e.g. too few residents to measure): a message, not a traceback.
            raise CommandError(str(exc)) from exc

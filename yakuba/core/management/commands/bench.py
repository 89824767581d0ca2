"""``yakuba bench MODULE [--json]``: run a module's benchmarks on the current database."""

import inspect
import io
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.module_loading import import_string

from yakuba.core import registry


class Command(BaseCommand):
    help = "Run a module's benchmarks on the current database and print the figures."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", choices=sorted(registry.benches()))
        parser.add_argument("--json", action="store_true", help="print one JSON object of figures")
        parser.add_argument(
            "--seconds", type=float, default=None, help="how long to run (benchmarks that loop)"
        )
        parser.add_argument(
            "--records", type=int, default=None, help="how many records (benchmarks that take a size)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        bench = import_string(registry.benches()[options["name"]])
        extra: dict[str, Any] = {"seconds": options["seconds"]} if options["seconds"] is not None else {}
        if options["records"] is not None:
            if "records" not in inspect.signature(bench).parameters:
                raise CommandError(f"{options['name']} does not take --records")
            if options["records"] < 1:
                raise CommandError("--records must be at least 1")
            extra["records"] = options["records"]
        try:
            if options["json"]:
                figures = bench(stdout=io.StringIO(), **extra)
                self.stdout.write(json.dumps(figures, ensure_ascii=False))
            else:
                bench(stdout=self.stdout, **extra)
        except RuntimeError as exc:
            # The benchmark's own refusal (e.g. too few residents to measure): a message, not a traceback.
            raise CommandError(str(exc)) from exc

"""The table every benchmark script prints: figure, value, target, and whether it was met."""

from collections.abc import Callable, Collection, Mapping
from typing import Any

# key -> (label, unit, target text, check(value, all figures) -> bool, or None for information only)
Targets = Mapping[str, tuple[str, str, str, Callable[[float, dict[str, Any]], bool] | None]]


def print_table(figures: dict[str, Any], targets: Targets, *, counts: Collection[str] = ()) -> bool:
    """Print the figures named in ``targets`` (in its order); return whether every check passed."""
    ok = True
    print(f"{'figure':<42} {'value':>14}  {'target':<13} result")
    print("-" * 80)
    for key, (label, unit, target, check) in targets.items():
        if key not in figures:
            continue
        value = figures[key]
        shown = f"{int(value):,}" if key in counts else f"{value:,.2f}"
        verdict = ""
        if check is not None:
            passed = bool(check(value, figures))
            ok = ok and passed
            verdict = "ok" if passed else "MISSED"
        print(f"{label:<42} {shown + (' ' + unit if unit else ''):>14}  {target:<13} {verdict}")
    return ok

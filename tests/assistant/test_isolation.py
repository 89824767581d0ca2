"""ARCHITECTURE.md rule 4: the assistant faces the internet and never reads personal data. It may use
the core (registry, settings, kana) and its own code, nothing of the modules that hold residents,
certificates, payments, tax records or association members; and it runs with every one of them
switched off."""

import ast
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ASSISTANT = ROOT / "yakuba" / "assistant"
PERSONAL = (
    "yakuba.residents",
    "yakuba.cardsim",
    "yakuba.certificates",
    "yakuba.payments",
    "yakuba.tax",
    "yakuba.kairan",
)
ALLOWED = ("yakuba.assistant", "yakuba.core")


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) in {
            "import_module",
            "import_string",
            "get_model",
        }:
            for arg in node.args:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    names.append(arg.value)
    return names


def test_the_assistant_imports_nothing_that_holds_personal_data():
    offending = []
    for path in sorted(ASSISTANT.rglob("*.py")):
        for name in _imports(path):
            inside = name.startswith("yakuba.") or name in {
                "residents",
                "certificates",
                "payments",
                "tax",
                "kairan",
            }
            if inside and not name.startswith(ALLOWED):
                offending.append(f"{path.relative_to(ROOT)}: {name}")
    assert offending == []


def test_the_assistant_answers_with_every_personal_data_module_switched_off(tmp_path):
    # A process of its own, with only the assistant installed: it migrates, loads its content, answers,
    # and none of the personal-data modules has been imported at the end.
    script = f"""
import sys, django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from yakuba.assistant.demo import load_content
from yakuba.assistant.answer import compose
load_content()
answer = compose("保育料はいつ引き落とされますか")
assert answer.status == "answered", answer
loaded = [m for m in sys.modules if m.startswith({PERSONAL!r})]
assert loaded == [], loaded
print("ok", answer.citations[0].title)
"""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "yakuba.settings",
        "YAKUBA_MODULES": "assistant",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.startswith("ok 保育料はいつ引き落とされますか")

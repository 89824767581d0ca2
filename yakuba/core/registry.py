"""The module registry: each module declares itself once in a manifest, and the core reads the
registry without importing any module (see docs/adding-a-module.md).

A manifest names the module's navigation entries, its roles (Django groups and the permissions they
grant), its KPI statistics, its public facts (safe to show anyone, e.g. to the assistant), its JSON API
router, its demo seeding, and its benchmarks.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps


@dataclass(frozen=True)
class NavEntry:
    label: Any  # a lazy translation
    url_name: str
    permission: str | None = None


@dataclass(frozen=True)
class Kpi:
    key: str
    label: Any
    value: float | int
    unit: Any = ""  # a lazy translation


@dataclass(frozen=True)
class PublicFact:
    key: str
    label: Any
    value: str


@dataclass(frozen=True)
class ModuleManifest:
    name: str
    verbose_name: Any
    urls: str | None = None  # dotted path of the module's staff URLconf
    url_prefix: str = ""
    api_router: str | None = None  # dotted path of a ninja Router
    api_prefix: str = ""
    nav: tuple[NavEntry, ...] = ()
    roles: dict[str, tuple[str, ...]] = field(default_factory=dict)  # role name -> "app.codename" permissions
    kpis: Callable[[], list[Kpi]] | None = None
    public_facts: Callable[[], list[PublicFact]] | None = None
    # Dotted paths, imported only when used: seed(*, residents, stdout, seed) for `yakuba demo`;
    # benches maps a name to bench(*, stdout, seconds) -> dict of figures, for `yakuba bench <name>`.
    seed: str | None = None
    benches: dict[str, str] = field(default_factory=dict)


_manifests: dict[str, ModuleManifest] = {}


def register(manifest: ModuleManifest) -> None:
    _manifests[manifest.name] = manifest


def manifests() -> list[ModuleManifest]:
    """Registered manifests of installed modules, in INSTALLED_APPS order."""
    order = [config.label for config in apps.get_app_configs()]
    return sorted(
        (m for m in _manifests.values() if apps.is_installed(f"yakuba.{m.name}")),
        key=lambda m: order.index(m.name) if m.name in order else len(order),
    )


def benches() -> dict[str, str]:
    return {name: path for m in manifests() for name, path in m.benches.items()}


def nav_entries(user: Any) -> list[NavEntry]:
    return [
        entry
        for m in manifests()
        for entry in m.nav
        if entry.permission is None or (user is not None and user.has_perm(entry.permission))
    ]


def public_facts() -> list[PublicFact]:
    return [fact for m in manifests() if m.public_facts for fact in m.public_facts()]


def kpis() -> list[Kpi]:
    return [kpi for m in manifests() if m.kpis for kpi in m.kpis()]


def roles() -> dict[str, set[str]]:
    """Role name -> permissions, merged over all installed modules (a role may span modules)."""
    merged: dict[str, set[str]] = {}
    for m in manifests():
        for role, perms in m.roles.items():
            merged.setdefault(role, set()).update(perms)
    return merged

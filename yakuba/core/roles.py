"""Roles are Django groups whose permissions come from the module manifests (one place per module)."""

from typing import Any

from django.contrib.auth.models import Group, Permission

from yakuba.core import registry

# Roles of the core itself.
CORE_ROLES: dict[str, tuple[str, ...]] = {
    "システム管理者": (
        "core.view_municipality",
        "core.change_municipality",
        "core.view_closedday",
        "core.add_closedday",
        "core.change_closedday",
        "core.delete_closedday",
        "core.view_staffuser",
        "core.add_staffuser",
        "core.change_staffuser",
        "auth.view_group",
        "auth.change_group",
        "core.view_apiclient",
        "core.add_apiclient",
        "core.change_apiclient",
        # Resetting a lost authenticator: delete the device, the person enrols again at next login.
        "otp_totp.view_totpdevice",
        "otp_totp.delete_totpdevice",
    ),
    "監査担当": ("core.view_auditentry",),
}


def roles_sync(**_kwargs: Any) -> None:
    """Create or update one group per role with exactly the permissions the manifests declare."""
    wanted: dict[str, set[str]] = registry.roles()
    for role, core_perms in CORE_ROLES.items():
        wanted.setdefault(role, set()).update(core_perms)
    for role, perms in wanted.items():
        group, _created = Group.objects.get_or_create(name=role)
        objs = []
        for perm in sorted(perms):
            app_label, codename = perm.split(".", 1)
            found = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
            if found is not None:
                objs.append(found)
        group.permissions.set(objs)

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "yakuba.core"
    label = "core"
    verbose_name = _("基盤")

    def ready(self) -> None:
        from yakuba.core import registry
        from yakuba.core.manifest import public_facts
        from yakuba.core.roles import roles_sync

        registry.register(
            registry.ModuleManifest(name="core", verbose_name=_("基盤"), public_facts=public_facts)
        )

        # Groups follow the manifests after every migrate (new modules, changed permissions).
        post_migrate.connect(roles_sync, dispatch_uid="yakuba_roles_sync")

from typing import Any

from django.apps import AppConfig, apps
from django.utils.translation import gettext_lazy as _


class CardsimConfig(AppConfig):
    name = "yakuba.cardsim"
    label = "cardsim"
    verbose_name = _("マイナンバーカード（模擬）")

    def ready(self) -> None:
        from yakuba.cardsim import interface
        from yakuba.core import events, registry

        registry.register(
            registry.ModuleManifest(
                name="cardsim",
                verbose_name=_("マイナンバーカード（模擬）"),
                # The window (窓口) unlocks cards after three wrong PINs.
                roles={"窓口担当": (interface.UNLOCK_PERMISSION,)},
                seed="yakuba.cardsim.demo.demo_load",
            )
        )
        if apps.is_installed("yakuba.residents"):
            from yakuba.residents.interface import ResidentDied, ResidentMovedOut

            events.subscribe(ResidentMovedOut, _on_moved_out)
            events.subscribe(ResidentDied, _on_died)


# Module-level functions (not closures), so that subscribe() recognises them when ready() runs again.
def _on_moved_out(event: Any) -> None:
    """転出: revoke every card of the people who left (idempotent: revoked cards stay as they are)."""
    from yakuba.cardsim import services

    for atena_no in event.atena_nos:
        services.card_revoke(atena_no=atena_no, reason=services.REASON_MOVED_OUT)


def _on_died(event: Any) -> None:
    from yakuba.cardsim import services

    services.card_revoke(atena_no=event.atena_no, reason=services.REASON_DIED)

from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificatesConfig(AppConfig):
    name = "yakuba.certificates"
    label = "certificates"
    verbose_name = _("証明書")

    def ready(self) -> None:
        from yakuba.certificates import access
        from yakuba.certificates.manifest import kpis, public_facts
        from yakuba.core import registry

        staff = (access.ISSUE, access.SEAL, access.VIEW_ISSUANCE)
        registry.register(
            registry.ModuleManifest(
                name="certificates",
                verbose_name=_("証明書"),
                urls="yakuba.certificates.urls",
                url_prefix="",
                api_router="yakuba.certificates.api.router",
                api_prefix="certificates",
                nav=(
                    registry.NavEntry(_("証明書の発行"), "certificates:window", access.ISSUE),
                    registry.NavEntry(_("印鑑登録"), "certificates:seals", access.SEAL),
                ),
                roles={"窓口担当": staff, "決裁者": staff},
                kpis=kpis,
                public_facts=public_facts,
                seed="yakuba.certificates.demo.demo_load",
                benches={"kiosk": "yakuba.certificates.bench.bench_run"},
            )
        )
        from django.apps import apps

        if apps.is_installed("yakuba.payments"):
            from yakuba.core import events
            from yakuba.payments.interface import PaymentCaptured, PaymentVoided

            events.subscribe(PaymentCaptured, _on_payment_captured)
            events.subscribe(PaymentVoided, _on_payment_voided)


# Module-level functions (not closures), so that subscribe() recognises them when ready() runs again.
def _on_payment_captured(event: Any) -> None:
    """The register collected a window fee: the certificate is paid (idempotent)."""
    from yakuba.certificates import services

    for charge in event.charges:
        if charge.source == "certificates":
            services.issuance_mark_paid(number=charge.ref, reference=event.payment_number)


def _on_payment_voided(event: Any) -> None:
    from yakuba.certificates import services

    for charge in event.charges:
        if charge.source == "certificates":
            services.issuance_mark_due(number=charge.ref, reference=event.payment_number)

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

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TaxConfig(AppConfig):
    name = "yakuba.tax"
    label = "tax"
    verbose_name = _("課税データ")

    def ready(self) -> None:
        from yakuba.core import registry
        from yakuba.tax import access
        from yakuba.tax.manifest import kpis

        registry.register(
            registry.ModuleManifest(
                name="tax",
                verbose_name=_("課税データ"),
                urls="yakuba.tax.urls",
                url_prefix="tax/",
                nav=(registry.NavEntry(_("課税データの取込み"), "tax:import", access.IMPORT),),
                roles={"税務担当": (access.IMPORT, access.VIEW)},
                kpis=kpis,
                seed="yakuba.tax.demo.demo_load",
            )
        )

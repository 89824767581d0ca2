from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResidentsConfig(AppConfig):
    name = "yakuba.residents"
    label = "residents"
    verbose_name = _("住民記録")

    def ready(self) -> None:
        from yakuba.core import registry
        from yakuba.residents import access
        from yakuba.residents.manifest import kpis

        registry.register(
            registry.ModuleManifest(
                name="residents",
                verbose_name=_("住民記録"),
                urls="yakuba.residents.urls",
                url_prefix="residents/",
                api_router="yakuba.residents.api.router",
                api_prefix="residents",
                nav=(
                    registry.NavEntry(_("住民検索"), "residents:search", access.VIEW),
                    registry.NavEntry(_("転入の入力"), "residents:move_in", access.ENTER),
                    registry.NavEntry(_("決裁待ちの異動"), "residents:idou_list", access.VIEW),
                ),
                roles={
                    "窓口担当": (access.VIEW, access.ENTER),
                    "決裁者": (access.VIEW, access.ENTER, access.APPROVE),
                    "個人番号閲覧": (access.SENSITIVE,),
                    "連携管理": (access.VIEW, access.EXTRACT),
                },
                kpis=kpis,
                seed="yakuba.residents.demo.demo_load",
                benches={"residents": "yakuba.residents.bench.bench_run"},
            )
        )

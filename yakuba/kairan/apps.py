from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KairanConfig(AppConfig):
    name = "yakuba.kairan"
    label = "kairan"
    verbose_name = _("回覧板")

    def ready(self) -> None:
        from yakuba.core import registry

        registry.register(
            registry.ModuleManifest(
                name="kairan",
                verbose_name=_("回覧板"),
                urls="yakuba.kairan.urls",
                url_prefix="",
                nav=(
                    registry.NavEntry(_("自治会の登録"), "kairan:associations", "kairan.manage_associations"),
                ),
                roles={"地域振興担当": ("kairan.manage_associations", "kairan.view_association")},
                seed="yakuba.kairan.demo.demo_load",
                benches={"kairan": "yakuba.kairan.bench.bench_kairan"},
            )
        )

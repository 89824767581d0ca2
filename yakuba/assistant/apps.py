from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssistantConfig(AppConfig):
    name = "yakuba.assistant"
    label = "assistant"
    verbose_name = _("AIアシスタント")

    def ready(self) -> None:
        from yakuba.assistant import access
        from yakuba.assistant.manifest import kpis
        from yakuba.core import registry

        registry.register(
            registry.ModuleManifest(
                name="assistant",
                verbose_name=_("AIアシスタント"),
                urls="yakuba.assistant.urls",
                url_prefix="",
                api_router="yakuba.assistant.api.router",
                api_prefix="assistant",
                nav=(
                    registry.NavEntry(_("AIアシスタントのFAQ"), "assistant:faq_list", access.MANAGE),
                    registry.NavEntry(_("AIアシスタントの情報源"), "assistant:source_list", access.MANAGE),
                    registry.NavEntry(_("AIアシスタントへの質問の分析"), "assistant:report", access.REPORT),
                ),
                roles={"広報担当": (access.MANAGE, access.REPORT)},
                kpis=kpis,
                seed="yakuba.assistant.demo.demo_load",
                benches={"assistant": "yakuba.assistant.bench.bench_assistant"},
            )
        )

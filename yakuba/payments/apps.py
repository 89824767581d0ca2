from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "yakuba.payments"
    label = "payments"
    verbose_name = _("収納")

    def ready(self) -> None:
        from django.apps import apps

        from yakuba.core import events, registry
        from yakuba.payments import access
        from yakuba.payments.manifest import kpis, public_facts

        registry.register(
            registry.ModuleManifest(
                name="payments",
                verbose_name=_("収納"),
                urls="yakuba.payments.urls",
                url_prefix="",
                api_router="yakuba.payments.api.router",
                api_prefix="payments",
                nav=(
                    registry.NavEntry(_("レジ"), "payments:register", access.REGISTER),
                    registry.NavEntry(_("日計"), "payments:close", access.CLOSE),
                    registry.NavEntry(_("手数料表"), "payments:fees", access.FEES),
                    registry.NavEntry(
                        _("キャッシュレスの費用試算"), "payments:cost_model", access.COST_MODEL
                    ),
                    registry.NavEntry(_("保育料の口座振替"), "payments:childcare", access.CHILDCARE),
                ),
                roles={
                    "窓口担当": (access.REGISTER,),
                    "決裁者": (access.REGISTER, access.VOID),
                    "会計管理者": (
                        access.REGISTER,
                        access.VOID,
                        access.CLOSE,
                        access.FEES,
                        access.COST_MODEL,
                    ),
                    "保育担当": (access.CHILDCARE,),
                    "システム管理者": tuple(
                        f"payments.{verb}_{model}"
                        for model in ("feeitem", "campaignprice", "exemption", "drawer", "facility")
                        for verb in ("view", "add", "change")
                    ),
                },
                kpis=kpis,
                public_facts=public_facts,
                seed="yakuba.payments.demo.demo_load",
                benches={
                    "register": "yakuba.payments.bench_register.bench_register",
                    "debit": "yakuba.payments.bench.bench_debit",
                },
            )
        )
        if apps.is_installed("yakuba.certificates"):
            from yakuba.certificates.interface import CertificateIssued, CertificateVoided

            events.subscribe(CertificateIssued, on_certificate_issued)
            events.subscribe(CertificateVoided, on_certificate_voided)


# Module-level functions (not closures), so that subscribe() recognises them when ready() runs again.
def on_certificate_issued(event: object) -> None:
    from yakuba.payments import services

    if getattr(event, "channel", "") != "window" or getattr(event, "payment", "") != "due":
        return
    fee = int(getattr(event, "fee", 0))
    if fee <= 0:
        return
    code = str(getattr(event, "type", ""))
    services.charge_request(
        source="certificates",
        ref=str(getattr(event, "number", "")),
        item_code=f"cert.{code}",
        description="",
        amount=fee,
    )


def on_certificate_voided(event: object) -> None:
    from yakuba.payments import services

    services.charge_cancel(source="certificates", ref=str(getattr(event, "number", "")))

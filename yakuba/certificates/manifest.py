"""KPIs and public facts of the certificates module (fees and kiosk hours are public)."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from yakuba.core.registry import Kpi, PublicFact


def kpis() -> list[Kpi]:
    from yakuba.certificates.models import Issuance

    today = timezone.localdate()
    issued = Issuance.objects.filter(issued_at__date=today).exclude(state=Issuance.State.VOIDED)
    return [
        Kpi(
            "certificates.today_window",
            _("本日の窓口発行"),
            issued.filter(channel="window").count(),
            pgettext_lazy("unit", "件"),
        ),
        Kpi(
            "certificates.today_kiosk",
            _("本日のコンビニ交付"),
            issued.filter(channel="kiosk").count(),
            pgettext_lazy("unit", "件"),
        ),
    ]


def public_facts() -> list[PublicFact]:
    from yakuba.certificates.models import CertificateType
    from yakuba.certificates.services import certificate_fee

    facts = []
    for kind in CertificateType.objects.order_by("pk"):
        facts.append(
            PublicFact(
                f"certificates.{kind.code}.window_fee",
                _("%(name)sの窓口手数料") % {"name": kind},
                f"{certificate_fee(kind, 'window')}円",
            )
        )
        if kind.kiosk_available:
            facts.append(
                PublicFact(
                    f"certificates.{kind.code}.kiosk_fee",
                    _("%(name)sのコンビニ交付手数料") % {"name": kind},
                    f"{certificate_fee(kind, 'kiosk')}円",
                )
            )
            facts.append(
                PublicFact(
                    f"certificates.{kind.code}.kiosk_hours",
                    _("%(name)sのコンビニ交付の利用時間") % {"name": kind},
                    f"{kind.kiosk_opens:%-H:%M}〜{kind.kiosk_closes:%-H:%M}（12月29日〜1月3日を除く）",
                )
            )
    return facts

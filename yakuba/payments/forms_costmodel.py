"""The form of the cashless cost model page (``views_costmodel``): the main :class:`CostInputs` figures,
money in yen and shares and rates in percent, plus the option to take the volume, the average payment,
the uptake and the method mix from the city's own payments.

Numbers are read the way people type them in Japan: full-width digits (``１２０，０００``), full-width
punctuation, thousands separators and spaces are accepted (``yakuba.core.forms``). The inputs are
text boxes with ``inputmode`` rather than ``type="number"``, which would refuse full-width digits."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms
from django.forms.boundfield import BoundField
from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from yakuba.core.forms import FullWidthDecimalField, FullWidthIntegerField
from yakuba.payments.costmodel import CostInputs

_DEFAULTS = CostInputs()

MAX_HISTORY_DAYS = 3_650
DEFAULT_HISTORY_DAYS = 90


def decimal_text(value: float, *, scale: int = 1) -> str:
    """The float as written, times ``scale``, without trailing zeros: ``decimal_text(0.022, scale=100)``
    is ``"2.2"``, ``decimal_text(3.0)`` is ``"3"``."""
    exact = (Decimal(repr(float(value))) * scale).quantize(Decimal("0.001")).normalize()
    return f"{exact:f}"


def percent_initial(fraction: float) -> str:
    """``0.022`` → ``"2.2"``; ``0.3`` → ``"30"``."""
    return decimal_text(fraction, scale=100)


class WholeNumberField(FullWidthIntegerField):
    """A whole number typed in a text box; full-width digits, thousands separators and spaces are fine."""

    def __init__(self, *, label: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 0)
        super().__init__(label=label, size=12, named_errors=True, drop_spaces=True, **kwargs)


class DecimalNumberField(FullWidthDecimalField):
    """A number with a decimal part (minutes, coins, percent) typed in a text box."""

    def __init__(self, *, label: Any, decimal_places: int = 3, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", Decimal(0))
        super().__init__(
            label=label, decimal_places=decimal_places, size=8, named_errors=True, drop_spaces=True, **kwargs
        )


def _percent_field(label: Any, help_text: Promise, fraction: float) -> DecimalNumberField:
    return DecimalNumberField(
        label=label, help_text=help_text, max_value=Decimal(100), initial=percent_initial(fraction)
    )


@dataclass(frozen=True)
class FieldGroup:
    """A few fields under one ``<fieldset>``; shaped like a form for ``core/_fields.html``."""

    legend: str
    visible_fields: list[BoundField]
    hidden_fields: tuple[()] = ()
    non_field_errors: tuple[()] = ()


class CostModelForm(forms.Form):
    """The inputs of :class:`CostInputs` the page lets the city change. The coin deposit tariff keeps its
    default (the page shows it)."""

    yearly_transactions = WholeNumberField(
        label=_("窓口での年間の支払件数"),
        help_text=_("現金とキャッシュレスを合わせた1年間の件数です。"),
        initial=_DEFAULTS.yearly_transactions,
        max_value=10_000_000,
    )
    average_payment_yen = WholeNumberField(
        label=_("1件あたりの平均の支払額（円）"),
        help_text=_("住民票の写しや印鑑登録証明書の手数料なら300円程度です。"),
        initial=_DEFAULTS.average_payment_yen,
        max_value=10_000_000,
    )
    card_share = _percent_field(
        _("キャッシュレスのうちクレジットカード等の割合（%）"),
        _("3つの割合の合計を100にしてください。"),
        _DEFAULTS.card_share,
    )
    emoney_share = _percent_field(
        _("キャッシュレスのうち電子マネーの割合（%）"),
        _("交通系ICカードなど。"),
        _DEFAULTS.emoney_share,
    )
    qr_share = _percent_field(
        _("キャッシュレスのうちQRコード決済の割合（%）"),
        _("少額の支払ではQRコード決済が多い傾向があります。"),
        _DEFAULTS.qr_share,
    )
    card_fee_rate = _percent_field(
        _("クレジットカード等の決済手数料率（%）"),
        _("決済事業者との契約の料率です。例：2.2"),
        _DEFAULTS.card_fee_rate,
    )
    emoney_fee_rate = _percent_field(
        _("電子マネーの決済手数料率（%）"),
        _("決済事業者との契約の料率です。例：2.2"),
        _DEFAULTS.emoney_fee_rate,
    )
    qr_fee_rate = _percent_field(
        _("QRコード決済の決済手数料率（%）"),
        _("決済事業者との契約の料率です。例：2.9"),
        _DEFAULTS.qr_fee_rate,
    )
    fixed_monthly_fees_yen = WholeNumberField(
        label=_("月額の固定費（円）"),
        help_text=_("決済サービスや端末の月額利用料・回線料など（税込み）。かからなければ0です。"),
        initial=_DEFAULTS.fixed_monthly_fees_yen,
        max_value=100_000_000,
    )
    equipment_cost_yen = WholeNumberField(
        label=_("機器の購入費（円）"),
        help_text=_("レジや決済端末の購入費（税込み）。"),
        initial=_DEFAULTS.equipment_cost_yen,
        max_value=10_000_000_000,
    )
    amortisation_years = WholeNumberField(
        label=_("機器の償却年数（年）"),
        help_text=_("金銭登録機の法定耐用年数は5年です。"),
        initial=_DEFAULTS.amortisation_years,
        min_value=1,
        max_value=50,
    )
    yearly_maintenance_yen = WholeNumberField(
        label=_("機器の年間保守料（円）"),
        help_text=_("レジ・決済端末の保守契約の年額です。"),
        initial=_DEFAULTS.yearly_maintenance_yen,
        max_value=10_000_000_000,
    )
    staff_minutes_per_cash_transaction = DecimalNumberField(
        label=_("現金払い1件にかかる職員の時間（分）"),
        help_text=_("受け取り・数え・釣銭のほか、レジ締めや入金準備の時間の1件分を含めます。"),
        initial=decimal_text(_DEFAULTS.staff_minutes_per_cash_transaction),
        max_value=Decimal(600),
    )
    staff_minutes_per_cashless_transaction = DecimalNumberField(
        label=_("キャッシュレス払い1件にかかる職員の時間（分）"),
        help_text=_("端末の操作、カードのタッチやコードの読み取り、伝票の処理の時間です。"),
        initial=decimal_text(_DEFAULTS.staff_minutes_per_cashless_transaction),
        max_value=Decimal(600),
    )
    staff_cost_yen_per_hour = WholeNumberField(
        label=_("窓口職員の1時間あたりの人件費（円）"),
        help_text=_("事業主負担を含めた額です。正規職員と会計年度任用職員の平均で考えます。"),
        initial=_DEFAULTS.staff_cost_yen_per_hour,
        max_value=1_000_000,
    )
    coins_per_cash_transaction = DecimalNumberField(
        label=_("現金払い1件あたりの硬貨の枚数"),
        help_text=_("受け取る硬貨と釣銭の硬貨の合計です。300円の手数料ならおよそ3枚です。"),
        initial=decimal_text(_DEFAULTS.coins_per_cash_transaction),
        max_value=Decimal(100),
    )
    deposits_per_year = WholeNumberField(
        label=_("金融機関への年間の入金回数"),
        help_text=_("開庁日に毎日入金するなら約243回です。"),
        initial=_DEFAULTS.deposits_per_year,
        min_value=1,
        max_value=366,
    )
    cash_transport_fixed_yen = WholeNumberField(
        label=_("現金輸送・警備の年額のうち固定分（円）"),
        help_text=_("現金を扱う限りかかる集配金・警備の費用です。指定金融機関が無料で集金するなら0です。"),
        initial=_DEFAULTS.cash_transport_fixed_yen,
        max_value=10_000_000_000,
    )
    cash_transport_variable_yen = WholeNumberField(
        label=_("現金輸送・警備の年額のうち現金の量に応じる分（円）"),
        help_text=_("すべて現金のときにかかり、すべてキャッシュレスになればなくなる部分です。"),
        initial=_DEFAULTS.cash_transport_variable_yen,
        max_value=10_000_000_000,
    )
    current_uptake = _percent_field(
        _("現在のキャッシュレス比率（%）"),
        _("いま支払件数のうちキャッシュレスで払われている割合です。現金だけなら0です。"),
        _DEFAULTS.current_uptake,
    )
    use_history = forms.BooleanField(
        label=_("件数・平均の支払額・キャッシュレス比率・支払方法の内訳を、直近の窓口収納の実績から計算する"),
        help_text=_("チェックすると、上の該当する項目の入力より実績が優先されます。"),
        required=False,
    )
    history_days = WholeNumberField(
        label=_("実績を集計する日数（直近N日）"),
        help_text=_("支払済みの窓口収納を今日からさかのぼって集計します。"),
        initial=DEFAULT_HISTORY_DAYS,
        min_value=1,
        max_value=MAX_HISTORY_DAYS,
    )

    GROUPS: tuple[tuple[Promise, tuple[str, ...]], ...] = (
        (_("件数と金額"), ("yearly_transactions", "average_payment_yen", "current_uptake")),
        (_("キャッシュレスの支払方法の内訳"), ("card_share", "emoney_share", "qr_share")),
        (_("決済手数料"), ("card_fee_rate", "emoney_fee_rate", "qr_fee_rate")),
        (
            _("固定費と機器"),
            ("fixed_monthly_fees_yen", "equipment_cost_yen", "amortisation_years", "yearly_maintenance_yen"),
        ),
        (
            _("職員の時間"),
            (
                "staff_minutes_per_cash_transaction",
                "staff_minutes_per_cashless_transaction",
                "staff_cost_yen_per_hour",
            ),
        ),
        (
            _("現金の取扱い"),
            (
                "coins_per_cash_transaction",
                "deposits_per_year",
                "cash_transport_fixed_yen",
                "cash_transport_variable_yen",
            ),
        ),
        (_("市の実績から計算する"), ("use_history", "history_days")),
    )

    def groups(self) -> list[FieldGroup]:
        """The visible fields in fieldsets, in the order of :attr:`GROUPS`."""
        return [FieldGroup(str(legend), [self[name] for name in names]) for legend, names in self.GROUPS]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        shares = [data.get(name) for name in ("card_share", "emoney_share", "qr_share")]
        if all(isinstance(share, Decimal) for share in shares):
            total = sum((share for share in shares if share is not None), Decimal(0))
            if total != 100:
                self.add_error(
                    None,
                    format_lazy(
                        _(
                            "クレジットカード等・電子マネー・QRコード決済の割合は、合計が100%になるように"
                            "してください（いまの合計は{total}%です）。"
                        ),
                        total=f"{total.normalize():f}",
                    ),
                )
        if not self.errors:
            try:
                self.cost_inputs()
            except (TypeError, ValueError):
                self.add_error(None, _("この組み合わせの数値では試算できません。入力を見直してください。"))
        return data

    def cost_inputs(self) -> CostInputs:
        """The cleaned figures as :class:`CostInputs` (percent → fraction); only after ``is_valid()``."""
        d = self.cleaned_data

        def fraction(name: str) -> float:
            return float(d[name] / 100)

        return CostInputs(
            yearly_transactions=d["yearly_transactions"],
            average_payment_yen=d["average_payment_yen"],
            card_share=fraction("card_share"),
            emoney_share=fraction("emoney_share"),
            qr_share=fraction("qr_share"),
            card_fee_rate=fraction("card_fee_rate"),
            emoney_fee_rate=fraction("emoney_fee_rate"),
            qr_fee_rate=fraction("qr_fee_rate"),
            fixed_monthly_fees_yen=d["fixed_monthly_fees_yen"],
            equipment_cost_yen=d["equipment_cost_yen"],
            amortisation_years=d["amortisation_years"],
            yearly_maintenance_yen=d["yearly_maintenance_yen"],
            staff_minutes_per_cash_transaction=float(d["staff_minutes_per_cash_transaction"]),
            staff_minutes_per_cashless_transaction=float(d["staff_minutes_per_cashless_transaction"]),
            staff_cost_yen_per_hour=d["staff_cost_yen_per_hour"],
            coins_per_cash_transaction=float(d["coins_per_cash_transaction"]),
            deposits_per_year=d["deposits_per_year"],
            cash_transport_fixed_yen=d["cash_transport_fixed_yen"],
            cash_transport_variable_yen=d["cash_transport_variable_yen"],
            current_uptake=fraction("current_uptake"),
        )

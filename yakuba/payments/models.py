"""Payments: the fee catalogue, the window register (sales, payments, drawers and their coin stock),
the daily close, and recurring day-care fees collected by 口座振替.

Money is integer yen everywhere. A ``Payment`` follows the state table in ``states.py``; a closed
day (``DailyClose``) freezes every payment of its drawer and date.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# --- fee catalogue -----------------------------------------------------------------------------------


class FeeItem(models.Model):
    """One line of the city's fee table (手数料条例の別表). ``code`` is what other modules ask for,
    e.g. ``cert.juminhyo``."""

    code = models.CharField(_("コード"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    window_price = models.PositiveIntegerField(_("窓口の金額（円）"))
    kiosk_price = models.PositiveIntegerField(_("コンビニ交付の金額（円）"), null=True, blank=True)
    active = models.BooleanField(_("使用中"), default=True)
    order = models.PositiveIntegerField(_("表示順"), default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("手数料")
        verbose_name_plural = pgettext_lazy("plural", "手数料")
        permissions = [
            ("use_register", "レジで会計する"),
            ("void_payment", "会計を取り消す"),
            ("close_day", "日計を締める"),
            ("manage_fees", "手数料表を管理する"),
            ("view_cost_model", "キャッシュレスの費用試算を見る"),
            ("manage_childcare", "保育料の口座振替を扱う"),
        ]

    def __str__(self) -> str:
        return self.name


class CampaignPrice(models.Model):
    """A time-boxed price (e.g. コンビニ交付 100円 キャンペーン), inclusive dates."""

    class Channel(models.TextChoices):
        WINDOW = "window", _("窓口")
        KIOSK = "kiosk", _("コンビニ交付")

    item = models.ForeignKey(FeeItem, on_delete=models.CASCADE, related_name="campaigns")
    channel = models.CharField(_("窓口の別"), max_length=10, choices=Channel.choices)
    price = models.PositiveIntegerField(_("金額（円）"))
    starts_on = models.DateField(_("開始日"))
    ends_on = models.DateField(_("終了日"))
    label = models.CharField(_("名称"), max_length=100)

    class Meta:
        verbose_name = _("キャンペーン価格")
        verbose_name_plural = pgettext_lazy("plural", "キャンペーン価格")
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="campaign_dates")
        ]

    def __str__(self) -> str:
        return f"{self.item_id} {self.channel} {self.price}"


class Exemption(models.Model):
    """A reason a window fee is waived (公用請求, 生活保護の受給手続 …). Window only."""

    code = models.CharField(_("コード"), max_length=40, unique=True)
    name = models.CharField(_("免除の理由"), max_length=100)
    active = models.BooleanField(_("使用中"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("手数料の免除理由")
        verbose_name_plural = pgettext_lazy("plural", "手数料の免除理由")

    def __str__(self) -> str:
        return self.name


# --- the register --------------------------------------------------------------------------------


class Drawer(models.Model):
    """A register with its change machine (釣銭機). ``ChangeStock`` holds the machine's coins."""

    code = models.CharField(_("レジ番号"), max_length=10, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    change_fund = models.PositiveIntegerField(_("釣銭準備金（円）"), default=0)
    # The change fund by denomination ({"1000": 10, …}): what the machine is filled with again after
    # the daily close, when the takings go to the bank.
    fund_pieces = models.JSONField(_("釣銭準備金の金種"), default=dict, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("レジ")
        verbose_name_plural = pgettext_lazy("plural", "レジ")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        try:
            total = sum(int(d) * int(n) for d, n in (self.fund_pieces or {}).items())
        except (TypeError, ValueError):
            raise ValidationError(
                {"fund_pieces": _('金種と枚数を {"1000": 10} の形で入れてください。')}
            ) from None
        if self.fund_pieces and total != self.change_fund:
            raise ValidationError(
                {
                    "fund_pieces": _("金種の合計（%(total)s円）が釣銭準備金と合いません。")
                    % {"total": f"{total:,}"}
                }
            )


class ChangeStock(models.Model):
    drawer = models.ForeignKey(Drawer, on_delete=models.CASCADE, related_name="stock")
    denomination = models.PositiveIntegerField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["drawer", "denomination"], name="one_stock_row")]

    def __str__(self) -> str:
        return f"{self.drawer_id} {self.denomination}x{self.count}"


class PendingCharge(models.Model):
    """A fee another module asks the register to collect (a certificate issued at the window)."""

    class State(models.TextChoices):
        OPEN = "open", _("未収")
        PAID = "paid", _("収納済み")
        CANCELLED = "cancelled", _("取消し")

    source = models.CharField(max_length=30)
    ref = models.CharField(max_length=60)
    item_code = models.CharField(max_length=40)
    description = models.CharField(max_length=200)
    amount = models.PositiveIntegerField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    sale = models.ForeignKey("Sale", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "ref"], name="one_charge_per_ref")]

    def __str__(self) -> str:
        return f"{self.source}:{self.ref}"


class Sale(models.Model):
    """One 会計: the lines a clerk entered for one resident, paid by one payment."""

    class State(models.TextChoices):
        OPEN = "open", _("支払待ち")
        PAID = "paid", _("支払済み")
        VOIDED = "voided", _("取消し")
        CANCELLED = "cancelled", _("中止")

    number = models.CharField(_("会計番号"), max_length=30, unique=True)
    drawer = models.ForeignKey(Drawer, on_delete=models.PROTECT, related_name="sales")
    clerk = models.CharField(_("担当"), max_length=150)
    state = models.CharField(_("状態"), max_length=10, choices=State.choices, default=State.OPEN)
    total = models.PositiveIntegerField(_("合計（円）"), default=0)
    business_date = models.DateField(_("会計日"))
    created_at = models.DateTimeField(_("作成"))

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("会計")
        verbose_name_plural = pgettext_lazy("plural", "会計")

    def __str__(self) -> str:
        return self.number


class SaleLine(models.Model):
    sale = models.ForeignKey(Sale, on_delete=models.CASCADE, related_name="lines")
    item_code = models.CharField(max_length=40)
    description = models.CharField(_("内容"), max_length=200)
    unit_price = models.PositiveIntegerField(_("単価"))
    quantity = models.PositiveIntegerField(_("数量"), default=1)
    amount = models.PositiveIntegerField(_("金額"))
    exemption = models.CharField(_("免除"), max_length=100, blank=True)
    charge = models.ForeignKey(
        PendingCharge, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.sale_id} {self.item_code}"


class Payment(models.Model):
    """One payment of one sale, by one method (no mixing cash and cashless). States: ``states.py``."""

    class Method(models.TextChoices):
        CASH = "cash", _("現金")
        CARD = "card", _("クレジットカード")
        EMONEY = "emoney", _("電子マネー")
        QR = "qr", _("QRコード決済")

    class State(models.TextChoices):
        CREATED = "created", _("受付")
        AUTHORISED = "authorised", _("承認済み")
        CAPTURED = "captured", _("支払済み")
        VOIDED = "voided", _("取消し")
        FAILED = "failed", _("失敗")

    number = models.CharField(_("支払番号"), max_length=30, unique=True)
    sale = models.ForeignKey(Sale, on_delete=models.PROTECT, related_name="payments")
    drawer = models.ForeignKey(Drawer, on_delete=models.PROTECT, related_name="payments")
    idempotency_key = models.CharField(max_length=100, db_index=True)
    method = models.CharField(_("支払方法"), max_length=10, choices=Method.choices)
    state = models.CharField(_("状態"), max_length=12, choices=State.choices, default=State.CREATED)
    amount = models.PositiveIntegerField(_("金額（円）"))
    tendered = models.PositiveIntegerField(_("お預かり（円）"), default=0)
    change = models.PositiveIntegerField(_("お釣り（円）"), default=0)
    change_coins = models.JSONField(default=dict, blank=True)
    gateway_ref = models.CharField(max_length=60, blank=True)
    fee_rate_bp = models.PositiveIntegerField(default=0)  # the gateway's rate in basis points (2.2% = 220)
    fee_yen = models.PositiveIntegerField(default=0)
    failure = models.CharField(max_length=200, blank=True)
    business_date = models.DateField()
    created_at = models.DateTimeField()
    captured_at = models.DateTimeField(null=True, blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    clerk = models.CharField(max_length=150)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("支払")
        verbose_name_plural = pgettext_lazy("plural", "支払")
        indexes = [models.Index(fields=["business_date", "drawer"])]
        constraints = [
            # At most one live payment per sale: a second one can only follow a failed or voided one.
            models.UniqueConstraint(
                fields=["sale"],
                condition=Q(state__in=["created", "authorised", "captured"]),
                name="one_live_payment_per_sale",
            )
        ]

    def __str__(self) -> str:
        return self.number


class IdempotencyKey(models.Model):
    """A client's key for one payment request: the same key and body answer the original payment,
    the same key and another body 409. Keys expire after 24 hours and are then forgotten."""

    key = models.CharField(max_length=100, unique=True)
    request_hash = models.CharField(max_length=64)
    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="+")
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return self.key


class GatewayTransaction(models.Model):
    """The simulated card / e-money / QR processor's own ledger (a real processor keeps its own)."""

    ref = models.CharField(max_length=60, unique=True)
    merchant_key = models.CharField(max_length=100, unique=True)  # our payment number
    method = models.CharField(max_length=10)
    amount = models.PositiveIntegerField()
    state = models.CharField(max_length=12)  # authorised, captured, voided
    fee_rate_bp = models.PositiveIntegerField()
    captures = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.ref


class DailyClose(models.Model):
    """日計: one drawer's day, closed once. Totals are frozen in ``totals``."""

    drawer = models.ForeignKey(Drawer, on_delete=models.PROTECT, related_name="closes")
    business_date = models.DateField(_("会計日"))
    expected_cash = models.IntegerField(_("現金の帳簿残高"))
    counted_cash = models.IntegerField(_("現金の実査額"))
    counted_coins = models.JSONField(default=dict)
    over_short = models.IntegerField(_("過不足"))
    reason = models.CharField(_("過不足の理由"), max_length=300, blank=True)
    totals = models.JSONField(default=dict)
    closed_by = models.CharField(max_length=150)
    closed_at = models.DateTimeField()

    class Meta:
        ordering = ["-business_date", "drawer"]
        verbose_name = _("日計")
        verbose_name_plural = pgettext_lazy("plural", "日計")
        constraints = [models.UniqueConstraint(fields=["drawer", "business_date"], name="one_close_a_day")]

    # --- recurring day-care fees by 口座振替 -------------------------------------------------------------

    def __str__(self) -> str:
        return f"{self.drawer_id} {self.business_date}"


class Facility(models.Model):
    code = models.CharField(_("施設番号"), max_length=10, unique=True)
    name = models.CharField(_("施設名"), max_length=100)

    class Meta:
        ordering = ["code"]
        verbose_name = _("保育施設")
        verbose_name_plural = pgettext_lazy("plural", "保育施設")

    def __str__(self) -> str:
        return self.name


class BankAccount(models.Model):
    """A 口座振替依頼書: who pays, from which account. The account number is encrypted at rest."""

    class State(models.TextChoices):
        ACTIVE = "active", _("有効")
        FLAGGED = "flagged", _("要確認")
        ENDED = "ended", _("廃止")

    payer_atena_no = models.CharField(_("口座名義人の宛名番号"), max_length=10, db_index=True)
    customer_number = models.CharField(_("顧客番号"), max_length=20, unique=True)
    bank_code = models.CharField(_("金融機関コード"), max_length=4)
    bank_name_kana = models.CharField(max_length=15)
    branch_code = models.CharField(_("支店コード"), max_length=3)
    branch_name_kana = models.CharField(max_length=15)
    account_type = models.CharField(_("預金種目"), max_length=1)
    account_number_enc = models.TextField()
    account_last3 = models.CharField(max_length=3)
    holder_kana = models.CharField(_("預金者名（カナ）"), max_length=30)
    mandate_on = models.DateField(_("依頼書の受付日"))
    state = models.CharField(_("状態"), max_length=10, choices=State.choices, default=State.ACTIVE)
    flag_reason = models.CharField(_("要確認の理由"), max_length=100, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("振替口座")
        verbose_name_plural = pgettext_lazy("plural", "振替口座")

    def __str__(self) -> str:
        return self.customer_number

    @property
    def first_debit_done(self) -> bool:
        """Debited once already (a paid item): the next request carries 新規コード 0."""
        return self.items.filter(result_code="0").exists()


class Enrolment(models.Model):
    """A child in day care (入所). Parents are the people whose 所得割額 sets the fee."""

    child_atena_no = models.CharField(_("児童の宛名番号"), max_length=10, db_index=True)
    parent_atena_nos = models.JSONField(_("保護者の宛名番号"), default=list)
    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="enrolments")
    standard_hours = models.BooleanField(_("保育標準時間"), default=True)
    starts_on = models.DateField(_("入所日"))
    ends_on = models.DateField(_("退所日"), null=True, blank=True)
    account = models.ForeignKey(BankAccount, null=True, blank=True, on_delete=models.PROTECT)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("入所")
        verbose_name_plural = pgettext_lazy("plural", "入所")
        constraints = [
            # At most one open-ended enrolment per child; overlapping dated ones are refused by the service.
            models.UniqueConstraint(
                fields=["child_atena_no"],
                condition=Q(ends_on__isnull=True),
                name="one_open_enrolment_per_child",
            )
        ]

    def __str__(self) -> str:
        return f"{self.child_atena_no} {self.facility_id}"


class DebitRun(models.Model):
    """One month's 口座振替: the request file sent and the bank's result file."""

    class State(models.TextChoices):
        GENERATED = "generated", _("依頼データ作成済み")
        RESULTS = "results", _("結果取込み済み")

    fiscal_year = models.PositiveIntegerField(_("年度"))
    month = models.PositiveIntegerField(_("月"))
    debit_date = models.DateField(_("引落日"))
    state = models.CharField(_("状態"), max_length=12, choices=State.choices, default=State.GENERATED)
    request_file = models.BinaryField()
    request_sha256 = models.CharField(max_length=64)
    result_sha256 = models.CharField(max_length=64, blank=True, null=True, unique=True)
    records = models.PositiveIntegerField(default=0)
    total = models.PositiveBigIntegerField(default=0)
    paid_count = models.PositiveIntegerField(default=0)
    paid_total = models.PositiveBigIntegerField(default=0)
    # What was left out of the file and why (no tax assessment, account flagged or ended, no account,
    # zero amount): a list of {"kind", "message", ...} without names or account numbers.
    notes = models.JSONField(default=list, blank=True)
    created_by = models.CharField(max_length=150)
    created_at = models.DateTimeField()
    results_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-fiscal_year", "-month"]
        verbose_name = _("口座振替")
        verbose_name_plural = pgettext_lazy("plural", "口座振替")
        constraints = [models.UniqueConstraint(fields=["fiscal_year", "month"], name="one_run_a_month")]

    def __str__(self) -> str:
        return f"{self.fiscal_year}-{self.month:02d}"


class DebitItem(models.Model):
    """One account's debit in a run (all the family's children in one record)."""

    run = models.ForeignKey(DebitRun, on_delete=models.CASCADE, related_name="items")
    account = models.ForeignKey(BankAccount, on_delete=models.PROTECT, related_name="items")
    customer_number = models.CharField(max_length=20)
    amount = models.PositiveIntegerField()
    breakdown = models.JSONField(default=list)
    new_code = models.CharField(max_length=1, default="0")
    result_code = models.CharField(max_length=1, blank=True)
    settled_at = models.DateTimeField(null=True, blank=True)  # paid later at the window

    class Meta:
        ordering = ["customer_number"]
        constraints = [models.UniqueConstraint(fields=["run", "account"], name="one_item_per_account")]

    def __str__(self) -> str:
        return f"{self.run_id} {self.customer_number}"

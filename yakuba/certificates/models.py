"""Certificates: types and fees, issuances (window and kiosk), kiosk sessions, seal registrations.

An ``Issuance`` holds everything about one printed certificate, including the PDF itself: it is
written in one transaction, so a crash leaves a complete issuance or none.
"""

import datetime as dt

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CertificateType(models.Model):
    class Code(models.TextChoices):
        JUMINHYO = "juminhyo", _("住民票の写し")
        KISAI_JIKO = "kisai_jiko", _("住民票記載事項証明書")
        INKAN = "inkan", _("印鑑登録証明書")

    code = models.CharField(_("種類"), max_length=20, choices=Code.choices, unique=True)
    window_fee = models.PositiveIntegerField(_("窓口の手数料（円）"), default=300)
    kiosk_fee = models.PositiveIntegerField(_("コンビニ交付の手数料（円）"), default=200)
    kiosk_available = models.BooleanField(_("コンビニ交付で発行できる"), default=True)
    kiosk_opens = models.TimeField(_("コンビニ交付の開始時刻"), default=dt.time(6, 30))
    kiosk_closes = models.TimeField(_("コンビニ交付の終了時刻"), default=dt.time(23, 0))

    class Meta:
        verbose_name = _("証明書の種類と手数料")
        verbose_name_plural = pgettext_lazy("plural", "証明書の種類と手数料")

    def __str__(self) -> str:
        return self.get_code_display()


class Issuance(models.Model):
    class Channel(models.TextChoices):
        WINDOW = "window", _("窓口")
        KIOSK = "kiosk", _("コンビニ交付")

    class State(models.TextChoices):
        ISSUED = "issued", _("発行済み")
        PRINTED = "printed", _("印刷済み")
        VOIDED = "voided", _("取消し")

    class Requester(models.TextChoices):
        SELF = "self", _("本人")
        HOUSEHOLD = "household", _("同一世帯の人")
        PROXY = "proxy", _("代理人（委任状あり）")

    class Payment(models.TextChoices):
        DUE = "due", _("未収")
        PAID = "paid", _("収納済み")
        EXEMPT = "exempt", _("免除")

    number = models.CharField(_("発行番号"), max_length=40, unique=True)
    verification_code = models.CharField(_("確認コード"), max_length=24, unique=True)
    type = models.CharField(_("種類"), max_length=20, choices=CertificateType.Code.choices)
    channel = models.CharField(_("発行方法"), max_length=10, choices=Channel.choices)
    state = models.CharField(_("状態"), max_length=10, choices=State.choices, default=State.ISSUED)
    subject_atena_no = models.CharField(_("請求対象の宛名番号"), max_length=10, db_index=True)
    atena_nos = models.JSONField(_("記載した人"), default=list)
    setai_no = models.CharField(max_length=10, blank=True)
    options = models.JSONField(default=dict)
    layout = models.CharField(max_length=12, default="household")
    requester = models.CharField(
        _("請求者"), max_length=10, choices=Requester.choices, default=Requester.SELF
    )
    requester_name = models.CharField(_("請求者氏名"), max_length=100, blank=True)
    purpose = models.CharField(_("使用目的"), max_length=200, blank=True)
    pages = models.PositiveIntegerField(default=1)
    pdf = models.BinaryField()
    pdf_sha256 = models.CharField(max_length=64, db_index=True)
    content_sha256 = models.CharField(max_length=64)
    signature = models.CharField(max_length=120)
    mynumber_printed = models.BooleanField(default=False)
    fee = models.PositiveIntegerField(_("手数料"), default=0)
    payment = models.CharField(_("収納"), max_length=10, choices=Payment.choices, default=Payment.DUE)
    payment_ref = models.CharField(max_length=100, blank=True)
    exemption_reason = models.CharField(_("免除の理由"), max_length=100, blank=True)
    idempotency_key = models.CharField(max_length=100, null=True, blank=True, unique=True)
    request_hash = models.CharField(max_length=64, blank=True)
    actor = models.CharField(max_length=150)
    terminal = models.CharField(max_length=20, blank=True)
    kiosk_session = models.CharField(max_length=64, blank=True, db_index=True)
    issued_at = models.DateTimeField()
    print_deadline = models.DateTimeField(null=True, blank=True)
    void_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("証明書の発行")
        verbose_name_plural = pgettext_lazy("plural", "証明書の発行")
        permissions = [
            ("issue_window", "窓口で証明書を発行できる"),
            ("register_seal", "印鑑登録を受け付けできる"),
        ]
        indexes = [models.Index(fields=["state", "print_deadline"])]

    def __str__(self) -> str:
        return self.number


class KioskSession(models.Model):
    """One resident at one terminal, from card and PIN to the printed certificate. The person is fixed
    here, from the verified card certificate, and nothing the terminal sends can change it."""

    token = models.CharField(max_length=64, unique=True)
    terminal = models.CharField(max_length=20)
    card_serial = models.CharField(max_length=40)
    atena_no = models.CharField(max_length=10)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    ended = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"{self.terminal}:{self.token[:8]}"


class KioskChallenge(models.Model):
    nonce = models.CharField(max_length=64, unique=True)
    terminal = models.CharField(max_length=20)
    card_serial = models.CharField(max_length=40)
    created_at = models.DateTimeField()
    used = models.BooleanField(default=False)

    def __str__(self) -> str:
        return self.nonce[:8]


class SealRegistration(models.Model):
    """印鑑登録: one active registration per person."""

    class State(models.TextChoices):
        PENDING = "pending", _("照会中")
        ACTIVE = "active", _("登録中")
        LOST = "lost", _("亡失")
        ABOLISHED = "abolished", _("廃止")

    class Identity(models.TextChoices):
        PHOTO_ID = "photo_id", _("顔写真付きの本人確認書類")
        LETTER = "letter", _("照会書（郵送）による確認")

    atena_no = models.CharField(_("宛名番号"), max_length=10, db_index=True)
    setai_no = models.CharField(_("世帯番号"), max_length=10, db_index=True)
    card_number = models.CharField(_("印鑑登録証番号"), max_length=12, unique=True)
    state = models.CharField(_("状態"), max_length=10, choices=State.choices)
    identity = models.CharField(_("本人確認の方法"), max_length=10, choices=Identity.choices)
    image = models.BinaryField()
    width_mm = models.DecimalField(max_digits=5, decimal_places=1)
    height_mm = models.DecimalField(max_digits=5, decimal_places=1)
    fingerprint = models.CharField(max_length=64)
    registered_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    actor = models.CharField(max_length=150)

    class Meta:
        verbose_name = _("印鑑登録")
        verbose_name_plural = pgettext_lazy("plural", "印鑑登録")
        constraints = [
            models.UniqueConstraint(
                fields=["atena_no"],
                condition=models.Q(state__in=["pending", "active"]),
                name="one_live_seal_per_person",
            )
        ]

    def __str__(self) -> str:
        return self.card_number

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from yakuba.core.checkdigit import lgcode_is_valid


def validate_lgcode(value: str) -> None:
    if not lgcode_is_valid(value):
        raise ValidationError(_("団体コードは検査数字を含む6桁の数字で入力してください。"))


SEAL_MAX_BYTES = 1024 * 1024


def validate_seal_image(upload: object) -> None:
    """The seal image must really be a PNG or JPEG (checked by content, not by name) and small."""
    from PIL import Image, UnidentifiedImageError

    file = getattr(upload, "file", upload)
    size = getattr(upload, "size", 0) or 0
    if size > SEAL_MAX_BYTES:
        raise ValidationError(_("公印の画像は1MB以下にしてください。"))
    try:
        file.seek(0)  # type: ignore[attr-defined]
        with Image.open(file) as image:  # type: ignore[arg-type]
            image.verify()
            kind = image.format
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise ValidationError(
            _("公印の画像として読み取れません。PNGまたはJPEGの画像を選んでください。")
        ) from exc
    finally:
        file.seek(0)  # type: ignore[attr-defined]
    if kind not in {"PNG", "JPEG"}:
        raise ValidationError(_("公印の画像はPNGまたはJPEG形式にしてください。"))


class Municipality(models.Model):
    """The one municipality this deployment serves (a singleton: always pk=1)."""

    name = models.CharField(_("団体名"), max_length=50, default="一ノ森市")
    name_kana = models.CharField(_("団体名（カナ）"), max_length=100, blank=True)
    name_en = models.CharField(_("団体名（英語）"), max_length=100, blank=True)
    prefecture = models.CharField(_("都道府県"), max_length=10, blank=True)
    lgcode = models.CharField(_("団体コード"), max_length=6, default="039993", validators=[validate_lgcode])
    mayor_title = models.CharField(_("首長の職名"), max_length=20, default="市長")
    mayor_name = models.CharField(_("首長氏名"), max_length=50, blank=True)
    seal_image = models.ImageField(
        _("公印の画像"), upload_to="seal/", blank=True, validators=[validate_seal_image]
    )
    address = models.CharField(_("庁舎の住所"), max_length=200, blank=True)
    phone = models.CharField(_("代表電話"), max_length=20, blank=True)
    window_hours = models.CharField(_("窓口の受付時間"), max_length=100, default="平日 8:30〜17:15")

    class Meta:
        verbose_name = _("団体の設定")
        verbose_name_plural = pgettext_lazy("plural", "団体の設定")

    def __str__(self) -> str:
        return self.name

    @classmethod
    def current(cls) -> "Municipality":
        obj, _created = cls.objects.get_or_create(pk=1)
        return obj


class ClosedDay(models.Model):
    """A day the city's services are closed: holidays, the year-end break, maintenance days."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("閉庁日")
        MAINTENANCE = "maintenance", _("保守日")

    date = models.DateField(_("日付"))
    kind = models.CharField(_("種類"), max_length=20, choices=Kind.choices, default=Kind.HOLIDAY)
    reason = models.CharField(_("理由"), max_length=100, blank=True)
    service = models.CharField(
        _("対象サービス"), max_length=50, blank=True, help_text=_("空欄はすべてのサービス")
    )

    class Meta:
        verbose_name = _("休業日")
        verbose_name_plural = pgettext_lazy("plural", "休業日（カレンダー）")
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["date", "service"], name="closedday_unique_per_service")
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.reason}"


class StaffUser(AbstractUser):
    """A member of staff. Roles are Django groups, synchronised from module manifests."""

    display_name = models.CharField(_("表示名"), max_length=50, blank=True)
    department = models.CharField(_("所属"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("職員")
        verbose_name_plural = pgettext_lazy("plural", "職員")

    def __str__(self) -> str:
        return self.display_name or self.username


class LoginFailure(models.Model):
    """One failed login step, counted for throttling (by user name and by address)."""

    username = models.CharField(max_length=150, db_index=True)
    ip_address = models.CharField(max_length=45, db_index=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"{self.username}@{self.ip_address} {self.at:%Y-%m-%d %H:%M}"


class NumberSequence(models.Model):
    """Last issued serial of a numbered series (宛名番号, 世帯番号, the change sequence, …).

    Issued with ``select_for_update`` inside the caller's transaction, so serials are gap-free per
    committed transaction and strictly ordered by commit."""

    name = models.CharField(max_length=50, unique=True)
    last_value = models.BigIntegerField(default=0)
    # For the audit log's head: the newest entry's hash, so appending needs no extra read, and
    # `audit verify` can tell a removed newest entry from an untouched log.
    last_hash = models.CharField(max_length=64, blank=True)

    def __str__(self) -> str:
        return f"{self.name}={self.last_value}"


class AuditEntry(models.Model):
    """One tamper-evident record: who did or saw what, when, and whether the 個人番号 was shown.

    ``entry_hash`` is SHA-256 over the previous entry's hash and this entry's canonical content, so
    editing or deleting any entry breaks the chain from there on (``yakuba audit verify``)."""

    seq = models.BigIntegerField(unique=True)
    at = models.DateTimeField()
    actor = models.CharField(max_length=150)
    action = models.CharField(max_length=50)
    target_type = models.CharField(max_length=50, blank=True)
    target_id = models.CharField(max_length=100, blank=True)
    mynumber_shown = models.BooleanField(default=False)
    detail = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("監査ログ")
        verbose_name_plural = pgettext_lazy("plural", "監査ログ")
        ordering = ["seq"]
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"#{self.seq} {self.actor} {self.action} {self.target_type}:{self.target_id}"


class ApiClient(models.Model):
    """Another system that pulls data through the linkage API, with a hashed bearer token."""

    name = models.CharField(_("連携先システム名"), max_length=100, unique=True)
    token_hash = models.CharField(max_length=64, unique=True)
    token_prefix = models.CharField(max_length=8)
    scopes = models.JSONField(_("利用できるAPI"), default=list, blank=True)
    can_see_mynumber = models.BooleanField(_("個人番号の提供"), default=False)
    active = models.BooleanField(_("有効"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("連携先システム")
        verbose_name_plural = pgettext_lazy("plural", "連携先システム")

    def __str__(self) -> str:
        return self.name

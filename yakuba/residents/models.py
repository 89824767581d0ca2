"""住民記録: households, residents (the current record), full-snapshot history, and 異動 entries.

Only 本登録 data lives in ``Household``/``Resident``/``ResidentHistory``. An 異動 entered by a clerk is an
``Idou`` in state 仮登録 and changes nothing until an approver applies it (see services.py).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from yakuba.residents.fields import NullablePartialDateField, PartialDateField


class Status(models.TextChoices):
    RESIDENT = "resident", _("住民")
    MOVED_OUT = "moved_out", _("転出")
    DECEASED = "deceased", _("死亡")
    REMOVED = "removed", _("消除")


class Kind(models.TextChoices):
    JAPANESE = "japanese", _("日本人")
    FOREIGN = "foreign", _("外国人")


class Sex(models.TextChoices):
    MALE = "1", _("男")
    FEMALE = "2", _("女")


class Art30_45(models.TextChoices):
    """住民基本台帳法第30条の45の区分 (foreign residents)."""

    MID_LONG = "1", _("中長期在留者")
    SPECIAL_PERMANENT = "2", _("特別永住者")
    TEMPORARY_REFUGE = "3", _("一時庇護許可者")
    PROVISIONAL_STAY = "4", _("仮滞在許可者")
    BIRTH_TRANSITION = "5", _("出生による経過滞在者")
    NATIONALITY_LOSS = "6", _("国籍喪失による経過滞在者")


class Household(models.Model):
    setai_no = models.CharField(_("世帯番号"), max_length=10, unique=True)
    postal_code = models.CharField(_("郵便番号"), max_length=8, blank=True)
    address = models.CharField(_("住所"), max_length=200)
    katagaki = models.CharField(_("方書"), max_length=100, blank=True)
    search_address = models.CharField(max_length=300, db_index=True)
    active = models.BooleanField(_("現存"), default=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("世帯")
        verbose_name_plural = pgettext_lazy("plural", "世帯")

    def __str__(self) -> str:
        return self.setai_no


class Resident(models.Model):
    """The current (newest 履歴番号) 本登録 record of one person, keyed by 宛名番号."""

    atena_no = models.CharField(_("宛名番号"), max_length=10, unique=True)
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="members")
    rireki_no = models.PositiveIntegerField(_("履歴番号"), default=1)
    status = models.CharField(_("住民状態"), max_length=12, choices=Status.choices, default=Status.RESIDENT)
    kind = models.CharField(_("住民種別"), max_length=10, choices=Kind.choices, default=Kind.JAPANESE)

    name = models.CharField(_("氏名"), max_length=100)
    name_kana = models.CharField(_("フリガナ"), max_length=200)
    kana_confirmed = models.BooleanField(_("フリガナ確認フラグ"), default=False)
    former_surname = models.CharField(_("旧氏"), max_length=50, blank=True)
    former_surname_kana = models.CharField(_("旧氏フリガナ"), max_length=100, blank=True)
    birth_date = PartialDateField(_("生年月日"))
    sex = models.CharField(_("性別"), max_length=1, choices=Sex.choices)
    relationship = models.CharField(_("続柄"), max_length=40)
    honseki = models.CharField(_("本籍"), max_length=200, blank=True)
    hittousha = models.CharField(_("筆頭者"), max_length=100, blank=True)

    became_resident_on = NullablePartialDateField(_("住民となった日"))
    address_set_on = NullablePartialDateField(_("住定日"))
    notified_on = models.DateField(_("届出日"), blank=True, null=True)
    previous_address = models.CharField(_("転入前住所"), max_length=200, blank=True)
    moved_out_to = models.CharField(_("転出先住所"), max_length=200, blank=True)
    left_on = NullablePartialDateField(_("消除日（転出・死亡）"))

    mynumber_enc = models.TextField(_("個人番号（暗号化）"), blank=True)
    mynumber_index = models.CharField(max_length=64, blank=True, db_index=True)
    juminhyo_code = models.CharField(_("住民票コード"), max_length=11, blank=True)
    support_measure = models.BooleanField(_("DV等支援措置の対象"), default=False)

    nationality = models.CharField(_("国籍・地域"), max_length=50, blank=True)
    alphabet_name = models.CharField(_("氏名（アルファベット）"), max_length=150, blank=True)
    tsusho = models.CharField(_("通称"), max_length=100, blank=True)
    residence_status = models.CharField(_("在留資格"), max_length=50, blank=True)
    residence_period = models.CharField(_("在留期間"), max_length=30, blank=True)
    residence_expires_on = models.DateField(_("在留期間の満了日"), blank=True, null=True)
    residence_card_no = models.CharField(_("在留カード等の番号"), max_length=12, blank=True)
    art30_45 = models.CharField(_("30条の45区分"), max_length=1, choices=Art30_45.choices, blank=True)

    last_idou_kind = models.CharField(_("最終異動事由"), max_length=20, blank=True)
    last_idou_date = NullablePartialDateField(_("最終異動日"))
    last_seq = models.BigIntegerField(default=0, db_index=True)

    search_kana = models.CharField(max_length=200, db_index=True)
    search_name = models.CharField(max_length=150, db_index=True)

    class Meta:
        verbose_name = _("住民")
        verbose_name_plural = pgettext_lazy("plural", "住民")
        permissions = [
            ("enter_idou", "異動を入力（仮登録）できる"),
            ("approve_idou", "異動を決裁（本登録）できる"),
            ("view_sensitive", "個人番号・住民票コード・本籍・在留資格を閲覧できる"),
            ("extract_residents", "連携用の住民データを抽出できる"),
        ]
        indexes = [
            models.Index(fields=["birth_date"]),
            # Search results: a kana prefix range read in display order (PostgreSQL gets the same
            # index on search_kana COLLATE "C" in migration 0002).
            models.Index(fields=["search_kana", "birth_date", "atena_no"], name="resident_kana_order"),
        ]

    def __str__(self) -> str:
        return f"{self.atena_no} {self.name}"


class Idou(models.Model):
    """One 異動 as entered (仮登録), then approved (本登録) or sent back (差戻し)."""

    class Type(models.TextChoices):
        MOVE_IN = "move_in", _("転入")
        ADDRESS_CHANGE = "address_change", _("転居")
        MOVE_OUT = "move_out", _("転出")
        BIRTH = "birth", _("出生")
        DEATH = "death", _("死亡")
        SPLIT = "split", _("世帯分離")
        MERGE = "merge", _("世帯合併")
        HEAD_CHANGE = "head_change", _("世帯主変更")
        CORRECTION = "correction", _("職権修正")

    class State(models.TextChoices):
        PENDING = "pending", _("仮登録")
        APPROVED = "approved", _("本登録")
        RETURNED = "returned", _("差戻し")

    type = models.CharField(_("異動事由"), max_length=20, choices=Type.choices)
    state = models.CharField(_("状態"), max_length=10, choices=State.choices, default=State.PENDING)
    idou_date = PartialDateField(_("異動日"))
    notified_on = models.DateField(_("届出日"), blank=True, null=True)
    payload = models.JSONField(default=dict)
    base_versions = models.JSONField(default=dict)  # {"R:<宛名番号>": 履歴番号, "H:<世帯番号>": version}
    summary = models.CharField(_("概要"), max_length=200)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    return_reason = models.CharField(_("差戻し理由"), max_length=200, blank=True)
    result = models.JSONField(default=dict, blank=True)  # numbers assigned on approval

    class Meta:
        verbose_name = _("異動")
        verbose_name_plural = pgettext_lazy("plural", "異動")
        indexes = [models.Index(fields=["state", "entered_at"])]

    def __str__(self) -> str:
        return f"{self.get_type_display()} {self.summary}"


class ResidentHistory(models.Model):
    """A full snapshot of one resident after one change, keyed by (宛名番号, 履歴番号).

    ``seq`` is the platform-wide change sequence used by delta extracts: it is issued under a lock
    held until commit, so a reader that has seen ``seq`` N never later finds a new row below N."""

    atena_no = models.CharField(max_length=10)
    rireki_no = models.PositiveIntegerField()
    seq = models.BigIntegerField(unique=True)
    idou = models.ForeignKey(Idou, on_delete=models.PROTECT, null=True, blank=True, related_name="history")
    idou_type = models.CharField(max_length=20)
    idou_date = NullablePartialDateField()
    processed_at = models.DateTimeField()
    snapshot = models.JSONField()

    class Meta:
        verbose_name = _("住民履歴")
        verbose_name_plural = pgettext_lazy("plural", "住民履歴")
        constraints = [
            models.UniqueConstraint(fields=["atena_no", "rireki_no"], name="history_unique_rireki")
        ]

    def __str__(self) -> str:
        return f"{self.atena_no}#{self.rireki_no}"

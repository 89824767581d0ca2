"""Kairan (回覧板): neighbourhood associations, their 班 and households, members signed in on their own
phones, circulars with read receipts and replies, events, notifications, and the paper route.

Associations are the tenants: every row belongs to one association (directly or through its
household or circular), and every query of a member goes through ``scope.py``, so an id from another
association answers 404. Association data is the association's own, not the resident register.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Association(models.Model):
    name = models.CharField(_("自治会の名称"), max_length=100)
    name_kana = models.CharField(_("名称（ふりがな）"), max_length=200, blank=True)
    area = models.CharField(_("区域"), max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("自治会")
        verbose_name_plural = pgettext_lazy("plural", "自治会")
        permissions = [("manage_associations", "自治会の登録と会長の招待をする")]

    def __str__(self) -> str:
        return self.name


class Han(models.Model):
    """A 班: the group a paper board circulates in."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="han")
    name = models.CharField(_("班の名前"), max_length=50)
    order = models.PositiveIntegerField(_("表示順"), default=0)
    closed_route = models.BooleanField(_("回覧板を班長に戻す"), default=True)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("班")
        verbose_name_plural = pgettext_lazy("plural", "班")
        constraints = [models.UniqueConstraint(fields=["association", "name"], name="one_han_name")]

    def __str__(self) -> str:
        return self.name


class Household(models.Model):
    class Mobility(models.TextChoices):
        NORMAL = "normal", _("ふつう")
        ELDERLY = "elderly", _("高齢")
        HELP = "help", _("手助けが必要")

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="households")
    han = models.ForeignKey(Han, null=True, blank=True, on_delete=models.SET_NULL, related_name="households")
    name = models.CharField(_("世帯の名前"), max_length=100)
    name_kana = models.CharField(_("ふりがな"), max_length=200, blank=True)
    address = models.CharField(_("住所"), max_length=200, blank=True)
    x_m = models.FloatField(_("位置 x（m）"), null=True, blank=True)
    y_m = models.FloatField(_("位置 y（m）"), null=True, blank=True)
    paper = models.BooleanField(_("紙の回覧板で受け取る"), default=True)
    mobility = models.CharField(
        _("回覧の手渡し"), max_length=10, choices=Mobility.choices, default=Mobility.NORMAL
    )
    paper_order = models.PositiveIntegerField(_("いまの回覧順"), null=True, blank=True)
    active = models.BooleanField(_("在籍"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["han__order", "paper_order", "pk"]
        verbose_name = _("世帯")
        verbose_name_plural = pgettext_lazy("plural", "世帯")
        indexes = [models.Index(fields=["association", "han"])]

    def __str__(self) -> str:
        return self.name


class Member(models.Model):
    """A person reading for a household (several per household: family far away can read too)."""

    class Role(models.TextChoices):
        MEMBER = "member", _("会員")
        CHAIR = "chair", _("会長")
        HANCHO = "hancho", _("班長")
        SECRETARY = "secretary", _("書記")

    class Channel(models.TextChoices):
        NONE = "none", _("通知しない")
        EMAIL = "email", _("メール")
        LINE = "line", _("LINE")

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="members")
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="members")
    name = models.CharField(_("お名前"), max_length=100)
    role = models.CharField(_("役割"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    channel = models.CharField(
        _("お知らせの受け取り方"), max_length=10, choices=Channel.choices, default=Channel.NONE
    )
    email = models.EmailField(_("メールアドレス"), blank=True)
    line_user_id = models.CharField(_("LINEのユーザーID"), max_length=64, blank=True)
    digest = models.BooleanField(_("1日1回まとめて受け取る"), default=False)
    furigana = models.BooleanField(_("ふりがなを表示する"), default=False)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("会員")
        verbose_name_plural = pgettext_lazy("plural", "会員")
        indexes = [models.Index(fields=["association", "role"])]

    def __str__(self) -> str:
        return self.name

    @property
    def is_officer(self) -> bool:
        return self.role in (self.Role.CHAIR, self.Role.SECRETARY)


class Invitation(models.Model):
    """A one-time code (and QR) that signs a new member of a household in on their phone."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="invitations")
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="invitations")
    role = models.CharField(max_length=10, choices=Member.Role.choices, default=Member.Role.MEMBER)
    code_hash = models.CharField(max_length=64, unique=True)
    token_hash = models.CharField(max_length=64, unique=True)
    issued_by = models.CharField(max_length=150)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    failed_attempts = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("招待")
        verbose_name_plural = pgettext_lazy("plural", "招待")

    def __str__(self) -> str:
        return f"{self.household_id} {self.created_at:%Y-%m-%d}"


class DeviceSession(models.Model):
    """A phone signed in for a member: a long-lived cookie, revocable by the member or an officer."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="devices")
    key_hash = models.CharField(max_length=64, unique=True)
    label = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_seen = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.member_id} {self.label}"


class Circular(models.Model):
    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="circulars")
    title = models.CharField(_("件名"), max_length=200)
    body = models.TextField(_("本文"), blank=True)  # sanitised HTML (nh3) as stored
    author = models.ForeignKey(Member, null=True, on_delete=models.SET_NULL, related_name="+")
    han = models.ManyToManyField(Han, blank=True, related_name="circulars", verbose_name=_("宛先の班"))
    due_on = models.DateField(_("回覧の期限"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True, db_index=True)
    search_text = models.TextField(blank=True)  # normalised title + body text + file names, for search

    class Meta:
        ordering = ["-sent_at", "-created_at"]
        verbose_name = _("回覧")
        verbose_name_plural = pgettext_lazy("plural", "回覧")
        indexes = [models.Index(fields=["association", "sent_at"])]

    def __str__(self) -> str:
        return self.title


class Attachment(models.Model):
    circular = models.ForeignKey(Circular, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="kairan/%Y/%m/")
    name = models.CharField(_("ファイル名"), max_length=200)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)

    def __str__(self) -> str:
        return self.name


class ReadReceipt(models.Model):
    """The first time anyone of a household opened a circular."""

    circular = models.ForeignKey(Circular, on_delete=models.CASCADE, related_name="receipts")
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="receipts")
    member = models.ForeignKey(Member, null=True, on_delete=models.SET_NULL, related_name="+")
    read_at = models.DateTimeField(default=timezone.now)
    on_paper = models.BooleanField(default=False)  # ticked by the 班長 from the paper sheet

    class Meta:
        constraints = [models.UniqueConstraint(fields=["circular", "household"], name="one_receipt")]
        indexes = [models.Index(fields=["household", "read_at"])]

    def __str__(self) -> str:
        return f"{self.circular_id}:{self.household_id}"


class Question(models.Model):
    class Kind(models.TextChoices):
        ATTENDANCE = "attendance", _("出欠（人数）")
        YESNO = "yesno", _("はい・いいえ")
        CHOICE = "choice", _("選択")
        TEXT = "text", _("自由記入")

    circular = models.ForeignKey(Circular, on_delete=models.CASCADE, related_name="questions")
    kind = models.CharField(_("回答の種類"), max_length=12, choices=Kind.choices)
    prompt = models.CharField(_("質問"), max_length=200)
    choices = models.JSONField(_("選択肢"), default=list, blank=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.prompt


class Answer(models.Model):
    """One household's answer (the latest one counts; a member may change it until the due date)."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="answers")
    member = models.ForeignKey(Member, null=True, on_delete=models.SET_NULL, related_name="+")
    value = models.JSONField(default=dict)
    answered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["question", "household"], name="one_answer")]

    def __str__(self) -> str:
        return f"{self.question_id}:{self.household_id}"


class Event(models.Model):
    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="events")
    title = models.CharField(_("行事"), max_length=200)
    starts_at = models.DateTimeField(_("開始"))
    ends_at = models.DateTimeField(_("終了"), null=True, blank=True)
    place = models.CharField(_("場所"), max_length=200, blank=True)
    description = models.TextField(_("説明"), blank=True)
    circular = models.ForeignKey(
        Circular, null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("行事")
        verbose_name_plural = pgettext_lazy("plural", "行事")

    def __str__(self) -> str:
        return self.title


class Watch(models.Model):
    """安否確認: a 班長 asks to be told when a household of the 班 that usually reads has read nothing
    for ``days`` days."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="watches")
    han = models.ForeignKey(Han, on_delete=models.CASCADE, related_name="watches")
    days = models.PositiveIntegerField(_("日数"), default=7)
    active = models.BooleanField(default=True)
    last_alerted = models.JSONField(default=dict)  # household id -> ISO date of the last alert

    class Meta:
        constraints = [models.UniqueConstraint(fields=["member", "han"], name="one_watch")]

    def __str__(self) -> str:
        return f"{self.member_id}:{self.han_id}"


class Notification(models.Model):
    """The outbox: one message to one member by one channel, sent by the worker."""

    class State(models.TextChoices):
        QUEUED = "queued", _("送信待ち")
        SENDING = "sending", _("送信中")
        SENT = "sent", _("送信済み")
        FAILED = "failed", _("失敗")
        DIGEST = "digest", _("まとめて送る")

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="notifications")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="notifications")
    channel = models.CharField(max_length=10, choices=Member.Channel.choices)
    kind = models.CharField(max_length=20)  # circular, reminder, watch
    subject = models.CharField(max_length=200)
    body = models.TextField()
    url = models.CharField(max_length=300, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    attempts = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["state", "created_at"])]
        constraints = [
            models.CheckConstraint(condition=~Q(channel="none"), name="notification_has_a_channel"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.member_id}"

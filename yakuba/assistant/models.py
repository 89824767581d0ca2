"""The assistant's content and logs. None of it is personal data: pages and FAQ are public, and every
stored question or comment is masked (phone numbers, e-mail addresses, 個人番号-like digit runs) before
it is saved (see ``masking.py``).

- ``Department``: a contact point the assistant names (and the owner of pages and FAQ entries).
- ``Source``: where pages come from (a sitemap, a list of URLs, or a folder of files), synced by a task.
- ``Page`` and ``Passage``: one fetched page and its sections, the units the assistant retrieves.
- ``Faq``: a curated question and answer, edited in the staff pages; curated answers win when they match.
- ``Conversation`` and ``Exchange``: one chat and its questions, answers, ratings (masked).
- ``IndexState``: a counter bumped on every content change; processes rebuild their index when it moves.
"""

from django.db import models
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Department(models.Model):
    name = models.CharField(_("部署名"), max_length=100, unique=True)
    phone = models.CharField(_("電話番号"), max_length=30, blank=True)
    email = models.EmailField(_("メールアドレス"), blank=True)
    hours = models.CharField(_("受付時間"), max_length=100, blank=True)
    url = models.URLField(_("案内ページ"), blank=True)
    topics = models.TextField(
        _("担当する事柄（キーワード）"), blank=True, help_text=_("空白区切りで入力します。")
    )

    class Meta:
        verbose_name = _("担当部署")
        verbose_name_plural = pgettext_lazy("plural", "担当部署")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


class Source(models.Model):
    class Kind(models.TextChoices):
        SITEMAP = "sitemap", _("サイトマップ（sitemap.xml）")
        URLS = "urls", _("URLの一覧")
        FOLDER = "folder", _("サーバー上のフォルダ（HTML・Markdown・PDF）")

    name = models.CharField(_("名前"), max_length=100)
    kind = models.CharField(_("種類"), max_length=10, choices=Kind.choices)
    location = models.TextField(
        _("場所"), help_text=_("サイトマップのURL、1行に1つのURL、またはフォルダのパスを入力します。")
    )
    base_url = models.CharField(
        _("公開URLの先頭"),
        max_length=300,
        blank=True,
        help_text=_(
            "フォルダの場合に、ファイルを公開しているURLの先頭（例：https://www.city.example.jp/）。"
        ),
    )
    department = models.ForeignKey(
        Department, verbose_name=_("既定の担当部署"), null=True, blank=True, on_delete=models.SET_NULL
    )
    active = models.BooleanField(_("有効"), default=True)
    last_synced_at = models.DateTimeField(_("最終同期"), null=True, blank=True)
    # Set while a sync runs (claimed with a conditional update): a second sync of the same source, from
    # cron and the staff button at once, is refused instead of racing on the same pages.
    sync_started_at = models.DateTimeField(_("同期の開始"), null=True, blank=True)
    last_result = models.TextField(_("最終同期の結果"), blank=True)

    class Meta:
        verbose_name = _("情報源")
        verbose_name_plural = pgettext_lazy("plural", "情報源")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


class Page(models.Model):
    source = models.ForeignKey(
        Source, verbose_name=_("情報源"), on_delete=models.CASCADE, related_name="pages"
    )
    url = models.CharField(_("URL"), max_length=500, unique=True)
    title = models.CharField(_("タイトル"), max_length=300)
    department = models.ForeignKey(
        Department, verbose_name=_("担当部署"), null=True, blank=True, on_delete=models.SET_NULL
    )
    updated_on = models.DateField(_("更新日"), null=True, blank=True)
    content_hash = models.CharField(_("内容のハッシュ"), max_length=64)
    etag = models.CharField(max_length=200, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    fetched_at = models.DateTimeField(_("取得日時"), default=timezone.now)

    class Meta:
        verbose_name = _("ページ")
        verbose_name_plural = pgettext_lazy("plural", "ページ")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.title


class Passage(models.Model):
    page = models.ForeignKey(
        Page, verbose_name=_("ページ"), on_delete=models.CASCADE, related_name="passages"
    )
    position = models.PositiveIntegerField(_("順番"))
    heading = models.CharField(_("見出し"), max_length=300, blank=True)
    text = models.TextField(_("本文"))

    class Meta:
        verbose_name = _("段落")
        verbose_name_plural = pgettext_lazy("plural", "段落")
        ordering = ["page", "position"]
        constraints = [
            models.UniqueConstraint(fields=["page", "position"], name="assistant_passage_position")
        ]

    def __str__(self) -> str:
        return f"{self.page.title} {self.heading}"


class Faq(models.Model):
    question = models.CharField(_("質問"), max_length=300)
    answer = models.TextField(_("回答"))
    department = models.ForeignKey(
        Department, verbose_name=_("担当部署"), null=True, blank=True, on_delete=models.SET_NULL
    )
    url = models.CharField(_("詳しいページのURL"), max_length=500, blank=True)
    published = models.BooleanField(_("公開する"), default=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)
    updated_by = models.CharField(_("更新者"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("よくある質問")
        verbose_name_plural = pgettext_lazy("plural", "よくある質問")
        ordering = ["pk"]
        permissions = [("manage_content", _("AIアシスタントの内容（FAQ・部署・情報源）を管理できる"))]

    def __str__(self) -> str:
        return self.question


class Conversation(models.Model):
    token = models.CharField(max_length=43, unique=True)
    lang = models.CharField(_("言語"), max_length=10, default="ja")
    started_at = models.DateTimeField(_("開始日時"), default=timezone.now)

    class Meta:
        verbose_name = _("会話")
        verbose_name_plural = pgettext_lazy("plural", "会話")

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M} ({self.lang})"


class Exchange(models.Model):
    class Status(models.TextChoices):
        ANSWERED = "answered", _("回答した")
        FACT = "fact", _("設定値から回答した")
        ABSTAINED = "abstained", _("分からないと答えた")

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="exchanges")
    question = models.TextField(_("質問（個人情報は伏せ字）"))
    answer = models.TextField(_("回答"))
    status = models.CharField(_("結果"), max_length=10, choices=Status.choices)
    lang = models.CharField(_("言語"), max_length=10, default="ja")
    citations = models.JSONField(_("出典"), default=list)
    contact = models.JSONField(_("案内した問い合わせ先"), default=dict, blank=True)
    suggestions = models.JSONField(_("分からないときに示したページ"), default=list, blank=True)
    notice = models.CharField(_("注記"), max_length=300, blank=True)
    confidence = models.FloatField(_("確からしさ"), default=0.0)
    topic = models.CharField(_("話題"), max_length=100, blank=True)
    latency_ms = models.FloatField(_("応答時間（ミリ秒）"), default=0.0)
    rating = models.SmallIntegerField(_("評価"), default=0)  # 1 good, -1 bad, 0 not rated
    comment = models.TextField(_("ご意見（個人情報は伏せ字）"), blank=True)
    created_at = models.DateTimeField(_("日時"), default=timezone.now)

    class Meta:
        verbose_name = _("質問と回答")
        verbose_name_plural = pgettext_lazy("plural", "質問と回答")
        ordering = ["pk"]
        indexes = [models.Index(fields=["created_at"], name="assistant_exchange_at")]
        permissions = [("view_report", _("AIアシスタントへの質問と評価の分析を見られる"))]

    def __str__(self) -> str:
        return self.question[:50]


class IndexState(models.Model):
    """A singleton (pk=1) whose version moves on every change of the assistant's content."""

    version = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return str(self.version)

    @classmethod
    def bump(cls) -> None:
        updated = cls.objects.filter(pk=1).update(version=F("version") + 1)
        if not updated:
            cls.objects.get_or_create(pk=1, defaults={"version": 1})

    @classmethod
    def current(cls) -> int:
        row = cls.objects.filter(pk=1).values_list("version", flat=True).first()
        return int(row or 0)

"""The tax-assessment store (課税台帳の写し): one row per person and 課税年度, as imported from the tax
system's yearly file, and one ``ImportBatch`` per imported file.

Re-importing a year replaces all of that year's ``Assessment`` rows in one transaction; the batches
stay as the history of what was imported, by whom and when.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ImportBatch(models.Model):
    year = models.PositiveIntegerField(_("課税年度"))
    file_name = models.CharField(_("ファイル名"), max_length=255)
    sha256 = models.CharField(_("ファイルのSHA-256"), max_length=64)
    rows = models.PositiveIntegerField(_("件数"))
    imported_by = models.CharField(_("取込者"), max_length=150)
    imported_at = models.DateTimeField(_("取込日時"), default=timezone.now)

    class Meta:
        verbose_name = _("課税データの取込み")
        verbose_name_plural = pgettext_lazy("plural", "課税データの取込み")
        constraints = [
            # The same file is never imported twice for one year.
            models.UniqueConstraint(fields=["year", "sha256"], name="tax_batch_unique_file_per_year"),
        ]
        indexes = [models.Index(fields=["year", "imported_at"], name="tax_batch_year_at")]

    def __str__(self) -> str:
        return f"{self.year} {self.file_name} ({self.rows})"


class Assessment(models.Model):
    year = models.PositiveIntegerField(_("課税年度"))
    atena_no = models.CharField(_("宛名番号"), max_length=10)
    shotokuwari = models.PositiveBigIntegerField(_("市町村民税所得割額"))
    kintowari = models.PositiveBigIntegerField(_("市町村民税均等割額"))
    # True: neither 均等割 nor 所得割 is levied (非課税). A person taxed only the 均等割 has 所得割 0 and
    # non_taxed False.
    non_taxed = models.BooleanField(_("非課税"))
    imported_at = models.DateTimeField(_("取込日時"), default=timezone.now)
    batch = models.ForeignKey(
        ImportBatch, on_delete=models.PROTECT, related_name="assessments", verbose_name=_("取込み")
    )

    class Meta:
        verbose_name = _("課税データ")
        verbose_name_plural = pgettext_lazy("plural", "課税データ")
        permissions = [("import_assessment", "課税データを取り込む")]
        constraints = [
            models.UniqueConstraint(fields=["year", "atena_no"], name="tax_assessment_unique_person_year"),
            models.CheckConstraint(
                condition=Q(non_taxed=False) | Q(shotokuwari=0, kintowari=0),
                name="tax_assessment_non_taxed_pays_nothing",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.atena_no}"

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yakuba.tax.importfile import MAX_FILE_BYTES
from yakuba.tax.services import MAX_YEAR, MIN_YEAR
from yakuba.tax.wareki import fiscal_year


def fiscal_year_today() -> int:
    return fiscal_year(timezone.localdate())


class ImportForm(forms.Form):
    year = forms.IntegerField(
        label=_("課税年度（西暦）"),
        min_value=MIN_YEAR,
        max_value=MAX_YEAR,
        help_text=_("例：令和7年度なら2025"),
        error_messages={
            "required": _("課税年度を入れてください。"),
            "invalid": _("課税年度は西暦の数字で入れてください（例：2025）。"),
            "min_value": _("課税年度は%(limit_value)s年以降にしてください。"),
            "max_value": _("課税年度は%(limit_value)s年までにしてください。"),
        },
    )
    file = forms.FileField(
        label=_("課税データのCSVファイル"),
        help_text=_("UTF-8またはShift_JISのCSV（20MBまで）。1行目は見出し行です。"),
        error_messages={
            "required": _("ファイルを選んでください。"),
            "empty": _("ファイルが空です。"),
            "invalid": _("ファイルを受け取れませんでした。もう一度選んでください。"),
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("year", fiscal_year_today())
        super().__init__(*args, **kwargs)

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(_("ファイルが大きすぎます（20MBまで）。"))
        return upload

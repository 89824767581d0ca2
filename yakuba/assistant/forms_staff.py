"""Forms of the assistant's staff pages. They collect and convert; ``services`` checks the content and
refuses with messages by field, which the views put back on these forms."""

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yakuba.assistant.models import Department, Faq, Source
from yakuba.assistant.services import QUESTION_MAX

PUBLISHED_CHOICES = [("", _("すべて")), ("1", _("公開中")), ("0", _("非公開"))]
REPORT_DAYS = 30


def _departments() -> Any:
    return Department.objects.order_by("name")


class FaqFilterForm(forms.Form):
    q = forms.CharField(
        label=_("言葉でさがす"),
        required=False,
        max_length=200,
        help_text=_("質問と回答から探します（全角・半角、ひらがな・カタカナの違いは区別しません）。"),
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    department = forms.ChoiceField(label=_("担当部署"), required=False)
    published = forms.ChoiceField(label=_("公開"), required=False, choices=PUBLISHED_CHOICES)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [  # type: ignore[attr-defined]
            ("", _("すべて")),
            ("none", _("（担当部署なし）")),
            *((str(d.pk), d.name) for d in _departments()),
        ]

    def filters(self) -> dict[str, str]:
        """The filters for ``services.faq_search``; invalid ones are ignored."""
        self.is_valid()
        return {k: self.cleaned_data.get(k) or "" for k in ("q", "department", "published")}


class FaqForm(forms.Form):
    question = forms.CharField(
        label=_("質問"),
        max_length=QUESTION_MAX,
        help_text=_("住民が尋ねそうな言い方で、300文字までで書きます。"),
        error_messages={
            "required": _("質問を入れてください。"),
            "max_length": _("質問は%(limit_value)s文字までにしてください（いま%(show_value)s文字）。"),
            "null_characters_not_allowed": _(
                "質問に使えない文字（制御文字）が入っています。改行も使えません。"
            ),
        },
    )
    answer = forms.CharField(
        label=_("回答"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("文章だけで書きます。HTMLは使えません（書いたとおりの文字で表示されます）。"),
        error_messages={
            "required": _("回答を入れてください。"),
            "null_characters_not_allowed": _("回答に使えない文字（制御文字）が入っています。"),
        },
    )
    department = forms.ModelChoiceField(
        label=_("担当部署"), queryset=Department.objects.none(), required=False, empty_label=_("（なし）")
    )
    url = forms.CharField(
        label=_("詳しいページのURL"),
        required=False,
        max_length=500,
        help_text=_("https:// で始まるURL、またはこのサイトの / で始まるパス。なくてもかまいません。"),
        error_messages={"max_length": _("URLは%(limit_value)s文字までにしてください。")},
    )
    published = forms.BooleanField(
        label=_("公開する（AIアシスタントが回答に使います）"), required=False, initial=True
    )

    def __init__(self, *args: Any, faq: Faq | None = None, **kwargs: Any) -> None:
        if faq is not None:
            kwargs.setdefault(
                "initial",
                {
                    "question": faq.question,
                    "answer": faq.answer,
                    "department": faq.department_id,
                    "url": faq.url,
                    "published": faq.published,
                },
            )
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = _departments()  # type: ignore[attr-defined]


class DepartmentForm(forms.Form):
    name = forms.CharField(
        label=_("部署名"), max_length=100, error_messages={"required": _("部署名を入れてください。")}
    )
    phone = forms.CharField(
        label=_("電話番号"), max_length=30, required=False, help_text=_("例：0123-45-6789")
    )
    email = forms.EmailField(
        label=_("メールアドレス"),
        required=False,
        error_messages={
            "invalid": _("メールアドレスの形が正しくありません（例：kurashi@city.example.jp）。")
        },
    )
    hours = forms.CharField(
        label=_("受付時間"), max_length=100, required=False, help_text=_("例：平日 8時30分から17時15分")
    )
    url = forms.CharField(
        label=_("案内ページ"), max_length=200, required=False, help_text=_("https:// で始まるURL")
    )
    topics = forms.CharField(
        label=_("担当する事柄（キーワード）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("空白区切りで入力します。例：ごみ 粗大ごみ リサイクル"),
    )

    def __init__(self, *args: Any, department: Department | None = None, **kwargs: Any) -> None:
        if department is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": department.name,
                    "phone": department.phone,
                    "email": department.email,
                    "hours": department.hours,
                    "url": department.url,
                    "topics": department.topics,
                },
            )
        super().__init__(*args, **kwargs)


class SourceForm(forms.Form):
    name = forms.CharField(
        label=_("名前"), max_length=100, error_messages={"required": _("名前を入れてください。")}
    )
    kind = forms.ChoiceField(
        label=_("種類"),
        choices=Source.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("種類を選んでください。"),
            "invalid_choice": _("種類を選んでください。"),
        },
    )
    location = forms.CharField(
        label=_("場所"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "サイトマップならそのURL（https://…/sitemap.xml）、URLの一覧なら1行に1つのURL、フォルダならサーバー上のパス（例：/srv/city-site）。"
        ),
        error_messages={"required": _("場所を入れてください。")},
    )
    base_url = forms.CharField(
        label=_("公開URLの先頭"),
        max_length=300,
        required=False,
        help_text=_(
            "フォルダの場合に、ファイルを公開しているURLの先頭（例：https://www.city.example.jp/）。"
        ),
    )
    department = forms.ModelChoiceField(
        label=_("既定の担当部署"),
        queryset=Department.objects.none(),
        required=False,
        empty_label=_("（なし）"),
    )
    active = forms.BooleanField(label=_("有効（同期の対象にする）"), required=False, initial=True)

    def __init__(self, *args: Any, source: Source | None = None, **kwargs: Any) -> None:
        if source is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": source.name,
                    "kind": source.kind,
                    "location": source.location,
                    "base_url": source.base_url,
                    "department": source.department_id,
                    "active": source.active,
                },
            )
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = _departments()  # type: ignore[attr-defined]


class ReportForm(forms.Form):
    date_from = forms.DateField(
        label=_("開始日"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("開始日は 2025-04-01 の形で入れてください。")},
    )
    date_to = forms.DateField(
        label=_("終了日"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("終了日は 2025-04-30 の形で入れてください。")},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("date_from"), data.get("date_to")
        if since and until and since > until:
            raise forms.ValidationError(_("開始日は終了日より前の日にしてください。"))
        return data

    @staticmethod
    def default_period() -> tuple[dt.date, dt.date]:
        """The last 30 days, today included."""
        today = timezone.localdate()
        return today - dt.timedelta(days=REPORT_DAYS - 1), today

    def period(self) -> tuple[dt.date, dt.date]:
        """The chosen period; the last 30 days where nothing (or nothing valid) was chosen."""
        since, until = self.default_period()
        if not self.is_valid():
            return since, until
        chosen_from, chosen_to = self.cleaned_data.get("date_from"), self.cleaned_data.get("date_to")
        if chosen_to is None:
            chosen_to = max(until, chosen_from) if chosen_from else until
        if chosen_from is None:
            chosen_from = chosen_to - dt.timedelta(days=REPORT_DAYS - 1)
        return chosen_from, chosen_to

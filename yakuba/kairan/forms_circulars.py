"""Forms of circulars: the officers' draft, file and question forms, the members' answer forms and
the archive search. They only shape input; ``circulars.py`` decides (and sanitises)."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from yakuba.kairan.circulars import MAX_ATTENDANCE, MAX_TEXT_ANSWER
from yakuba.kairan.models import Association, Han, Question


class CircularForm(forms.Form):
    title = forms.CharField(label=_("件名"), max_length=200)
    body = forms.CharField(
        label=_("本文"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_(
            "そのまま書いてください。空行で段落が分かれます。太字や箇条書きなどの簡単なHTMLも使えます。"
        ),
    )
    due_on = forms.DateField(
        label=_("回覧の期限"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("回答もこの日まで受け付けます。"),
    )
    han = forms.ModelMultipleChoiceField(
        label=_("宛先の班"),
        queryset=Han.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("選ばないときは自治会の全世帯に回覧します。"),
    )

    def __init__(self, *args: Any, association: Association, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["han"].queryset = Han.objects.filter(association=association)  # type: ignore[attr-defined]


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("添付ファイル"),
        help_text=_("PDF、PNG、JPEGのファイルを1つ10MBまで、5つまで添付できます。"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg"}),
    )


class QuestionForm(forms.Form):
    kind = forms.ChoiceField(label=_("回答の種類"), choices=Question.Kind.choices, widget=forms.RadioSelect)
    prompt = forms.CharField(label=_("質問"), max_length=200)
    choices = forms.CharField(
        label=_("選択肢"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("「選択」のときだけ、1行に1つずつ入れてください。"),
    )

    def choice_list(self) -> list[str]:
        return [line for line in self.cleaned_data.get("choices", "").splitlines() if line.strip()]


YES_NO = [("yes", _("はい")), ("no", _("いいえ"))]
ATTEND = [("attend", _("出席")), ("absent", _("欠席"))]


class AnswerForm(forms.Form):
    """One question's answer; the fields depend on the question's kind. ``value()`` is what
    ``circulars.answer_save`` takes."""

    def __init__(self, *args: Any, question: Question, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", f"q{question.pk}")
        super().__init__(*args, **kwargs)
        self.question = question
        kind = question.kind
        if kind == Question.Kind.ATTENDANCE:
            self.fields["attend"] = forms.ChoiceField(
                label=question.prompt, choices=ATTEND, widget=forms.RadioSelect
            )
            self.fields["count"] = forms.IntegerField(
                label=_("出席する人数"),
                required=False,
                min_value=1,
                max_value=MAX_ATTENDANCE,
                help_text=_("出席のときだけ入れてください（20人まで）。"),
                widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
            )
        elif kind == Question.Kind.YESNO:
            self.fields["yes"] = forms.ChoiceField(
                label=question.prompt, choices=YES_NO, widget=forms.RadioSelect
            )
        elif kind == Question.Kind.CHOICE:
            self.fields["choice"] = forms.ChoiceField(
                label=question.prompt,
                choices=[(c, c) for c in question.choices],
                widget=forms.RadioSelect,
            )
        else:
            self.fields["text"] = forms.CharField(
                label=question.prompt,
                max_length=MAX_TEXT_ANSWER,
                widget=forms.Textarea(attrs={"rows": 3}),
                help_text=_("500文字までです。"),
            )

    @classmethod
    def initial_for(cls, question: Question, value: dict[str, Any] | None) -> dict[str, Any]:
        """The form's initial data from a stored answer."""
        if not value:
            return {}
        if question.kind == Question.Kind.ATTENDANCE:
            attend = bool(value.get("attend"))
            return {
                "attend": "attend" if attend else "absent",
                "count": value.get("count") if attend else None,
            }
        if question.kind == Question.Kind.YESNO:
            return {"yes": "yes" if value.get("yes") else "no"}
        if question.kind == Question.Kind.CHOICE:
            return {"choice": value.get("choice")}
        return {"text": value.get("text", "")}

    def value(self) -> dict[str, Any]:
        data = self.cleaned_data
        kind = self.question.kind
        if kind == Question.Kind.ATTENDANCE:
            attend = data["attend"] == "attend"
            return {"attend": attend, "count": data.get("count") if attend else 0}
        if kind == Question.Kind.YESNO:
            return {"yes": data["yes"] == "yes"}
        if kind == Question.Kind.CHOICE:
            return {"choice": data["choice"]}
        return {"text": data["text"]}


class ArchiveSearchForm(forms.Form):
    q = forms.CharField(
        label=_("さがす言葉"),
        required=False,
        max_length=100,
        help_text=_("件名・本文・添付ファイルの名前からさがします（ひらがな・カタカナはどちらでも）。"),
        widget=forms.TextInput(attrs={"type": "search"}),
    )

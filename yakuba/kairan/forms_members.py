"""Forms of members' own pages: their settings, events (officers) and 見守り (班長)."""

import datetime as dt
import re
from typing import Any

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yakuba.kairan import text
from yakuba.kairan.models import Event, Member
from yakuba.kairan.watch import MAX_DAYS, MIN_DAYS

LINE_USER_ID = re.compile(r"^U[0-9a-f]{32}$")


class SettingsForm(forms.ModelForm):
    class Meta:
        model = Member
        fields = ["name", "channel", "email", "line_user_id", "digest", "furigana"]
        help_texts = {
            "email": _("「メール」を選んだときに使います。"),
            "line_user_id": _(
                "「LINE」を選んだときに使います。自治会のLINE公式アカウントを友だち追加すると届く、Uで始まる33文字のIDです。"
            ),
            "digest": _("回覧が届くたびではなく、毎日夕方にまとめて1通でお知らせします。"),
            "furigana": _("漢字にふりがなを付けて表示します。"),
        }
        widgets = {
            "name": forms.TextInput(attrs={"autocomplete": "name"}),
            "email": forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
            "line_user_id": forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not settings.YAKUBA_LINE_CHANNEL_TOKEN and self.instance.channel != Member.Channel.LINE:
            # LINE is not set up in this town: do not offer it.
            self.fields["channel"].choices = [  # type: ignore[attr-defined]
                (value, label) for value, label in Member.Channel.choices if value != Member.Channel.LINE
            ]
            del self.fields["line_user_id"]

    def clean_name(self) -> str:
        name = text.plain(self.cleaned_data.get("name", ""), max_length=100)
        if not name:
            raise forms.ValidationError(_("お名前を入れてください。"))
        return name

    def clean_line_user_id(self) -> str:
        value = "".join(str(self.cleaned_data.get("line_user_id", "")).split())
        if value and not LINE_USER_ID.match(value):
            raise forms.ValidationError(_("LINEのユーザーIDは、Uで始まる33文字（英数字）です。"))
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        channel = data.get("channel")
        if channel == Member.Channel.EMAIL and not data.get("email") and "email" not in self.errors:
            self.add_error("email", _("メールで受け取るには、メールアドレスを入れてください。"))
        if (
            channel == Member.Channel.LINE
            and not data.get("line_user_id")
            and "line_user_id" not in self.errors
        ):
            if "line_user_id" in self.fields:
                self.add_error("line_user_id", _("LINEで受け取るには、LINEのユーザーIDを入れてください。"))
            else:
                self.add_error("channel", _("この町ではLINEでのお知らせはまだ使えません。"))
        return data


class EventForm(forms.Form):
    title = forms.CharField(label=_("行事の名前"), max_length=200)
    day = forms.DateField(
        label=_("日にち"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    starts = forms.TimeField(
        label=_("始まる時刻"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    ends = forms.TimeField(
        label=_("終わる時刻"),
        required=False,
        help_text=_("分からなければ空けておいてください。"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    place = forms.CharField(label=_("場所"), max_length=200, required=False)
    description = forms.CharField(
        label=_("説明"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 5})
    )

    @classmethod
    def initial_for(cls, event: Event) -> dict[str, Any]:
        start = timezone.localtime(event.starts_at)
        end = timezone.localtime(event.ends_at) if event.ends_at else None
        return {
            "title": event.title,
            "day": start.date(),
            "starts": start.time().replace(second=0, microsecond=0),
            "ends": end.time().replace(second=0, microsecond=0) if end else None,
            "place": event.place,
            "description": event.description,
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day, starts, ends = data.get("day"), data.get("starts"), data.get("ends")
        if day and starts:
            tz = timezone.get_current_timezone()
            data["starts_at"] = dt.datetime.combine(day, starts, tzinfo=tz)
            data["ends_at"] = dt.datetime.combine(day, ends, tzinfo=tz) if ends else None
            if ends and ends <= starts:
                self.add_error("ends", _("終わる時刻は始まる時刻より後にしてください。"))
        return data


class WatchForm(forms.Form):
    active = forms.BooleanField(label=_("見守りをする"), required=False)
    days = forms.IntegerField(
        label=_("何日読まれていなかったら知らせるか（日）"),
        min_value=MIN_DAYS,
        max_value=MAX_DAYS,
        initial=7,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )

"""The channel preferences form: for each kind of notice that has an SMS text, how it comes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .kinds import NoticeKind
from .models import ChannelPreference


class ChannelPreferencesForm(forms.Form):
    def __init__(
        self, *args: Any, kinds: list[NoticeKind], initial: dict[str, str], **kwargs: Any
    ) -> None:
        super().__init__(*args, initial=initial, **kwargs)
        for kind in kinds:
            self.fields[kind.code] = forms.ChoiceField(
                label=kind.label,
                choices=ChannelPreference.Channels.choices,
                widget=forms.RadioSelect,
                help_text=(
                    _("Unless you choose otherwise: by e-mail and SMS.")
                    if kind.sms_by_default
                    else _("Unless you choose otherwise: by e-mail.")
                ),
            )

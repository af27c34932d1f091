"""Form fields every part of the portal uses: ISO dates in a sane range, and the version a
person saw (optimistic concurrency)."""

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

# Far enough for any real passport or programme, near enough that date arithmetic never overflows.
EARLIEST_DATE = date(1950, 1, 1)
LATEST_DATE = date(2150, 12, 31)
ISO_FORMAT = ["%Y-%m-%d"]


class IsoDateField(forms.DateField):
    """A YYYY-MM-DD date within a sane range; the browser's date picker sends this format."""

    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    default_error_messages = {
        "invalid": _("Enter a real date in the form YYYY-MM-DD, for example 2024-09-16."),
        "range": _("Enter a date between %(earliest)s and %(latest)s."),
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("input_formats", ISO_FORMAT)
        super().__init__(**kwargs)

    def validate(self, value: date | None) -> None:
        super().validate(value)
        if value is not None and not EARLIEST_DATE <= value <= LATEST_DATE:
            raise forms.ValidationError(
                self.error_messages["range"],
                code="range",
                params={"earliest": EARLIEST_DATE.isoformat(), "latest": LATEST_DATE.isoformat()},
            )


class VersionedForm(forms.Form):
    """Carries the version of the application the person saw (optimistic concurrency)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

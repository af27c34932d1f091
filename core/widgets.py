"""Form widgets the portal needs beyond Django's."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, Any

from django import forms
from django.forms.utils import flatatt
from django.utils.safestring import mark_safe
from django_filters.widgets import BooleanWidget

if TYPE_CHECKING:
    from django.forms.renderers import BaseRenderer
    from django.utils.safestring import SafeString


class QuickSelect(forms.Select):
    """A ``<select>`` written directly in Python rather than through Django's widget templates.

    Django renders every ``<option>`` through a template and a dict of attributes; for the 200
    universities and 81 provinces of the queue's filter form that was a fifth of the page's
    time (BENCHMARKS.md); the queue's other selects, rendered on every view too, followed. The
    HTML is what Django's templates give for a plain select (the attributes through
    ``flatatt``, every value and label escaped); no option groups.
    """

    def render(
        self,
        name: str,
        value: Any,
        attrs: dict[str, Any] | None = None,
        renderer: BaseRenderer | None = None,
    ) -> SafeString:
        selected = set(self.format_value(value))
        built = self.build_attrs(self.attrs, attrs)
        if self.allow_multiple_selected:
            built["multiple"] = True
        parts = [f'<select name="{escape(name)}"{flatatt(built)}>']
        for option_value, label in self.choices:
            option = "" if option_value is None else str(option_value)
            mark = " selected" if option in selected else ""
            parts.append(f'<option value="{escape(option)}"{mark}>{escape(str(label))}</option>')
        parts.append("</select>")
        return mark_safe("".join(parts))  # noqa: S308 (all escaped above) # nosec B308 B703


class QuickSelectMultiple(QuickSelect, forms.SelectMultiple):
    """``QuickSelect`` for a choice of several (``<select multiple>``)."""


class QuickBooleanSelect(BooleanWidget, QuickSelect):  # type: ignore[misc]  # django-filter is untyped
    """django-filter's yes / no / either select, written as ``QuickSelect`` writes it."""

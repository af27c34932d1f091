"""One way every form in the portal renders: Bootstrap classes, hints and errors tied to fields.

Django ties help text and errors to the input with ``aria-describedby``; this renderer adds the
Bootstrap classes and an error summary at the top of a failed form that links to each field, so
no template has to lay out fields by hand (allauth's pages included).
"""

from django.forms import BoundField, CheckboxInput, CheckboxSelectMultiple, RadioSelect, Select
from django.forms.renderers import TemplatesSetting
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

FIELD_TEMPLATE = "forms/field.html"


class PortalBoundField(BoundField):
    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        widget = widget or self.field.widget
        if isinstance(widget, (CheckboxSelectMultiple, RadioSelect)) or widget.is_hidden:
            return attrs
        if isinstance(widget, CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, Select):
            css = "form-select"
        else:
            css = "form-control"
        if self.errors:
            css += " is-invalid"
        attrs["class"] = f"{attrs.get('class', '')} {css}".strip()
        return attrs

    def as_field_group(self) -> SafeString:
        """``forms/field.html`` for the common case (a labelled field without errors) written
        in Python: the template cost a fifth of the officers' queue page (its nine filters) for
        a label and a line of help. Anything else (errors, a fieldset, a checkbox, a field or
        form with a template of its own) goes through the template; a test keeps the two the
        same (tests/test_form_rendering.py)."""
        if not self._plain():
            return super().as_field_group()
        label = conditional_escape(self.label)
        if not self.field.required:
            label += (
                ' <span class="fw-normal text-body-secondary">'
                f"({conditional_escape(_('optional'))})</span>"
            )
        help_text = ""
        if self.help_text:
            help_text = (
                f'<div class="form-text mt-0 mb-1" id="{conditional_escape(self.auto_id)}'
                f'_helptext">{conditional_escape(self.help_text)}</div>'
            )
        return mark_safe(  # noqa: S308 # nosec B308 B703 (every value escaped above or by the widget)
            '<div class="mb-3">'
            f'<label class="form-label fw-semibold" for="{conditional_escape(self.id_for_label)}">'
            f"{label}</label>{help_text}{self.as_widget()}</div>"
        )

    def _plain(self) -> bool:
        renderer = self.form.renderer
        return (
            not self.errors
            and not self.use_fieldset
            and self.widget_type != "checkbox"
            and self.field.template_name is None
            and isinstance(renderer, PortalFormRenderer)
            and renderer.field_template_name == FIELD_TEMPLATE
        )


class PortalFormRenderer(TemplatesSetting):
    bound_field_class = PortalBoundField
    form_template_name = "forms/form.html"
    field_template_name = FIELD_TEMPLATE

"""One way every form in the portal renders: Bootstrap classes, hints and errors tied to fields.

Django ties help text and errors to the input with ``aria-describedby``; this renderer adds the
Bootstrap classes and an error summary at the top of a failed form that links to each field, so
no template has to lay out fields by hand (allauth's pages included).
"""

from django.forms import BoundField, CheckboxInput, CheckboxSelectMultiple, RadioSelect, Select
from django.forms.renderers import TemplatesSetting


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


class PortalFormRenderer(TemplatesSetting):
    bound_field_class = PortalBoundField
    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"

"""The field group written in Python (``PortalBoundField.as_field_group``) is the markup of
``forms/field.html``, field by field, for the forms the portal shows; whatever it does not
write itself (errors, fieldsets, checkboxes) still comes from the template."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django import forms
from django.forms import BoundField
from django.http import QueryDict
from django.utils import translation

from accounts.forms import MobileForm, ProfileForm
from applications.queue import queue_filtered
from officers.forms import ApproveForm, RejectForm, RequestInfoForm
from reports.queue import reports_filtered
from tests.factories import OfficerFactory

pytestmark = pytest.mark.django_db


def _same(html: str) -> str:
    """The markup with the template's layout whitespace taken out (between tags, around)."""
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", str(html))).strip()


def _from_template(field: BoundField) -> str:
    return BoundField.as_field_group(field)


def _forms() -> list[forms.BaseForm]:
    officer = OfficerFactory()
    return [
        queue_filtered(params=QueryDict(""), officer=officer).form,
        queue_filtered(params=QueryDict("q=ali&status=submitted"), officer=officer).form,
        reports_filtered(params=QueryDict(""), officer=officer).form,
        ProfileForm(),
        MobileForm(),
        RequestInfoForm(max_days=14),
        ApproveForm(earliest=date(2027, 1, 1), latest=date(2030, 6, 30)),
        RejectForm(),
    ]


@pytest.mark.parametrize("language", ["en", "az", "tr"])
def test_every_field_group_is_the_templates_markup(language):
    with translation.override(language):
        fields = [field for form in _forms() for field in form]
        assert len(fields) > 20
        for field in fields:
            assert _same(field.as_field_group()) == _same(_from_template(field)), field.name


def test_the_plain_case_is_written_without_the_template():
    form = ProfileForm()
    written = form["surname"].as_field_group()
    # The label, the help text tied to the input, the input: as the template writes them.
    assert '<label class="form-label fw-semibold" for="id_surname">' in written
    assert 'id="id_surname_helptext"' in written
    assert 'aria-describedby="id_surname_helptext"' in written


def test_errors_checkboxes_and_fieldsets_come_from_the_template():
    form = ProfileForm(data={"surname": ""})
    assert form.errors
    field = form["surname"]
    assert _same(field.as_field_group()) == _same(_from_template(field))
    assert 'id="id_surname_error"' in field.as_field_group()
    request_info = RequestInfoForm(max_days=14)
    choices = request_info["document_kinds"]  # a fieldset of checkboxes
    assert choices.use_fieldset
    assert _same(choices.as_field_group()) == _same(_from_template(choices))


def test_a_label_is_escaped():
    class Tricky(forms.Form):
        name = forms.CharField(label='<b>"Name"</b>', help_text="<i>as written</i>")

    written = Tricky()["name"].as_field_group()
    assert "<b>" not in written
    assert "&lt;b&gt;" in written
    assert "<i>" not in written
    assert "&lt;i&gt;" in written
    assert _same(written) == _same(_from_template(Tricky()["name"]))

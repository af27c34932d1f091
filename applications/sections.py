"""The application's sections: which fields each step asks for, and which of them are required.

One definition serves the step forms, the task list and the submission check in ``workflow``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Section:
    slug: str
    title: str | Promise
    fields: tuple[str, ...]
    required: tuple[str, ...]


SECTIONS: tuple[Section, ...] = (
    Section(
        "personal",
        _("Personal details"),
        fields=(
            "surname",
            "given_names",
            "father_name",
            "mother_name",
            "sex",
            "date_of_birth",
            "place_of_birth",
            "marital_status",
            "fin",
            "phone",
            "contact_email",
        ),
        required=(
            "surname",
            "given_names",
            "father_name",
            "mother_name",
            "sex",
            "date_of_birth",
            "place_of_birth",
            "fin",
            "phone",
        ),
    ),
    Section(
        "passport",
        _("Passport and entry"),
        fields=(
            "passport_number",
            "passport_issue_date",
            "passport_expiry_date",
            "passport_issuing_authority",
            "entry_date",
        ),
        required=("passport_number", "passport_issue_date", "passport_expiry_date", "entry_date"),
    ),
    Section(
        "study",
        _("Study"),
        fields=(
            "university",
            "faculty",
            "department",
            "student_number",
            "level",
            "field",
            "programme_start",
            "programme_end",
            "prep_year",
        ),
        required=(
            "university",
            "faculty",
            "department",
            "student_number",
            "level",
            "programme_start",
        ),
    ),
    Section(
        "address",
        _("Address in Türkiye"),
        fields=("province", "district", "neighbourhood", "address_line", "postal_code"),
        required=("province", "district", "address_line"),
    ),
)

SECTIONS_BY_SLUG = {section.slug: section for section in SECTIONS}
REQUIRED_FIELDS: tuple[str, ...] = tuple(name for s in SECTIONS for name in s.required)

# An extension asks the same, but for the date of entry: the legal-stay rule concerns a first
# arrival only, and the student has lived here on the permit since.
EXTENSION_SECTIONS: tuple[Section, ...] = tuple(
    replace(
        section,
        title=_("Passport"),
        fields=tuple(name for name in section.fields if name != "entry_date"),
        required=tuple(name for name in section.required if name != "entry_date"),
    )
    if section.slug == "passport"
    else section
    for section in SECTIONS
)


def sections_for(application) -> tuple[Section, ...]:
    return EXTENSION_SECTIONS if application.is_extension else SECTIONS


def section_by_slug(application, slug: str) -> Section | None:
    return next((s for s in sections_for(application) if s.slug == slug), None)


def required_fields(application) -> tuple[str, ...]:
    return tuple(name for section in sections_for(application) for name in section.required)


def section_is_complete(section: Section, application) -> bool:
    return all(getattr(application, name) not in (None, "") for name in section.required)

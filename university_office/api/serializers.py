"""What the university API reads and writes. Reads show only what the office's pages show
(never passport numbers, messages or the content of a document); writes are checked here for
their shape and then by the same services as the pages."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from applications.models import Application, EnrolmentConfirmation, EnrolmentStatus, Kind, Status
from core.forms import EARLIEST_DATE, LATEST_DATE
from permits.models import PermitStatus
from reports.models import EndReason, ReportStatus
from rules import eligibility
from rules.models import Field, Level

from ..models import Channel

# A university never sees a draft: only what its student handed in.
CASE_STATUSES = [(value, label) for value, label in Status.choices if value != Status.DRAFT]
DOCUMENT_KINDS = [(code, label) for code, label in eligibility.DOCUMENT_KINDS]
TEXT_MAX = 2000


def _related(obj: models.Model, name: str) -> Any:
    """A reverse one-to-one (``application.permit``) or None where there is none."""
    try:
        return getattr(obj, name)
    except ObjectDoesNotExist:
        return None


def no_surrogates(value: str) -> None:
    # JSON may carry lone surrogates (\\uD800 and the like), which no database column can store.
    if any("\ud800" <= char <= "\udfff" for char in value):
        raise serializers.ValidationError(_("Remove the characters that are not valid text."))


class Text(serializers.CharField):
    """Trimmed text without NUL characters or lone surrogates (DRF refuses NUL already)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", TEXT_MAX)
        super().__init__(**kwargs)
        self.validators.append(no_surrogates)


class ApiDate(serializers.DateField):
    """A YYYY-MM-DD date in the range every form of the portal accepts (date arithmetic on it
    never overflows)."""

    default_error_messages = {
        "invalid": _("Enter a real date in the form YYYY-MM-DD, for example 2024-09-16."),
        "range": _("Enter a date between %(earliest)s and %(latest)s."),
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("input_formats", ["%Y-%m-%d"])
        super().__init__(**kwargs)

    def to_internal_value(self, value: Any) -> date:
        parsed = super().to_internal_value(value)
        if not EARLIEST_DATE <= parsed <= LATEST_DATE:
            self.fail("range", earliest=EARLIEST_DATE.isoformat(), latest=LATEST_DATE.isoformat())
        return parsed


# --- Errors (every status but 2xx) ---


class ErrorsSerializer(serializers.Serializer):
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text=_('Messages by field name; "__all__" for those about the request as a whole.'),
    )


# --- Students and their cases ---


class PermitBriefSerializer(serializers.Serializer):
    number = serializers.CharField()
    status = serializers.ChoiceField(choices=PermitStatus.choices)
    valid_from = serializers.DateField()
    valid_to = serializers.DateField()


class ConfirmationBriefSerializer(serializers.Serializer):
    number = serializers.CharField(allow_null=True)
    status = serializers.ChoiceField(choices=EnrolmentStatus.choices)


class StudentSerializer(serializers.Serializer):
    """One case (a first application or an extension) of a student of the university."""

    reference = serializers.CharField()
    kind = serializers.ChoiceField(choices=Kind.choices)
    status = serializers.ChoiceField(choices=CASE_STATUSES)
    surname = serializers.CharField()
    given_names = serializers.CharField()
    student_number = serializers.CharField()
    level = serializers.ChoiceField(choices=Level.choices, allow_blank=True)
    field = serializers.ChoiceField(choices=Field.choices, allow_blank=True)
    faculty = serializers.CharField()
    department = serializers.CharField()
    programme_start = serializers.DateField(allow_null=True)
    programme_end = serializers.DateField(allow_null=True)
    submitted_at = serializers.DateTimeField(allow_null=True)
    permit = serializers.SerializerMethodField()
    enrolment_confirmation = serializers.SerializerMethodField()

    @extend_schema_field(PermitBriefSerializer(allow_null=True))
    def get_permit(self, case: Application) -> dict[str, Any] | None:
        permit = _related(case, "permit")
        return PermitBriefSerializer(permit).data if permit else None

    @extend_schema_field(ConfirmationBriefSerializer(allow_null=True))
    def get_enrolment_confirmation(self, case: Application) -> dict[str, Any] | None:
        confirmation = _related(case, "enrolment")
        return ConfirmationBriefSerializer(confirmation).data if confirmation else None


class StudentFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=CASE_STATUSES, required=False, allow_blank=True)
    kind = serializers.ChoiceField(choices=Kind.choices, required=False, allow_blank=True)
    search = Text(
        required=False,
        allow_blank=True,
        max_length=64,
        help_text=_("A reference or student number (exact), or part of a name."),
    )


# --- Enrolment confirmations ---


class FactsSerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=Level.choices, allow_blank=True)
    field = serializers.ChoiceField(choices=Field.choices, allow_blank=True)
    programme_start = serializers.DateField(allow_null=True)
    programme_end = serializers.DateField(allow_null=True)


class ConfirmationSerializer(serializers.Serializer):
    number = serializers.CharField(allow_null=True)
    status = serializers.ChoiceField(choices=EnrolmentStatus.choices)
    requested_at = serializers.DateTimeField()
    reference = serializers.CharField(source="application.reference")
    kind = serializers.ChoiceField(source="application.kind", choices=Kind.choices)
    surname = serializers.CharField(source="application.surname")
    given_names = serializers.CharField(source="application.given_names")
    student_number = serializers.CharField(source="application.student_number")
    stated = FactsSerializer(source="application", help_text=_("What the student stated."))
    confirmed = serializers.SerializerMethodField(
        help_text=_("What the university confirmed (or corrected), once confirmed.")
    )
    answered_at = serializers.SerializerMethodField()
    decline_reason = serializers.SerializerMethodField()

    # The pending list loads only what a waiting confirmation has (selectors); the answer's
    # columns are read only once there is an answer.
    @extend_schema_field(FactsSerializer(allow_null=True))
    def get_confirmed(self, confirmation: EnrolmentConfirmation) -> dict[str, Any] | None:
        if confirmation.status != EnrolmentStatus.CONFIRMED:
            return None
        return FactsSerializer(confirmation).data

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_answered_at(self, confirmation: EnrolmentConfirmation) -> str | None:
        if confirmation.status == EnrolmentStatus.REQUESTED or confirmation.answered_at is None:
            return None
        return serializers.DateTimeField().to_representation(confirmation.answered_at)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_decline_reason(self, confirmation: EnrolmentConfirmation) -> str | None:
        if confirmation.status != EnrolmentStatus.DECLINED:
            return None
        return confirmation.decline_reason


class ConfirmationFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=EnrolmentStatus.choices,
        required=False,
        default=EnrolmentStatus.REQUESTED,
        help_text=_("Waiting ones (requested) unless asked otherwise."),
    )


class ConfirmInputSerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=Level.choices)
    field = serializers.ChoiceField(
        choices=Field.choices, required=False, allow_blank=True, default=Field.GENERAL
    )
    programme_start = ApiDate()
    programme_end = ApiDate(required=False, allow_null=True, default=None)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start, end = attrs["programme_start"], attrs.get("programme_end")
        if end is not None and end <= start:
            raise serializers.ValidationError(
                {"programme_end": [_("The expected end must be after the programme's start.")]}
            )
        return attrs


class DeclineInputSerializer(serializers.Serializer):
    reason = Text(help_text=_("Why the enrolment cannot be confirmed; the student reads it."))


# --- The document check ---


class PrecheckDocumentSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=DOCUMENT_KINDS)
    uploaded_at = serializers.DateTimeField()


class PrecheckCaseSerializer(serializers.Serializer):
    reference = serializers.CharField()
    kind = serializers.ChoiceField(choices=Kind.choices)
    status = serializers.ChoiceField(choices=CASE_STATUSES)
    surname = serializers.CharField()
    given_names = serializers.CharField()
    student_number = serializers.CharField()
    level = serializers.ChoiceField(choices=Level.choices, allow_blank=True)
    field = serializers.ChoiceField(choices=Field.choices, allow_blank=True)
    programme_start = serializers.DateField(allow_null=True)
    programme_end = serializers.DateField(allow_null=True)
    submitted_at = serializers.DateTimeField(allow_null=True)
    documents = PrecheckDocumentSerializer(
        many=True,
        source="current_documents",
        help_text=_("The kinds of the current documents; their files stay on the portal."),
    )


class PrecheckReturnInputSerializer(serializers.Serializer):
    documents = serializers.DictField(
        child=Text(),
        allow_empty=False,
        help_text=_("The reason for each document kind the student must replace."),
    )
    note = Text(required=False, allow_blank=True, default="")

    def validate_documents(self, value: dict[str, str]) -> dict[str, str]:
        known = {code for code, _label in eligibility.DOCUMENT_KINDS}
        unknown = sorted(set(value) - known)
        if unknown:
            raise serializers.ValidationError(
                _("Unknown document kind: %(kinds)s. Use one of: %(known)s.")
                % {"kinds": ", ".join(unknown)[:200], "known": ", ".join(sorted(known))}
            )
        return value


# --- Ends of studies ---


class ReportInputSerializer(serializers.Serializer):
    reference = Text(
        max_length=40,
        help_text=_("The permit number, or the reference of any of the student's applications."),
    )
    reason = serializers.ChoiceField(choices=EndReason.choices)
    effective_on = ApiDate(help_text=_("The day the studies ended (not in the future)."))


class StudyEndReportSerializer(serializers.Serializer):
    report_reference = serializers.CharField(source="report.reference", allow_null=True)
    report_status = serializers.ChoiceField(source="report.status", choices=ReportStatus.choices)
    permit_number = serializers.CharField(source="permit.number")
    student_reference = serializers.CharField(source="permit.application.reference")
    reason = serializers.ChoiceField(choices=EndReason.choices)
    effective_on = serializers.DateField()
    channel = serializers.ChoiceField(choices=Channel.choices)
    created_at = serializers.DateTimeField()

"""Read queries and read-only derivations used by more than one view."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .models import (
    CONFIRMED_FIELDS,
    Application,
    ApplicationEvent,
    InfoRequest,
    Status,
)
from .sections import Section, section_is_complete, sections_for

# What a student sees of the history; internal bookkeeping (assignments, reviews) stays out.
STUDENT_EVENT_KINDS = (
    ApplicationEvent.Kind.CREATED,
    ApplicationEvent.Kind.STATUS_CHANGED,
    ApplicationEvent.Kind.DOCUMENT_UPLOADED,
    ApplicationEvent.Kind.PASSPORT_UPDATED,
    ApplicationEvent.Kind.ENROLMENT,
    ApplicationEvent.Kind.APPOINTMENT,
)


@dataclass(frozen=True)
class Guidance:
    headline: str | Promise
    next_step: str | Promise
    deadline: date | None = None


def open_info_request(application: Application) -> InfoRequest | None:
    return application.info_requests.filter(state=InfoRequest.State.OPEN).first()


def status_guidance(application: Application) -> Guidance:
    """The status in plain words, what to do next, and the date that matters."""
    status = application.status
    if status == Status.DRAFT:
        return Guidance(
            _("Not sent yet"),
            _("Complete every section, upload your documents and submit."),
        )
    if status == Status.PRECHECK:
        return Guidance(
            _("Handed in — your university is checking your documents"),
            _(
                "Your university's international office checks your documents before your "
                "application goes to the migration office. We will email you when it has."
            ),
        )
    if status == Status.RETURNED:
        return Guidance(
            _("Action needed: your university returned your application"),
            _(
                "Upload a new file for each document your university asks you to correct, then "
                "hand your application in again."
            ),
        )
    if status == Status.SUBMITTED:
        days = application.policy_version.decision_days if application.policy_version else 90
        submitted = timezone.localdate(application.submitted_at)
        return Guidance(
            _("Received — waiting for an officer"),
            _("You do not need to do anything now. A decision is due within %(days)s days.")
            % {"days": days},
            submitted + timedelta(days=days),
        )
    if status == Status.UNDER_REVIEW:
        days = application.policy_version.decision_days if application.policy_version else 90
        submitted = timezone.localdate(application.submitted_at)
        return Guidance(
            _("An officer is reviewing your application"),
            _("You do not need to do anything now. We will email you when something changes."),
            submitted + timedelta(days=days),
        )
    if status == Status.INFO_REQUESTED:
        request = open_info_request(application)
        return Guidance(
            _("Action needed: the officer asked for more information"),
            _(
                "Upload the documents the officer asked for and send your answer before the "
                "due date."
            ),
            request.due_date if request else None,
        )
    if status == Status.APPROVED:
        return Guidance(
            _("Approved — your residence permit is granted"),
            _(
                "Download your decision letter. Apply for an extension from 60 days before the "
                "permit ends."
            ),
            application.permit.valid_to if hasattr(application, "permit") else None,
        )
    if status == Status.REJECTED:
        return Guidance(
            _("Refused"),
            _(
                "Read the reasons below. You can appeal to the administrative court within 60 days "
                "of being notified of the decision."
            ),
        )
    return Guidance(_("Withdrawn"), _("You can start a new application at any time."))


def student_timeline(application: Application) -> QuerySet[ApplicationEvent]:
    return application.events.filter(kind__in=STUDENT_EVENT_KINDS).select_related("actor")


def rejection_details(application: Application) -> ApplicationEvent | None:
    return application.events.filter(to_status=Status.REJECTED).order_by("-created_at").first()


def task_list(application: Application) -> list[tuple[Section, bool]]:
    return [
        (section, section_is_complete(section, application))
        for section in sections_for(application)
    ]


def _display(application: Application, name: str) -> object:
    display = getattr(application, f"get_{name}_display", None)
    return display() if display else getattr(application, name)


def review_sections(application: Application) -> list[tuple[Section, list[tuple[object, object]]]]:
    """Every answer of the application, section by section, as (model field, shown value)."""
    return [
        (
            section,
            [
                (Application._meta.get_field(name), _display(application, name))
                for name in section.fields
            ],
        )
        for section in sections_for(application)
    ]


def enrolment_comparison(application: Application) -> list[dict[str, Any]]:
    """What the student entered beside what the university confirmed, fact by fact."""
    confirmation = getattr(application, "enrolment", None)
    if confirmation is None or not confirmation.is_confirmed:
        return []
    differs = confirmation.differences()
    rows = []
    for name in CONFIRMED_FIELDS:
        rows.append(
            {
                "label": Application._meta.get_field(name).verbose_name,  # type: ignore[union-attr]
                "student": _shown(application, name),
                "university": _shown(confirmation, name),
                "differs": name in differs,
            }
        )
    return rows


def _shown(obj: Any, name: str) -> str:
    value = getattr(obj, name)
    if value in (None, ""):
        return "—"
    getter = getattr(obj, f"get_{name}_display", None)
    if getter is not None:
        return str(getter())
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def precheck_passed_at(events: list[ApplicationEvent]) -> datetime | None:
    """When the university's office sent the case on, read from a history already loaded."""
    return next(
        (
            event.created_at
            for event in events
            if (event.from_status, event.to_status) == (Status.PRECHECK, Status.SUBMITTED)
        ),
        None,
    )

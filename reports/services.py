"""Everything that happens to a report: the student's moves and the officer's.

Each move locks the report, checks who acts, the version they saw and the transition, and moves
it through ``flow`` (the shared engine); what an accepted report changes is in ``effects``.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import is_staff_account, is_supervisor
from applications.extensions import current_permits
from cases import engine
from cases.assignment import require_officer, require_staff_of
from cases.errors import NotPermitted, WorkflowError
from documents.validation import CleanFile, random_storage_name, validate_upload
from permits.models import Permit, PermitStatus
from rules.policies import NoPolicyInForce, policy_version_in_force

from . import effects
from .deadlines import is_late, report_due_on
from .flow import FLOW, lock, move
from .models import (
    OPEN_REPORT_STATUSES,
    EndReason,
    Report,
    ReportEvent,
    ReportStatus,
    ReportType,
)

S = ReportStatus

# The evidence each kind of report needs: a report of a new passport or a new university
# without the document that shows it cannot be checked.
ATTACHMENT_REQUIRED = frozenset({ReportType.PASSPORT, ReportType.STUDY})


def reference_for(report: Report) -> str:
    # One reference per report, from its row: reports have no yearly numbering to keep.
    return f"AZTR-R-{timezone.localdate(report.submitted_at):%Y}-{report.pk:06d}"


def _own_current_permit(applicant: User, permit_id: int) -> Permit:
    permit = current_permits(applicant).select_for_update(of=("self",)).filter(pk=permit_id).first()
    if permit is None:
        raise WorkflowError(
            _("Changes can be reported only about a residence permit of yours that is valid.")
        )
    return permit


def _store_attachment(report: Report, clean: CleanFile) -> None:
    report.attachment.name = report.attachment.storage.save(
        random_storage_name(clean, folder="reports"), ContentFile(clean.content)
    )
    report.attachment_name = clean.original_name
    report.attachment_type = clean.content_type
    report.attachment_size = clean.size
    report.attachment_sha256 = clean.sha256


def _delete_on_failure(report: Report) -> None:
    if report.attachment:
        report.attachment.delete(save=False)


@transaction.atomic
def report_submit(
    *,
    applicant: User,
    permit_id: int,
    type: str,
    changed_on: date,
    details: dict[str, Any],
    passport_number: str = "",
    attachment: UploadedFile | None = None,
    today: date | None = None,
) -> Report:
    """A change reported about one of the student's valid permits: its deadline from the
    policy in force on the day of the change, late marked (never refused)."""
    if is_staff_account(applicant):
        raise NotPermitted(_("Staff accounts cannot report changes; use a personal account."))
    permit = _own_current_permit(applicant, permit_id)
    return _report_create(
        permit=permit,
        actor=applicant,
        type=type,
        changed_on=changed_on,
        details=details,
        passport_number=passport_number,
        attachment=attachment,
        today=today or timezone.localdate(),
    )


@transaction.atomic
def report_study_end_by_university(
    *, actor: User, permit_id: int, reason: str, changed_on: date, today: date | None = None
) -> Report:
    """The student's university reports a graduation, withdrawal, suspension or transfer: the
    end-of-studies case opens for the student's valid permit, and the student is told."""
    permit = (
        Permit.objects.select_for_update(of=("self",))
        .select_related("application")
        .filter(pk=permit_id, status=PermitStatus.VALID, extended_by__isnull=True)
        .first()
    )
    if permit is None:
        raise WorkflowError(_("The student has no valid residence permit to report about."))
    require_staff_of(actor, permit.application.university_id)
    if reason not in EndReason.values:
        raise WorkflowError(
            _("Choose what happened: graduation, withdrawal, suspension or transfer.")
        )
    return _report_create(
        permit=permit,
        actor=actor,
        type=ReportType.END_OF_STUDIES,
        changed_on=changed_on,
        details={"reason": reason, "reported_by_university": True},
        today=today or timezone.localdate(),
    )


def _report_create(
    *,
    permit: Permit,
    actor: User,
    type: str,
    changed_on: date,
    details: dict[str, Any],
    today: date,
    passport_number: str = "",
    attachment: UploadedFile | None = None,
) -> Report:
    applicant = permit.application.applicant
    if type not in ReportType.values:
        raise WorkflowError(_("Choose what changed."))
    if changed_on > today:
        raise WorkflowError(_("The date of the change cannot be in the future."))
    if changed_on < permit.valid_from:
        raise WorkflowError(
            _("The change happened before this permit started; it needs no report.")
        )
    if type in ATTACHMENT_REQUIRED and attachment is None:
        raise WorkflowError(_("Attach the document that shows the change."))
    try:
        policy = policy_version_in_force(on=changed_on)
    except NoPolicyInForce as exc:
        raise WorkflowError(_("No policy was in force on the date of the change.")) from exc
    other_province = type == ReportType.ADDRESS and str(details.get("province")) != str(
        permit.application.province_id
    )
    due_on = report_due_on(policy, type=type, changed_on=changed_on, other_province=other_province)
    clean = validate_upload(attachment) if attachment is not None else None
    report = Report(
        applicant=applicant,
        reported_by=None if actor.pk == applicant.pk else actor,
        permit=permit,
        type=type,
        changed_on=changed_on,
        due_on=due_on,
        late=is_late(due_on=due_on, reported_on=today),
        policy_version=policy,
        details={**details, "other_province": other_province},
        passport_number=passport_number,
        submitted_at=timezone.now(),
    )
    try:
        # The one-open-report rule is left to the database, which also decides a race.
        report.full_clean(
            exclude=["reference", "attachment"], validate_unique=False, validate_constraints=False
        )
    except ValidationError as exc:
        raise WorkflowError(" ".join(exc.messages)) from exc
    if clean is not None:
        _store_attachment(report, clean)
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError as exc:
        _delete_on_failure(report)
        raise WorkflowError(
            _(
                "A report of this kind about this permit is already being considered; "
                "follow it on its page or wait for its decision."
            )
        ) from exc
    try:
        report.reference = reference_for(report)
        report.save(update_fields=["reference"])
        event = FLOW.record_event(
            report,
            kind=engine.STATUS_CHANGED,
            actor=actor,
            to_status=S.SUBMITTED,
            data={"late": report.late, "due_on": due_on.isoformat()},
        )
        FLOW.notify(report, event)
    except BaseException:
        _delete_on_failure(report)
        raise
    return report


def _begin_own(report_id: int, actor: User, *, to_status: str, expected_version: int) -> Report:
    report = lock(report_id)
    if report.applicant_id != actor.pk:
        raise NotPermitted(_("Only the student who made the report can do this."))
    engine.check(FLOW, report, to_status=to_status, expected_version=expected_version)
    return report


def _begin_officer(report_id: int, actor: User, *, to_status: str, expected_version: int) -> Report:
    report = lock(report_id)
    require_officer(actor)
    engine.check(FLOW, report, to_status=to_status, expected_version=expected_version)
    if report.assignee_id not in (None, actor.pk) and not is_supervisor(actor):
        raise NotPermitted(_("Another officer is working on this report."))
    return report


@transaction.atomic
def report_withdraw(*, report_id: int, actor: User, expected_version: int) -> Report:
    report = _begin_own(report_id, actor, to_status=S.WITHDRAWN, expected_version=expected_version)
    report.decided_at = timezone.now()
    move(report, actor=actor, to_status=S.WITHDRAWN, update=("decided_at",))
    return report


@transaction.atomic
def report_provide_info(
    *,
    report_id: int,
    actor: User,
    expected_version: int,
    response: str,
    attachment: UploadedFile | None = None,
) -> Report:
    """The student answers the officer's request; the review resumes. A new document replaces
    the attached one (the earlier file is kept, named in the history)."""
    report = _begin_own(
        report_id, actor, to_status=S.UNDER_REVIEW, expected_version=expected_version
    )
    if not response.strip() and attachment is None:
        raise WorkflowError(_("Write an answer or attach a document."))
    update: tuple[str, ...] = ("info_due_on",)
    data: dict[str, Any] = {}
    if attachment is not None:
        clean = validate_upload(attachment)
        data["replaced_file"] = report.attachment.name
        _store_attachment(report, clean)
        update += (
            "attachment",
            "attachment_name",
            "attachment_type",
            "attachment_size",
            "attachment_sha256",
        )
    report.info_due_on = None
    try:
        FLOW.record_event(
            report, kind=ReportEvent.Kind.INFO_PROVIDED, actor=actor, note=response, data=data
        )
        move(report, actor=actor, to_status=S.UNDER_REVIEW, update=update)
    except BaseException:
        if attachment is not None:
            _delete_on_failure(report)
        raise
    return report


def report_claim(report: Report, actor: User) -> None:
    """What claim-next does with a locked, unassigned report."""
    report.assignee = actor
    if report.status == S.SUBMITTED:
        move(report, actor=actor, to_status=S.UNDER_REVIEW, update=("assignee",))
    else:
        engine.assign(FLOW, report, actor=actor, assignee=actor)


@transaction.atomic
def report_start_review(*, report_id: int, actor: User, expected_version: int) -> Report:
    report = _begin_officer(
        report_id, actor, to_status=S.UNDER_REVIEW, expected_version=expected_version
    )
    report.assignee = actor
    move(report, actor=actor, to_status=S.UNDER_REVIEW, update=("assignee",))
    return report


@transaction.atomic
def report_request_info(
    *, report_id: int, actor: User, expected_version: int, message: str, today: date | None = None
) -> Report:
    report = _begin_officer(
        report_id, actor, to_status=S.INFO_REQUESTED, expected_version=expected_version
    )
    if not message.strip():
        raise WorkflowError(_("Say what the student should send."))
    today = today or timezone.localdate()
    report.info_due_on = today + timedelta(days=policy_version_in_force(on=today).info_request_days)
    move(report, actor=actor, to_status=S.INFO_REQUESTED, note=message, update=("info_due_on",))
    return report


@transaction.atomic
def report_accept(
    *,
    report_id: int,
    actor: User,
    expected_version: int,
    note: str = "",
    shorten_to: date | None = None,
    shorten_reason: str = "",
    today: date | None = None,
) -> Report:
    """Accept the report: the record changes as reported (``effects``), in the same
    transaction as the decision, so a change is on the record exactly when it is accepted."""
    report = _begin_officer(
        report_id, actor, to_status=S.ACCEPTED, expected_version=expected_version
    )
    today = today or timezone.localdate()
    try:
        outcome = effects.apply(
            report, actor=actor, today=today, shorten_to=shorten_to, shorten_reason=shorten_reason
        )
    except ValidationError as exc:
        # The record refused the change (e.g. a date the rules cannot take): nothing is kept.
        raise WorkflowError(" ".join(exc.messages)) from exc
    report.decision_note = note
    report.decided_at = timezone.now()
    move(
        report,
        actor=actor,
        to_status=S.ACCEPTED,
        note=note,
        data=outcome,
        update=("decision_note", "decided_at"),
    )
    return report


@transaction.atomic
def report_reject(*, report_id: int, actor: User, expected_version: int, reason: str) -> Report:
    report = _begin_officer(
        report_id, actor, to_status=S.REJECTED, expected_version=expected_version
    )
    if not reason.strip():
        raise WorkflowError(_("State the reason, as the student will read it."))
    report.decision_note = reason
    report.decided_at = timezone.now()
    move(
        report,
        actor=actor,
        to_status=S.REJECTED,
        note=reason,
        update=("decision_note", "decided_at"),
    )
    return report


def record_view(report: Report, *, actor: User) -> None:
    """The access log: an officer opened the report (its passport number, its document)."""
    FLOW.record_event(report, kind=ReportEvent.Kind.VIEWED, actor=actor)


def open_reports(permit: Permit) -> Any:
    return Report.objects.filter(permit=permit, status__in=OPEN_REPORT_STATUSES)

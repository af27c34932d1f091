"""The university's document check, as its international office and the student do it.

A case handed in by a student of a university that checks documents first waits in
``precheck``; the office passes it on to the migration office's queue (the legal deadline
starts then) or returns it with a reason per document; the student replaces those and hands it
in again. Every move goes through the application's flow (``flow.py``).
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from cases.errors import WorkflowError
from rules import eligibility

from .completeness import complete_on_arrival
from .flow import begin, move
from .models import Application, PrecheckRound, Status
from .precheck_flow import kinds_to_replace, precheck_open
from .workflow import IncompleteApplication


def _open_round(application: Application) -> PrecheckRound:
    round_ = (
        application.precheck_rounds.select_for_update()
        .filter(state=PrecheckRound.State.OPEN)
        .first()
    )
    if round_ is None:
        # Every hand-in opens one (workflow.application_submit, application_resubmit).
        raise WorkflowError(_("This application is not waiting for a document check."))
    return round_


@transaction.atomic
def precheck_pass(*, application_id: int, actor: User, expected_version: int) -> Application:
    """The office found the documents complete: the case goes on to the officers' queue."""
    application = begin(
        application_id,
        actor=actor,
        by="university",
        to_status=Status.SUBMITTED,
        expected_version=expected_version,
    )
    round_ = _open_round(application)
    now = timezone.now()
    round_.state, round_.decided_at, round_.decided_by = PrecheckRound.State.PASSED, now, actor
    round_.save(update_fields=["state", "decided_at", "decided_by"])
    application.submitted_at = now
    complete_on_arrival(application)
    move(
        application,
        actor=actor,
        to_status=Status.SUBMITTED,
        data={"precheck": "passed"},
        update=("submitted_at", "complete_at"),
    )
    return application


@transaction.atomic
def precheck_return(
    *,
    application_id: int,
    actor: User,
    expected_version: int,
    reasons: dict[str, str],
    note: str = "",
) -> Application:
    """Back to the student: ``reasons`` maps each document kind to correct to the reason."""
    application = begin(
        application_id,
        actor=actor,
        by="university",
        to_status=Status.RETURNED,
        expected_version=expected_version,
    )
    known = {code for code, _label in eligibility.DOCUMENT_KINDS}
    reasons = {kind: reason.strip() for kind, reason in reasons.items() if reason.strip()}
    if not reasons:
        raise WorkflowError(_("Give the reason for at least one document to return."))
    unknown = set(reasons) - known
    if unknown:
        raise WorkflowError(
            _("Unknown document kind: %(kinds)s.") % {"kinds": ", ".join(sorted(unknown))}
        )
    round_ = _open_round(application)
    round_.state = PrecheckRound.State.RETURNED
    round_.returned_documents = reasons
    round_.note = note.strip()
    round_.decided_at, round_.decided_by = timezone.now(), actor
    round_.save(update_fields=["state", "returned_documents", "note", "decided_at", "decided_by"])
    labels = dict(eligibility.DOCUMENT_KINDS)
    summary = "; ".join(f"{labels[kind]}: {reason}" for kind, reason in reasons.items())
    move(
        application,
        actor=actor,
        to_status=Status.RETURNED,
        note=" ".join(part for part in (round_.note, summary) if part),
        data={"precheck": "returned", "documents": sorted(reasons)},
    )
    return application


@transaction.atomic
def application_resubmit(*, application_id: int, actor: User, expected_version: int) -> Application:
    """The student hands a returned application in again, every returned document replaced."""
    application = begin(
        application_id,
        actor=actor,
        by="applicant",
        to_status=Status.PRECHECK,
        expected_version=expected_version,
    )
    missing = kinds_to_replace(application)
    if missing:
        raise IncompleteApplication(
            missing,
            _(
                "Upload a new file for every document your university returned before you hand "
                "it in again."
            ),
        )
    precheck_open(application)
    move(application, actor=actor, to_status=Status.PRECHECK, data={"precheck": "handed_in_again"})
    return application

"""Retention: personal data of decided applications is removed once it is no longer needed.

KVKK Art. 7 and Art. 4(2)(d): personal data is kept only as long as the purpose requires. After
``DECIDED_RETENTION_YEARS`` from the decision (or the withdrawal), a nightly task anonymises an
application: names, identifiers, contact details, the address and every document go; the
reference, statuses, dates, university, level and the history of who did what stay, so the
statistics and the audit trail remain true. The permit's number and dates stay; its letter goes.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any, cast

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from core.dates import day_start
from rules.eligibility import add_years

from .models import (
    FINAL_STATUSES,
    Application,
    ApplicationEvent,
    EnrolmentConfirmation,
    InfoRequest,
    InternalNote,
    Message,
    PrecheckRound,
)

if TYPE_CHECKING:
    from django.db.models import Field

# Everything on the application that says who the person is or where they live.
PERSONAL_FIELDS = (
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
    "passport_number",
    "passport_issue_date",
    "passport_expiry_date",
    "passport_issuing_authority",
    "entry_date",
    "student_number",
    "district",
    "neighbourhood",
    "address_line",
    "postal_code",
)


def retention_cutoff(today: date) -> datetime:
    start = add_years(today, -settings.DECIDED_RETENTION_YEARS)
    return day_start(start)


def applications_due_for_anonymisation(*, today: date) -> QuerySet[Application]:
    cutoff = retention_cutoff(today)
    return Application.objects.filter(
        Q(decided_at__lt=cutoff) | Q(decided_at__isnull=True, updated_at__lt=cutoff),
        status__in=FINAL_STATUSES,
        anonymised_at__isnull=True,
    )


@transaction.atomic
def application_anonymise(*, application_id: int) -> bool:
    """Remove the personal data of one application; False if it was already done."""
    application = Application.objects.select_for_update().get(pk=application_id)
    if application.anonymised_at is not None:
        return False
    for name in PERSONAL_FIELDS:
        # Every personal field is a concrete column (no generic relation, no reverse one).
        field = cast("Field[Any, Any]", Application._meta.get_field(name))
        setattr(application, name, None if field.null else "")
    outcome = application.eligibility_outcome or {}
    for key in ("reasons", "warnings"):
        # The codes say why; the sentences repeated the person's dates.
        outcome[key] = [{"code": item.get("code", "")} for item in outcome.get(key, [])]
    application.eligibility_outcome = outcome or None
    application.anonymised_at = timezone.now()
    application.version += 1
    application.save()

    files = []
    for document in application.documents.all():
        files.append(document.file)
    application.documents.all().delete()
    permit = getattr(application, "permit", None)
    if permit is not None and permit.letter:
        files.append(permit.letter)
        permit.letter = ""
        permit.save(update_fields=["letter"])
    Message.objects.filter(application=application).update(body="")
    InternalNote.objects.filter(application=application).update(body="")
    InfoRequest.objects.filter(application=application).update(message="", response="")
    # The university's words about the student: its reasons for a return or a refusal.
    # Which documents were returned stays (kinds, dates); the reasons go.
    for round_ in PrecheckRound.objects.filter(application=application):
        round_.returned_documents = dict.fromkeys(round_.returned_documents, "")
        round_.note = ""
        round_.save(update_fields=["returned_documents", "note"])
    EnrolmentConfirmation.objects.filter(application=application).update(decline_reason="")
    application.notifications.all().delete()
    # The one change the append-only trigger allows: blanking the notes (migration 0011).
    ApplicationEvent.objects.filter(application=application).exclude(note="").update(note="")
    # Apps above this one that keep data about the person (reports) remove theirs too.
    for config in apps.get_app_configs():
        if hasattr(config, "anonymise_with"):
            config.anonymise_with(application)
    # Files go only once the rows are gone for good.
    transaction.on_commit(lambda: [file.delete(save=False) for file in files])
    return True


def anonymise_decided(*, today: date | None = None) -> int:
    """Anonymise every application past its retention period; returns how many."""
    today = today or timezone.localdate()
    due = applications_due_for_anonymisation(today=today).order_by("pk")
    return sum(application_anonymise(application_id=pk) for pk in due.values_list("pk", flat=True))

"""What an international office does here: report the end of a student's studies, manage its
API tokens; and what supervisors do for it: create and deactivate its staff accounts.

The enrolment confirmation and the document check are the applications app's own services
(``applications.enrolment``, ``applications.precheck``); pages, CSV rows and API calls all go
through those same functions, so every channel writes the same history.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import date, timedelta

from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import UNIVERSITY_STAFF, is_supervisor
from accounts.services import email_mark_verified
from cases.errors import NotPermitted, WorkflowError
from reports.services import report_study_end_by_university
from universities.models import University, UniversityStaff
from universities.scoping import staff_university

from .models import ApiToken, Channel, StudyEndReport
from .selectors import current_permit_of

# The key a university's system sends: "aztr_" + 40 random characters. The prefix tells a
# leaked key apart in logs and secret scanners; only a SHA-256 of the whole key is stored
# (a random 240-bit key needs no slow hash).
TOKEN_PREFIX = "aztr_"  # noqa: S105 (a label, not a secret)
TOKEN_SHOWN_CHARS = 12
# Writing last_used_at on every call would turn each read into a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def _require_university(actor: User) -> University:
    university = staff_university(actor)
    if university is None:
        raise NotPermitted(_("Only a university's international office can do this."))
    return university


@transaction.atomic
def study_end_report(
    *,
    actor: User,
    reference: str,
    reason: str,
    effective_on: date,
    channel: str = Channel.PAGE,
    today: date | None = None,
) -> StudyEndReport:
    """A graduation, withdrawal, suspension or transfer of one of the office's students: it
    opens the end-of-studies case for the student's valid permit."""
    university = _require_university(actor)
    permit = current_permit_of(university, reference)
    if permit is None:
        raise WorkflowError(
            _("No student of your university with a valid permit has the reference %(ref)s.")
            % {"ref": reference.strip()}
        )
    report = report_study_end_by_university(
        actor=actor, permit_id=permit.pk, reason=reason, changed_on=effective_on, today=today
    )
    return StudyEndReport.objects.create(
        university=university,
        permit=permit,
        report=report,
        reason=reason,
        effective_on=effective_on,
        reported_by=actor,
        channel=channel,
    )


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def token_create(*, actor: User, name: str) -> tuple[ApiToken, str]:
    """A new token for the actor's university; the key is returned once and never again."""
    university = _require_university(actor)
    name = name.strip()
    if not name:
        raise WorkflowError(_("Give the token a name, such as the system that will use it."))
    key = TOKEN_PREFIX + secrets.token_urlsafe(30)
    token = ApiToken.objects.create(
        university=university,
        name=name[:80],
        prefix=key[:TOKEN_SHOWN_CHARS],
        key_hash=_hash(key),
        created_by=actor,
    )
    return token, key


@transaction.atomic
def token_revoke(*, actor: User, token_id: int) -> ApiToken:
    university = _require_university(actor)
    token = ApiToken.objects.select_for_update().filter(pk=token_id, university=university).first()
    if token is None:
        raise NotPermitted(_("This token does not belong to your university."))
    if token.revoked_at is None:
        token.revoked_at, token.revoked_by = timezone.now(), actor
        token.save(update_fields=["revoked_at", "revoked_by"])
    return token


def token_authenticate(key: str) -> ApiToken | None:
    """The active token with this key; None for any other key. Its use is recorded by
    ``token_mark_used`` once the caller has accepted it."""
    if not key.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("university", "created_by")
        .filter(key_hash=_hash(key), revoked_at__isnull=True)
        .first()
    )
    return token


def token_mark_used(token: ApiToken) -> None:
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


def _require_supervisor(actor: User) -> None:
    if not is_supervisor(actor):
        raise NotPermitted(_("Only supervisors can manage university staff accounts."))


@transaction.atomic
def university_staff_create(
    *, actor: User, email: str, university: University, language: str = "tr"
) -> UniversityStaff:
    """A new international-office account: no password until its owner sets one from the
    e-mail they get (the caller sends it), and two-factor sign-in from the first time."""
    _require_supervisor(actor)
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise WorkflowError(_("An account with this e-mail address already exists."))
    try:
        with transaction.atomic():
            user = User.objects.create_user(  # type: ignore[no-untyped-call]
                email=email, password=None, preferred_language=language
            )
    except IntegrityError as exc:
        raise WorkflowError(_("An account with this e-mail address already exists.")) from exc
    user.groups.add(Group.objects.get(name=UNIVERSITY_STAFF))
    # The university's address, given by a supervisor: its owner proves it by choosing the
    # password from the link sent there, so it is not verified a second time.
    email_mark_verified(user=user)
    return UniversityStaff.objects.create(user=user, university=university, created_by=actor)


@transaction.atomic
def university_staff_deactivate(*, actor: User, membership_id: int) -> UniversityStaff:
    """The account can no longer sign in (its open sessions end at their next request); its
    history stays."""
    _require_supervisor(actor)
    membership = (
        UniversityStaff.objects.select_for_update().select_related("user").get(pk=membership_id)
    )
    if membership.deactivated_at is None:
        membership.deactivated_at = timezone.now()
        membership.save(update_fields=["deactivated_at"])
        membership.user.is_active = False
        membership.user.save(update_fields=["is_active"])
    return membership


@transaction.atomic
def university_staff_reactivate(*, actor: User, membership_id: int) -> UniversityStaff:
    _require_supervisor(actor)
    membership = (
        UniversityStaff.objects.select_for_update().select_related("user").get(pk=membership_id)
    )
    membership.deactivated_at = None
    membership.save(update_fields=["deactivated_at"])
    membership.user.is_active = True
    membership.user.save(update_fields=["is_active"])
    return membership

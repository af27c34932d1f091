"""When an application is complete: the day LFIP Art. 21(5)'s 90 days start to run.

A case that needs no visit to the provincial office is complete when it reaches the officers
(handed in, or passed by the university's document check). A case that needs one (the policy
says which kinds do) is complete only once the office has taken the biometrics and seen the
original documents: the desk's "attended" calls ``application_mark_complete``. Until then the
legal clock has not started, and the queue, the dashboard and the digest say so instead of
counting days.

Whether a kind needs a visit is read from the policy the application was evaluated under, so
a policy changed later neither strands a case without a clock nor asks for a visit nobody
announced when the student applied.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from rules.models import PolicyVersion
from rules.policies import policy_version_in_force

from .models import Application, Kind


def policy_of(application: Application) -> PolicyVersion:
    """The policy the case was evaluated under; the one in force today for a draft."""
    if application.policy_version is not None:
        return application.policy_version
    return policy_version_in_force(on=timezone.localdate())


def needs_visit(application: Application, *, policy: PolicyVersion | None = None) -> bool:
    """Whether this kind of case needs a visit to the office (biometrics, originals)."""
    policy = policy or policy_of(application)
    if application.kind == Kind.EXTENSION:
        return policy.visit_required_extension
    return policy.visit_required_first


def complete_on_arrival(application: Application) -> None:
    """At the moment the case reaches the officers (``submitted_at`` just set, saved by the
    caller's transition): complete now, unless it waits for a visit."""
    if application.complete_at is None and not needs_visit(application):
        application.complete_at = application.submitted_at


def application_mark_complete(*, application_id: int, at: datetime) -> bool:
    """The visit was recorded: the case is complete from ``at``. Only the first visit counts
    (a case already complete keeps its day); returns whether the day was set now."""
    updated = Application.objects.filter(pk=application_id, complete_at__isnull=True).update(
        complete_at=at
    )
    return bool(updated)

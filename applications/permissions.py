"""Who may see an application: one rule, used by every list and every detail view.

django-helpdesk's list and detail checks drifted apart; here both call the same function, and
querysets are scoped by the same rule (``applications_visible_to``).
"""

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from accounts.models import User
from accounts.roles import is_officer

from .models import Application, Status


def can_view_application(user: User | AnonymousUser, application: Application) -> bool:
    if not user.is_authenticated:
        return False
    if application.applicant_id == user.pk:
        return True
    # A draft is the student's private work in progress: officers see only what was submitted.
    return application.status != Status.DRAFT and is_officer(user)


def applications_visible_to(user: User | AnonymousUser) -> QuerySet[Application]:
    if not user.is_authenticated:
        return Application.objects.none()
    if is_officer(user):
        return Application.objects.exclude(status=Status.DRAFT)
    return Application.objects.filter(applicant=user)


def own_applications(user: User) -> QuerySet[Application]:
    """The student's pages show only the student's own applications, officers' included."""
    return Application.objects.filter(applicant=user)

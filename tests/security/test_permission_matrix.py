"""Every URL of the portal, requested by every kind of visitor, answers as the table says.

The test walks the URLconf: a route missing from ``EXPECTED`` fails it, so a new page cannot be
added without deciding who may open it. Requests are GETs (what a link or a curious visitor
does); POST-only actions answer 405 to those allowed in, and the refusal to the others is the
check that matters.

Columns: anonymous, student A (the owner), student B (another student), an officer whose
session has not passed two-factor sign-in, an officer, a supervisor, the international office
of student A's university, and the office of another university.
"""

from __future__ import annotations

import pytest
from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from applications import notices as app_notices
from applications import workflow
from applications.models import Status
from notifications.services import notification_create
from reports.models import ReportType
from reports.services import report_submit
from tests.factories import (
    OfficerFactory,
    SupervisorFactory,
    UniversityStaffFactory,
    UserFactory,
)
from university_office.bulk.uploads import upload_create
from university_office.services import token_create

pytestmark = pytest.mark.django_db

ROLES = (
    "anonymous",
    "student_a",
    "student_b",
    "officer_no_2fa",
    "officer",
    "supervisor",
    "university_own",
    "university_other",
)
LOGIN, MFA, FORBIDDEN, MISSING, GONE, OK, NOT_ALLOWED = 302, 302, 403, 404, 302, 200, 405


def row(
    anonymous,
    student_a,
    student_b,
    officer_no_2fa,
    officer,
    supervisor,
    university_own=None,
    university_other=None,
):
    """A university office sees what another student sees of pages that are not its own,
    unless the row says otherwise."""
    university_own = student_b if university_own is None else university_own
    university_other = university_own if university_other is None else university_other
    statuses = (
        anonymous,
        student_a,
        student_b,
        officer_no_2fa,
        officer,
        supervisor,
        university_own,
        university_other,
    )
    return dict(zip(ROLES, statuses, strict=True))


# Public pages: everyone (staff without two-factor are sent to it first).
PUBLIC = row(OK, OK, OK, MFA, OK, OK)
# A signed-in person's own pages.
SIGNED_IN = row(LOGIN, OK, OK, MFA, OK, OK)
# The student's application pages: the owner only; another student and staff get a 404.
OWNER = row(LOGIN, OK, MISSING, MFA, MISSING, MISSING)
# POST-only: a GET is refused before anything is looked up, so it reveals nothing.
OWNER_POST = row(LOGIN, NOT_ALLOWED, NOT_ALLOWED, MFA, NOT_ALLOWED, NOT_ALLOWED)
# The international office's own pages: its staff, each for its own university's students.
OFFICE = row(LOGIN, FORBIDDEN, FORBIDDEN, MFA, FORBIDDEN, FORBIDDEN, OK, OK)
# One student's case: the office of the student's university; another office as if it did
# not exist.
OFFICE_CASE = row(LOGIN, FORBIDDEN, FORBIDDEN, MFA, FORBIDDEN, FORBIDDEN, OK, MISSING)
# Supervisors manage the offices' accounts.
SUPERVISOR_ONLY = row(LOGIN, FORBIDDEN, FORBIDDEN, MFA, FORBIDDEN, OK, FORBIDDEN)
SUPERVISOR_POST = row(LOGIN, FORBIDDEN, FORBIDDEN, MFA, FORBIDDEN, NOT_ALLOWED, FORBIDDEN)
# The officer workspace: officers and supervisors.
STAFF = row(LOGIN, FORBIDDEN, FORBIDDEN, MFA, OK, OK)
STAFF_POST = row(LOGIN, FORBIDDEN, FORBIDDEN, MFA, NOT_ALLOWED, NOT_ALLOWED)

EXPECTED: dict[str, dict[str, int]] = {
    "home": PUBLIC,
    "healthz": row(OK, OK, OK, OK, OK, OK),
    # Probes (portal/observability/): no session is needed; a staff session that has not
    # passed two-factor is sent to it first, like from any page not open before it.
    "livez": row(OK, OK, OK, MFA, OK, OK),
    "readyz": row(OK, OK, OK, MFA, OK, OK),
    # Only the operators' Prometheus, by its token; with no METRICS_TOKEN (as here) no page.
    "metrics": row(MISSING, MISSING, MISSING, MFA, MISSING, MISSING),
    # A GET changes nothing and goes back where the visitor came from.
    "set_language": row(302, 302, 302, 302, 302, 302),
    "eligibility": PUBLIC,
    "eligibility-api": row(400, 400, 400, MFA, 400, 400),
    "permit-verify-form": PUBLIC,
    "permit-verify": PUBLIC,
    "privacy-notice": PUBLIC,
    "profile": SIGNED_IN,
    "data-export": SIGNED_IN,
    "account-delete": SIGNED_IN,
    "dashboard": SIGNED_IN,
    "notification-inbox": SIGNED_IN,
    "notification-read-all": row(LOGIN, NOT_ALLOWED, NOT_ALLOWED, MFA, NOT_ALLOWED, NOT_ALLOWED),
    "notification-read": row(LOGIN, NOT_ALLOWED, NOT_ALLOWED, MFA, NOT_ALLOWED, NOT_ALLOWED),
    # SMS (issue 16): the channel choices and the mobile number are the signed-in person's own;
    # the provider's signed delivery report is a POST from outside (no session needed).
    "notification-preferences": SIGNED_IN,
    "mobile": SIGNED_IN,
    "mobile-verify": SIGNED_IN,
    "sms-status-callback": row(
        NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, MFA, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED
    ),
    "application-new": row(LOGIN, NOT_ALLOWED, NOT_ALLOWED, MFA, NOT_ALLOWED, NOT_ALLOWED),
    "application-detail": OWNER,
    "application-tasks": OWNER,
    "application-section": OWNER,
    "application-documents": OWNER,
    "document-delete": OWNER_POST,
    "application-review": OWNER,
    "application-respond": OWNER_POST,
    "application-resubmit": OWNER_POST,
    "application-message": OWNER_POST,
    "application-withdraw": row(LOGIN, 302, MISSING, MFA, MISSING, MISSING),
    # Only while the application is being considered; a decided one goes back to its page.
    "application-passport": row(LOGIN, 302, MISSING, MFA, MISSING, MISSING),
    "permit-letter": OWNER,
    # Documents: the owner and staff (officers never see drafts; this one is submitted).
    # Documents: the owner and staff; to anyone else, as if it did not exist.
    "document-file": row(MISSING, OK, MISSING, MFA, OK, OK),
    "officer-queue": STAFF,
    "officer-claim-next": STAFF_POST,
    "officer-queue-export": STAFF,
    "supervisor-dashboard": row(LOGIN, FORBIDDEN, FORBIDDEN, MFA, FORBIDDEN, OK, FORBIDDEN),
    "officer-review": STAFF,
    "officer-release": STAFF_POST,
    "officer-reassign": STAFF_POST,
    "officer-start-review": STAFF_POST,
    "officer-request-info": STAFF_POST,
    "officer-approve": STAFF_POST,
    "officer-reject": STAFF_POST,
    "officer-add-note": STAFF_POST,
    "officer-send-message": STAFF_POST,
    "officer-document-verdict": STAFF_POST,
    # allauth: sign-in pages send a signed-in visitor on; account pages need a sign-in.
    "account_login": row(OK, 302, 302, 302, 302, 302),
    "account_signup": row(OK, 302, 302, 302, 302, 302),
    "account_logout": row(302, OK, OK, OK, OK, OK),
    "account_inactive": PUBLIC,
    "account_email_verification_sent": PUBLIC,
    "account_confirm_email": PUBLIC,
    "account_reset_password": PUBLIC,
    "account_reset_password_done": PUBLIC,
    "account_reset_password_from_key": PUBLIC,
    "account_reset_password_from_key_done": PUBLIC,
    "account_confirm_login_code": row(302, 302, 302, MFA, 302, 302),
    "account_email": SIGNED_IN,
    "account_change_password": SIGNED_IN,
    "account_set_password": row(LOGIN, 302, 302, MFA, 302, 302),
    # Staff without two-factor may confirm their password to set it up.
    "account_reauthenticate": row(LOGIN, OK, OK, OK, OK, OK),
    "mfa_index": row(LOGIN, OK, OK, OK, OK, OK),
    # Only in the middle of a sign-in with an authenticator; otherwise sent on.
    "mfa_authenticate": row(302, 302, 302, 302, 302, 302),
    "mfa_reauthenticate": row(LOGIN, 302, 302, MFA, 302, 302),
    "mfa_activate_totp": row(LOGIN, 302, 302, 302, 302, 302),
    # Nobody here has an authenticator yet: nothing to switch off or show.
    "mfa_deactivate_totp": row(LOGIN, MISSING, MISSING, MFA, MISSING, MISSING),
    "mfa_view_recovery_codes": row(LOGIN, MISSING, MISSING, MFA, MISSING, MISSING),
    "mfa_generate_recovery_codes": row(LOGIN, 302, 302, MFA, 302, 302),
    "mfa_download_recovery_codes": row(LOGIN, MISSING, MISSING, MFA, MISSING, MISSING),
    # The Django admin: nobody here is a superuser; sign-in goes through allauth.
    "admin:index": row(302, 302, 302, MFA, 302, 302),
    # Extending a permit: its holder only. Student A's permit has just been granted: the page
    # says when the window opens. A first application has no receipt (only an extension does).
    "permit-extend": OWNER,
    "extension-receipt": row(LOGIN, MISSING, MISSING, MFA, MISSING, MISSING),
    # Change reports: the student's pages are the permit holder's own; the officers' review
    # is the workspace's. The attached document: the holder and staff (the access recorded).
    "report-new": OWNER,
    "report-create": OWNER,
    "report-detail": OWNER,
    "report-respond": OWNER_POST,
    "report-withdraw": OWNER_POST,
    "report-file": row(LOGIN, OK, MISSING, MFA, OK, OK),
    "officer-report": STAFF,
    "officer-report-start": STAFF_POST,
    "officer-report-info": STAFF_POST,
    "officer-report-accept": STAFF_POST,
    "officer-report-reject": STAFF_POST,
    # Cancelling a permit: the workspace's. The letters exist only for a cancelled permit
    # (student A's is valid): its holder gets it, anyone else as if it did not exist.
    "officer-permit-cancel": STAFF,
    "officer-cancellation-letter": row(LOGIN, FORBIDDEN, FORBIDDEN, MFA, MISSING, MISSING),
    "permit-cancellation-letter": row(LOGIN, MISSING, MISSING, MFA, MISSING, MISSING),
    # Universities' international offices (issue 15).
    "university-home": OFFICE,
    "university-students": OFFICE,
    "university-case": OFFICE_CASE,
    "university-confirmations": OFFICE,
    "university-confirmation": OFFICE_CASE,
    "university-precheck": OFFICE,
    "university-precheck-case": OFFICE_CASE,
    "university-precheck-document": OFFICE_CASE,
    "university-report-new": OFFICE,
    "university-bulk": OFFICE,
    "university-bulk-template": OFFICE,
    "university-bulk-preview": OFFICE_CASE,
    "university-bulk-apply": row(
        LOGIN, FORBIDDEN, FORBIDDEN, MFA, FORBIDDEN, FORBIDDEN, NOT_ALLOWED, NOT_ALLOWED
    ),
    "university-bulk-result": OFFICE_CASE,
    "university-students-export": OFFICE,
    "university-tokens": OFFICE,
    "university-token-revoke": row(
        LOGIN, FORBIDDEN, FORBIDDEN, MFA, FORBIDDEN, FORBIDDEN, NOT_ALLOWED, NOT_ALLOWED
    ),
    # Appointments at the provincial office (issue 16): the student's own page (student A's
    # application is decided, so it has no calendar file), the desk, the offices' settings.
    "application-appointment": OWNER,
    "application-appointment-calendar": row(LOGIN, MISSING, MISSING, MFA, MISSING, MISSING),
    "application-appointment-cancel": OWNER_POST,
    "appointment-desk": STAFF,
    "appointment-attended": STAFF_POST,
    "appointment-missed": STAFF_POST,
    "appointment-offices": SUPERVISOR_ONLY,
    **dict.fromkeys(
        [
            "appointment-office-schedule",
            "appointment-closed-day-add",
            "appointment-closed-day-remove",
            "appointment-reservation-add",
            "appointment-reservation-remove",
        ],
        SUPERVISOR_POST,
    ),
    "university-appointments": OFFICE,
    # The permit card's journey: the officers' list, the producer's CSV, the moves (POST).
    "officer-cards": STAFF,
    "officer-card-import": STAFF,
    "officer-card-move": STAFF_POST,
    "officer-card-fee-paid": STAFF_POST,
    # The API: its schema and documentation are public; everything under /api/v1/ takes a
    # university's token only (a signed-in session, an office's included, is not one).
    "api-schema": PUBLIC,
    "api-docs": PUBLIC,
    **dict.fromkeys(
        [
            "api-students",
            "api-student",
            "api-confirmations",
            "api-confirmation",
            "api-confirmation-confirm",
            "api-confirmation-decline",
            "api-precheck",
            "api-precheck-pass",
            "api-precheck-return",
            "api-reports",
        ],
        row(401, 401, 401, MFA, 401, 401, 401, 401),
    ),
    "supervisor-university-staff": SUPERVISOR_ONLY,
    "supervisor-university-staff-deactivate": SUPERVISOR_POST,
    "supervisor-university-staff-reactivate": SUPERVISOR_POST,
    "supervisor-university-settings": SUPERVISOR_ONLY,
    # Old admin addresses of moved models: a permanent redirect for anyone (the admin checks).
    "moved-admin-redirect": row(308, 308, 308, MFA, 308, 308),
}


def routes() -> dict[str, URLPattern]:
    """Every named route; the admin contributes its index only (its own tests cover the rest)."""
    found: dict[str, URLPattern] = {}

    def walk(patterns, namespace: str | None) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = pattern.namespace or namespace
                if pattern.namespace == "admin":
                    found["admin:index"] = pattern
                    continue
                walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern) and pattern.name:
                found[f"{namespace}:{pattern.name}" if namespace else pattern.name] = pattern

    walk(get_resolver().url_patterns, None)
    return found


def test_every_route_is_in_the_table():
    missing = sorted(set(routes()) - set(EXPECTED))
    stale = sorted(set(EXPECTED) - set(routes()))
    assert not missing, f"Decide who may open these and add them to EXPECTED: {missing}"
    assert not stale, f"These are no longer routes: {stale}"


@pytest.fixture
def world(application_in, make_upload):
    """Student A has a granted permit, a report about it (a renewed passport, with its identity
    page) and a new draft (one active application at a time). Student A's university has an
    international office on the portal (another university too), and checks documents: student
    B's application waits for that check."""
    from universities.models import University

    own, other = University.objects.order_by("name")[:2]
    office_own = UniversityStaffFactory(university=own)
    office_other = UniversityStaffFactory(university=other)
    approved = application_in(Status.APPROVED, university=own, province=own.province)
    owner = approved.applicant
    report = report_submit(
        applicant=owner,
        permit_id=approved.permit.pk,
        type=ReportType.PASSPORT,
        changed_on=timezone.localdate(),
        details={"issue_date": "2026-01-05", "expiry_date": "2036-01-04"},
        passport_number="C12121212",
        attachment=make_upload("passport.pdf"),
    )
    draft = application_in(Status.DRAFT, applicant=owner)
    own.precheck_enabled = True
    own.save(update_fields=["precheck_enabled"])
    student_b = UserFactory()
    checked = application_in(Status.DRAFT, applicant=student_b, university=own)
    workflow.application_submit(
        application_id=checked.pk, actor=student_b, expected_version=checked.version
    )
    notice, _created = notification_create(
        kind=app_notices.MESSAGE,
        to_email=owner.email,
        language="en",
        recipient=owner,
        dedupe_key="matrix",
        context={"reference": approved.reference, "path": "/"},
    )
    upload = upload_create(
        actor=office_own,
        university=own,
        kind="reports",
        file=SimpleUploadedFile(
            "reports.csv",
            b"reference,reason,effective_on\r\nAZTR-2026-999999,withdrawal,2026-01-05\r\n",
            "text/csv",
        ),
    )
    token, _key = token_create(actor=office_own, name="Student information system")
    return {
        "users": {
            "student_a": owner,
            "student_b": student_b,
            "officer_no_2fa": OfficerFactory(),
            "officer": OfficerFactory(),
            "supervisor": SupervisorFactory(),
            "university_own": office_own,
            "university_other": office_other,
        },
        "args": {
            "approved": approved,
            "draft": draft,
            "document": approved.documents.first(),
            "draft_document": draft.documents.first(),
            "notice": notice,
            "report": report,
            "checked": checked,
            "membership": office_own.university_membership,
            "university": own,
            "upload": upload,
            "token": token,
        },
    }


def url_for(name: str, world) -> str:
    objects = world["args"]
    by_application = {
        "application-detail": "approved",
        "application-tasks": "draft",
        "application-documents": "draft",
        "application-review": "draft",
        "application-respond": "approved",
        "application-resubmit": "approved",
        "application-appointment": "approved",
        "application-appointment-calendar": "approved",
        "application-appointment-cancel": "approved",
        "application-message": "approved",
        "application-withdraw": "approved",  # decided: nothing to withdraw
        "application-passport": "approved",
        "permit-letter": "approved",
        "extension-receipt": "approved",
        "officer-review": "approved",
        "officer-release": "approved",
        "officer-reassign": "approved",
        "officer-start-review": "approved",
        "officer-request-info": "approved",
        "officer-approve": "approved",
        "officer-reject": "approved",
        "officer-add-note": "approved",
        "officer-send-message": "approved",
    }
    if name.startswith(("report-", "officer-report")) and name not in (
        "report-new",
        "report-create",
    ):
        return reverse(name, args=[objects["report"].pk])
    if name in by_application:
        return reverse(name, args=[objects[by_application[name]].pk])
    special = {
        "application-section": lambda: reverse(name, args=[objects["draft"].pk, "personal"]),
        "document-delete": lambda: reverse(
            name, args=[objects["draft"].pk, objects["draft_document"].pk]
        ),
        "document-file": lambda: reverse(name, args=[objects["document"].pk]),
        "moved-admin-redirect": lambda: reverse(name, kwargs={"model": "permit", "rest": ""}),
        "permit-extend": lambda: reverse(name, args=[objects["approved"].permit.pk]),
        "report-new": lambda: reverse(name, args=[objects["approved"].permit.pk]),
        "officer-permit-cancel": lambda: reverse(name, args=[objects["approved"].permit.pk]),
        "officer-cancellation-letter": lambda: reverse(name, args=[objects["approved"].permit.pk]),
        "permit-cancellation-letter": lambda: reverse(name, args=[objects["approved"].permit.pk]),
        "report-create": lambda: reverse(name, args=[objects["approved"].permit.pk, "address"]),
        "officer-document-verdict": lambda: reverse(name, args=[objects["document"].pk]),
        "notification-read": lambda: reverse(name, args=[objects["notice"].pk]),
        "permit-verify": lambda: reverse(name, args=[objects["approved"].permit.verification_code]),
        "account_confirm_email": lambda: reverse(name, args=["not-a-real-key"]),
        "account_reset_password_from_key": lambda: reverse(name, args=["1", "set-password"]),
    }
    checked = objects["checked"]
    special |= {
        "university-case": lambda: reverse(name, args=[checked.pk]),
        "university-confirmation": lambda: reverse(name, args=[checked.enrolment.pk]),
        "university-precheck-case": lambda: reverse(name, args=[checked.pk]),
        "university-precheck-document": lambda: reverse(
            name, args=[checked.pk, checked.documents.first().pk]
        ),
        "supervisor-university-staff-deactivate": lambda: reverse(
            name, args=[objects["membership"].pk]
        ),
        "supervisor-university-staff-reactivate": lambda: reverse(
            name, args=[objects["membership"].pk]
        ),
        "supervisor-university-settings": lambda: reverse(name, args=[objects["university"].pk]),
        "university-bulk-template": lambda: reverse(name, args=["confirmations"]),
        "university-token-revoke": lambda: reverse(name, args=[objects["token"].pk]),
        # POST-only: refused or 405 before anything is looked up.
        "appointment-attended": lambda: reverse(name, args=[1]),
        "officer-card-move": lambda: reverse(name, args=[1]),
        "officer-card-fee-paid": lambda: reverse(name, args=[1]),
        "appointment-missed": lambda: reverse(name, args=[1]),
        "appointment-office-schedule": lambda: reverse(
            name, args=[objects["university"].province_id]
        ),
        "appointment-closed-day-add": lambda: reverse(
            name, args=[objects["university"].province_id]
        ),
        "appointment-closed-day-remove": lambda: reverse(name, args=[1]),
        "appointment-reservation-add": lambda: reverse(
            name, args=[objects["university"].province_id]
        ),
        "appointment-reservation-remove": lambda: reverse(name, args=[1]),
        "api-student": lambda: reverse(name, args=[objects["approved"].reference]),
        "api-confirmation": lambda: reverse(name, args=[checked.enrolment.number]),
        "api-confirmation-confirm": lambda: reverse(name, args=[checked.enrolment.number]),
        "api-confirmation-decline": lambda: reverse(name, args=[checked.enrolment.number]),
        "api-precheck-pass": lambda: reverse(name, args=[checked.reference]),
        "api-precheck-return": lambda: reverse(name, args=[checked.reference]),
        "university-bulk-preview": lambda: reverse(name, args=[objects["upload"].pk]),
        "university-bulk-apply": lambda: reverse(name, args=[objects["upload"].pk]),
        "university-bulk-result": lambda: reverse(name, args=[objects["upload"].pk]),
    }
    if name in special:
        return special[name]()
    if name == "eligibility-api":
        return reverse(name) + "?level=bachelor"
    return reverse(name)


def client_as(role: str, world) -> Client:
    client = Client(headers={"accept-language": "en"})
    if role == "anonymous":
        return client
    user = world["users"][role]
    client.force_login(user)
    if role == "officer_no_2fa":
        # The plain Django session of a password-only sign-in: no two-factor record.
        session = client.session
        session[AUTHENTICATION_METHODS_SESSION_KEY] = [
            record
            for record in session.get(AUTHENTICATION_METHODS_SESSION_KEY, [])
            if record.get("method") != "mfa"
        ]
        session.save()
    return client


@pytest.mark.parametrize("role", ROLES)
def test_the_permission_matrix(role, world):
    client = client_as(role, world)
    wrong = {}
    for name, expected in sorted(EXPECTED.items()):
        if name == "account_logout":
            continue  # a GET shows the confirmation; checked last, as it ends the session
        status = client.get(url_for(name, world)).status_code
        if status != expected[role]:
            wrong[name] = (expected[role], status)
    status = client.get(url_for("account_logout", world)).status_code
    if status != EXPECTED["account_logout"][role]:
        wrong["account_logout"] = (EXPECTED["account_logout"][role], status)
    assert not wrong, f"{role}: {{url name: (expected, got)}} = {wrong}"

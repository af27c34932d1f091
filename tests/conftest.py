"""Suite-wide fixtures. The suite runs on PostgreSQL only (see scripts/check_services.py)."""

import pytest
from django.conf import settings


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "without_mfa_mark: force_login gives staff a session that has not passed two-factor "
        "authentication (see _force_login_passes_mfa)",
    )
    engine = settings.DATABASES["default"]["ENGINE"]
    if "postgresql" not in engine:
        pytest.exit(
            "The test suite runs against PostgreSQL: set DATABASE_URL "
            "(make test uses postgres://postgres@127.0.0.1:5432/portal).",
            returncode=2,
        )


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    """Uploaded files of a test go to its own temporary folder."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Factories set a real password on every user; a cheap hasher keeps the suite fast."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def student(db):
    from tests.factories import UserFactory

    return UserFactory()


@pytest.fixture
def officer(db):
    from tests.factories import OfficerFactory

    return OfficerFactory()


@pytest.fixture(autouse=True)
def fresh_cache():
    """Every test starts with an empty cache: allauth's rate limits count in it, and cached rows
    (the policy versions) must not outlive the transaction of the test that read them."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def complete_at_hand_in(db):
    """Every kind of case needs no visit: each is complete, and its 90 days run, from the moment
    it reaches the officers. For tests of what counts from that day (the queue's age, the
    dashboard, the digest); waiting for the visit is tested in tests/appointments."""
    from django.core.cache import cache

    from rules.models import PolicyVersion

    PolicyVersion.objects.update(visit_required_first=False, visit_required_extension=False)
    cache.clear()


def _png_bytes(size=(40, 50), color=(210, 210, 210)) -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="PNG")
    return out.getvalue()


def _jpeg_bytes(size=(40, 50), color=(30, 60, 200)) -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="JPEG")
    return out.getvalue()


def _pdf_bytes() -> bytes:
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)  # A4 in points
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.fixture
def make_upload():
    """A real small file as a browser would send it: ``make_upload("photo.png")``.

    The content follows the extension (PNG and JPEG from Pillow, a one-page PDF from pypdf)
    unless ``content`` is given, e.g. HTML under a ``.pdf`` name.
    """
    from django.core.files.uploadedfile import SimpleUploadedFile

    makers = {
        ".png": (_png_bytes, "image/png"),
        ".jpg": (_jpeg_bytes, "image/jpeg"),
        ".pdf": (_pdf_bytes, "application/pdf"),
    }

    def make(name: str, content: bytes | None = None) -> SimpleUploadedFile:
        maker, content_type = makers[name[name.rfind(".") :].lower()]
        return SimpleUploadedFile(
            name, maker() if content is None else content, content_type=content_type
        )

    return make


@pytest.fixture
def supervisor(db):
    from tests.factories import SupervisorFactory

    return SupervisorFactory()


def _at_the_universitys_check(application, *, returned: bool):
    """Hand in at a university whose office checks documents first (its office made if
    needed); ``returned``: and the office returned it for a new photo."""
    from applications import precheck, workflow
    from applications.models import Application
    from tests.factories import UniversityStaffFactory
    from universities.models import University, UniversityStaff

    membership = UniversityStaff.objects.filter(university=application.university).first()
    office = (
        membership.user if membership else UniversityStaffFactory(university=application.university)
    )
    universities = University.objects.filter(pk=application.university_id)
    was_on = universities.values_list("precheck_enabled", flat=True).get()
    universities.update(precheck_enabled=True)
    workflow.application_submit(
        application_id=application.pk,
        actor=application.applicant,
        expected_version=Application.objects.get(pk=application.pk).version,
    )
    # Only the hand-in reads the switch: the test's other applications go as they would.
    universities.update(precheck_enabled=was_on)
    if returned:
        precheck.precheck_return(
            application_id=application.pk,
            actor=office,
            expected_version=Application.objects.get(pk=application.pk).version,
            reasons={"photo": "Not a biometric photo."},
        )
    return Application.objects.get(pk=application.pk)


@pytest.fixture
def application_in(db):
    """Bring a complete application to a status through the workflow services only.

    ``application_in("under_review", officer=o, surname="Çelik")``: the extra keywords go to
    ``ApplicationFactory``; ``officer`` (made when needed) starts the review and decides. The
    clock is whatever the test froze: submission evaluates the rules on today's date.
    """
    from django.utils import timezone

    from applications import decisions, workflow
    from applications.models import Application, Status
    from tests.factories import ApplicationFactory, OfficerFactory, attach_required_documents

    def fresh(application: Application) -> Application:
        return Application.objects.get(pk=application.pk)

    def make(status: str = Status.SUBMITTED, *, officer=None, **fields) -> Application:
        fields.setdefault("declaration_accepted_at", timezone.now())
        application = ApplicationFactory(**fields)
        today = timezone.localdate()
        attach_required_documents(application, on=today)
        if status == Status.DRAFT:
            return fresh(application)
        if status in (Status.PRECHECK, Status.RETURNED):
            return _at_the_universitys_check(application, returned=status == Status.RETURNED)
        workflow.application_submit(
            application_id=application.pk,
            actor=application.applicant,
            expected_version=fresh(application).version,
        )
        if status == Status.WITHDRAWN:
            workflow.application_withdraw(
                application_id=application.pk,
                actor=application.applicant,
                expected_version=fresh(application).version,
            )
        elif status != Status.SUBMITTED:
            officer = officer or OfficerFactory()
            decisions.application_start_review(
                application_id=application.pk,
                actor=officer,
                expected_version=fresh(application).version,
            )
        if status == Status.INFO_REQUESTED:
            decisions.application_request_info(
                application_id=application.pk,
                actor=officer,
                expected_version=fresh(application).version,
                message="Please upload a clearer photo.",
                document_kinds=["photo"],
            )
        elif status == Status.APPROVED:
            current = fresh(application)
            earliest, latest = decisions.permit_bounds(current, on=today)
            decisions.application_approve(
                application_id=application.pk,
                actor=officer,
                expected_version=current.version,
                valid_from=earliest,
                valid_to=latest,
            )
        elif status == Status.REJECTED:
            decisions.application_reject(
                application_id=application.pk,
                actor=officer,
                expected_version=fresh(application).version,
                reason_codes=["conditions_not_met"],
                explanation="The conditions are not met.",
            )
        application = fresh(application)
        assert application.status == status
        return application

    return make


@pytest.fixture(autouse=True)
def _force_login_passes_mfa(request, monkeypatch):
    """``Client.force_login`` of a staff user gives a session that has passed two-factor sign-in.

    Officers, supervisors and admin users must enter a code from their authenticator app before
    any page opens (``accounts/middleware.py``); the middleware looks for the record allauth
    writes into the session after a valid code (``accounts.mfa.mfa_passed``). ``force_login``
    stands for "a user who has signed in", so for staff it writes that same record, through the
    same function (``accounts.mfa.mfa_record_passed``), and every test that signs an officer in
    with ``client.force_login`` or ``client_for`` gets the session a real sign-in would give.
    Students' sessions are left as they are: they are never asked for a second factor.

    Tests of the enforcement itself take ``@pytest.mark.without_mfa_mark`` to get the plain
    Django session (a password-only sign-in); the real two-step sign-in is tested in
    ``tests/accounts/test_mfa.py``.
    """
    if request.node.get_closest_marker("without_mfa_mark"):
        return
    from django.http import HttpRequest
    from django.test import Client

    from accounts.mfa import mfa_record_passed, mfa_required
    from accounts.models import User

    plain_force_login = Client.force_login

    def force_login(self, user, backend=None):
        plain_force_login(self, user, backend)
        # A fresh copy: the user's roles may have changed since the object was loaded.
        if mfa_required(User.objects.get(pk=user.pk)):
            session = self.session
            http_request = HttpRequest()
            http_request.session = session
            mfa_record_passed(http_request, user=user)
            session.save()

    monkeypatch.setattr(Client, "force_login", force_login)


@pytest.fixture
def client_for():
    """A test client signed in as ``user`` (anonymous for None), asking for English pages.

    Staff come signed in with their second factor too (see ``_force_login_passes_mfa``).
    """
    from django.test import Client

    def make(user=None) -> Client:
        client = Client(headers={"accept-language": "en"})
        if user is not None:
            client.force_login(user)
        return client

    return make


@pytest.fixture(autouse=True)
def _on_commit_hooks_run_when_a_request_ends():
    """Run each request's on-commit hooks when the request ends, as they would in production.

    Outside tests every service's transaction has committed before the response is sent, so
    its hooks (enqueueing notifications, deleting replaced files) have run. Here the test's own
    transaction never commits; without this, a test could not see the email a request sends.
    """
    from django.core.signals import request_finished, request_started
    from django.db import connections

    started_at: dict[str, int] = {}

    def remember(**kwargs):
        for connection in connections.all(initialized_only=True):
            started_at[connection.alias] = len(connection.run_on_commit)

    def run_pending(**kwargs):
        # Only the hooks this request registered: hooks from the test's own set-up stay as
        # they would in a transaction that has not committed.
        for connection in connections.all(initialized_only=True):
            start = started_at.get(connection.alias, 0)
            pending = connection.run_on_commit[start:]
            del connection.run_on_commit[start:]
            for _savepoints, callback, _robust in pending:
                callback()

    request_started.connect(remember, dispatch_uid="tests.remember_on_commit_hooks")
    request_finished.connect(run_pending, dispatch_uid="tests.run_on_commit_hooks")
    yield
    request_started.disconnect(dispatch_uid="tests.remember_on_commit_hooks")
    request_finished.disconnect(dispatch_uid="tests.run_on_commit_hooks")

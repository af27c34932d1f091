"""Demo accounts and applications in every status, for trying the portal locally.

Idempotent: users are created once (their password is reset to ``DEMO_PASSWORD`` on every run so
the printed logins always work) and a demo applicant's applications are created only when they
have none. Every status is reached through the workflow services, never by assignment.

Officers and supervisors sign in with a second factor (accounts/middleware.py), so the demo
officer and supervisor get an authenticator app whose secret is ``DEMO_TOTP_SECRET``: printed
with the logins, to be added to any authenticator app (``--totp-code`` prints the current code
for those without one).
"""

import hashlib
import time
from datetime import date, timedelta

from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.roles import OFFICER, SUPERVISOR
from accounts.services import (
    email_mark_verified,
    privacy_notice_accept,
    totp_authenticator_set,
    totp_secret_normalise,
)
from applications import decisions, precheck, workflow
from applications.demo_life import demo_card, demo_mobiles
from applications.demo_offices import OFFICES, office_accounts, waiting_students
from applications.demo_people import (
    APPLICANTS,
    PATHS,
    PRECHECK_UNIVERSITY,
    STAFF,
    DemoApplicant,
)
from applications.models import Application, Status
from applications.sample_files import tiny_pdf, tiny_png
from core.demo import demo_steps
from documents.models import Document
from universities.models import Province, University

User = get_user_model()


class Command(BaseCommand):
    help = "Create demo users and applications in every status (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="Run even with DEBUG off (never in production)."
        )
        parser.add_argument(
            "--print-logins-only", action="store_true", help="Only print the demo logins."
        )
        parser.add_argument(
            "--office-students",
            type=int,
            default=500,
            help="Students of uni1@example.com's university waiting for its confirmation.",
        )
        parser.add_argument(
            "--totp-code",
            action="store_true",
            help="Only print the staff accounts' current two-factor code.",
        )

    def handle(
        self,
        *args,
        force: bool = False,
        print_logins_only: bool = False,
        totp_code: bool = False,
        **options,
    ):
        if print_logins_only:
            self._print_logins()
            return
        if totp_code:
            self.stdout.write(current_totp_code(self._totp_secret()))
            return
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo creates accounts with a known password; it refuses to run with "
                "DEBUG off. Use --force only on a throw-away demo server."
            )
        password = settings.DEMO_PASSWORD
        totp_secret = self._totp_secret()
        officer = None
        for email, first, last, role in STAFF:
            user = self._user(email, first, last, password)
            user.is_staff = role == SUPERVISOR
            user.save(update_fields=["is_staff"])
            user.groups.add(Group.objects.get_or_create(name=role)[0])
            totp_authenticator_set(user=user, secret=totp_secret)
            if role == OFFICER:
                officer = user
        # Before the applications: their hand-in asks these universities to confirm enrolment.
        offices = office_accounts(password=password)
        self._offices = {membership.university_id: membership.user for membership in offices}
        for membership in offices:
            totp_authenticator_set(user=membership.user, secret=totp_secret)
        University.objects.filter(name=PRECHECK_UNIVERSITY).update(precheck_enabled=True)
        created = 0
        for demo in APPLICANTS:
            student = self._user(demo.email, demo.given_names, demo.surname, password)
            self._profile(student, demo)
            if not student.applications.exists():
                self._application(demo, student, officer)
                created += 1
        # A permit's later life (issue 16): mobiles, the posted card, the other apps' steps
        # (an appointment), in that order so their notices can go by SMS.
        life = demo_mobiles() + demo_card(officer)
        for step in demo_steps():
            life += step()
        # Enough waiting confirmations at uni1's university to try a CSV upload of 500 rows.
        waiting = waiting_students(
            offices[0].university, count=options["office_students"], today=timezone.localdate()
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready ({created} applications created, {waiting} students waiting "
                f"for {offices[0].university}'s confirmation)."
            )
        )
        if options["verbosity"] >= 1:
            self._print_logins()
            self.stdout.write("\n".join(life) + "\n")

    def _user(self, email: str, first: str, last: str, password: str):
        user, _ = User.objects.get_or_create(
            email=email, defaults={"first_name": first, "last_name": last}
        )
        user.set_password(password)
        user.save(update_fields=["password"])
        email_mark_verified(user=user)
        return user

    def _profile(self, student, demo: DemoApplicant) -> None:
        profile = privacy_notice_accept(user=student)
        if not profile.is_complete:
            profile.surname = demo.surname
            profile.given_names = demo.given_names
            profile.date_of_birth = date(2004, 5, 12)
            profile.phone = "+90 555 010 20 30"
            profile.fin = hashlib.sha256(demo.email.encode()).hexdigest()[:7].upper()
            profile.save()

    @transaction.atomic
    def _application(self, demo: DemoApplicant, student, officer) -> Application:
        today = timezone.localdate()
        application = workflow.application_start(applicant=student)
        # Hex digits only: valid for the FIN alphabet, and stable across runs.
        digest = hashlib.sha256(demo.email.encode()).hexdigest()
        programme_start = date(today.year if today.month >= 9 else today.year - 1, 9, 16)
        values = {
            "surname": demo.surname,
            "given_names": demo.given_names,
            "father_name": demo.father_name,
            "mother_name": "Səbinə",
            "sex": "F" if demo.surname.endswith("va") else "M",
            "date_of_birth": date(2004, 5, 12),
            "place_of_birth": "Bakı",
            "marital_status": Application.MaritalStatus.SINGLE,
            "fin": digest[:7].upper(),
            "phone": "+90 555 010 20 30",
            "passport_number": "C0" + str(int(digest, 16) % 10_000_000).zfill(7),
            "passport_issue_date": today - timedelta(days=400),
            "passport_expiry_date": (
                today + timedelta(days=demo.passport_days)
                if demo.passport_days
                else today.replace(year=today.year + demo.passport_years)
            ),
            "passport_issuing_authority": "DMX",
            "entry_date": today - timedelta(days=20),
            "university": University.objects.get(name=demo.university),
            "faculty": "Mühendislik Fakültesi",
            "department": "Bilgisayar Mühendisliği",
            "student_number": str(int(digest, 16) % 100_000_000).zfill(8),
            "level": demo.level,
            "programme_start": programme_start,
            "province": Province.objects.get(code=demo.province_code),
            "district": "Çankaya" if demo.province_code == 6 else "Merkez",
            "address_line": "Atatürk Bulvarı 10, Daire 4",
            "postal_code": f"{demo.province_code:02d}100",
            **demo.extra,
        }
        steps = PATHS[demo.target]
        if not steps:
            # A draft left half-way, as a student would: personal details only.
            values = {k: values[k] for k in ("surname", "given_names", "father_name", "sex")}
        for name, value in values.items():
            setattr(application, name, value)
        application.full_clean(exclude=["applicant"])
        application.save()
        if steps:
            application.declaration_accepted_at = timezone.now()
            application.save(update_fields=["declaration_accepted_at"])
            for kind in workflow.required_document_kinds(application, on=today):
                self._document(application, student, kind)
        for step in steps:
            application = self._step(step, application, student, officer, today)
            if application.status == Status.PRECHECK and demo.target not in (
                Status.PRECHECK,
                Status.RETURNED,
            ):
                # Checked by the university's office before going on to the queue.
                application = self._step("pass", application, student, officer, today)
        return application

    def _document(self, application: Application, student, kind: str) -> Document:
        if kind == "photo":
            content, name, ctype = tiny_png(), "photo.png", "image/png"
        else:
            content, name, ctype = (
                tiny_pdf(kind.replace("_", " ")),
                f"{kind}.pdf",
                "application/pdf",
            )
        document = Document(
            application=application,
            kind=kind,
            original_name=name,
            content_type=ctype,
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            uploaded_by=student,
        )
        document.file.save(name, ContentFile(content), save=False)
        document.save()
        return document

    def _step(self, step: str, application: Application, student, officer, today: date):
        common = {"application_id": application.pk, "expected_version": application.version}
        if step == "submit":
            workflow.application_submit(actor=student, **common)
        elif step == "review":
            decisions.application_start_review(actor=officer, **common)
        elif step == "request_info":
            decisions.application_request_info(
                actor=officer,
                message="The photo is not a biometric photo. Please upload a new one taken "
                "within the last 6 months, on a white background.",
                document_kinds=["photo"],
                **common,
            )
        elif step == "approve":
            earliest, latest = decisions.permit_bounds(application, on=today)
            decisions.application_approve(
                actor=officer, valid_from=earliest, valid_to=latest, **common
            )
        elif step == "reject":
            decisions.application_reject(
                actor=officer,
                reason_codes=["studies_cannot_continue"],
                explanation="The university reports that the registration was cancelled.",
                **common,
            )
        elif step == "pass":
            precheck.precheck_pass(actor=self._offices[application.university_id], **common)
        elif step == "return":
            precheck.precheck_return(
                actor=self._offices[application.university_id],
                reasons={"student_certificate": "The certificate is older than 30 days."},
                note="Please bring a certificate issued this month.",
                **common,
            )
        elif step == "withdraw":
            workflow.application_withdraw(
                actor=student, note="I am moving to another university.", **common
            )
        return Application.objects.get(pk=application.pk)

    def _totp_secret(self) -> str:
        try:
            return totp_secret_normalise(settings.DEMO_TOTP_SECRET)
        except ValueError as exc:
            raise CommandError(f"DEMO_TOTP_SECRET: {exc}") from exc

    def _print_logins(self) -> None:
        password = settings.DEMO_PASSWORD
        self.stdout.write(f"\nDemo logins (password: {password})")
        for email, *_rest, role in STAFF:
            self.stdout.write(f"  {role:<11} {email}")
        for email, university in OFFICES:
            self.stdout.write(f"  {'university':<11} {email}  (international office, {university})")
        self.stdout.write(
            "  Officers, supervisors and university offices also enter a code from an\n"
            "  authenticator app (TOTP, 6 digits, 30 s) set up with this key:\n"
            f"  {self._totp_secret()}\n"
            "  (no app at hand: `python manage.py seed_demo --totp-code` prints the code)"
        )
        for demo in APPLICANTS:
            self.stdout.write(f"  {'student':<11} {demo.email}  ({Status(demo.target).label})")
        self.stdout.write("  Site: http://127.0.0.1:8000/   Admin: http://127.0.0.1:8000/admin/\n")


def current_totp_code(secret: str) -> str:
    """The code an authenticator app set up with ``secret`` shows now (allauth's algorithm)."""
    counter = int(time.time()) // mfa_settings.TOTP_PERIOD
    return format_hotp_value(hotp_value(secret, counter))

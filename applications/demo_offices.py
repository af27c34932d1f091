"""Demo data of the universities' side (``seed_demo``): two international offices, and enough
students waiting for their enrolment confirmation to try a CSV upload of 500 rows.

The offices' students waiting for a confirmation are written directly, without documents (five
hundred through the whole workflow would take minutes): each is a submitted application with
its reference, rules outcome, history and confirmation request, as the workflow leaves one; the
pages, the CSV upload and the API then move them on through the real services.
"""

from __future__ import annotations

import hashlib
from datetime import date, timedelta

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.roles import UNIVERSITY_STAFF
from accounts.services import email_mark_verified
from rules.policies import eligibility_evaluate
from universities.models import University, UniversityStaff

from .completeness import complete_on_arrival
from .enrolment_flow import number_for
from .models import (
    Application,
    ApplicationEvent,
    EnrolmentConfirmation,
    EnrolmentStatus,
    Status,
)
from .references import reference_allocate
from .workflow import application_rule_input

# (account, university): uni1 is the university of student@example.com, uni2 of
# student2@example.com (seed_demo's APPLICANTS).
OFFICES = [
    ("uni1@example.com", "Orta Doğu Teknik Üniversitesi"),
    ("uni2@example.com", "İstanbul Teknik Üniversitesi"),
]
GIVEN = ["Aynur", "Kamran", "Səbinə", "Rauf", "Lalə", "Fuad", "Nərmin", "Emin", "Ülviyyə", "Murad"]
SURNAMES = ["Abbasov", "Bağırova", "Cəfərov", "Dadaşova", "Əhmədov", "Fərzəliyeva", "Qasımov"]


def office_accounts(*, password: str) -> list[UniversityStaff]:
    group = Group.objects.get_or_create(name=UNIVERSITY_STAFF)[0]
    offices = []
    for email, university_name in OFFICES:
        user, _ = User.objects.get_or_create(email=email, defaults={"preferred_language": "tr"})
        user.set_password(password)
        user.is_active = True
        user.save(update_fields=["password", "is_active"])
        user.groups.add(group)
        email_mark_verified(user=user)
        membership, _ = UniversityStaff.objects.update_or_create(
            user=user,
            defaults={
                "university": University.objects.get(name=university_name),
                "deactivated_at": None,
            },
        )
        offices.append(membership)
    return offices


@transaction.atomic
def waiting_students(university: University, *, count: int, today: date) -> int:
    """``count`` students of ``university`` whose applications wait for its confirmation; only
    the missing ones are made (idempotent)."""
    prefix = f"office-demo-{university.pk}-"
    have = User.objects.filter(email__startswith=prefix).count()
    made = 0
    start = date(today.year if today.month >= 9 else today.year - 1, 9, 16)
    for n in range(have, count):
        digest = hashlib.sha256(f"{prefix}{n}".encode()).hexdigest()
        student = User(email=f"{prefix}{n}@example.com", preferred_language="az")
        student.set_unusable_password()
        student.save()
        application = Application(
            applicant=student,
            status=Status.SUBMITTED,
            surname=SURNAMES[n % len(SURNAMES)],
            given_names=GIVEN[n % len(GIVEN)],
            father_name="Vaqif",
            mother_name="Sevda",
            sex="F" if SURNAMES[n % len(SURNAMES)].endswith("va") else "M",
            date_of_birth=date(2004, 1, 1) + timedelta(days=n),
            place_of_birth="Bakı",
            marital_status=Application.MaritalStatus.SINGLE,
            fin=digest[:7].upper(),
            passport_number="C1" + str(int(digest, 16) % 10_000_000).zfill(7),
            passport_issue_date=today - timedelta(days=300),
            passport_expiry_date=today.replace(year=today.year + 9),
            passport_issuing_authority="DMX",
            entry_date=today - timedelta(days=15),
            university=university,
            faculty="Fen-Edebiyat Fakültesi",
            department="Matematik",
            student_number=f"{university.pk:03d}{n:05d}",
            level="bachelor",
            programme_start=start,
            province=university.province,
            district="Merkez",
            address_line="Öğrenci Yurdu, Oda 12",
            postal_code=f"{university.province.code:02d}100",
            contact_email=student.email,
            declaration_accepted_at=timezone.now(),
        )
        outcome, version = eligibility_evaluate(
            inputs=application_rule_input(application, on=today)
        )
        application.eligibility_outcome = outcome.to_dict()
        application.passport_required_until = outcome.passport_required_until
        application.policy_version = version
        application.evaluated_on = today
        application.reference = reference_allocate(year=today.year)
        application.submitted_at = timezone.now()
        complete_on_arrival(application)
        application.save()
        ApplicationEvent.objects.create(
            application=application, kind=ApplicationEvent.Kind.CREATED, actor=student
        )
        ApplicationEvent.objects.create(
            application=application,
            kind=ApplicationEvent.Kind.STATUS_CHANGED,
            actor=student,
            from_status=Status.DRAFT,
            to_status=Status.SUBMITTED,
            data={"reference": application.reference, "policy_version": version.number},
        )
        confirmation = EnrolmentConfirmation.objects.create(
            application=application, university=university, status=EnrolmentStatus.REQUESTED
        )
        confirmation.number = number_for(confirmation)
        confirmation.save(update_fields=["number"])
        ApplicationEvent.objects.create(
            application=application,
            kind=ApplicationEvent.Kind.ENROLMENT,
            actor=student,
            data={"confirmation": confirmation.number, "event": "requested", "to": "requested"},
        )
        made += 1
    return made

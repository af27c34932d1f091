"""What the database itself guarantees, whatever code path writes the rows."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from accounts.models import User
from applications.models import AppendOnlyError, Application, ApplicationEvent, Status
from applications.sections import REQUIRED_FIELDS
from applications.workflow import application_missing
from documents.models import Document
from permits.models import Permit
from tests.factories import (
    DEMO_PASSWORD,
    ApplicationFactory,
    DocumentFactory,
    OfficerFactory,
    UserFactory,
    attach_required_documents,
)

pytestmark = pytest.mark.django_db


def set_status(application: Application, status: str, **fields) -> None:
    """Put a row straight into a state, as a data fix would, to test the constraints alone."""
    if fields.get("reference"):
        fields.setdefault("submitted_at", timezone.now())
    Application.objects.filter(pk=application.pk).update(status=status, **fields)


class TestFactories:
    def test_application_factory_builds_a_complete_valid_draft(self):
        application = ApplicationFactory()
        attach_required_documents(application, on=date(2024, 10, 1))

        application.full_clean()
        assert application.status == Status.DRAFT
        assert application_missing(application=application, on=date(2024, 10, 1)).is_empty
        assert all(getattr(application, name) not in (None, "") for name in REQUIRED_FIELDS)

    def test_document_factory_stores_real_bytes_with_matching_checksum(self):
        document = DocumentFactory()

        with document.file.open("rb") as stored:
            content = stored.read()
        assert content.startswith(b"\x89PNG\r\n\x1a\n")
        assert document.size == len(content)
        assert document.sha256 == hashlib.sha256(content).hexdigest()

    def test_uploads_stay_in_the_tests_private_folder(self, settings):
        document = DocumentFactory()
        assert document.file.path.startswith(str(settings.PRIVATE_MEDIA_ROOT))


class TestOneActiveApplication:
    def test_a_second_active_application_is_refused(self):
        first = ApplicationFactory()

        with pytest.raises(IntegrityError), transaction.atomic():
            ApplicationFactory(applicant=first.applicant)

    @pytest.mark.parametrize(
        "status", [Status.SUBMITTED, Status.UNDER_REVIEW, Status.INFO_REQUESTED]
    )
    def test_every_active_status_counts(self, status):
        first = ApplicationFactory()
        set_status(first, status, reference=f"AZTR-2024-{first.pk:06d}")

        with pytest.raises(IntegrityError), transaction.atomic():
            ApplicationFactory(applicant=first.applicant)

    @pytest.mark.parametrize("status", [Status.WITHDRAWN, Status.APPROVED, Status.REJECTED])
    def test_a_new_application_once_the_first_is_final(self, status):
        first = ApplicationFactory()
        set_status(first, status, reference=f"AZTR-2024-{first.pk:06d}")

        second = ApplicationFactory(applicant=first.applicant)

        assert second.status == Status.DRAFT
        assert first.applicant.applications.count() == 2

    def test_other_students_are_not_affected(self):
        ApplicationFactory()
        ApplicationFactory()
        assert Application.objects.filter(status=Status.DRAFT).count() == 2


class TestConstraints:
    def test_reference_is_unique(self):
        a, b = ApplicationFactory(), ApplicationFactory()
        set_status(a, Status.SUBMITTED, reference="AZTR-2024-000001")

        with pytest.raises(IntegrityError), transaction.atomic():
            set_status(b, Status.SUBMITTED, reference="AZTR-2024-000001")

    def test_a_submitted_application_always_has_a_reference(self):
        application = ApplicationFactory()

        with pytest.raises(IntegrityError), transaction.atomic():
            set_status(application, Status.SUBMITTED)

    def test_status_must_be_known(self):
        application = ApplicationFactory()

        with pytest.raises(IntegrityError), transaction.atomic():
            set_status(application, "lost", reference="AZTR-2024-000009")

    def test_permit_number_is_unique(self):
        officer = OfficerFactory()
        a, b = ApplicationFactory(), ApplicationFactory()
        Permit.objects.create(
            application=a,
            number="IKM-1",
            valid_from=date(2024, 10, 1),
            valid_to=date(2028, 9, 15),
            issued_by=officer,
        )

        with pytest.raises(IntegrityError), transaction.atomic():
            Permit.objects.create(
                application=b,
                number="IKM-1",
                valid_from=date(2024, 10, 1),
                valid_to=date(2028, 9, 15),
                issued_by=officer,
            )

    def test_permit_cannot_end_before_it_starts(self):
        with pytest.raises(IntegrityError), transaction.atomic():
            Permit.objects.create(
                application=ApplicationFactory(),
                number="IKM-2",
                valid_from=date(2024, 10, 1),
                valid_to=date(2024, 9, 30),
                issued_by=OfficerFactory(),
            )

    @pytest.mark.parametrize("end", [date(2024, 9, 16), date(2024, 9, 15)])
    def test_programme_must_end_after_it_starts(self, end):
        with pytest.raises(IntegrityError), transaction.atomic():
            ApplicationFactory(programme_start=date(2024, 9, 16), programme_end=end)

    def test_programme_ending_the_next_day_is_accepted(self):
        application = ApplicationFactory(
            programme_start=date(2024, 9, 16), programme_end=date(2024, 9, 17)
        )
        assert application.pk

    def test_passport_must_expire_after_it_was_issued(self):
        with pytest.raises(IntegrityError), transaction.atomic():
            ApplicationFactory(
                passport_issue_date=date(2024, 1, 1), passport_expiry_date=date(2024, 1, 1)
            )


class TestValidators:
    @pytest.mark.parametrize("name", ["Məmmədova", "Gülşən Aygün", "Əliyev-Şükürov", "O'Neil"])
    def test_latin_names_with_azerbaijani_letters_are_accepted(self, name):
        ApplicationFactory.build(surname=name, applicant=UserFactory()).full_clean(
            exclude=["applicant", "university", "province"]
        )

    @pytest.mark.parametrize("name", ["Мамедова", "1Ali", " Ali", "Ali!"])
    def test_other_names_are_refused(self, name):
        with pytest.raises(ValidationError) as excinfo:
            ApplicationFactory.build(surname=name).full_clean(
                exclude=["applicant", "university", "province"]
            )
        assert "surname" in excinfo.value.message_dict

    @pytest.mark.parametrize("fin", ["5ABCD7", "5ABCD7KK", "5abcd7k", "5ABCDOK", "5ABCDIK"])
    def test_fin_must_be_seven_id_card_characters(self, fin):
        with pytest.raises(ValidationError) as excinfo:
            ApplicationFactory.build(fin=fin).full_clean(
                exclude=["applicant", "university", "province"]
            )
        assert set(excinfo.value.message_dict) == {"fin"}


class TestDocuments:
    def test_one_current_document_per_kind(self):
        photo = DocumentFactory(kind="photo")

        with pytest.raises(IntegrityError), transaction.atomic():
            DocumentFactory(application=photo.application, kind="photo")

    def test_a_replaced_document_is_kept_as_evidence(self):
        old = DocumentFactory(kind="photo")
        Document.objects.filter(pk=old.pk).update(is_current=False)

        new = DocumentFactory(application=old.application, kind="photo")

        assert set(old.application.documents.values_list("pk", "is_current")) == {
            (old.pk, False),
            (new.pk, True),
        }

    def test_any_number_of_other_documents(self):
        first = DocumentFactory(kind="other")
        DocumentFactory(application=first.application, kind="other")

        assert first.application.documents.filter(kind="other", is_current=True).count() == 2


class TestApplicationEventsAreAppendOnly:
    @pytest.fixture
    def event(self):
        application = ApplicationFactory()
        return ApplicationEvent.objects.create(
            application=application,
            kind=ApplicationEvent.Kind.CREATED,
            actor=application.applicant,
        )

    def test_an_event_cannot_be_changed(self, event):
        event.note = "rewritten history"

        with pytest.raises(AppendOnlyError):
            event.save()
        event.refresh_from_db()
        assert event.note == ""

    def test_an_event_cannot_be_deleted(self, event):
        with pytest.raises(AppendOnlyError):
            event.delete()
        assert ApplicationEvent.objects.filter(pk=event.pk).exists()

    def test_the_database_refuses_a_bulk_rewrite_of_history(self, event):
        # A queryset update bypasses the model; the PostgreSQL trigger does not.
        with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
            ApplicationEvent.objects.filter(pk=event.pk).update(note="rewritten history")
        event.refresh_from_db()
        assert event.note == ""

    def test_the_database_refuses_deleting_a_submitted_applications_history(self, event):
        Application.objects.filter(pk=event.application_id).update(
            status=Status.SUBMITTED, reference="AZTR-2026-999999", submitted_at=timezone.now()
        )
        with pytest.raises(IntegrityError, match="cannot be deleted"), transaction.atomic():
            ApplicationEvent.objects.filter(pk=event.pk).delete()
        assert ApplicationEvent.objects.filter(pk=event.pk).exists()

    def test_a_never_submitted_drafts_history_can_be_purged(self, event):
        ApplicationEvent.objects.filter(pk=event.pk).delete()
        assert not ApplicationEvent.objects.filter(pk=event.pk).exists()

    def test_an_application_with_history_cannot_be_deleted(self, event):
        with pytest.raises(ProtectedError):
            event.application.delete()


class TestEmailLogin:
    def test_email_is_case_insensitive_at_login(self):
        user = UserFactory(email="Aysel.Quliyeva@Example.com")

        assert user.email == "aysel.quliyeva@example.com"
        assert authenticate(username="AYSEL.QULIYEVA@EXAMPLE.COM", password=DEMO_PASSWORD) == user
        assert authenticate(username="aysel.quliyeva@example.com", password=DEMO_PASSWORD) == user
        assert authenticate(username="AYSEL.QULIYEVA@EXAMPLE.COM", password="wrong-pass") is None

    def test_an_address_differing_only_in_case_is_the_same_account(self):
        UserFactory(email="nigar@example.com")

        with pytest.raises(IntegrityError), transaction.atomic():
            User.objects.create_user(email="NIGAR@example.com", password=DEMO_PASSWORD)

    def test_create_user_normalises_the_address(self):
        user = User.objects.create_user(email=" Rauf@Example.COM ", password=DEMO_PASSWORD)
        assert user.email == "rauf@example.com"
        assert user.check_password(DEMO_PASSWORD)

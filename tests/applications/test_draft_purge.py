"""Inactive drafts are deleted after DRAFT_RETENTION_DAYS; submitted applications never are."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command

from applications import workflow
from applications.models import Application, ApplicationEvent
from applications.services import drafts_purge_inactive
from documents.models import Document
from tests.factories import ApplicationFactory, attach_required_documents

pytestmark = pytest.mark.django_db

START = datetime(2024, 9, 20, 9, 0, tzinfo=UTC)


def draft_with_files() -> Application:
    application = ApplicationFactory()
    ApplicationEvent.objects.create(
        application=application, kind=ApplicationEvent.Kind.CREATED, actor=application.applicant
    )
    attach_required_documents(application, on=START.date())
    return application


def stored_paths(application: Application) -> list[Path]:
    return [Path(doc.file.path) for doc in application.documents.all()]


def test_a_draft_untouched_past_the_retention_period_is_deleted_with_its_files(
    settings, django_capture_on_commit_callbacks
):
    settings.DRAFT_RETENTION_DAYS = 60
    with time_machine.travel(START, tick=False):
        application = draft_with_files()
    paths = stored_paths(application)
    assert paths
    assert all(path.exists() for path in paths)

    with (
        time_machine.travel(START + timedelta(days=60, hours=1), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert drafts_purge_inactive() == 1

    assert not Application.objects.filter(pk=application.pk).exists()
    assert not Document.objects.exists()
    assert not ApplicationEvent.objects.exists()
    assert not any(path.exists() for path in paths)


def test_a_draft_within_the_retention_period_stays(settings):
    settings.DRAFT_RETENTION_DAYS = 60
    with time_machine.travel(START, tick=False):
        application = draft_with_files()
    with time_machine.travel(START + timedelta(days=59), tick=False):
        assert drafts_purge_inactive() == 0
    assert Application.objects.filter(pk=application.pk).exists()


def test_submitted_applications_are_never_purged(settings):
    with time_machine.travel(START, tick=False):
        application = draft_with_files()
        application.declaration_accepted_at = START
        application.save()
        workflow.application_submit(
            application_id=application.pk,
            actor=application.applicant,
            expected_version=application.version,
            on=START.date(),
        )
        workflow.application_withdraw(
            application_id=application.pk,
            actor=application.applicant,
            expected_version=application.version + 1,
        )
    with time_machine.travel(START + timedelta(days=400), tick=False):
        assert drafts_purge_inactive() == 0
    assert Application.objects.filter(pk=application.pk).exists()


def test_a_draft_discarded_before_submission_is_purged_too(settings):
    with time_machine.travel(START, tick=False):
        application = draft_with_files()
        workflow.application_withdraw(
            application_id=application.pk,
            actor=application.applicant,
            expected_version=application.version,
        )
    with time_machine.travel(START + timedelta(days=61), tick=False):
        call_command("purge_inactive_drafts", verbosity=0)
    assert not Application.objects.filter(pk=application.pk).exists()

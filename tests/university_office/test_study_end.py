"""The university reports the end of a student's studies: the end-of-studies case opens for
the student's permit, the student is told, and an accepted case ends the permit."""

from datetime import date

import pytest
from django.urls import reverse

from cases.errors import WorkflowError
from notifications.models import Notification
from permits.models import PermitStatus
from reports import services as report_services
from reports.models import Report, ReportType
from tests.factories import OfficerFactory
from university_office import services
from university_office.models import StudyEndReport

from .conftest import TODAY, at

pytestmark = pytest.mark.django_db


@pytest.fixture
def permit_a(case_at, uni_a):
    with at(date(2024, 10, 1)):
        return case_at(uni_a, "approved").permit


def test_a_withdrawal_opens_the_end_of_studies_case_and_tells_the_student(
    permit_a, office_a, client
):
    client.force_login(office_a)
    with at(TODAY):
        response = client.post(
            reverse("university-report-new"),
            {
                "reference": permit_a.application.reference,
                "reason": "withdrawal",
                "effective_on": "2026-02-20",
            },
        )
    assert response.status_code == 302
    report = Report.objects.get()
    assert (report.type, report.details["reason"], report.reported_by) == (
        ReportType.END_OF_STUDIES,
        "withdrawal",
        office_a,
    )
    assert report.applicant == permit_a.application.applicant
    made = StudyEndReport.objects.get()
    assert (made.report, made.channel, made.permit) == (report, "page", permit_a)
    notice = Notification.objects.get(kind="study_end_reported_by_university")
    assert notice.recipient == permit_a.application.applicant


def test_an_accepted_report_ends_the_permit(permit_a, office_a):
    officer = OfficerFactory()
    with at(TODAY):
        made = services.study_end_report(
            actor=office_a,
            reference=permit_a.number,
            reason="graduation",
            effective_on=date(2026, 2, 1),
        )
        report = report_services.report_start_review(
            report_id=made.report.pk, actor=officer, expected_version=made.report.version
        )
        report_services.report_accept(
            report_id=report.pk, actor=officer, expected_version=report.version
        )
    permit_a.refresh_from_db()
    assert permit_a.status == PermitStatus.ENDED


def test_another_universitys_office_cannot_report_about_the_student(permit_a, office_b):
    with at(TODAY), pytest.raises(WorkflowError) as failure:
        services.study_end_report(
            actor=office_b,
            reference=permit_a.application.reference,
            reason="withdrawal",
            effective_on=date(2026, 2, 20),
        )
    assert "No student of your university" in failure.value.message
    assert not Report.objects.exists()


def test_a_date_in_the_future_is_refused_and_nothing_is_written(permit_a, office_a):
    with at(TODAY), pytest.raises(WorkflowError):
        services.study_end_report(
            actor=office_a,
            reference=permit_a.application.reference,
            reason="withdrawal",
            effective_on=date(2026, 5, 1),
        )
    assert not Report.objects.exists()
    assert not StudyEndReport.objects.exists()

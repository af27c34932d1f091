"""Change-of-circumstances reports: deadlines and late marking, the officer's decisions, what an
accepted report changes on the record, and who may see what."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from applications import extensions
from applications.sweeps import sweep_passports
from cases.assignment import case_claim_next
from cases.errors import StaleVersion, WorkflowError
from documents.models import Document
from notifications.models import Notification
from reports import notices, services
from reports.deadlines import is_late, report_due_on
from reports.models import Report, ReportEvent, ReportStatus, ReportType
from rules.models import PolicyVersion
from tests.factories import OfficerFactory, UserFactory
from universities.models import Province, University

from .conftest import PERMIT_END, PROGRAMME_END, WINDOW_OPENS, at

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 1)  # before the usual extension window opens (2026-09-11)
RENEWED = date(2035, 6, 30)


def fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


def submit(permit, type, *, changed_on=TODAY, today=TODAY, upload=None, **details) -> Report:
    with at(today):
        return services.report_submit(
            applicant=permit.application.applicant,
            permit_id=permit.pk,
            type=type,
            changed_on=changed_on,
            details=details,
            attachment=upload,
        )


def passport_report(permit, make_upload, **kwargs) -> Report:
    with at(kwargs.get("today", TODAY)):
        return services.report_submit(
            applicant=permit.application.applicant,
            permit_id=permit.pk,
            type=ReportType.PASSPORT,
            changed_on=kwargs.get("changed_on", TODAY - timedelta(days=5)),
            details={"issue_date": "2026-05-20", "expiry_date": RENEWED.isoformat()},
            passport_number="C77777777",
            attachment=make_upload("new-passport.pdf"),
        )


def review(report: Report, officer) -> Report:
    with at(TODAY):
        return services.report_start_review(
            report_id=report.pk, actor=officer, expected_version=fresh(report).version
        )


def accept(report: Report, officer, **kwargs) -> Report:
    review(report, officer)
    with at(TODAY):
        return services.report_accept(
            report_id=report.pk, actor=officer, expected_version=fresh(report).version, **kwargs
        )


def address(province: Province) -> dict:
    return {
        "province": province.pk,
        "district": "Kadıköy",
        "neighbourhood": "Moda",
        "address_line": "Moda Caddesi 5",
        "postal_code": "34710",
    }


def other_province(permit) -> Province:
    return Province.objects.exclude(pk=permit.application.province_id).first()


# --- deadlines ------------------------------------------------------------------------------


@given(
    days=st.integers(min_value=0, max_value=400),
    changed=st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31)),
    province=st.booleans(),
)
def test_the_deadline_is_the_policy_days_after_the_change_and_only_later_is_late(
    days, changed, province
):
    policy = PolicyVersion(address_report_days=20, province_report_days=10)
    due = report_due_on(
        policy, type=ReportType.ADDRESS, changed_on=changed, other_province=province
    )
    assert due == changed + timedelta(days=10 if province else 20)
    reported = changed + timedelta(days=days)
    assert is_late(due_on=due, reported_on=reported) is (reported > due)


@pytest.mark.parametrize(
    ("moved_days_ago", "to_other_province", "late"),
    [(20, False, False), (21, False, True), (10, True, False), (11, True, True)],
)
def test_an_address_report_is_late_after_20_days_or_10_after_a_move_to_another_province(
    permit, moved_days_ago, to_other_province, late
):
    province = other_province(permit) if to_other_province else permit.application.province
    report = submit(
        permit,
        ReportType.ADDRESS,
        changed_on=TODAY - timedelta(days=moved_days_ago),
        **address(province),
    )
    assert report.late is late
    assert report.due_on == TODAY - timedelta(days=moved_days_ago) + timedelta(
        days=10 if to_other_province else 20
    )
    assert report.status == ReportStatus.SUBMITTED
    assert report.reference.startswith("AZTR-R-2026-")


def test_the_deadline_follows_the_policy_in_force_on_the_day_of_the_change(permit):
    PolicyVersion.objects.update(address_report_days=30)
    report = submit(
        permit,
        ReportType.ADDRESS,
        changed_on=TODAY - timedelta(days=25),
        **address(permit.application.province),
    )
    assert not report.late
    assert report.policy_version.address_report_days == 30


def test_a_late_report_is_accepted_and_the_officer_sees_it_marked(permit, officer, client_for):
    report = submit(
        permit,
        ReportType.ADDRESS,
        changed_on=TODAY - timedelta(days=40),
        **address(permit.application.province),
    )
    with at(TODAY):
        page = client_for(officer).get(reverse("officer-queue") + "?kind=report")
        assert report.reference in page.content.decode()
        assert "reported late" in page.content.decode()
        late_only = client_for(officer).get(reverse("officer-queue") + "?kind=report&late=false")
    assert report.reference not in late_only.content.decode()


def test_the_reports_list_escapes_the_holders_name_and_links_each_report(
    permit, officer, client_for
):
    application = permit.application
    application.surname = "<i>Əliyev</i>"
    application.save(update_fields=["surname"])
    report = submit(
        permit,
        ReportType.ADDRESS,
        changed_on=TODAY - timedelta(days=5),
        **address(permit.application.province),
    )
    with at(TODAY):
        html = client_for(officer).get(reverse("officer-queue") + "?kind=report").content.decode()
    assert "&lt;i&gt;Əliyev&lt;/i&gt;" in html
    assert "<i>Əliyev</i>" not in html
    link = f'<a href="{reverse("officer-report", args=[report.pk])}">{report.reference}</a>'
    assert link in html
    assert permit.number in html


def test_a_change_in_the_future_or_before_the_permit_is_refused_and_nothing_is_written(permit):
    with pytest.raises(WorkflowError, match="future"):
        submit(permit, ReportType.END_OF_STUDIES, changed_on=TODAY + timedelta(days=1))
    with pytest.raises(WorkflowError, match="before this permit started"):
        submit(permit, ReportType.END_OF_STUDIES, changed_on=date(2024, 9, 1))
    assert not Report.objects.exists()


def test_a_passport_report_needs_the_identity_page(permit):
    with pytest.raises(WorkflowError, match="Attach"):
        submit(permit, ReportType.PASSPORT, issue_date="2026-05-20", expiry_date="2035-06-30")


def test_one_open_report_of_a_kind_per_permit(permit):
    submit(permit, ReportType.END_OF_STUDIES, reason="graduation")
    with pytest.raises(WorkflowError, match="already being considered"):
        submit(permit, ReportType.END_OF_STUDIES, reason="graduation")
    assert Report.objects.count() == 1
    # Another kind of change is its own report.
    submit(permit, ReportType.ADDRESS, **address(permit.application.province))
    assert Report.objects.count() == 2


def test_the_database_refuses_a_second_open_report_of_a_kind(permit):
    report = submit(permit, ReportType.END_OF_STUDIES, reason="graduation")
    with pytest.raises(IntegrityError), transaction.atomic():
        Report.objects.create(
            applicant=report.applicant,
            permit=permit,
            type=report.type,
            changed_on=report.changed_on,
            due_on=report.due_on,
            policy_version=report.policy_version,
            submitted_at=report.submitted_at,
        )


def test_the_history_is_append_only_in_the_database(permit):
    report = submit(permit, ReportType.END_OF_STUDIES, reason="graduation")
    with (
        pytest.raises(Exception, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "UPDATE reports_reportevent SET note = 'x' WHERE report_id = %s", [report.pk]
        )
    assert ReportEvent.objects.filter(report=report).count() == 1


def test_submitting_tells_the_student_in_their_language(permit):
    user = permit.application.applicant
    user.preferred_language = "az"
    user.save()
    report = submit(permit, ReportType.END_OF_STUDIES, reason="graduation")
    notice = Notification.objects.get(kind=notices.REPORT_RECEIVED)
    assert notice.recipient == user
    assert notice.language == "az"
    assert notice.context["reference"] == report.reference


# --- the officer's decisions -----------------------------------------------------------------


def test_an_accepted_passport_replaces_the_passport_on_record(permit, officer, make_upload):
    report = passport_report(permit, make_upload)
    old_hash = permit.application.passport_number_hash
    accept(report, officer)
    record = fresh(permit.application)
    assert record.passport_number == "C77777777"
    assert record.passport_expiry_date == RENEWED
    assert record.passport_number_hash != old_hash
    # Encrypted at rest, as every passport number.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT passport_number FROM applications_application WHERE id = %s", [record.pk]
        )
        assert "C77777777" not in cursor.fetchone()[0]
    pages = Document.objects.filter(application=record, kind="passport_identity_page")
    assert pages.filter(is_current=True).get().original_name == "new-passport.pdf"
    assert pages.filter(is_current=False).exists()  # the old one kept as evidence
    assert fresh(report).status == ReportStatus.ACCEPTED
    assert Notification.objects.filter(kind=notices.REPORT_ACCEPTED).exists()


def test_the_passport_reminders_for_the_old_passport_end(permit, officer, make_upload):
    expiring_day = date(2026, 10, 11)  # 90 days before the old passport expires
    report = passport_report(permit, make_upload)
    accept(report, officer)
    with at(expiring_day):
        sweep_passports()
    assert not Notification.objects.filter(kind="passport_expiring").exists()


def test_a_permit_cut_short_by_the_passport_can_be_extended_at_once(permit, officer, make_upload):
    with at(TODAY):
        assert extensions.extension_window(permit).state == extensions.NOT_YET
    report = passport_report(permit, make_upload)
    accept(report, officer)
    notice = Notification.objects.get(kind=notices.EXTENSION_NOW_POSSIBLE)
    assert notice.context["path"] == reverse("permit-extend", args=[permit.pk])
    with at(TODAY):
        assert extensions.extension_window(fresh(permit)).state == extensions.OPEN
        extension = extensions.extension_start(
            applicant=permit.application.applicant, permit_id=permit.pk
        )
    # The extension is prefilled with the passport now on record.
    assert extension.passport_expiry_date == RENEWED


def test_without_the_policys_early_extension_the_usual_window_applies(permit, officer, make_upload):
    PolicyVersion.objects.update(early_extension_after_passport=False)
    accept(passport_report(permit, make_upload), officer)
    assert not Notification.objects.filter(kind=notices.EXTENSION_NOW_POSSIBLE).exists()
    with at(TODAY):
        assert extensions.extension_window(fresh(permit)).state == extensions.NOT_YET
    with at(WINDOW_OPENS):
        assert extensions.extension_window(fresh(permit)).state == extensions.OPEN


def study(permit, make_upload, programme_end: date) -> Report:
    university = University.objects.exclude(pk=permit.application.university_id).first()
    with at(TODAY):
        return services.report_submit(
            applicant=permit.application.applicant,
            permit_id=permit.pk,
            type=ReportType.STUDY,
            changed_on=TODAY,
            details={
                "university": university.pk,
                "faculty": "Fen Fakültesi",
                "department": "Matematik",
                "student_number": "99",
                "programme_end": programme_end.isoformat(),
            },
            attachment=make_upload("certificate.pdf"),
        )


def test_an_earlier_programme_end_lets_the_officer_shorten_the_permit(permit, officer, make_upload):
    report = study(permit, make_upload, programme_end=date(2026, 7, 31))
    accept(report, officer, shorten_to=date(2026, 7, 31), shorten_reason="Programme ends early.")
    assert fresh(permit).valid_to == date(2026, 7, 31)
    assert fresh(permit.application).programme_end == date(2026, 7, 31)


def test_a_permit_is_not_shortened_without_an_earlier_programme_end(permit, officer, make_upload):
    report = study(permit, make_upload, programme_end=PROGRAMME_END)
    with pytest.raises(WorkflowError, match="shortened only"):
        accept(report, officer, shorten_to=date(2026, 7, 31), shorten_reason="No.")
    assert fresh(permit).valid_to == PERMIT_END
    assert fresh(report).status == ReportStatus.UNDER_REVIEW  # nothing half-written


def test_the_end_of_studies_ends_the_permit(permit, officer):
    report = submit(
        permit, ReportType.END_OF_STUDIES, changed_on=TODAY - timedelta(days=3), reason="graduation"
    )
    accept(report, officer)
    ended = fresh(permit)
    assert ended.status == "ended"
    assert ended.ended_on == TODAY
    with at(TODAY):
        assert not extensions.current_permits(permit.application.applicant).exists()


def test_information_requested_then_answered_then_rejected(permit, officer, make_upload):
    report = submit(permit, ReportType.ADDRESS, **address(permit.application.province))
    review(report, officer)
    with at(TODAY):
        services.report_request_info(
            report_id=report.pk,
            actor=officer,
            expected_version=fresh(report).version,
            message="Send the rental contract.",
        )
    asked = fresh(report)
    assert asked.status == ReportStatus.INFO_REQUESTED
    assert asked.info_due_on == TODAY + timedelta(days=30)
    assert Notification.objects.filter(kind=notices.REPORT_INFO_REQUESTED).exists()
    with at(TODAY):
        services.report_provide_info(
            report_id=report.pk,
            actor=report.applicant,
            expected_version=asked.version,
            response="Attached.",
            attachment=make_upload("contract.pdf"),
        )
        answered = fresh(report)
        assert answered.status == ReportStatus.UNDER_REVIEW
        assert answered.attachment_name == "contract.pdf"
        services.report_reject(
            report_id=report.pk,
            actor=officer,
            expected_version=answered.version,
            reason="The contract names another flat.",
        )
    assert fresh(report).status == ReportStatus.REJECTED
    assert fresh(permit.application).address_line != "Moda Caddesi 5"  # the record unchanged
    rejected = Notification.objects.get(kind=notices.REPORT_REJECTED)
    assert rejected.context["message"] == "The contract names another flat."


def test_a_decision_from_a_stale_page_changes_nothing(permit, officer):
    report = submit(permit, ReportType.END_OF_STUDIES, reason="graduation")
    seen = fresh(report).version
    review(report, officer)
    with pytest.raises(StaleVersion), at(TODAY):
        services.report_accept(report_id=report.pk, actor=officer, expected_version=seen)
    assert fresh(permit).status == "valid"


def test_a_student_cannot_decide_and_an_officer_cannot_report(permit):
    report = submit(permit, ReportType.END_OF_STUDIES, reason="graduation")
    with pytest.raises(WorkflowError):
        services.report_start_review(
            report_id=report.pk, actor=report.applicant, expected_version=report.version
        )
    with pytest.raises(WorkflowError):
        services.report_submit(
            applicant=OfficerFactory(),
            permit_id=permit.pk,
            type=ReportType.END_OF_STUDIES,
            changed_on=TODAY,
            details={},
        )


def test_claim_next_hands_out_reports_too(permit, officer):
    report = submit(permit, ReportType.END_OF_STUDIES, reason="graduation")
    with at(TODAY):
        kind, case = case_claim_next(actor=officer)
    assert kind.code == "report"
    assert case.pk == report.pk
    assert fresh(report).assignee == officer
    assert fresh(report).status == ReportStatus.UNDER_REVIEW


# --- the pages ------------------------------------------------------------------------------


def test_the_student_reports_a_new_address_from_the_dashboard(permit, client_for):
    client = client_for(permit.application.applicant)
    province = other_province(permit)
    with at(TODAY):
        dashboard = client.get(reverse("dashboard")).content.decode()
        assert reverse("report-new", args=[permit.pk]) in dashboard
        choose = client.get(reverse("report-new", args=[permit.pk])).content.decode()
        assert "within 10 days if you moved to another province" in choose
        response = client.post(
            reverse("report-create", args=[permit.pk, "address"]),
            {"changed_on": (TODAY - timedelta(days=2)).isoformat(), **address(province)},
        )
    report = Report.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("report-detail", args=[report.pk])
    assert report.details["other_province"] is True
    with at(TODAY):
        detail = client.get(response.url).content.decode()
        assert report.reference in detail
        assert report.reference in client.get(reverse("dashboard")).content.decode()


def test_bad_input_gets_a_clear_message_and_changes_nothing(permit, client_for):
    client = client_for(permit.application.applicant)
    with at(TODAY):
        response = client.post(
            reverse("report-create", args=[permit.pk, "passport"]),
            {
                "changed_on": "2026-13-01",
                "new_passport_number": "??",
                "issue_date": "",
                "expiry_date": "",
            },
        )
    assert response.status_code == 200
    assert "Enter a real date" in response.content.decode()
    assert not Report.objects.exists()


def test_the_officer_review_page_shows_the_record_beside_the_report(
    permit, officer, client_for, make_upload
):
    report = passport_report(permit, make_upload)
    with at(TODAY):
        page = client_for(officer).get(reverse("officer-report", args=[report.pk])).content.decode()
    assert "C77777777" in page
    assert "could run until" in page
    assert ReportEvent.objects.filter(
        report=report, kind=ReportEvent.Kind.VIEWED, actor=officer
    ).exists()


def test_the_data_export_includes_the_reports(permit, client_for, make_upload):
    import io
    import json
    import zipfile

    report = passport_report(permit, make_upload)
    with at(TODAY):
        response = client_for(permit.application.applicant).get(reverse("data-export"))
    archive = zipfile.ZipFile(
        io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)
    )
    data = json.loads(archive.read("data.json"))
    assert data["reports"][0]["reference"] == report.reference
    assert data["reports"][0]["file_in_archive"] in archive.namelist()


@pytest.mark.parametrize(
    "name",
    ["report-detail", "report-file", "report-respond", "report-withdraw"],
)
def test_another_student_and_an_anonymous_visitor_cannot_reach_a_report(
    permit, client_for, make_upload, name
):
    report = passport_report(permit, make_upload)
    url = reverse(name, args=[report.pk])
    method = "post" if name in ("report-respond", "report-withdraw") else "get"
    with at(TODAY):
        other = getattr(client_for(UserFactory()), method)(url)
        anonymous = getattr(client_for(None), method)(url)
    assert other.status_code == 404
    assert anonymous.status_code == 302
    assert "/accounts/login/" in anonymous.url
    assert fresh(report).status == ReportStatus.SUBMITTED


@pytest.mark.parametrize(
    "name",
    [
        "officer-report",
        "officer-report-start",
        "officer-report-info",
        "officer-report-accept",
        "officer-report-reject",
    ],
)
def test_the_officers_report_pages_are_for_officers_only(permit, client_for, name):
    report = submit(permit, ReportType.END_OF_STUDIES, reason="graduation")
    url = reverse(name, args=[report.pk])
    method = "get" if name == "officer-report" else "post"
    with at(TODAY):
        student = getattr(client_for(report.applicant), method)(url, {"version": report.version})
        anonymous = getattr(client_for(None), method)(url)
    assert student.status_code == 403
    assert anonymous.status_code == 302
    assert fresh(report).status == ReportStatus.SUBMITTED


def test_reports_are_only_about_the_students_own_valid_permit(permit, client_for):
    stranger = UserFactory()
    with at(TODAY):
        assert client_for(stranger).get(reverse("report-new", args=[permit.pk])).status_code == 404
        assert (
            client_for(stranger)
            .post(
                reverse("report-create", args=[permit.pk, "end_of_studies"]),
                {"changed_on": "2026-05-01", "reason": "graduation"},
            )
            .status_code
            == 404
        )
    assert not Report.objects.exists()


def test_a_reports_passport_number_is_encrypted_and_survives_a_key_rotation(
    permit, make_upload, settings
):
    import io

    from cryptography.fernet import Fernet
    from django.core.management import call_command

    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    # The permit's own rows were written under the suite's keys: those stay readable.
    suite_keys = list(settings.FIELD_ENCRYPTION_KEYS)
    settings.FIELD_ENCRYPTION_KEYS = [old_key, *suite_keys]
    report = passport_report(permit, make_upload)

    def stored() -> str:
        with connection.cursor() as cursor:
            cursor.execute("SELECT passport_number FROM reports_report WHERE id = %s", [report.pk])
            return cursor.fetchone()[0]

    assert "C77777777" not in stored()
    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key, *suite_keys]
    out = io.StringIO()
    call_command("rotate_field_keys", stdout=out)
    assert "Rewrote 1 report passport number(s)." in out.getvalue()
    assert Fernet(new_key.encode()).decrypt(stored().encode()).decode() == "C77777777"
    settings.FIELD_ENCRYPTION_KEYS = [new_key, *suite_keys]
    assert fresh(report).passport_number == "C77777777"


def test_an_information_request_is_reminded_then_told_to_the_officer_once(permit, officer):
    from reports.sweeps import sweep_report_info_requests

    report = submit(permit, ReportType.ADDRESS, **address(permit.application.province))
    review(report, officer)
    with at(TODAY):
        services.report_request_info(
            report_id=report.pk,
            actor=officer,
            expected_version=fresh(report).version,
            message="Send the rental contract.",
        )
    due = fresh(report).info_due_on
    for day in (due - timedelta(days=8), due - timedelta(days=7), due - timedelta(days=2)):
        with at(day):
            sweep_report_info_requests()
            sweep_report_info_requests()  # a second run the same night sends nothing
    reminders = Notification.objects.filter(kind=notices.REPORT_INFO_DUE)
    assert reminders.count() == 2
    assert {n.recipient for n in reminders} == {report.applicant}
    with at(due + timedelta(days=1)):
        sweep_report_info_requests()
        sweep_report_info_requests()
    overdue = Notification.objects.get(kind=notices.REPORT_INFO_OVERDUE)
    assert overdue.recipient == officer


def test_reports_go_with_their_application_when_it_is_anonymised(
    permit, officer, make_upload, django_capture_on_commit_callbacks
):
    from applications.retention import application_anonymise

    report = passport_report(permit, make_upload)
    accept(report, officer, note="Checked against the original.")
    stored_file = fresh(report).attachment.name
    with at(TODAY), django_capture_on_commit_callbacks(execute=True):
        application_anonymise(application_id=permit.application_id)
    gone = fresh(report)
    assert gone.anonymised_at is not None
    assert (gone.passport_number, gone.decision_note, gone.attachment.name) == ("", "", "")
    assert "issue_date" not in gone.details
    assert not gone.events.exclude(note="").exists()
    # The kind, dates, statuses and who did what stay.
    assert (gone.type, gone.status, gone.changed_on) == (report.type, "accepted", report.changed_on)
    assert gone.events.filter(actor=officer).exists()
    assert not gone.attachment.storage.exists(stored_file)

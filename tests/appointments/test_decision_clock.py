"""The decision deadline counts as the law does: LFIP Art. 21(5)'s 90 days run from a complete
application. A first application (its kind needs a visit) is complete when the desk records the
visit; a kind that needs none is complete when it reaches the officers. The queue's age and
badges, its "past the target" filter, the supervisor dashboard and the daily digest all count
from that day, and a case still waiting for its visit is never late."""

from __future__ import annotations

from datetime import date

import pytest
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from applications.completeness import application_mark_complete
from applications.models import Application, Status
from applications.queue import queue_filtered, queue_row
from appointments import services
from officers import dashboard
from officers.sweeps import sweep_supervisor_digest
from tests.factories import OfficerFactory, SupervisorFactory

from .conftest import NOW, at, set_policy

pytestmark = pytest.mark.django_db

# Handed in 126 days before NOW (a Monday); the visit 68 days before it (a Wednesday).
HANDED_IN = at(date(2026, 8, 3), 10)
BOOKED_ON = at(date(2026, 9, 28), 10)
VISIT = date(2026, 9, 30)


def fresh(application: Application) -> Application:
    return Application.objects.select_related("university", "province", "assignee").get(
        pk=application.pk
    )


def visit(application: Application, clock, *, day: date, booked_on) -> None:
    """Book ``day`` at 10:00 from ``booked_on`` and have the desk record the visit at 10:05."""
    clock.move_to(booked_on)
    appointment = services.appointment_book(
        application_id=application.pk, actor=application.applicant, starts_at=at(day, 10)
    )
    clock.move_to(at(day, 10, 5))
    services.appointment_mark_attended(
        appointment_id=appointment.pk,
        actor=OfficerFactory(),
        expected_version=appointment.version,
        biometrics_taken=True,
        originals_seen=True,
    )


def ids(params: str) -> set[int]:
    filtered = queue_filtered(params=QueryDict(params), officer=OfficerFactory())
    return set(filtered.qs.values_list("pk", flat=True))


def test_a_first_application_waits_for_its_visit_and_the_90_days_start_at_the_desk(
    case, clock, client_for
):
    application = case()
    assert application.submitted_at == NOW
    assert application.complete_at is None
    row = queue_row(fresh(application), today=timezone.localdate())
    assert (row.age_days, row.sla) == (None, "waiting")
    officer = OfficerFactory()
    review = client_for(officer).get(reverse("officer-review", args=[application.pk]))
    assert "Waiting for the visit to the office" in review.content.decode()
    queue = client_for(officer).get(reverse("officer-queue")).content.decode()
    assert "waiting for the visit" in queue

    visit(application, clock, day=date(2026, 12, 9), booked_on=NOW)

    application = fresh(application)
    assert application.complete_at == at(date(2026, 12, 9), 10, 5)
    review = client_for(officer).get(reverse("officer-review", args=[application.pk]))
    # 90 days from 9 December 2026.
    assert "Complete on 9 Dec 2026, decision due by 9 Mar 2027" in review.content.decode()
    # Only the first recorded visit counts.
    assert not application_mark_complete(application_id=application.pk, at=NOW)
    assert fresh(application).complete_at == at(date(2026, 12, 9), 10, 5)


def test_age_badges_filters_dashboard_and_digest_count_from_the_visit(case, clock, client_for):
    supervisor = SupervisorFactory()
    clock.move_to(HANDED_IN)
    visited, waiting = case(surname="Visited"), case(surname="Waiting")
    visit(visited, clock, day=VISIT, booked_on=BOOKED_ON)
    clock.move_to(NOW)
    today = timezone.localdate()

    row = queue_row(fresh(visited), today=today)
    # 68 days since the visit (126 since the hand-in, which would be past the legal limit).
    assert (row.age_days, row.sla) == (68, "target")
    assert queue_row(fresh(waiting), today=today).sla == "waiting"
    assert ids("overdue=true") == {visited.pk}
    assert ids("overdue=false") == {waiting.pk}
    assert ids("waiting_visit=true") == {waiting.pk}
    assert ids("waiting_visit=false") == {visited.pk}

    breaches = dashboard.sla_breaches()
    assert (breaches.open, breaches.waiting, breaches.past_target, breaches.past_legal) == (
        2,
        1,
        1,
        0,
    )
    page = client_for(supervisor).get(reverse("supervisor-dashboard")).content.decode()
    waiting_row = page.split("Waiting for the visit to the office")[1].split("</tr>")[0]
    assert "?waiting_visit=true" in waiting_row
    assert ">1<" in waiting_row
    loads = {load.officer.pk: load for load in dashboard.open_work_by_officer()}
    assert sum(load.past_target for load in loads.values()) == 0  # nobody holds them

    assert sweep_supervisor_digest(today=today)["past_target"] == 1
    from notifications.models import Notification

    digest = Notification.objects.get(kind="supervisor_digest")
    assert [(i["reference"], i["days"]) for i in digest.context["items"]] == [
        (visited.reference, 68)
    ]
    assert digest.context["near_limit"] == 0

    # 91 days after the visit: past the legal limit; the waiting case still is not.
    clock.move_to(at(date(2026, 12, 30), 10))
    assert queue_row(fresh(visited), today=timezone.localdate()).sla == "legal"
    breaches = dashboard.sla_breaches()
    assert (breaches.past_target, breaches.past_legal) == (1, 1)


def test_a_kind_that_needs_no_visit_is_complete_when_it_reaches_the_officers(
    case, extension_case, clock
):
    extension = extension_case()  # the policy's default: extensions need no visit
    assert extension.complete_at == extension.submitted_at == NOW

    set_policy(visit_required_first=False)
    application = case()
    assert application.complete_at == application.submitted_at == NOW
    assert queue_row(fresh(application), today=timezone.localdate()).age_days == 0
    # Nothing to book, nothing to invite to.
    from appointments.sweeps import sweep_appointment_reminders

    assert sweep_appointment_reminders()["invited"] == 0


def test_the_universitys_check_passed_starts_the_clock_of_a_case_that_needs_no_visit(
    application_in, clock
):
    from applications import precheck
    from universities.models import UniversityStaff

    set_policy(visit_required_first=False)
    application = application_in(Status.PRECHECK)
    assert application.complete_at is None
    clock.move_to(at(date(2026, 12, 8), 11))
    office = UniversityStaff.objects.filter(university=application.university).first().user
    precheck.precheck_pass(
        application_id=application.pk, actor=office, expected_version=application.version
    )
    application = fresh(application)
    assert application.complete_at == application.submitted_at == at(date(2026, 12, 8), 11)


def test_a_case_handed_back_by_the_university_has_no_clock(application_in, clock):
    returned = application_in(Status.RETURNED)
    assert (returned.submitted_at, returned.complete_at) == (None, None)
    assert queue_row(fresh(returned), today=timezone.localdate()).sla == "done"

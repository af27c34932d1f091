"""Claiming, releasing and reassigning: who holds an application, and that no two officers do."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.db import connection, transaction
from django.urls import reverse
from django.utils import translation

from applications import decisions, workflow
from applications.models import Application, ApplicationEvent, Status
from cases.assignment import case_claim_next
from tests.factories import OfficerFactory, SupervisorFactory

ISTANBUL = ZoneInfo("Europe/Istanbul")


def claim_next(*, actor):
    """Claim-next as the officer's button does it; the case it gave, or None."""
    claimed = case_claim_next(actor=actor)
    return None if claimed is None else claimed[1]


NOW = datetime(2024, 10, 1, 10, 0, tzinfo=ISTANBUL)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller, translation.override("en"):
        yield traveller


def fresh(application: Application) -> Application:
    return Application.objects.get(pk=application.pk)


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def state(application: Application) -> tuple:
    current = fresh(application)
    return (current.status, current.assignee_id, current.version, current.events.count())


@pytest.fixture
def waiting(application_in, clock):
    """Three submitted applications, an hour apart, oldest first."""
    made = []
    for hours in range(3):
        clock.move_to(NOW + timedelta(hours=hours))
        made.append(application_in(Status.SUBMITTED))
    clock.move_to(NOW + timedelta(hours=5))
    return made


# --- claim-next through the page -----------------------------------------------------------


@pytest.mark.django_db
def test_claim_next_gives_the_oldest_waiting_application(waiting, officer, client_for):
    oldest = waiting[0]

    response = client_for(officer).post(reverse("officer-claim-next"))

    assert response.status_code == 302
    assert response["Location"] == reverse("officer-review", args=[oldest.pk])
    claimed = fresh(oldest)
    assert (claimed.status, claimed.assignee) == (Status.UNDER_REVIEW, officer)
    assert claimed.version == oldest.version + 1
    event = claimed.events.filter(kind=ApplicationEvent.Kind.STATUS_CHANGED).last()
    assert (event.from_status, event.to_status, event.actor) == (
        Status.SUBMITTED,
        Status.UNDER_REVIEW,
        officer,
    )
    assert messages_of(response) == [f"{oldest.reference} is now yours."]
    for other in waiting[1:]:
        assert (fresh(other).status, fresh(other).assignee) == (Status.SUBMITTED, None)


@pytest.mark.django_db
def test_claim_next_skips_applications_that_already_have_an_officer(
    waiting, officer, supervisor, client_for
):
    colleague = OfficerFactory()
    # A supervisor hands the oldest one to a colleague before its review starts.
    decisions.application_reassign(
        application_id=waiting[0].pk,
        actor=supervisor,
        expected_version=waiting[0].version,
        assignee=colleague,
    )

    client_for(officer).post(reverse("officer-claim-next"))

    assert fresh(waiting[0]).assignee == colleague
    assert fresh(waiting[1]).assignee == officer
    assert fresh(waiting[1]).status == Status.UNDER_REVIEW


@pytest.mark.django_db
def test_claiming_in_turn_hands_out_oldest_first(waiting, client_for):
    officers = [OfficerFactory() for _ in waiting]

    for officer in officers:
        client_for(officer).post(reverse("officer-claim-next"))

    assert [fresh(a).assignee for a in waiting] == officers


@pytest.mark.django_db
def test_nothing_waiting_says_so(application_in, officer, client_for):
    taken = application_in(Status.UNDER_REVIEW, officer=OfficerFactory())
    application_in(Status.DRAFT)
    before = state(taken)

    response = client_for(officer).post(reverse("officer-claim-next"), follow=True)

    assert response.redirect_chain == [(reverse("officer-queue"), 302)]
    assert "Nothing is waiting" in response.content.decode()
    assert state(taken) == before
    assert claim_next(actor=officer) is None


@pytest.mark.django_db
def test_claim_next_is_post_only(waiting, officer, client_for):
    response = client_for(officer).get(reverse("officer-claim-next"))

    assert response.status_code == 405
    assert all(fresh(a).assignee is None for a in waiting)


@pytest.mark.django_db
def test_a_student_cannot_claim(waiting):
    with pytest.raises(workflow.NotPermitted):
        claim_next(actor=waiting[0].applicant)
    assert all(fresh(a).assignee is None for a in waiting)


# --- concurrency: SKIP LOCKED ---------------------------------------------------------------


def claim_concurrently(officers) -> list[tuple[object, int | None]]:
    """Every officer presses "claim next" at the same moment, each on their own connection."""
    barrier = threading.Barrier(len(officers))
    results: list[tuple[object, int | None]] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def worker(officer) -> None:
        try:
            barrier.wait(timeout=10)
            with transaction.atomic():
                application = claim_next(actor=officer)
                # Keep the row locked a moment so the others really meet it.
                time.sleep(0.05)
            with lock:
                results.append((officer, application.pk if application else None))
        except BaseException as exc:  # reported to the main thread below
            with lock:
                errors.append(exc)
        finally:
            connection.close()

    pool = [threading.Thread(target=worker, args=(officer,)) for officer in officers]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join(timeout=30)
    assert not errors, errors
    assert not any(thread.is_alive() for thread in pool)
    return results


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize(("applications", "officers"), [(4, 4), (4, 6)], ids=["4-for-4", "4-for-6"])
def test_simultaneous_claims_never_share_an_application(application_in, applications, officers):
    waiting = [application_in(Status.SUBMITTED) for _ in range(applications)]
    staff = [OfficerFactory() for _ in range(officers)]

    results = claim_concurrently(staff)

    claimed = [pk for _officer, pk in results if pk is not None]
    assert len(results) == officers
    assert sorted(claimed) == sorted(a.pk for a in waiting)  # each one handed out exactly once
    assert len(claimed) == len(set(claimed))
    assert sum(pk is None for _officer, pk in results) == officers - applications
    for officer, pk in results:
        if pk is None:
            continue
        application = Application.objects.get(pk=pk)
        assert application.assignee_id == officer.pk
        assert application.status == Status.UNDER_REVIEW
        assert application.version == 3  # created 1, submitted 2, claimed 3
        assert (
            application.events.filter(
                kind=ApplicationEvent.Kind.STATUS_CHANGED, to_status=Status.UNDER_REVIEW
            ).count()
            == 1
        )
    assert not Application.objects.filter(status=Status.SUBMITTED).exists()


# --- release ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_assignee_releases_it_and_it_can_be_claimed_again(application_in, officer, client_for):
    application = application_in(Status.UNDER_REVIEW, officer=officer)

    response = client_for(officer).post(
        reverse("officer-release", args=[application.pk]), {"version": application.version}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("officer-queue")
    assert messages_of(response) == ["Released back to the queue."]
    released = fresh(application)
    assert (released.status, released.assignee, released.version) == (
        Status.UNDER_REVIEW,
        None,
        application.version + 1,
    )
    event = released.events.last()
    assert (event.kind, event.actor) == (ApplicationEvent.Kind.RELEASED, officer)

    colleague = OfficerFactory()
    claimed = claim_next(actor=colleague)
    assert claimed.pk == application.pk
    assert fresh(application).assignee == colleague
    assert fresh(application).status == Status.UNDER_REVIEW
    assert fresh(application).events.last().kind == ApplicationEvent.Kind.ASSIGNED


@pytest.mark.django_db
def test_another_officer_cannot_release_it(application_in, officer, client_for):
    application = application_in(Status.UNDER_REVIEW, officer=officer)
    colleague = OfficerFactory()
    before = state(application)

    response = client_for(colleague).post(
        reverse("officer-release", args=[application.pk]), {"version": application.version}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("officer-review", args=[application.pk])
    assert messages_of(response) == ["Only the assigned officer or a supervisor can release it."]
    assert state(application) == before
    with pytest.raises(workflow.NotPermitted):
        decisions.application_release(
            application_id=application.pk, actor=colleague, expected_version=application.version
        )
    assert state(application) == before


@pytest.mark.django_db
def test_a_supervisor_can_release_anyones(application_in, officer, supervisor):
    application = application_in(Status.UNDER_REVIEW, officer=officer)

    decisions.application_release(
        application_id=application.pk, actor=supervisor, expected_version=application.version
    )

    assert fresh(application).assignee is None


@pytest.mark.django_db
def test_release_from_a_stale_page_changes_nothing(application_in, officer, client_for):
    application = application_in(Status.UNDER_REVIEW, officer=officer)
    before = state(application)

    response = client_for(officer).post(
        reverse("officer-release", args=[application.pk]), {"version": application.version - 1}
    )

    assert response["Location"] == reverse("officer-review", args=[application.pk])
    assert "changed by someone else" in messages_of(response)[0]
    assert state(application) == before


@pytest.mark.django_db
def test_a_decided_application_cannot_be_released(application_in, officer):
    application = application_in(Status.REJECTED, officer=officer)
    before = state(application)

    with pytest.raises(workflow.WorkflowError):
        decisions.application_release(
            application_id=application.pk, actor=officer, expected_version=application.version
        )
    assert state(application) == before


@pytest.mark.django_db
def test_release_and_reassign_of_a_draft_or_unknown_pk_is_404(
    application_in, supervisor, client_for
):
    draft = application_in(Status.DRAFT)
    before = state(draft)
    client = client_for(supervisor)

    for name in ("officer-release", "officer-reassign"):
        for pk in (draft.pk, draft.pk + 10_000):
            response = client.post(
                reverse(name, args=[pk]), {"version": draft.version, "assignee": supervisor.pk}
            )
            assert response.status_code == 404, (name, pk)
    assert state(draft) == before


# --- reassign --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_supervisor_reassigns(application_in, officer, supervisor, client_for):
    application = application_in(Status.UNDER_REVIEW, officer=officer)
    colleague = OfficerFactory()

    response = client_for(supervisor).post(
        reverse("officer-reassign", args=[application.pk]),
        {"version": application.version, "assignee": colleague.pk},
    )

    assert response["Location"] == reverse("officer-review", args=[application.pk])
    assert messages_of(response) == ["Reassigned."]
    after = fresh(application)
    assert (after.assignee, after.status, after.version) == (
        colleague,
        Status.UNDER_REVIEW,
        application.version + 1,
    )
    event = after.events.last()
    assert (event.kind, event.actor, event.data) == (
        ApplicationEvent.Kind.ASSIGNED,
        supervisor,
        {"assignee": colleague.email},
    )


@pytest.mark.django_db
def test_a_supervisor_can_assign_a_waiting_application(application_in, supervisor):
    application = application_in(Status.SUBMITTED)
    colleague = OfficerFactory()

    decisions.application_reassign(
        application_id=application.pk,
        actor=supervisor,
        expected_version=application.version,
        assignee=colleague,
    )

    assert (fresh(application).assignee, fresh(application).status) == (
        colleague,
        Status.SUBMITTED,
    )


@pytest.mark.django_db
def test_an_officer_cannot_reassign(application_in, officer, client_for):
    application = application_in(Status.UNDER_REVIEW, officer=officer)
    colleague = OfficerFactory()
    before = state(application)

    response = client_for(officer).post(
        reverse("officer-reassign", args=[application.pk]),
        {"version": application.version, "assignee": colleague.pk},
    )

    assert response.status_code == 302
    assert messages_of(response) == ["Only supervisors can reassign applications."]
    assert state(application) == before
    with pytest.raises(workflow.NotPermitted):
        decisions.application_reassign(
            application_id=application.pk,
            actor=officer,
            expected_version=application.version,
            assignee=colleague,
        )
    assert state(application) == before


@pytest.mark.django_db
def test_reassign_only_to_officers_and_only_open_work(application_in, officer, supervisor):
    application = application_in(Status.UNDER_REVIEW, officer=officer)
    rejected = application_in(Status.REJECTED, officer=officer)
    before = state(application), state(rejected)

    with pytest.raises(workflow.WorkflowError):
        decisions.application_reassign(
            application_id=application.pk,
            actor=supervisor,
            expected_version=application.version,
            assignee=application.applicant,
        )
    with pytest.raises(workflow.WorkflowError):
        decisions.application_reassign(
            application_id=rejected.pk,
            actor=supervisor,
            expected_version=rejected.version,
            assignee=SupervisorFactory(),
        )
    with pytest.raises(workflow.StaleVersion):
        decisions.application_reassign(
            application_id=application.pk,
            actor=supervisor,
            expected_version=application.version - 1,
            assignee=SupervisorFactory(),
        )
    assert (state(application), state(rejected)) == before


@pytest.mark.django_db
def test_reassign_form_offers_only_officers(application_in, officer, supervisor, client_for):
    application = application_in(Status.UNDER_REVIEW, officer=officer)
    before = state(application)

    response = client_for(supervisor).post(
        reverse("officer-reassign", args=[application.pk]),
        {"version": application.version, "assignee": application.applicant.pk},
    )

    assert messages_of(response) == ["Choose an officer."]
    assert state(application) == before
    page = client_for(supervisor).get(reverse("officer-review", args=[application.pk]))
    choices = {user.pk for user in page.context["reassign_form"].fields["assignee"].queryset}
    assert {officer.pk, supervisor.pk} <= choices
    assert application.applicant.pk not in choices

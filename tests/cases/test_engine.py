"""The transition engine on its own: whatever kind of case, the same five steps or nothing.

A kind hands the engine its table; the engine refuses what the table does not allow, refuses a
stale page, and otherwise changes status, version, history and notices together.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction
from django.utils import translation

from applications.flow import FLOW
from applications.models import Application, ApplicationEvent, Status
from cases import engine
from cases.errors import StaleVersion, TransitionNotAllowed
from notifications.models import Notification
from tests.factories import ApplicationFactory, OfficerFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2024, 10, 1, 10, 0, tzinfo=ZoneInfo("Europe/Istanbul"))


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False), translation.override("en"):
        yield


def recorded(flow: engine.Flow, calls: list) -> engine.Flow:
    """The same flow, remembering every notice hand-over."""

    def notify(case, event):
        calls.append((case.pk, event.kind, event.from_status, event.to_status))
        flow.notify(case, event)

    return dataclasses.replace(flow, notify=notify)


def test_a_move_changes_status_version_history_and_notices_together():
    draft = ApplicationFactory()
    calls: list = []
    flow = recorded(FLOW, calls)

    with transaction.atomic():
        case = engine.lock(flow, draft.pk)
        engine.check(flow, case, to_status=Status.WITHDRAWN, expected_version=draft.version)
        event = engine.transition(flow, case, actor=draft.applicant, to_status=Status.WITHDRAWN)

    stored = Application.objects.get(pk=draft.pk)
    assert stored.status == Status.WITHDRAWN
    assert stored.version == draft.version + 1
    assert (event.kind, event.from_status, event.to_status) == (
        engine.STATUS_CHANGED,
        Status.DRAFT,
        Status.WITHDRAWN,
    )
    assert calls == [(draft.pk, engine.STATUS_CHANGED, Status.DRAFT, Status.WITHDRAWN)]


def test_a_kind_with_another_table_is_held_to_its_own_table():
    draft = ApplicationFactory()
    # A kind whose drafts can only be withdrawn: the engine asks this table, not the other one.
    strict = dataclasses.replace(
        FLOW,
        transitions={**FLOW.transitions, Status.DRAFT: frozenset({Status.WITHDRAWN})},
    )

    with transaction.atomic():
        case = engine.lock(strict, draft.pk)
        with pytest.raises(TransitionNotAllowed) as refused:
            engine.transition(strict, case, actor=draft.applicant, to_status=Status.SUBMITTED)

    assert "cannot become “Submitted”" in refused.value.message
    stored = Application.objects.get(pk=draft.pk)
    assert (stored.status, stored.version) == (Status.DRAFT, draft.version)
    assert not ApplicationEvent.objects.filter(
        application=draft, kind=engine.STATUS_CHANGED
    ).exists()


def test_a_stale_page_changes_nothing_and_says_so_in_the_kinds_words():
    draft = ApplicationFactory()

    with transaction.atomic():
        case = engine.lock(FLOW, draft.pk)
        with pytest.raises(StaleVersion) as stale:
            engine.check(FLOW, case, to_status=Status.WITHDRAWN, expected_version=draft.version - 1)

    assert stale.value.message.startswith("This application was changed by someone else")
    assert Application.objects.get(pk=draft.pk).version == draft.version


def test_a_failure_after_the_move_leaves_no_trace():
    draft = ApplicationFactory()

    def failing_notices(case, event):
        raise RuntimeError("the outbox is gone")

    flow = dataclasses.replace(FLOW, notify=failing_notices)

    def move_in_one_transaction():
        with transaction.atomic():
            case = engine.lock(flow, draft.pk)
            engine.transition(flow, case, actor=draft.applicant, to_status=Status.WITHDRAWN)

    with pytest.raises(RuntimeError):
        move_in_one_transaction()

    stored = Application.objects.get(pk=draft.pk)
    assert (stored.status, stored.version) == (Status.DRAFT, draft.version)
    assert not ApplicationEvent.objects.filter(application=draft, to_status="withdrawn").exists()
    assert not Notification.objects.filter(application=draft).exists()


def test_assigning_and_releasing_are_versioned_events():
    draft = ApplicationFactory()
    officer = OfficerFactory()

    with transaction.atomic():
        case = engine.lock(FLOW, draft.pk)
        assigned = engine.assign(FLOW, case, actor=officer, assignee=officer)
        released = engine.assign(FLOW, case, actor=officer, assignee=None)

    assert (assigned.kind, assigned.data) == (engine.ASSIGNED, {"assignee": officer.email})
    assert (released.kind, released.data) == (engine.RELEASED, {"assignee": None})
    stored = Application.objects.get(pk=draft.pk)
    assert stored.assignee is None
    assert stored.version == draft.version + 2


def test_every_status_the_application_table_names_has_a_label():
    for status, targets in FLOW.transitions.items():
        for target in (status, *targets):
            assert FLOW.status_label(target) == Status(target).label

"""Who may use each officer URL: a student, an officer, a supervisor, an anonymous visitor.

Every cell of the matrix is its own test (``<url name>-<actor>``):

* a student (here the applicant of the very application concerned) gets 403 everywhere;
* an anonymous visitor is sent to sign in, and comes back to the URL afterwards;
* an officer may use everything except the supervisor dashboard (403) and reassigning, which
  is refused with a message and changes nothing;
* a supervisor may use everything.

A refused request changes nothing: every application of the world (status, version, assignee,
events including the access log, notes, messages, document verdicts, permits, information
requests) is compared before and after.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.urls import URLPattern, reverse
from django.utils import translation

from accounts.models import User
from applications.models import (
    Application,
    ApplicationEvent,
    InfoRequest,
    InternalNote,
    Message,
    Status,
)
from documents.models import Document
from permits.models import Permit
from tests.factories import OfficerFactory, SupervisorFactory

pytestmark = pytest.mark.django_db

ISTANBUL = ZoneInfo("Europe/Istanbul")
NOW = datetime(2024, 10, 1, 10, 0, tzinfo=ISTANBUL)
ACTORS = ("student", "officer", "supervisor", "anonymous")
LOGIN = "login"
FORBIDDEN = 403


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller, translation.override("en"):
        yield traveller


@dataclass
class World:
    student: User
    officer: User
    supervisor: User
    colleague: User
    application: Application  # the one the URL is about; the student is its applicant
    waiting: Application  # a submitted, unassigned application for claim-next
    document: Document


def build(state: str, application_in) -> World:
    officer, colleague, supervisor = OfficerFactory(), OfficerFactory(), SupervisorFactory()
    application = application_in(state, officer=officer)
    waiting = application_in(Status.SUBMITTED)
    document = application.documents.filter(is_current=True).order_by("pk").first()
    return World(
        student=application.applicant,
        officer=officer,
        supervisor=supervisor,
        colleague=colleague,
        application=application,
        waiting=waiting,
        document=document,
    )


def snapshot(world: World) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for name in ("application", "waiting"):
        application = Application.objects.get(pk=getattr(world, name).pk)
        result[name] = {
            "status": application.status,
            "version": application.version,
            "assignee": application.assignee_id,
            "updated_at": application.updated_at,
            "events": list(application.events.values_list("pk", flat=True)),
            "notes": InternalNote.objects.filter(application=application).count(),
            "messages": Message.objects.filter(application=application).count(),
            "documents": list(
                Document.objects.filter(application=application)
                .order_by("pk")
                .values_list("pk", "review", "review_reason", "reviewed_by")
            ),
            "permits": Permit.objects.filter(application=application).count(),
            "permit_states": list(
                Permit.objects.filter(application=application).values_list("status", "version")
            ),
            "info_requests": list(
                InfoRequest.objects.filter(application=application).values_list("pk", "state")
            ),
        }
    return result


# --- the routes ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    name: str
    state: str
    url: Callable[[World], str]
    method: str = "get"
    data: Callable[[World], dict[str, Any]] | None = None
    # What an allowed actor gets: a status code, or (302, where it redirects).
    allowed: Callable[[World], Any] = lambda w: 200
    # What the allowed request changed, given the actor; None: it only shows (it may log access).
    effect: Callable[[World, User, dict, dict], None] | None = None
    officer: str = "allowed"  # "allowed", "forbidden" or "refused" (a message, no change)


def _app(name: str) -> Callable[[World], str]:
    return lambda w: reverse(name, args=[w.application.pk])


def _review(w: World) -> tuple[int, str]:
    return 302, reverse("officer-review", args=[w.application.pk])


def _version(w: World) -> dict[str, Any]:
    return {"version": w.application.version}


Check = Callable[[World, dict, dict, User, Application], None]


def _only(name: str, check: Check):
    """The effect on one application; the other one stays exactly as it was."""

    def effect(world: World, actor: User, before: dict, after: dict) -> None:
        other = "waiting" if name == "application" else "application"
        assert after[other] == before[other]
        current = Application.objects.get(pk=getattr(world, name).pk)
        check(world, before[name], after[name], actor, current)

    return effect


def _logged_view(world, before, after, actor, application):
    new = application.events.exclude(pk__in=before["events"])
    assert [(e.kind, e.actor_id) for e in new] == [(ApplicationEvent.Kind.VIEWED, actor.pk)]
    assert {k: v for k, v in after.items() if k != "events"} == {
        k: v for k, v in before.items() if k != "events"
    }


def _status(status: str, assignee: str | None = "unchanged") -> Check:
    def check(world, before, after, actor, application):
        assert after["status"] == status
        assert after["version"] == before["version"] + 1
        if assignee == "actor":
            assert after["assignee"] == actor.pk
        elif assignee is None:
            assert after["assignee"] is None

    return check


def _reassigned(world, before, after, actor, application):
    assert after["version"] == before["version"] + 1
    assert after["status"] == before["status"]
    assert after["assignee"] == world.colleague.pk
    event = application.events.exclude(pk__in=before["events"]).get()
    assert (event.kind, event.actor_id) == (ApplicationEvent.Kind.ASSIGNED, actor.pk)


def _released(world, before, after, actor, application):
    assert after["assignee"] is None
    assert after["version"] == before["version"] + 1
    assert after["status"] == before["status"] == Status.UNDER_REVIEW


def _permit_issued(world, before, after, actor, application):
    _status(Status.APPROVED)(world, before, after, actor, application)
    assert after["permits"] == 1
    assert application.permit.issued_by == actor


def _permit_cancelled(world, before, after, actor, application):
    permit = Permit.objects.get(application=application)
    assert (permit.status, permit.ended_by) == ("cancelled", actor)
    assert after["status"] == before["status"]


def _note_added(world, before, after, actor, application):
    assert after["notes"] == before["notes"] + 1
    assert InternalNote.objects.get(application=application).author == actor
    assert after["version"] == before["version"]


def _message_sent(world, before, after, actor, application):
    assert after["messages"] == before["messages"] + 1
    assert Message.objects.get(application=application).sender == actor


def _verdict_saved(world, before, after, actor, application):
    document = application.documents.filter(is_current=True).order_by("pk").first()
    assert (document.review, document.reviewed_by_id) == (Document.Review.ACCEPTED, actor.pk)
    assert after["status"] == before["status"]


ROUTES: list[Route] = [
    Route("officer-queue", Status.UNDER_REVIEW, lambda w: reverse("officer-queue")),
    Route(
        "officer-claim-next",
        Status.UNDER_REVIEW,
        lambda w: reverse("officer-claim-next"),
        method="post",
        allowed=lambda w: (302, reverse("officer-review", args=[w.waiting.pk])),
        effect=_only("waiting", _status(Status.UNDER_REVIEW, assignee="actor")),
    ),
    Route("officer-queue-export", Status.UNDER_REVIEW, lambda w: reverse("officer-queue-export")),
    Route(
        "supervisor-dashboard",
        Status.UNDER_REVIEW,
        lambda w: reverse("supervisor-dashboard"),
        officer="forbidden",
    ),
    Route(
        "officer-review",
        Status.UNDER_REVIEW,
        _app("officer-review"),
        effect=_only("application", _logged_view),
    ),
    Route(
        "officer-release",
        Status.UNDER_REVIEW,
        _app("officer-release"),
        method="post",
        data=_version,
        allowed=lambda w: (302, reverse("officer-queue")),
        effect=_only("application", _released),
    ),
    Route(
        "officer-reassign",
        Status.UNDER_REVIEW,
        _app("officer-reassign"),
        method="post",
        data=lambda w: {"version": w.application.version, "assignee": w.colleague.pk},
        allowed=_review,
        effect=_only("application", _reassigned),
        officer="refused",
    ),
    Route(
        "officer-start-review",
        Status.SUBMITTED,
        _app("officer-start-review"),
        method="post",
        data=_version,
        allowed=_review,
        effect=_only("application", _status(Status.UNDER_REVIEW, assignee="actor")),
    ),
    Route(
        "officer-request-info",
        Status.UNDER_REVIEW,
        _app("officer-request-info"),
        method="post",
        data=lambda w: {
            "version": w.application.version,
            "message": "Please upload a photo on a white background.",
            "document_kinds": ["photo"],
            "due_date": "2024-10-31",
        },
        allowed=_review,
        effect=_only("application", _status(Status.INFO_REQUESTED)),
    ),
    Route(
        "officer-approve",
        Status.UNDER_REVIEW,
        _app("officer-approve"),
        method="post",
        data=lambda w: {
            "version": w.application.version,
            "valid_from": "2024-10-01",
            "valid_to": date(2028, 9, 15).isoformat(),
        },
        allowed=_review,
        effect=_only("application", _permit_issued),
    ),
    Route(
        "officer-reject",
        Status.UNDER_REVIEW,
        _app("officer-reject"),
        method="post",
        data=lambda w: {
            "version": w.application.version,
            "reason_codes": ["conditions_not_met"],
            "explanation": "The enrolment was cancelled.",
        },
        allowed=_review,
        effect=_only("application", _status(Status.REJECTED)),
    ),
    Route(
        "officer-add-note",
        Status.UNDER_REVIEW,
        _app("officer-add-note"),
        method="post",
        data=lambda w: {"body": "Checked with the registrar."},
        allowed=lambda w: (302, reverse("officer-review", args=[w.application.pk]) + "#notes"),
        effect=_only("application", _note_added),
    ),
    Route(
        "officer-send-message",
        Status.UNDER_REVIEW,
        _app("officer-send-message"),
        method="post",
        data=lambda w: {"body": "We are checking your certificate."},
        allowed=_review,
        effect=_only("application", _message_sent),
    ),
    Route(
        "officer-document-verdict",
        Status.UNDER_REVIEW,
        lambda w: reverse("officer-document-verdict", args=[w.document.pk]),
        method="post",
        data=lambda w: {
            f"doc{w.document.pk}-verdict": "accepted",
            f"doc{w.document.pk}-reason": "",
        },
        allowed=_review,
        effect=_only("application", _verdict_saved),
    ),
    Route(
        "officer-permit-cancel",
        Status.APPROVED,
        lambda w: reverse("officer-permit-cancel", args=[w.application.permit.pk]),
        method="post",
        data=lambda w: {
            "version": w.application.permit.version,
            "grounds": ["other_purpose"],
            "note": "The holder works full time and does not attend.",
        },
        allowed=_review,
        effect=_only("application", _permit_cancelled),
    ),
    # A valid permit has no cancellation letter: staff get a 404, outsiders as everywhere.
    Route(
        "officer-cancellation-letter",
        Status.APPROVED,
        lambda w: reverse("officer-cancellation-letter", args=[w.application.permit.pk]),
        allowed=lambda w: 404,
    ),
]

CELLS = [
    pytest.param(route, actor, id=f"{route.name}-{actor}") for route in ROUTES for actor in ACTORS
]


def test_the_matrix_covers_every_officer_url():
    from officers import urls

    names = {p.name for p in urls.urlpatterns if isinstance(p, URLPattern)}
    assert names == {route.name for route in ROUTES}
    assert len(ROUTES) == len(names)


def expected_for(route: Route, actor: str, world: World) -> Any:
    if actor == "anonymous":
        return LOGIN
    if actor == "student":
        return FORBIDDEN
    if actor == "officer" and route.officer == "forbidden":
        return FORBIDDEN
    return route.allowed(world)


@pytest.mark.parametrize(("route", "actor"), CELLS)
def test_permission_matrix(route: Route, actor: str, application_in, client_for):
    world = build(route.state, application_in)
    user = None if actor == "anonymous" else getattr(world, actor)
    url = route.url(world)
    assert url.startswith("/officers/")
    data = route.data(world) if route.data else {}
    before = snapshot(world)

    response = getattr(client_for(user), route.method)(url, data)

    expected = expected_for(route, actor, world)
    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('account_login')}?next={quote(url)}"
    elif isinstance(expected, tuple):
        status, location = expected
        assert response.status_code == status, response.content[:500]
        assert response["Location"] == location
    else:
        assert response.status_code == expected

    after = snapshot(world)
    refused = expected in (LOGIN, FORBIDDEN) or (actor == "officer" and route.officer == "refused")
    if refused or route.effect is None:
        assert after == before
    else:
        route.effect(world, user, before, after)

    if actor == "officer" and route.officer == "refused":
        assert [str(m) for m in get_messages(response.wsgi_request)] == [
            "Only supervisors can reassign applications."
        ]
    if response.status_code == 200 and route.name == "officer-queue-export":
        assert response["Content-Type"].startswith("text/csv")
        body = b"".join(response.streaming_content).decode("utf-8-sig")
        assert world.application.reference in body


@pytest.mark.parametrize("actor", ["student", "anonymous"])
def test_no_officer_page_shows_anything_to_outsiders(actor, application_in, client_for):
    world = build(Status.UNDER_REVIEW, application_in)
    client = client_for(None if actor == "anonymous" else world.student)

    for url in (reverse("officer-queue"), reverse("officer-review", args=[world.application.pk])):
        body = client.get(url).content.decode()
        assert world.application.reference not in body
        assert world.waiting.reference not in body

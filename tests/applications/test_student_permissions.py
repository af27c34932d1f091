"""Who may open each student URL: the owner, another student, an officer, an anonymous visitor.

Every cell of the matrix is its own test (``<route>-<actor>``). The owner's application is put in
the state where the URL does its real work (a draft for the steps, an open information request
for the answer, an approval for the letter), so the owner's cell shows the page working and the
other cells show it refusing:

* another student gets a 404 for anything carrying the owner's ids — never a 403 that would
  confirm the application exists;
* an officer gets a 404 on the student's application pages (officers work elsewhere) but may
  download the documents (``document-file``);
* an anonymous visitor is sent to sign in, except ``document-file``, which is a plain 404.

Whatever is refused changes nothing: the application's version and status, its documents,
messages, events and information requests are compared before and after every request.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from accounts.models import Profile, User
from applications import decisions, workflow
from applications.models import Application, ApplicationEvent, InfoRequest, Message, Status
from documents.models import Document
from tests.factories import (
    ApplicationFactory,
    DocumentFactory,
    OfficerFactory,
    UserFactory,
    attach_required_documents,
)
from universities.models import University

pytestmark = pytest.mark.django_db

ISTANBUL = ZoneInfo("Europe/Istanbul")
TODAY = date(2024, 10, 1)
ACTORS = ("owner", "other", "officer", "anonymous")
LOGIN = "login"  # expected: a redirect to the sign-in page, back to this URL afterwards


@pytest.fixture
def clock():
    with time_machine.travel(datetime(2024, 10, 1, 10, 0, tzinfo=ISTANBUL), tick=False) as t:
        yield t


# --- the owner's application in each state ---------------------------------------------------


@dataclass
class World:
    owner: User
    other: User
    officer: User
    application: Application
    document: Document
    post: dict[str, Any] = field(default_factory=dict)


def _fresh(application: Application) -> Application:
    return Application.objects.get(pk=application.pk)


def _draft(owner: User) -> Application:
    application = ApplicationFactory(applicant=owner)
    attach_required_documents(application, on=TODAY)
    return _fresh(application)


def _submitted(owner: User) -> Application:
    application = _draft(owner)
    return workflow.application_submit(
        application_id=application.pk,
        actor=owner,
        expected_version=application.version,
        accept_declaration=True,
        on=TODAY,
    )


def _under_review(owner: User, officer: User) -> Application:
    application = _submitted(owner)
    return decisions.application_start_review(
        application_id=application.pk, actor=officer, expected_version=application.version
    )


def _info_requested(owner: User, officer: User, clock) -> Application:
    application = _under_review(owner, officer)
    decisions.application_request_info(
        application_id=application.pk,
        actor=officer,
        expected_version=application.version,
        message="Please upload a photo on a white background.",
        document_kinds=["photo"],
    )
    # The owner has already uploaded the new photo, so the owner's answer can go through.
    clock.shift(timedelta(hours=1))
    Document.objects.filter(application=application, kind="photo").update(is_current=False)
    DocumentFactory(application=application, kind="photo")
    return _fresh(application)


def _approved(owner: User, officer: User) -> Application:
    application = _under_review(owner, officer)
    earliest, latest = decisions.permit_bounds(application, on=TODAY)
    decisions.application_approve(
        application_id=application.pk,
        actor=officer,
        expected_version=application.version,
        valid_from=earliest,
        valid_to=latest,
    )
    return _fresh(application)


def build(state: str, clock) -> World:
    owner, other, officer = UserFactory(), UserFactory(), OfficerFactory()
    # The other student and the officer are real users of the portal with their own history.
    _submitted(other)
    if state == "draft":
        application = _draft(owner)
    elif state == "submitted":
        application = _submitted(owner)
    elif state == "info_requested":
        application = _info_requested(owner, officer, clock)
    elif state == "approved":
        application = _approved(owner, officer)
    else:  # pragma: no cover - a typo in the table below
        raise AssertionError(state)
    document = Document.objects.filter(application=application, is_current=True).first()
    return World(owner, other, officer, application, document)


def snapshot(world: World) -> dict[str, Any]:
    """Everything a refused request must leave as it was."""
    application = _fresh(world.application)
    return {
        "version": application.version,
        "status": application.status,
        "updated_at": application.updated_at,
        "documents": sorted(
            Document.objects.filter(application=application).values_list("pk", "is_current")
        ),
        "messages": Message.objects.filter(application=application).count(),
        # The access log (an officer opening a document) is a record of reading, not a change.
        "events": ApplicationEvent.objects.filter(application=application)
        .exclude(kind__in=[ApplicationEvent.Kind.VIEWED, ApplicationEvent.Kind.DOCUMENT_VIEWED])
        .count(),
        "info_requests": sorted(
            InfoRequest.objects.filter(application=application).values_list("pk", "state")
        ),
        "owner_applications": Application.objects.filter(applicant=world.owner).count(),
    }


# --- the routes ------------------------------------------------------------------------------


def _png_upload():
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (30, 40), (220, 220, 220)).save(out, format="PNG")
    return SimpleUploadedFile("photo.png", out.getvalue(), content_type="image/png")


def _section_data(slug: str, application: Application) -> dict[str, Any]:
    university = University.objects.order_by("name").first()
    data = {
        "personal": {
            "surname": "Məmmədova",
            "given_names": "Gülşən Aygün",
            "father_name": "Əhməd",
            "mother_name": "Şəhla",
            "sex": "F",
            "date_of_birth": "2005-03-14",
            "place_of_birth": "Şəki",  # changed from the factory's Gəncə
            "marital_status": "single",
            "fin": application.fin,
            "phone": "+994501234567",
            "contact_email": application.contact_email,
        },
        "passport": {
            "passport_number": "C99999999",
            "passport_issue_date": "2022-01-10",
            "passport_expiry_date": "2032-01-09",
            "passport_issuing_authority": "DMX",
            "entry_date": "2024-09-10",
        },
        "study": {
            "university": university.pk,
            "faculty": "Memarlıq fakültəsi",
            "department": "Memarlıq",
            "student_number": "2024999",
            "level": "bachelor",
            "field": "general",
            "programme_start": "2024-09-16",
        },
        "address": {
            "province": university.province_id,
            "district": "Keçiören",
            "address_line": "Bağlar Caddesi 3",
            "postal_code": "06300",
        },
    }[slug]
    return {**data, "version": application.version}


@dataclass(frozen=True)
class Route:
    """One student URL, requested the way its page requests it."""

    name: str
    state: str
    url: Callable[[World], str]
    method: str = "get"
    data: Callable[[World], dict[str, Any]] | None = None
    # The owner's response: a status, or (302, the URL it redirects to).
    owner: Callable[[World], Any] = lambda w: 200
    # What the owner's request changed (POSTs); None for pages that only show.
    owner_effect: Callable[[World, dict, dict], None] | None = None
    pk_bound: bool = True  # carries the owner's ids: 404 for the other student and officers
    officer: int | None = None  # overrides the officer's 404 (document-file)
    anonymous: Any = LOGIN


def _app_url(name: str, *extra: Any) -> Callable[[World], str]:
    return lambda w: reverse(name, args=[w.application.pk, *extra])


def _changed(**expected: Any) -> Callable[[World, dict, dict], None]:
    def check(world: World, before: dict, after: dict) -> None:
        for key, value in expected.items():
            if key == "version":
                assert after["version"] == before["version"] + value
            else:
                assert after[key] == value, key

    return check


def _message_created(world: World, before: dict, after: dict) -> None:
    assert after["messages"] == before["messages"] + 1
    assert Message.objects.get(application=world.application).sender == world.owner


def _document_replaced(world: World, before: dict, after: dict) -> None:
    assert after["version"] == before["version"] + 1
    assert after["documents"] != before["documents"]
    assert len(after["documents"]) == len(before["documents"])  # a draft keeps no old copy


def _document_removed(world: World, before: dict, after: dict) -> None:
    assert not Document.objects.filter(pk=world.document.pk).exists()
    assert after["version"] == before["version"] + 1


def _nothing_created_for_owner(world: World, before: dict, after: dict) -> None:
    assert after == before  # already has an active application: refused with a message


ROUTES: list[Route] = [
    Route(
        "dashboard",
        "submitted",
        lambda w: reverse("dashboard"),
        pk_bound=False,
    ),
    Route(
        "application-new",
        "submitted",
        lambda w: reverse("application-new"),
        method="post",
        owner=lambda w: (302, reverse("dashboard")),
        owner_effect=_nothing_created_for_owner,
        pk_bound=False,
    ),
    Route(
        "application-detail",
        "submitted",
        _app_url("application-detail"),
    ),
    Route(
        "application-tasks",
        "draft",
        _app_url("application-tasks"),
    ),
    *[
        Route(
            f"application-section-{slug}",
            "draft",
            _app_url("application-section", slug),
        )
        for slug in ("personal", "passport", "study", "address")
    ],
    *[
        Route(
            f"application-section-{slug}-post",
            "draft",
            _app_url("application-section", slug),
            method="post",
            data=lambda w, slug=slug: _section_data(slug, w.application),
            owner=lambda w, index=index: (
                302,
                reverse("application-section", args=[w.application.pk, next_slug])
                if (next_slug := ("passport", "study", "address", None)[index])
                else reverse("application-documents", args=[w.application.pk]),
            ),
            owner_effect=_changed(version=1),
        )
        for index, slug in enumerate(("personal", "passport", "study", "address"))
    ],
    Route(
        "application-documents",
        "draft",
        _app_url("application-documents"),
    ),
    Route(
        "application-documents-post",
        "draft",
        _app_url("application-documents"),
        method="post",
        data=lambda w: {"kind": "photo", "file": _png_upload()},
        owner=lambda w: (302, reverse("application-documents", args=[w.application.pk])),
        owner_effect=_document_replaced,
    ),
    Route(
        "document-delete",
        "draft",
        lambda w: reverse("document-delete", args=[w.application.pk, w.document.pk]),
        method="post",
        owner=lambda w: (302, reverse("application-documents", args=[w.application.pk])),
        owner_effect=_document_removed,
    ),
    Route(
        "application-review",
        "draft",
        _app_url("application-review"),
    ),
    Route(
        "application-review-post",
        "draft",
        _app_url("application-review"),
        method="post",
        data=lambda w: {"version": w.application.version, "declaration": "on"},
        owner=lambda w: (302, reverse("application-detail", args=[w.application.pk])),
        owner_effect=_changed(status=Status.SUBMITTED, version=1),
    ),
    Route(
        "application-respond",
        "info_requested",
        _app_url("application-respond"),
        method="post",
        data=lambda w: {"version": w.application.version, "response": "Here it is."},
        owner=lambda w: (302, reverse("application-detail", args=[w.application.pk])),
        owner_effect=_changed(status=Status.UNDER_REVIEW, version=1),
    ),
    Route(
        "application-message",
        "submitted",
        _app_url("application-message"),
        method="post",
        data=lambda w: {"body": "Salam! Is anything missing?"},
        owner=lambda w: (302, reverse("application-detail", args=[w.application.pk]) + "#messages"),
        owner_effect=_message_created,
    ),
    Route(
        "application-withdraw",
        "submitted",
        _app_url("application-withdraw"),
    ),
    Route(
        "application-withdraw-post",
        "submitted",
        _app_url("application-withdraw"),
        method="post",
        data=lambda w: {"version": w.application.version, "confirm": "on"},
        owner=lambda w: (302, reverse("dashboard")),
        owner_effect=_changed(status=Status.WITHDRAWN, version=1),
    ),
    Route(
        "permit-letter",
        "approved",
        _app_url("permit-letter"),
    ),
    Route(
        "document-file",
        "submitted",
        lambda w: reverse("document-file", args=[w.document.pk]),
        officer=200,
        anonymous=404,
    ),
    # The notice is public: it must be readable before an account (an email address) exists.
    Route(
        "privacy-notice",
        "submitted",
        lambda w: reverse("privacy-notice"),
        pk_bound=False,
        anonymous=200,
    ),
    Route("profile", "submitted", lambda w: reverse("profile"), pk_bound=False),
    Route("data-export", "submitted", lambda w: reverse("data-export"), pk_bound=False),
    Route("account-delete", "submitted", lambda w: reverse("account-delete"), pk_bound=False),
]


def expected_for(route: Route, actor: str, world: World) -> Any:
    if actor == "anonymous":
        return route.anonymous
    if actor == "owner":
        return route.owner(world)
    if not route.pk_bound:
        # Pages about the visitor's own account or list: never the owner's data (checked below).
        return (302, None) if route.method == "post" else 200
    if actor == "officer" and route.officer is not None:
        return route.officer
    return 404


CELLS = [
    pytest.param(route, actor, id=f"{route.name}-{actor}") for route in ROUTES for actor in ACTORS
]


def _client_for(world: World, actor: str) -> Client:
    client = Client(headers={"accept-language": "en"})
    if actor != "anonymous":
        client.force_login(getattr(world, actor))
    return client


@pytest.mark.parametrize(("route", "actor"), CELLS)
def test_permission_matrix(route: Route, actor: str, clock):
    world = build(route.state, clock)
    url = route.url(world)
    client = _client_for(world, actor)
    data = route.data(world) if route.data else {}
    before = snapshot(world)

    response = getattr(client, route.method)(url, data)

    expected = expected_for(route, actor, world)
    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('account_login')}?next={quote(url)}"
    elif isinstance(expected, tuple):
        status, location = expected
        assert response.status_code == status
        if location is not None:
            assert response["Location"] == location
    else:
        assert response.status_code == expected

    after = snapshot(world)
    if actor == "owner" and route.owner_effect is not None:
        route.owner_effect(world, before, after)
    else:
        assert after == before

    if actor in ("other", "officer") and response.status_code == 200:
        # A page about the visitor's own account never shows the owner's application.
        owner_application = _fresh(world.application)
        body = response.content if not response.streaming else b"".join(response.streaming_content)
        if route.name != "document-file":
            assert owner_application.reference.encode() not in body
            assert owner_application.fin.encode() not in body


# --- cells the matrix cannot express ----------------------------------------------------------


def test_another_students_document_is_404_through_ones_own_application(clock):
    """Deleting the owner's document through the other student's own application pk."""
    world = build("draft", clock)
    other_draft = ApplicationFactory(applicant=UserFactory())
    client = Client()
    client.force_login(other_draft.applicant)
    before = snapshot(world)
    response = client.post(reverse("document-delete", args=[other_draft.pk, world.document.pk]))
    assert response.status_code == 404
    assert snapshot(world) == before


def test_officers_new_application_does_not_touch_the_students(clock):
    world = build("submitted", clock)
    client = Client()
    client.force_login(world.officer)
    before = snapshot(world)
    client.post(reverse("application-new"))
    assert snapshot(world) == before


def test_the_letter_of_an_application_without_a_permit_is_404(clock):
    world = build("submitted", clock)
    client = Client()
    client.force_login(world.owner)
    assert client.get(reverse("permit-letter", args=[world.application.pk])).status_code == 404


def test_the_officer_downloads_the_document_as_stored(clock):
    world = build("submitted", clock)
    client = Client()
    client.force_login(world.officer)
    response = client.get(reverse("document-file", args=[world.document.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == world.document.content_type
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Disposition"].startswith("attachment;")
    with world.document.file.open("rb") as handle:
        assert b"".join(response.streaming_content) == handle.read()


def test_unknown_section_is_404_for_the_owner(clock):
    world = build("draft", clock)
    client = Client()
    client.force_login(world.owner)
    url = reverse("application-section", args=[world.application.pk, "family"])
    assert client.get(url).status_code == 404


def test_pages_without_consent_send_the_owner_to_the_notice_first(clock):
    """An older notice accepted is no consent: even the owner sees nothing until they accept."""
    world = build("submitted", clock)
    Profile.objects.filter(user=world.owner).update(privacy_notice_version="2000-01")
    client = Client()
    client.force_login(world.owner)
    for url in (
        reverse("dashboard"),
        reverse("profile"),
        reverse("data-export"),
        reverse("application-detail", args=[world.application.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('privacy-notice')}?next={quote(url, safe='')}"

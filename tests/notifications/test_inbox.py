"""The in-app inbox: the bell's unread count, the list, and marking notices read.

Notices come from the real sources: the workflow services (a status change writes the
student's notice) or ``notification_create``, the outbox's one way in.
"""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

import pytest
import tinyhtml5
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext

from applications import notices as app_notices
from applications.models import Status
from notifications import inbox, kinds
from notifications.context_processors import unread_notifications
from notifications.kinds import ACCOUNT
from notifications.models import Notification
from notifications.services import (
    notification_create,
    notify_account_email,
)
from officers import notices as officer_notices
from permits import notices as permit_notices
from tests.factories import SupervisorFactory, UserFactory

pytestmark = pytest.mark.django_db

INBOX = reverse("notification-inbox")
READ_ALL = reverse("notification-read-all")
_keys = itertools.count()


def read_url(notification: Notification) -> str:
    return reverse("notification-read", args=[notification.pk])


def notice(user, kind: str = app_notices.MESSAGE, **context: Any) -> Notification:
    """A notice for ``user`` through the outbox's own service."""
    context.setdefault("reference", "AZ-2024-000001")
    notification, _created = notification_create(
        kind=kind,
        to_email=user.email,
        language=user.preferred_language,
        recipient=user,
        context=context,
        dedupe_key=f"test-inbox:{next(_keys)}",
    )
    return notification


def fresh(notification: Notification) -> Notification:
    return Notification.objects.get(pk=notification.pk)


def parse(response):
    assert response.status_code == 200
    return tinyhtml5.parse(response.content.decode(), namespace_html_elements=False)


def text(element) -> str:
    return " ".join("".join(element.itertext()).split())


def bell(page):
    [link] = [a for a in page.iter("a") if a.get("href") == INBOX]
    return link


def cards(page) -> list:
    """The notices on the page: one card each."""
    return [li for li in page.iter("li") if "card" in li.get("class", "").split()]


# --- the bell --------------------------------------------------------------------------------


def test_the_bell_says_how_many_are_unread(student, client_for):
    for _ in range(3):
        notice(student)

    link = bell(parse(client_for(student).get(reverse("profile"))))

    label = link.find(".//span[@class='visually-hidden']")
    assert text(label) == "Notifications, 3 unread"
    assert text(link.find(".//span[@class='badge rounded-pill text-bg-danger']")) == "3"


def test_the_bell_uses_the_singular_for_one(student, client_for):
    notice(student)

    link = bell(parse(client_for(student).get(reverse("profile"))))

    assert "Notifications, 1 unread" in text(link)


def test_with_nothing_unread_the_bell_has_no_badge(student, client_for):
    inbox.notification_mark_read(user=student, notification_id=notice(student).pk)

    link = bell(parse(client_for(student).get(reverse("profile"))))

    assert text(link) == "Notifications"
    assert link.find(".//span[@class='badge rounded-pill text-bg-danger']") is None


def test_officers_have_the_bell_too(officer, client_for):
    notice(officer)

    link = bell(parse(client_for(officer).get(reverse("officer-queue"))))

    assert "Notifications, 1 unread" in text(link)


def test_anonymous_visitors_have_no_bell_and_cost_no_query(client_for):
    with CaptureQueriesContext(connection) as captured:
        response = client_for(None).get(reverse("home"))

    assert INBOX not in response.content.decode()
    assert len(captured) == 0


def test_the_count_is_lazy_and_asked_once(student, rf, django_assert_num_queries):
    notice(student)
    notice(student)
    request = rf.get("/")
    request.user = student

    with django_assert_num_queries(0):
        context = unread_notifications(request)
    with django_assert_num_queries(1):
        assert context["notifications_unread"]() == 2
        assert context["notifications_unread"]() == 2


def test_the_bell_costs_one_query_per_page(student, client_for):
    client = client_for(student)
    url = reverse("profile")

    def queries() -> list[str]:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return [query["sql"] for query in captured]

    before = queries()
    for _ in range(5):
        notice(student)
    after = queries()

    assert len(after) == len(before)
    assert len([sql for sql in after if "notifications_notification" in sql]) == 1


def test_the_unread_count_can_use_the_partial_index(student):
    notice(student)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a tiny table would be scanned

    plan = inbox.inbox_for(student).filter(read_at__isnull=True).order_by().explain()

    assert "notification_unread_idx" in plan


# --- the list --------------------------------------------------------------------------------


def test_a_status_change_appears_in_the_list(application_in, client_for):
    application = application_in(Status.UNDER_REVIEW)
    student = application.applicant

    page = parse(client_for(student).get(INBOX))

    headings = [text(h2) for h2 in page.iter("h2")]
    reference = application.reference
    assert headings == [
        f"New (not read yet) An officer is reviewing your application {reference}",
        f"New (not read yet) We received your application {reference}",
    ]
    assert "A migration officer has started reviewing your application." in text(page)
    assert len(page.findall(".//h1")) == 1
    assert bell(page).get("aria-current") == "page"


def test_each_notice_shows_its_localized_date_and_buttons(student, client_for):
    unread = notice(student, app_notices.MESSAGE, path="/dashboard/")
    read = notice(student, app_notices.UNDER_REVIEW)
    Notification.objects.filter(pk=read.pk).update(read_at=timezone.now())

    page = parse(client_for(student).get(INBOX))

    first, second = cards(page)  # newest first
    assert "New (not read yet)" not in text(first)
    assert "New (not read yet)" in text(second)
    with translation.override("en"):
        when = formats.date_format(timezone.localtime(fresh(unread).created_at), "DATETIME_FORMAT")
    assert text(second.find(".//time")) == when
    forms = second.findall(".//form")
    assert [form.get("action") for form in forms] == [read_url(unread)] * 2
    assert all(form.get("method") == "post" for form in forms)
    assert all(form.find(".//input[@name='csrfmiddlewaretoken']") is not None for form in forms)
    assert [text(form.find("button")) for form in forms] == [
        "Open – New message about application AZ-2024-000001",
        "Mark as read – New message about application AZ-2024-000001",
    ]
    # A read notice can still be opened, but not marked again.
    assert [text(form.find("button")).split(" – ")[0] for form in first.findall(".//form")] == [
        "Open"
    ]


def test_only_the_users_own_notices_are_listed(student, client_for):
    mine = notice(student)
    notice(UserFactory())

    page = parse(client_for(student).get(INBOX))

    [card] = cards(page)
    assert {form.get("action") for form in card.iter("form")} == {read_url(mine)}


def test_account_emails_are_neither_listed_nor_counted(student, client_for):
    notify_account_email(
        to_email=student.email, language="en", subject="Reset your password", text="…", html=""
    )
    # Even an account email tied to the user stays out of the inbox.
    notice(student, ACCOUNT, subject="Confirm your address")

    response = client_for(student).get(INBOX)

    assert inbox.unread_count(student) == 0
    assert cards(parse(response)) == []
    html = response.content.decode()
    assert "Reset your password" not in html
    assert "Confirm your address" not in html


def test_the_empty_inbox_says_so(officer, client_for):
    page = parse(client_for(officer).get(INBOX))

    assert cards(page) == []
    assert "You have no notifications yet." in text(page.find(".//main"))
    assert page.find(".//main//form") is None  # no "mark all" with nothing to mark


def test_the_list_has_pages_of_twenty(student, client_for):
    for _ in range(25):
        notice(student)
    client = client_for(student)

    first = parse(client.get(INBOX))
    second = parse(client.get(INBOX, {"page": 2}))

    assert len(cards(first)) == 20
    assert len(cards(second)) == 5
    assert "Page 2 of 2" in text(second)


def test_the_list_costs_the_same_for_2_or_20_notices(student, client_for):
    client = client_for(student)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(INBOX).status_code == 200
        return len(captured)

    notice(student)
    notice(student)
    few = queries()
    for _ in range(18):
        notice(student)
    many = queries()

    # Session, user, role groups (header), page count, page rows, unread count.
    assert many == few == 6


@pytest.mark.parametrize(
    ("language", "application_word"), [("tr", "başvuru"), ("az", "müraciət")], ids=str
)
def test_the_list_is_in_the_language_of_the_page(
    application_in, client_for, language, application_word
):
    # The email language is English; the page is read in another language.
    application = application_in(Status.SUBMITTED, applicant=UserFactory(preferred_language="en"))
    client = client_for(application.applicant)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language

    page = parse(client.get(INBOX))

    assert page.get("lang") == language
    with translation.override(language):
        subject = gettext(kinds.notice_kind(app_notices.SUBMITTED).subject)
        title = gettext("Notifications")
    assert subject != "We received your application %(reference)s", "no compiled catalogue"
    [heading] = page.iter("h2")
    assert text(heading).endswith(subject % {"reference": application.reference})
    assert application_word in text(heading).lower()
    assert text(page.find(".//h1")) == title


def test_a_kind_without_texts_shows_its_label(student, monkeypatch):
    kind = permit_notices.PERMIT_EXPIRING
    label = kinds.notice_kind(kind).label
    monkeypatch.setitem(kinds._KINDS, kind, kinds.NoticeKind(code=kind, label=label))

    with translation.override("en"):
        item = inbox.inbox_item(notice(student, kind))

    assert item.subject == "Permit expiring"
    assert item.what_happened == item.next_step == ""


def test_a_kind_nobody_registered_still_shows(student):
    # A notice written by a release that knew a kind this one does not is never lost.
    with translation.override("en"):
        item = inbox.inbox_item(notice(student, "kind_from_another_release"))

    assert item.subject == "kind_from_another_release"
    assert item.what_happened == item.next_step == ""


@pytest.mark.parametrize("language", ["en", "tr", "az"])
def test_plural_texts_and_dates_follow_the_language(student, language):
    notification = notice(
        student,
        permit_notices.PERMIT_EXPIRING,
        permit="P-2024-000001",
        days=30,
        valid_to="2026-12-31",
        window_opens="2026-11-01",
    )

    with translation.override(language):
        item = inbox.inbox_item(notification)
        valid_to = formats.date_format(date(2026, 12, 31), "DATE_FORMAT")

    assert "30" in item.what_happened
    assert "P-2024-000001" in item.what_happened
    assert valid_to in item.what_happened
    assert "2026-12-31" not in item.what_happened


def test_missing_context_values_render_empty(student):
    with translation.override("en"):
        item = inbox.inbox_item(notice(student, app_notices.SUBMITTED, reference=""))

    assert item.subject == "We received your application "


# --- marking read ----------------------------------------------------------------------------


def test_marking_one_read_decrements_the_count(student, client_for):
    first = notice(student)
    notice(student)
    client = client_for(student)

    response = client.post(read_url(first), {"stay": "1"})

    assert response.status_code == 302
    assert response.url == INBOX
    assert fresh(first).read_at is not None
    assert inbox.unread_count(student) == 1
    page = parse(client.get(INBOX))
    assert "Notifications, 1 unread" in text(bell(page))
    assert "The notification is marked as read." in text(page)


def test_marking_read_twice_keeps_the_first_time(student, client_for):
    notification = notice(student)
    client = client_for(student)
    client.post(read_url(notification), {"stay": "1"})
    first_read = fresh(notification).read_at

    response = client.post(read_url(notification), {"stay": "1"})

    assert response.status_code == 302
    assert fresh(notification).read_at == first_read


def test_mark_as_read_returns_to_the_same_page(student, client_for):
    notifications = [notice(student) for _ in range(21)]
    oldest = notifications[0]  # the only one on page 2

    response = client_for(student).post(read_url(oldest), {"stay": "1", "page": "2"})

    assert response.url == f"{INBOX}?page=2"


def test_nobody_can_mark_another_users_notice(student, client_for):
    theirs = notice(UserFactory())

    response = client_for(student).post(read_url(theirs))

    assert response.status_code == 404
    assert fresh(theirs).read_at is None


def test_the_service_refuses_another_users_notice(student):
    from django.http import Http404

    theirs = notice(UserFactory())

    with pytest.raises(Http404):
        inbox.notification_mark_read(user=student, notification_id=theirs.pk)
    assert fresh(theirs).read_at is None


def test_read_all_marks_only_the_users_own(student, client_for):
    mine = [notice(student) for _ in range(3)]
    account = notice(student, ACCOUNT)
    theirs = notice(UserFactory())
    client = client_for(student)

    response = client.post(READ_ALL)

    assert response.status_code == 302
    assert response.url == INBOX
    assert all(fresh(n).read_at is not None for n in mine)
    assert fresh(theirs).read_at is None
    assert fresh(account).read_at is None
    page = parse(client.get(INBOX))
    assert text(bell(page)) == "Notifications"
    assert "New (not read yet)" not in text(page)
    assert "All your notifications are marked as read." in text(page)


def test_the_service_reports_how_many_it_marked(student):
    notice(student)
    notice(student)

    assert inbox.notifications_mark_all_read(user=student) == 2
    assert inbox.notifications_mark_all_read(user=student) == 0


def test_marking_read_needs_a_post_with_a_csrf_token(student):
    notification = notice(student)
    client = Client(enforce_csrf_checks=True)
    client.force_login(student)

    assert client.get(read_url(notification)).status_code == 405
    assert client.post(read_url(notification)).status_code == 403
    assert client.post(READ_ALL).status_code == 403
    assert fresh(notification).read_at is None


# --- opening ---------------------------------------------------------------------------------


def test_open_follows_a_status_change_to_the_application(application_in, client_for):
    application = application_in(Status.SUBMITTED)
    notification = Notification.objects.get(application=application)

    response = client_for(application.applicant).post(read_url(notification))

    assert response.status_code == 302
    assert response.url == reverse("application-detail", args=[application.pk])
    assert fresh(notification).read_at is not None


@pytest.mark.parametrize(
    "path",
    [
        "https://evil.example/phish",
        "//evil.example/phish",
        "/\\evil.example/phish",
        "javascript:alert(1)",
        "dashboard/",
        "",
        None,
    ],
    ids=repr,
)
def test_open_refuses_anything_but_a_local_path(student, client_for, path):
    notification = notice(student, path=path)

    response = client_for(student).post(read_url(notification))

    assert response.status_code == 302
    assert response.url == INBOX
    assert fresh(notification).read_at is not None


def test_open_without_a_path_returns_to_the_list(student, client_for):
    notification = notice(student)  # no "path" in the context at all

    response = client_for(student).post(read_url(notification))

    assert response.url == INBOX


# --- who may use it --------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_visitors_are_sent_to_sign_in(student, client_for, method):
    notification = notice(student)
    client = client_for(None)

    for url in (INBOX, READ_ALL, read_url(notification)):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("account_login")), url
    assert fresh(notification).read_at is None


def test_supervisors_have_an_inbox(client_for):
    supervisor = SupervisorFactory()
    notice(supervisor, officer_notices.SUPERVISOR_DIGEST)

    page = parse(client_for(supervisor).get(INBOX))

    assert len(cards(page)) == 1

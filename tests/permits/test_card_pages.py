"""The officers' card pages: who may open them, the list by state with its filters and pages,
each card's next move and the fee as POST forms, and what a refused move shows."""

from __future__ import annotations

import pytest
from django.urls import reverse

from permits import card_services, card_views
from permits.card import CardStatus, tracking_url
from permits.models import PermitCard
from tests.factories import OfficerFactory, SupervisorFactory, UniversityStaffFactory, UserFactory

from .support import GRANTED_ON, TODAY, at

pytestmark = pytest.mark.django_db

S = CardStatus
TRACKING = "RR123456785TR"
LOGIN, FORBIDDEN, OK, NOT_ALLOWED = 302, 403, 200, 405


def card_of(permit) -> PermitCard:
    return PermitCard.objects.get(permit=permit)


def fresh(card) -> PermitCard:
    return PermitCard.objects.get(pk=card.pk)


def make_user(role: str):
    return {
        "anonymous": lambda: None,
        "student": UserFactory,
        "university_staff": UniversityStaffFactory,
        "officer": OfficerFactory,
        "supervisor": SupervisorFactory,
    }[role]()


# What each role gets from a GET of each page (POST-only pages answer 405 to those let in).
EXPECTED = {
    "officer-cards": {
        "anonymous": LOGIN,
        "student": FORBIDDEN,
        "university_staff": FORBIDDEN,
        "officer": OK,
        "supervisor": OK,
    },
    "officer-card-import": {
        "anonymous": LOGIN,
        "student": FORBIDDEN,
        "university_staff": FORBIDDEN,
        "officer": OK,
        "supervisor": OK,
    },
    "officer-card-move": {
        "anonymous": LOGIN,
        "student": FORBIDDEN,
        "university_staff": FORBIDDEN,
        "officer": NOT_ALLOWED,
        "supervisor": NOT_ALLOWED,
    },
    "officer-card-fee-paid": {
        "anonymous": LOGIN,
        "student": FORBIDDEN,
        "university_staff": FORBIDDEN,
        "officer": NOT_ALLOWED,
        "supervisor": NOT_ALLOWED,
    },
}


def url_of(name: str, card: PermitCard) -> str:
    if name in ("officer-card-move", "officer-card-fee-paid"):
        return reverse(name, args=[card.pk])
    return reverse(name)


@pytest.mark.parametrize(
    "role", ["anonymous", "student", "university_staff", "officer", "supervisor"]
)
@pytest.mark.parametrize("name", list(EXPECTED))
def test_who_may_open_each_card_page(permit, client_for, role, name):
    response = client_for(make_user(role)).get(url_of(name, card_of(permit)))
    assert response.status_code == EXPECTED[name][role]
    if role == "anonymous":
        assert reverse("account_login") in response["Location"]


@pytest.mark.parametrize("role", ["anonymous", "student", "university_staff"])
@pytest.mark.parametrize("name", ["officer-card-move", "officer-card-fee-paid"])
def test_a_post_from_anyone_but_an_officer_changes_nothing(permit, client_for, role, name):
    card = card_of(permit)
    response = client_for(make_user(role)).post(
        url_of(name, card), {"version": card.version, "to_status": S.PRINTED}
    )
    assert response.status_code == (LOGIN if role == "anonymous" else FORBIDDEN)
    assert (fresh(card).status, fresh(card).version, fresh(card).fee_paid) == (
        S.ORDERED,
        1,
        False,
    )


@pytest.mark.without_mfa_mark
@pytest.mark.parametrize("name", list(EXPECTED))
def test_an_officer_without_the_second_factor_is_sent_to_it(permit, client_for, name):
    response = client_for(OfficerFactory()).get(url_of(name, card_of(permit)))
    assert response.status_code == 302
    assert "/accounts/2fa/" in response["Location"]


# --- the list ----------------------------------------------------------------------------------


@pytest.fixture
def three_cards(application_in, officer):
    """An ordered card, a printed one (fee paid) and a posted one."""
    with at(GRANTED_ON):
        permits = [application_in("approved").permit for _ in range(3)]
    ordered, printed, posted = (card_of(p) for p in permits)
    with at(TODAY):
        for card, steps in ((printed, [S.PRINTED]), (posted, [S.PRINTED, S.POSTED])):
            for step in steps:
                card_services.card_move(
                    card.pk,
                    actor=officer,
                    to_status=step,
                    expected_version=fresh(card).version,
                    tracking_number=TRACKING if step == S.POSTED else "",
                )
        card_services.card_record_fee_paid(
            printed.pk, actor=officer, expected_version=fresh(printed).version
        )
    return fresh(ordered), fresh(printed), fresh(posted)


def test_the_list_shows_each_card_with_its_next_move(three_cards, officer, client_for):
    ordered, printed, posted = three_cards
    with at(TODAY):
        page = client_for(officer).get(reverse("officer-cards"))
    assert page.status_code == 200
    html = page.content.decode()
    assert (
        'class="table-responsive position-relative" tabindex="0" role="region" aria-label=' in html
    )
    assert "<caption>3 cards</caption>" in html
    assert html.count('scope="col"') == 8
    for card in three_cards:
        assert card.permit.number in html
        assert reverse("officer-card-move", args=[card.pk]) in html
    assert f'href="{tracking_url(TRACKING)}"' in html
    assert "964.00 TRY" in html
    # The printed card's next move asks for the tracking number, with its label.
    assert f'<label class="form-label small mb-0" for="tracking-{printed.pk}">' in html
    # The fee: paid for one, a button for the others.
    assert html.count(reverse("officer-card-fee-paid", args=[ordered.pk])) == 1
    assert reverse("officer-card-fee-paid", args=[printed.pk]) not in html
    counts = {status: n for status, _label, n in page.context["counts"]}
    assert (counts[S.ORDERED], counts[S.PRINTED], counts[S.POSTED], counts[S.DELIVERED]) == (
        1,
        1,
        1,
        0,
    )
    moves = {row["card"].pk: [t for t, _l in row["moves"]] for row in page.context["rows"]}
    assert moves == {
        ordered.pk: [S.PRINTED],
        printed.pk: [S.POSTED],
        posted.pk: [S.DELIVERED, S.RETURNED],
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status": "printed"}, [1]),
        ({"status": "posted"}, [2]),
        ({"fee": "paid"}, [1]),
        ({"fee": "unpaid"}, [0, 2]),
        ({"q": TRACKING.lower()}, [2]),
        ({"status": "delivered"}, []),
    ],
)
def test_the_list_filters(three_cards, officer, client_for, query, expected):
    with at(TODAY):
        page = client_for(officer).get(reverse("officer-cards"), query)
    assert [row["card"].pk for row in page.context["rows"]] == [three_cards[i].pk for i in expected]


def test_the_list_searches_by_permit_number(three_cards, officer, client_for):
    number = three_cards[1].permit.number
    with at(TODAY):
        page = client_for(officer).get(reverse("officer-cards"), {"q": number})
    assert [row["card"].pk for row in page.context["rows"]] == [three_cards[1].pk]


def test_the_list_is_paginated(three_cards, officer, client_for, monkeypatch):
    monkeypatch.setattr(card_views, "PAGE_SIZE", 1)
    client = client_for(officer)
    with at(TODAY):
        first = client.get(reverse("officer-cards"), {"fee": "unpaid"})
        second = client.get(reverse("officer-cards"), {"fee": "unpaid", "page": 2})
    assert [row["card"].pk for row in first.context["rows"]] == [three_cards[0].pk]
    assert "fee=unpaid&amp;page=2" in first.content.decode()
    assert [row["card"].pk for row in second.context["rows"]] == [three_cards[2].pk]
    assert "Page 2 of 2" in second.content.decode()


def test_a_bad_filter_value_lists_everything(three_cards, officer, client_for):
    with at(TODAY):
        page = client_for(officer).get(reverse("officer-cards"), {"status": "lost"})
    assert page.status_code == 200
    assert len(page.context["rows"]) == 3


# --- the moves ---------------------------------------------------------------------------------


def test_a_move_goes_back_to_the_list_as_it_was(permit, officer, client_for):
    card = card_of(permit)
    with at(TODAY):
        response = client_for(officer).post(
            reverse("officer-card-move", args=[card.pk]),
            {
                "version": 1,
                "to_status": S.PRINTED,
                "back": "status=ordered&page=1&evil=https://example.com",
            },
        )
    assert response.status_code == 302
    assert response["Location"] == reverse("officer-cards") + "?status=ordered&page=1"
    assert (fresh(card).status, fresh(card).printed_on) == (S.PRINTED, TODAY)


def test_posting_with_a_bad_tracking_number_shows_the_error_by_the_field(
    permit, officer, client_for
):
    card = card_of(permit)
    with at(TODAY):
        card_services.card_move(card.pk, actor=officer, to_status=S.PRINTED, expected_version=1)
        response = client_for(officer).post(
            reverse("officer-card-move", args=[card.pk]),
            {"version": 2, "to_status": S.POSTED, "tracking_number": "RR123456784TR"},
        )
    assert response.status_code == 400
    html = response.content.decode()
    assert "check digit" in html
    assert 'href="#id_tracking_number"' in html
    assert (fresh(card).status, fresh(card).tracking_number) == (S.PRINTED, "")
    with at(TODAY):
        fixed = client_for(officer).post(
            reverse("officer-card-move", args=[card.pk]),
            {"version": 2, "to_status": S.POSTED, "tracking_number": TRACKING},
        )
    assert fixed.status_code == 302
    assert fresh(card).tracking_number == TRACKING


def test_a_move_from_a_stale_page_or_off_the_table_is_refused(permit, officer, client_for):
    card = card_of(permit)
    client = client_for(officer)
    url = reverse("officer-card-move", args=[card.pk])
    with at(TODAY):
        client.post(url, {"version": 1, "to_status": S.PRINTED})
        stale = client.post(url, {"version": 1, "to_status": S.POSTED, "tracking_number": TRACKING})
        off_table = client.post(url, {"version": 2, "to_status": S.DELIVERED})
        unknown = client.post(url, {"version": 2, "to_status": "lost"})
    assert stale.status_code == 400
    assert "changed by someone else meanwhile" in stale.content.decode()
    assert off_table.status_code == 400
    assert "cannot become" in off_table.content.decode()
    assert unknown.status_code == 400
    assert (fresh(card).status, fresh(card).version) == (S.PRINTED, 2)


def test_the_fee_is_recorded_once_from_the_list(permit, officer, client_for):
    card = card_of(permit)
    client = client_for(officer)
    url = reverse("officer-card-fee-paid", args=[card.pk])
    with at(TODAY):
        done = client.post(url, {"version": 1, "back": "fee=unpaid"}, follow=True)
        again = client.post(url, {"version": 2}, follow=True)
    assert done.redirect_chain[0] == (reverse("officer-cards") + "?fee=unpaid", 302)
    assert "is recorded as paid" in done.content.decode()
    assert "already recorded as paid" in again.content.decode()
    paid = fresh(card)
    assert (paid.fee_paid, paid.fee_paid_by, paid.version) == (True, officer, 2)

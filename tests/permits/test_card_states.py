"""The permit card's states: ordered on approval, every allowed and refused move of its table,
stale pages, PTT tracking numbers, the holder's notices, the fee from the policy and the
append-only history."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.utils import IntegrityError
from django.template.loader import render_to_string
from django.utils import formats, translation

from cases.errors import NotPermitted, StaleVersion, TransitionNotAllowed, WorkflowError
from notifications.content import notice_texts
from notifications.kinds import notice_kind
from notifications.models import Notification
from permits import card_notices, card_services
from permits.card import (
    CardStatus,
    s10_check_digit,
    tracking_url,
    validate_tracking_number,
)
from permits.card_flow import TRANSITIONS
from permits.models import AppendOnlyError, CardEvent, PermitCard
from rules.models import PolicyVersion
from rules.policies import VERSIONS_CACHE_KEY
from tests.factories import UserFactory

from .support import GRANTED_ON, SHORT_PASSPORT, TODAY, at

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """The services' messages in English (the site's default language is Azerbaijani)."""
    with translation.override("en"):
        yield


S = CardStatus
# How a card reaches each state from "ordered".
PATHS = {
    S.ORDERED: [],
    S.PRINTED: [S.PRINTED],
    S.POSTED: [S.PRINTED, S.POSTED],
    S.DELIVERED: [S.PRINTED, S.POSTED, S.DELIVERED],
    S.RETURNED: [S.PRINTED, S.POSTED, S.RETURNED],
    S.COLLECTED: [S.PRINTED, S.POSTED, S.RETURNED, S.COLLECTED],
}
ALLOWED = {
    (S.ORDERED, S.PRINTED),
    (S.PRINTED, S.POSTED),
    (S.POSTED, S.DELIVERED),
    (S.POSTED, S.RETURNED),
    (S.RETURNED, S.COLLECTED),
}


def tracking(serial: str = "12345678", prefix: str = "RR") -> str:
    return f"{prefix}{serial}{s10_check_digit(serial)}TR"


TRACKING = "RR123456785TR"


def card_of(permit) -> PermitCard:
    return PermitCard.objects.get(permit=permit)


def fresh(card: PermitCard) -> PermitCard:
    return PermitCard.objects.get(pk=card.pk)


def move(card, officer, to_status, *, number=TRACKING, version=None, day=TODAY, on=None):
    with at(day):
        return card_services.card_move(
            card.pk,
            actor=officer,
            to_status=to_status,
            expected_version=fresh(card).version if version is None else version,
            tracking_number=number if to_status == S.POSTED else "",
            on=on,
        )


def walk(card, officer, to_status) -> PermitCard:
    for step in PATHS[to_status]:
        move(card, officer, step)
    return fresh(card)


def english(permit):
    holder = permit.application.applicant
    holder.preferred_language = "en"
    holder.save()
    return holder


def texts(notification) -> dict:
    with translation.override("en"):
        return notice_texts(notification)


# --- ordering on approval ----------------------------------------------------------------------


def test_approval_orders_the_card_with_the_fee_of_the_policy(permit):
    card = card_of(permit)
    assert (card.status, card.version, card.tracking_number) == (S.ORDERED, 1, "")
    assert card.fee_amount == Decimal("964.00")
    assert not card.fee_paid
    (event,) = card.events.all()
    assert (event.kind, event.to_status, event.actor) == ("ordered", "ordered", permit.issued_by)
    assert event.data == {"fee_amount": "964.00"}
    # Ordering is not a change the holder is told about.
    assert not Notification.objects.filter(kind__startswith="permit_card").exists()


def test_ordering_twice_gives_the_same_card(permit, officer):
    assert card_services.card_order(permit=permit, actor=officer) == card_of(permit)
    assert PermitCard.objects.filter(permit=permit).count() == 1
    assert CardEvent.objects.filter(card__permit=permit).count() == 1


def test_only_officers_order_cards(permit):
    with pytest.raises(NotPermitted):
        card_services.card_order(permit=permit, actor=permit.application.applicant)


def test_the_fee_is_the_policys_on_the_day_of_the_order(application_in):
    PolicyVersion.objects.update(card_fee=Decimal("1250.50"))
    cache.delete(VERSIONS_CACHE_KEY)
    with at(GRANTED_ON), translation.override("en"):
        permit = application_in("approved", passport_expiry_date=SHORT_PASSPORT).permit
    card = card_of(permit)
    assert card.fee_amount == Decimal("1250.50")
    # Revalued later: the card keeps the amount of its order.
    PolicyVersion.objects.update(card_fee=Decimal("2000.00"))
    cache.delete(VERSIONS_CACHE_KEY)
    assert fresh(card).fee_amount == Decimal("1250.50")


def test_the_fee_follows_the_version_in_force_on_the_day():
    first = PolicyVersion.objects.order_by("effective_from").first()
    later = PolicyVersion.objects.get(pk=first.pk)
    later.pk = None
    later.number = first.number + 100
    later.effective_from = date(2026, 1, 1)
    later.card_fee = Decimal("1100.00")
    later.save()
    assert card_services.card_fee_on(date(2025, 12, 31)) == first.card_fee
    assert card_services.card_fee_on(date(2026, 1, 1)) == Decimal("1100.00")


def test_no_policy_in_force_gives_the_fields_default():
    assert card_services.card_fee_on(date(2000, 1, 1)) == Decimal("964.00")


# --- the transition table ----------------------------------------------------------------------


def test_the_table_is_the_cards_production():
    assert {(a, b) for a, targets in TRANSITIONS.items() for b in targets} == ALLOWED
    assert set(TRANSITIONS) == set(S.values)


@pytest.mark.parametrize("from_status", list(S))
@pytest.mark.parametrize("to_status", list(S))
def test_every_move_of_the_table_is_allowed_and_every_other_refused(
    permit, officer, from_status, to_status
):
    card = walk(card_of(permit), officer, from_status)
    assert card.status == from_status
    before_events = card.events.count()
    if (from_status, to_status) in ALLOWED:
        number = tracking("87654321") if to_status == S.POSTED else TRACKING
        moved = move(card, officer, to_status, number=number)
        assert (moved.status, moved.version) == (to_status, card.version + 1)
        event = fresh(card).events.order_by("pk").last()
        assert (event.kind, event.from_status, event.to_status, event.actor) == (
            "status_changed",
            from_status,
            to_status,
            officer,
        )
        assert getattr(fresh(card), card_services.DATE_FIELDS[to_status]) == TODAY
    else:
        with pytest.raises(TransitionNotAllowed) as refused:
            move(card, officer, to_status)
        assert "cannot become" in refused.value.message
        after = fresh(card)
        assert (after.status, after.version) == (from_status, card.version)
        assert after.events.count() == before_events


def test_a_stale_page_changes_nothing(permit, officer):
    card = card_of(permit)
    move(card, officer, S.PRINTED)
    with pytest.raises(StaleVersion) as stale:
        move(card, officer, S.POSTED, version=1)
    assert "changed by someone else meanwhile" in stale.value.message
    assert (fresh(card).status, fresh(card).version, fresh(card).tracking_number) == (
        S.PRINTED,
        2,
        "",
    )


def test_a_stale_page_is_told_so_whatever_it_asked(permit, officer):
    card = card_of(permit)
    move(card, officer, S.PRINTED)
    # Asking for a move the table refuses, from an old page: the page is stale first.
    with pytest.raises(StaleVersion):
        move(card, officer, S.DELIVERED, version=1)


@pytest.mark.parametrize("who", ["holder", "student", "university_staff"])
def test_only_officers_move_a_card(permit, who):
    from tests.factories import UniversityStaffFactory

    actor = {
        "holder": permit.application.applicant,
        "student": UserFactory(),
        "university_staff": UniversityStaffFactory(),
    }[who]
    card = card_of(permit)
    with pytest.raises(NotPermitted):
        move(card, actor, S.PRINTED)
    assert fresh(card).status == S.ORDERED


def test_a_supervisor_moves_a_card_too(permit, supervisor):
    assert move(card_of(permit), supervisor, S.PRINTED).status == S.PRINTED


def test_the_day_of_a_move_is_not_in_the_future_nor_before_the_order(permit, officer):
    card = card_of(permit)
    with pytest.raises(WorkflowError, match="future"):
        move(card, officer, S.PRINTED, on=TODAY + timedelta(days=1))
    with pytest.raises(WorkflowError, match="before the card was ordered"):
        move(card, officer, S.PRINTED, on=GRANTED_ON - timedelta(days=1))
    assert move(card, officer, S.PRINTED, on=TODAY - timedelta(days=3)).printed_on == (
        TODAY - timedelta(days=3)
    )


# --- PTT tracking numbers ----------------------------------------------------------------------


def test_the_s10_check_digit():
    # The UPU S10 standard's own example (RR 473 124 829 GB), and both special remainders.
    assert s10_check_digit("47312482") == 9
    assert s10_check_digit("12345678") == 5
    assert s10_check_digit("00000000") == 5  # 11 - 0 = 11 → 5
    assert s10_check_digit("00000008") == 0  # 11 - 1 = 10 → 0


@pytest.mark.parametrize("number", [TRACKING, "EA000000005TR", "CP000000080TR"])
def test_a_well_formed_tracking_number_passes(number):
    validate_tracking_number(number)


@pytest.mark.parametrize(
    ("number", "code"),
    [
        ("", "tracking_format"),
        ("RR12345678TR", "tracking_format"),  # a digit short
        ("RR1234567855TR", "tracking_format"),  # a digit too many
        ("R1123456785TR", "tracking_format"),  # one service letter
        ("RR123456785GB", "tracking_format"),  # not posted in Türkiye
        ("1234567890123", "tracking_format"),
        ("RR123456784TR", "tracking_check_digit"),
        ("RR123456795TR", "tracking_check_digit"),  # two digits swapped
    ],
)
def test_a_bad_tracking_number_is_refused_with_why(number, code):
    with pytest.raises(ValidationError) as refused:
        validate_tracking_number(number)
    assert refused.value.code == code


def test_posting_needs_a_valid_tracking_number_and_keeps_it(permit, officer):
    card = walk(card_of(permit), officer, S.PRINTED)
    for bad, words in [
        ("", "needs PTT's tracking number"),
        ("RR123456784TR", "check digit"),
        ("RR12345TR", "two letters, nine digits and TR"),
    ]:
        with pytest.raises(card_services.TrackingNumberError, match=words):
            move(card, officer, S.POSTED, number=bad)
        assert (fresh(card).status, fresh(card).version) == (S.PRINTED, card.version)
    posted = move(card, officer, S.POSTED, number=" rr 1234 5678 5tr ")
    assert (posted.tracking_number, posted.posted_on) == (TRACKING, TODAY)
    assert fresh(card).events.order_by("pk").last().data["tracking_number"] == TRACKING
    assert posted.tracking_url == tracking_url(TRACKING)
    assert posted.tracking_url == "https://gonderitakip.ptt.gov.tr/Track/Verify?q=RR123456785TR"


def test_two_cards_never_share_a_tracking_number(permit, officer, application_in):
    with at(GRANTED_ON):
        other = card_of(application_in("approved").permit)
    walk(card_of(permit), officer, S.POSTED)
    walk(other, officer, S.PRINTED)
    with pytest.raises(card_services.TrackingNumberError, match="already on another card"):
        move(other, officer, S.POSTED, number=TRACKING)
    # The database refuses it too.
    with pytest.raises(IntegrityError), transaction.atomic():
        PermitCard.objects.filter(pk=other.pk).update(status=S.POSTED, tracking_number=TRACKING)


def test_a_posted_card_without_a_tracking_number_cannot_be_stored(permit):
    with pytest.raises(IntegrityError), transaction.atomic():
        PermitCard.objects.filter(permit=permit).update(status=S.POSTED)


def test_a_later_move_naming_another_tracking_number_is_refused(permit, officer):
    card = walk(card_of(permit), officer, S.POSTED)
    with at(TODAY), pytest.raises(card_services.TrackingNumberError, match="does not match"):
        card_services.card_move(
            card.pk,
            actor=officer,
            to_status=S.DELIVERED,
            expected_version=card.version,
            tracking_number=tracking("11111111"),
        )
    assert fresh(card).status == S.POSTED


# --- the holder's notices ----------------------------------------------------------------------


def test_posted_tells_the_holder_with_the_tracking_number_by_sms_too(permit, officer):
    english(permit)
    card = walk(card_of(permit), officer, S.POSTED)
    (notice,) = Notification.objects.filter(kind=card_notices.CARD_POSTED)
    assert notice.recipient == permit.application.applicant
    said = texts(notice)
    assert TRACKING in said["subject"]
    assert TRACKING in said["what_happened"]
    with translation.override("en"):
        assert formats.date_format(TODAY, "DATE_FORMAT") in said["what_happened"]
    assert tracking_url(TRACKING) in said["next_step"]
    kind = notice_kind(card_notices.CARD_POSTED)
    assert kind.sms_by_default is True
    with translation.override("en"):
        sms = str(kind.sms) % notice.context
    assert TRACKING in sms
    assert len(sms) <= 160
    assert notice.dedupe_key == f"permit-card:{card.pk}:{card.events.order_by('pk').last().pk}"


def test_returned_tells_the_holder_where_to_collect_it(permit, officer):
    english(permit)
    province = permit.application.province
    card = walk(card_of(permit), officer, S.RETURNED)
    assert (card.collection_province, card.returned_on) == (province, TODAY)
    (notice,) = Notification.objects.filter(kind=card_notices.CARD_RETURNED)
    said = texts(notice)
    assert (
        f"the Provincial Directorate of Migration Management of {province.name}"
        in said["what_happened"]
    )
    assert TRACKING in said["what_happened"]
    assert "passport" in said["next_step"]
    kind = notice_kind(card_notices.CARD_RETURNED)
    assert kind.sms_by_default is True
    with translation.override("en"):
        assert TRACKING in str(kind.sms) % notice.context
    # Collected at the office: the holder was there, nothing more to tell.
    move(card, officer, S.COLLECTED)
    assert fresh(card).collected_on == TODAY
    assert Notification.objects.filter(kind__startswith="permit_card").count() == 2


def test_the_office_is_named_in_the_holders_language(permit, officer):
    holder = permit.application.applicant
    holder.preferred_language = "tr"
    holder.save()
    walk(card_of(permit), officer, S.RETURNED)
    notice = Notification.objects.get(kind=card_notices.CARD_RETURNED)
    with translation.override("tr"):
        expected = str(
            translation.gettext(
                "the Provincial Directorate of Migration Management of %(province)s"
            )
            % {"province": permit.application.province.name}
        )
    assert notice.context["office"] == expected


def test_delivered_tells_the_holder_by_email_only(permit, officer):
    english(permit)
    walk(card_of(permit), officer, S.DELIVERED)
    (notice,) = Notification.objects.filter(kind=card_notices.CARD_DELIVERED)
    assert "delivered your residence permit card" in texts(notice)["what_happened"]
    assert notice_kind(card_notices.CARD_DELIVERED).sms is None
    assert set(
        Notification.objects.filter(kind__startswith="permit_card").values_list("kind", flat=True)
    ) == {card_notices.CARD_POSTED, card_notices.CARD_DELIVERED}


def test_printing_sends_nothing(permit, officer):
    walk(card_of(permit), officer, S.PRINTED)
    assert not Notification.objects.filter(kind__startswith="permit_card").exists()


# --- the fee -----------------------------------------------------------------------------------


def test_an_officer_records_the_fee_paid_once(permit, officer):
    card = card_of(permit)
    with at(TODAY):
        paid = card_services.card_record_fee_paid(
            card.pk, actor=officer, expected_version=card.version
        )
    assert (paid.fee_paid, paid.fee_paid_by, paid.version, paid.status) == (
        True,
        officer,
        2,
        S.ORDERED,
    )
    event = fresh(card).events.order_by("pk").last()
    assert (event.kind, event.actor, event.data) == ("fee_paid", officer, {"fee_amount": "964.00"})
    with pytest.raises(WorkflowError, match="already recorded"):
        card_services.card_record_fee_paid(card.pk, actor=officer, expected_version=2)


def test_the_fee_from_a_stale_page_or_a_student_is_refused(permit, officer):
    card = card_of(permit)
    move(card, officer, S.PRINTED)
    with pytest.raises(StaleVersion):
        card_services.card_record_fee_paid(card.pk, actor=officer, expected_version=1)
    with pytest.raises(NotPermitted):
        card_services.card_record_fee_paid(
            card.pk, actor=permit.application.applicant, expected_version=2
        )
    assert not fresh(card).fee_paid


# --- history -----------------------------------------------------------------------------------


def test_the_cards_history_cannot_be_rewritten(permit, officer):
    card = walk(card_of(permit), officer, S.POSTED)
    event = card.events.order_by("pk").last()
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    for sql in (
        "UPDATE permits_cardevent SET note = 'x'",
        "DELETE FROM permits_cardevent",
    ):
        with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert card.events.count() == 3


# --- what the holder reads on the dashboard ----------------------------------------------------


def state(permit) -> str:
    with translation.override("en"):
        return render_to_string(
            "permits/card_state.html", {"permit": type(permit).objects.get(pk=permit.pk)}
        )


def test_the_card_state_shows_the_card_its_tracking_number_and_fee(permit, officer):
    html = state(permit)
    assert "Your residence permit card" in html
    assert "Ordered from the card producer" in html
    assert "Card fee: 964.00 TRY" in html
    assert "not paid yet" in html

    card = walk(card_of(permit), officer, S.POSTED)
    with at(TODAY):
        card_services.card_record_fee_paid(card.pk, actor=officer, expected_version=card.version)
    html = state(permit)
    assert "Posted by PTT" in html
    assert f'href="{tracking_url(TRACKING)}"' in html
    assert TRACKING in html
    assert "paid (recorded on" in html


def test_the_card_state_of_a_returned_card_says_where_to_collect_it(permit, officer):
    walk(card_of(permit), officer, S.RETURNED)
    html = state(permit)
    assert "Returned undelivered" in html
    assert (
        "the Provincial Directorate of Migration Management of "
        f"{permit.application.province.name}" in html
    )


def test_the_card_state_is_empty_for_a_permit_without_a_card(permit):
    # Permits granted before cards were tracked have none (the related-object cache stands
    # for it: a card's history protects it from deletion).
    bare = type(permit).objects.get(pk=permit.pk)
    bare._state.fields_cache["card"] = None
    with translation.override("en"):
        assert render_to_string("permits/card_state.html", {"permit": bare}).strip() == ""


def test_the_posted_sms_carries_the_tracking_number_and_nothing_personal():
    """The tracking number is a code, not a fact about the student: the SMS may carry it."""
    from notifications.models import Notification
    from notifications.sms.text import SMS_VALUES, sms_text

    assert "tracking_number" in SMS_VALUES
    row = Notification(
        kind="permit_card_posted",
        language="en",
        context={"reference": "AZTR-2026-000001", "tracking_number": "RR123456785TR", "name": "X"},
    )
    text = sms_text(row)
    assert "RR123456785TR" in text

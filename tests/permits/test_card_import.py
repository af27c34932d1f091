"""The card producer's CSV: every row checked before anything is written, with a message per
row (unknown permit, illegal move, bad tracking number, duplicate row...), then applied in one
transaction, all or nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from notifications.models import Notification
from permits import card_import, card_notices, card_services
from permits.card import CardStatus, s10_check_digit
from permits.models import CardEvent, PermitCard
from tests.factories import OfficerFactory

from .support import GRANTED_ON, TODAY, at

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """The services' messages in English (the site's default language is Azerbaijani)."""
    with translation.override("en"):
        yield


S = CardStatus
HEADER = "permit_number,status,tracking_number,date"


def tracking(serial: str) -> str:
    return f"RR{serial}{s10_check_digit(serial)}TR"


T1, T2, T3 = tracking("10000001"), tracking("10000002"), tracking("10000003")


@pytest.fixture
def cards(application_in) -> list[PermitCard]:
    """Three ordered cards of three permits granted on GRANTED_ON."""
    with at(GRANTED_ON):
        permits = [application_in("approved").permit for _ in range(3)]
    return [PermitCard.objects.select_related("permit").get(permit=p) for p in permits]


def csv_of(*rows: str, header: str = HEADER) -> str:
    return "\n".join([header, *rows]) + "\n"


def upload(text: str | bytes, name: str = "cards.csv") -> SimpleUploadedFile:
    data = text.encode() if isinstance(text, str) else text
    return SimpleUploadedFile(name, data, content_type="text/csv")


def preview(text: str) -> card_import.Preview:
    with at(TODAY):
        return card_import.card_import_preview(text=card_import.read_text(upload(text)))


def apply(text: str, officer) -> card_import.Summary:
    with at(TODAY):
        return card_import.card_import_apply(text=text, actor=officer)


def statuses(cards) -> list[str]:
    return [PermitCard.objects.get(pk=c.pk).status for c in cards]


def errors_by_row(result: card_import.Preview) -> dict[int, list[str]]:
    return {row.number: row.errors for row in result.rows if row.errors}


def test_a_clean_file_is_previewed_then_applied_in_order(cards, officer):
    a, b, c = (card.permit.number for card in cards)
    text = csv_of(
        f"{a},printed,,2026-02-20",
        f"{a},posted,{T1},2026-02-24",  # the same card along two steps, in order
        f"{b},printed,,24.02.2026",  # day-first
        f"{c},PRINTED,,2026-02-21",
        f"{c},posted,{T3.lower()},2026-02-22",
        f"{c},delivered,{T3},2026-03-01",
    )
    checked = preview(text)
    assert checked.ok
    assert [row.number for row in checked.rows] == [2, 3, 4, 5, 6, 7]
    # Nothing is written by a preview.
    assert statuses(cards) == [S.ORDERED] * 3
    assert not CardEvent.objects.filter(kind="status_changed").exists()

    summary = apply(text, officer)
    assert summary.applied == 6
    assert dict(summary.by_status) == {"Printed": 3, "Posted by PTT": 2, "Delivered": 1}
    assert statuses(cards) == [S.POSTED, S.PRINTED, S.DELIVERED]
    first = PermitCard.objects.get(pk=cards[0].pk)
    assert (first.printed_on.isoformat(), first.posted_on.isoformat()) == (
        "2026-02-20",
        "2026-02-24",
    )
    assert first.tracking_number == T1
    assert PermitCard.objects.get(pk=cards[1].pk).printed_on.isoformat() == "2026-02-24"
    assert first.events.order_by("pk").last().data["source"] == "import"
    # The holders are told as from the officers' page.
    assert Notification.objects.filter(kind=card_notices.CARD_POSTED).count() == 2
    assert Notification.objects.filter(kind=card_notices.CARD_DELIVERED).count() == 1


def test_each_bad_row_says_what_is_wrong_and_nothing_is_written(cards, officer):
    a, b, c = (card.permit.number for card in cards)
    text = csv_of(
        "IKM-AZTR-2099-000000,printed,,2026-02-20",  # 2: unknown permit
        f"{a},delivered,,2026-02-20",  # 3: ordered cannot become delivered
        f"{b},printed,,2026-02-20",  # 4: fine
        f"{b},posted,RR123456784TR,2026-02-21",  # 5: check digit
        f"{b},printed,,2026-02-22",  # 6: duplicate of row 4
        f"{c},printed,,2026/02/20",  # 7: bad date
        f"{c},shipped,,2026-02-20",  # 8: unknown status
        f"{c},printed,,{(TODAY + timedelta(days=1)).isoformat()}",  # 9: future
        f"{a},printed,,2026-02-20",  # 10: fine
        f"{a},posted,,2026-02-21",  # 11: no tracking number
    )
    checked = preview(text)
    assert not checked.ok
    assert checked.error_count == 8
    errors = errors_by_row(checked)
    assert set(errors) == {2, 3, 5, 6, 7, 8, 9, 11}
    assert "No card is known for the permit number" in errors[2][0]
    assert "cannot become" in errors[3][0]
    assert "check digit" in errors[5][0]
    assert "Duplicate of row 4" in errors[6][0]
    assert "2026-12-03 or 03.12.2026" in errors[7][0]
    assert "Unknown status" in errors[8][0]
    assert "future" in errors[9][0]
    assert "needs PTT's tracking number" in errors[11][0]

    with pytest.raises(card_import.ImportChanged) as refused:
        apply(text, officer)
    assert refused.value.preview.error_count == 8
    assert statuses(cards) == [S.ORDERED] * 3
    assert not CardEvent.objects.filter(kind="status_changed").exists()
    assert not Notification.objects.filter(kind__startswith="permit_card").exists()


def test_a_tracking_number_is_used_once_in_the_file_and_among_cards(cards, officer):
    a, b, c = (card.permit.number for card in cards)
    # Card c is posted with T3 already.
    with at(TODAY):
        for step in (S.PRINTED, S.POSTED):
            card_services.card_move(
                cards[2].pk,
                actor=officer,
                to_status=step,
                expected_version=PermitCard.objects.get(pk=cards[2].pk).version,
                tracking_number=T3 if step == S.POSTED else "",
            )
    text = csv_of(
        f"{a},printed,,2026-02-20",
        f"{a},posted,{T1},2026-02-21",
        f"{b},printed,,2026-02-20",
        f"{b},posted,{T1},2026-02-21",  # 5: on row 3 already
        f"{c},delivered,{T2},2026-02-22",  # 6: not card c's number
    )
    errors = errors_by_row(preview(text))
    assert set(errors) == {5, 6}
    assert "already on row 3" in errors[5][0]
    assert "does not match" in errors[6][0]
    errors = errors_by_row(
        preview(csv_of(f"{a},printed,,2026-02-20", f"{a},posted,{T3},2026-02-21"))
    )
    assert "already on another card" in errors[3][0]


def test_cards_that_moved_after_the_preview_stop_the_whole_file(cards, officer):
    a, b, _c = (card.permit.number for card in cards)
    text = csv_of(f"{a},printed,,2026-02-20", f"{b},printed,,2026-02-20")
    assert preview(text).ok
    # Meanwhile an officer prints card b by hand.
    with at(TODAY):
        card_services.card_move(cards[1].pk, actor=officer, to_status=S.PRINTED, expected_version=1)
    with pytest.raises(card_import.ImportChanged) as changed:
        apply(text, officer)
    assert set(errors_by_row(changed.value.preview)) == {3}
    # Row 2 was fine, and still was not written.
    assert statuses(cards)[0] == S.ORDERED


def test_a_row_failing_midway_undoes_the_rows_before_it(cards, officer, monkeypatch):
    a, b, c = (card.permit.number for card in cards)
    text = csv_of(
        f"{a},printed,,2026-02-20", f"{b},printed,,2026-02-20", f"{c},printed,,2026-02-20"
    )
    real_move = card_services.card_move_locked
    calls = []

    def failing_third(card, **kwargs):
        calls.append(card.pk)
        if len(calls) == 3:
            raise card_services.WorkflowError("The card producer's printer caught fire.")
        return real_move(card, **kwargs)

    monkeypatch.setattr(card_import, "card_move_locked", failing_third)
    with pytest.raises(card_import.ImportChanged) as failed:
        apply(text, officer)
    assert errors_by_row(failed.value.preview) == {4: ["The card producer's printer caught fire."]}
    assert statuses(cards) == [S.ORDERED] * 3
    assert not CardEvent.objects.filter(kind="status_changed").exists()


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"", "empty"),
        (b"permit_number,status\nIKM-1,printed\n", "missing: tracking_number, date"),
        (HEADER.encode() + b"\n\n,,,\n", "no rows"),
        (HEADER.encode() + b"\nIKM-\xfd\xfe,printed,,2026-02-20\n", "UTF-8"),
        (b"PK\x03\x04rest-of-a-workbook", "Excel workbook"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_as_a_whole(content, words):
    with pytest.raises(card_import.ImportRejected, match=words):
        card_import.card_import_preview(text=card_import.read_text(upload(content)))


def test_too_many_rows_or_bytes_are_refused(monkeypatch):
    monkeypatch.setattr(card_import, "MAX_ROWS", 2)
    text = csv_of(*(f"IKM-{n},printed,,2026-02-20" for n in range(3)))
    with pytest.raises(card_import.ImportRejected, match="more than 2 rows"):
        card_import.card_import_preview(text=text)
    monkeypatch.setattr(card_import, "MAX_BYTES", 10)
    with pytest.raises(card_import.ImportRejected, match="larger than"):
        card_import.read_text(upload(text))


def test_excels_semicolons_byte_order_mark_and_column_order_are_read(cards):
    a = cards[0].permit.number
    text = "\ufeffDate; Status ;Permit_Number;tracking_number\n2026-02-20;printed;" + a + ";\n"
    checked = preview(text)
    assert checked.ok
    assert (checked.rows[0].permit_number, checked.rows[0].status) == (a, S.PRINTED)


def test_the_preview_travels_signed_for_the_officer_who_made_it(officer):
    payload = card_import.payload_sign(text="x", actor=officer)
    assert card_import.payload_text(payload=payload, actor=officer) == "x"
    with pytest.raises(card_import.ImportRejected):
        card_import.payload_text(payload=payload + "A", actor=officer)
    with pytest.raises(card_import.ImportRejected):
        card_import.payload_text(payload=payload, actor=OfficerFactory())


def test_only_officers_apply_a_file(cards):
    from cases.errors import NotPermitted

    text = csv_of(f"{cards[0].permit.number},printed,,2026-02-20")
    with pytest.raises(NotPermitted):
        apply(text, cards[0].permit.application.applicant)


# --- the page ----------------------------------------------------------------------------------


def test_the_page_previews_then_applies_with_a_summary(cards, officer, client_for):
    client = client_for(officer)
    url = reverse("officer-card-import")
    a, b, _c = (card.permit.number for card in cards)
    text = csv_of(f"{a},printed,,2026-02-20", f"{b},printed,,2026-02-20")
    with at(TODAY):
        page = client.get(url)
        assert page.status_code == 200
        assert 'enctype="multipart/form-data"' in page.content.decode()
        shown = client.post(url, {"file": upload(text)})
    assert shown.status_code == 200
    html = shown.content.decode()
    assert "<caption>" in html
    assert 'scope="col"' in html
    assert 'tabindex="0" role="region"' in html
    assert "Apply 2 changes" in html
    assert statuses(cards)[:2] == [S.ORDERED, S.ORDERED]
    payload = shown.context["payload"]
    with at(TODAY):
        done = client.post(url, {"payload": payload})
    assert done.status_code == 200
    assert "2 cards moved along." in done.content.decode()
    assert statuses(cards)[:2] == [S.PRINTED, S.PRINTED]
    # The same form again: the cards are printed already, so nothing more happens.
    with at(TODAY):
        again = client.post(url, {"payload": payload})
    assert again.status_code == 409
    assert "changed since the preview" in again.content.decode()
    assert CardEvent.objects.filter(kind="status_changed").count() == 2


def test_the_page_shows_each_bad_row_and_offers_no_apply(cards, officer, client_for):
    a = cards[0].permit.number
    text = csv_of("IKM-unknown,printed,,2026-02-20", f"{a},delivered,,2026-02-20")
    with at(TODAY):
        shown = client_for(officer).post(reverse("officer-card-import"), {"file": upload(text)})
    assert shown.status_code == 400
    html = shown.content.decode()
    assert "2 rows have a problem" in html
    assert "No card is known for the permit number" in html
    assert "cannot become" in html
    assert 'name="payload"' not in html


def test_the_page_refuses_an_unreadable_file_next_to_the_field(officer, client_for):
    with at(TODAY):
        shown = client_for(officer).post(
            reverse("officer-card-import"), {"file": upload(b"PK\x03\x04xx")}
        )
    assert shown.status_code == 400
    assert "Excel workbook" in shown.content.decode()
    assert shown.context["form"].errors["file"]


def test_a_tampered_payload_changes_nothing(cards, officer, client_for):
    with at(TODAY):
        refused = client_for(officer).post(reverse("officer-card-import"), {"payload": "nope"})
    assert refused.status_code == 400
    assert "upload the file again" in refused.content.decode()


def test_a_file_costs_two_queries_a_row_beyond_the_check(
    cards, officer, django_assert_max_num_queries
):
    # 5,000 rows are applied within the request: the cards are read and locked once, and each
    # row writes its card and its event (a notice adds the outbox's own queries).
    text = csv_of(*(f"{card.permit.number},printed,,2026-02-20" for card in cards))
    with at(TODAY), django_assert_max_num_queries(8 + 2 * len(cards)):
        card_import.card_import_apply(text=text, actor=officer)
    assert statuses(cards) == [S.PRINTED] * 3

"""The data export holds the permit's later life too: the card and its journey by post, the
verified mobile number and the channel chosen for each kind of notice."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.urls import reverse
from django.utils import timezone

from applications import decisions
from applications.models import Status
from notifications.channels import channel_preferences_set, sms_kinds

pytestmark = pytest.mark.django_db


def exported(client_for, user) -> dict:
    response = client_for(user).get(reverse("data-export"))
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return json.loads(zipfile.ZipFile(io.BytesIO(content)).read("data.json"))


def test_the_card_mobile_number_and_channel_choices_are_in_the_export(
    application_in, client_for, monkeypatch
):
    monkeypatch.setattr(decisions, "permit_attach_letter", lambda *, permit: None)
    application = application_in(Status.APPROVED)
    student = application.applicant
    student.profile.mobile = "+905321234567"
    student.profile.mobile_verified_at = timezone.now()
    student.profile.save(update_fields=["mobile", "mobile_verified_at"])
    kind = sms_kinds()[0].code
    channel_preferences_set(user=student, choices={kind: "sms"})

    data = exported(client_for, student)

    assert data["profile"]["mobile"] == "+905321234567"
    assert data["profile"]["mobile_verified_at"]
    assert data["notice_channels"] == [{"kind": kind, "channels": "sms"}]
    (record,) = data["applications"]
    assert record["complete_at"] is None  # approved before any visit was recorded
    card = record["permit"]["card"]
    assert card["status"] == "ordered"
    assert card["fee_amount"] == str(application.permit.card.fee_amount)
    assert card["tracking_number"] == ""

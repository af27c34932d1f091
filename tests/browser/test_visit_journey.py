"""A permit's later life in a real browser (issue 16): a student verifies a mobile number and
chooses the channels, books an appointment at the provincial office, moves it and downloads its
`.ics`; the officer's day list shows it and the visit is marked attended; after approval the
card is posted and the student sees the tracking number. Every page is audited in az, tr and en
(axe-core, the Nu Html Checker, no horizontal scrolling at 375 px)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from appointments.models import Appointment
from notifications.models import Notification
from permits.card import CardStatus
from permits.card_services import card_move
from tests.factories import SupervisorFactory

from .audit import AssetWatch, Auditor
from .conftest import AXE_JS, VNU_JAR
from .test_journey import english, fill, flash, officer_with_authenticator, path_of, submit
from .test_renewal_journey import sign_in

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("fresh_cache"),
]


def test_the_visit_card_and_sms_journey_in_a_browser(
    live_server, new_context, screenshots, tmp_path, subtests, application_in, settings
):
    from notifications.sms import locmem

    settings.SMS_BACKEND = "locmem"
    locmem.outbox.clear()
    base = live_server.url
    html_dir = tmp_path / "pages"
    html_dir.mkdir()
    shots = screenshots / "visit"
    shots.mkdir(exist_ok=True)
    audit = Auditor(
        base_url=base,
        screenshots=shots,
        html_dir=html_dir,
        axe_source=AXE_JS.read_text(encoding="utf-8"),
    )
    assets = AssetWatch()
    application = application_in("submitted")
    student_user = application.applicant

    student = new_context(width=375, height=812).new_page()
    english(student.context, base)
    assets.watch(student)
    sign_in(student, base, student_user.email)
    assert path_of(student) == "/dashboard/", flash(student)

    # 1. A mobile number verified with the code the SMS carried, then the channels chosen.
    student.goto(base + "/account/mobile/")
    audit.step(student, "mobile")
    fill(student, {"number": "0501234567"})
    submit(student, "main form")
    assert Notification.objects.filter(channel="sms", to_phone="+994501234567").exists()
    code = re.search(r"\b(\d{6})\b", locmem.outbox[-1].text).group(1)
    if path_of(student) != "/account/mobile/verify/":
        student.goto(base + "/account/mobile/verify/")
    audit.step(student, "mobile-verify")
    fill(student, {"code": code})
    submit(student, "main form")
    student_user.profile.refresh_from_db()
    assert student_user.profile.mobile == "+994501234567"
    student.goto(base + "/notifications/preferences/")
    audit.step(student, "notification-preferences")

    # 2. The appointment: booked on the first free time, then moved to another; its .ics.
    student.goto(base + "/dashboard/")
    expect(student.locator("main")).to_contain_text("Your appointment at the migration office")
    page_path = f"/applications/{application.pk}/appointment/"
    student.goto(base + page_path)
    audit.step(student, "appointment-choose")
    student.locator("main input[name=slot]").first.check()
    submit(student, "main form:has(input[name=slot])")
    booked = Appointment.objects.get(application=application, status="booked")
    audit.step(student, "appointment-booked")
    student.goto(base + page_path)
    student.locator("main input[name=slot]").nth(1).check()
    submit(student, "main form:has(input[name=slot])")
    moved = Appointment.objects.get(application=application, status="booked")
    assert moved.starts_at != booked.starts_at
    audit.step(student, "appointment-moved")
    with student.expect_download() as calendar:
        student.locator("main a[href$='calendar.ics']").click()
    ics = Path(calendar.value.path()).read_text()
    assert "BEGIN:VEVENT" in ics
    assert "DTSTART" in ics

    # 3. The officer's day list at that office, and the visit marked attended.
    officer, secret = officer_with_authenticator()
    desk = new_context(width=1280, height=900).new_page()
    english(desk.context, base)
    assets.watch(desk)
    sign_in(desk, base, officer.email, secret)
    day = timezone.localtime(moved.starts_at).date().isoformat()
    desk.goto(f"{base}/officers/appointments/?province={moved.province_id}&day={day}")
    expect(desk.locator("main")).to_contain_text(application.reference)
    audit.step(desk, "appointment-desk")
    supervisor = SupervisorFactory()
    from accounts.services import totp_authenticator_set

    totp_authenticator_set(user=supervisor, secret="JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    boss = new_context(width=1280, height=900).new_page()
    english(boss.context, base)
    sign_in(boss, base, supervisor.email, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    boss.goto(base + "/officers/appointments/offices/")
    audit.step(boss, "appointment-offices")

    # 4. After approval the card is posted; the student's dashboard shows the tracking number.
    approved = application_in("approved")
    card = approved.permit.card
    card = card_move(card.pk, actor=officer, to_status=CardStatus.PRINTED, expected_version=1)
    card = card_move(
        card.pk,
        actor=officer,
        to_status=CardStatus.POSTED,
        expected_version=card.version,
        tracking_number="RR123456785TR",
    )
    desk.goto(base + "/officers/cards/")
    audit.step(desk, "officer-cards")
    holder = new_context(width=375, height=812).new_page()
    english(holder.context, base)
    assets.watch(holder)
    sign_in(holder, base, approved.applicant.email)
    holder.goto(base + "/dashboard/")
    expect(holder.locator("main")).to_contain_text("RR123456785TR")
    audit.step(holder, "dashboard-card-posted")

    report_findings = {
        "axe-core: no WCAG 2.x A/AA violations": [str(f) for f in audit.axe],
        "Nu Html Checker: no errors": audit.vnu_errors(VNU_JAR),
        "375 px: no horizontal scrolling": [str(f) for f in audit.overflow],
        "every stylesheet, image and script loads; no console errors": assets.broken,
    }
    audit.write_report(report_findings)
    for check, problems in report_findings.items():
        with subtests.test(msg=check):
            assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(problems)

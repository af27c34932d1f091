"""The student's appointment page: the next free days, a time chosen with radio buttons, the
booked appointment with its calendar file, moving and cancelling. Thin: parse the request,
call one service, render. Works without JavaScript (days are links, times a plain form)."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.decorators import consent_required
from applications.models import Application
from applications.permissions import own_applications
from cases.errors import WorkflowError
from core.requests import post_data
from rules.policies import NoPolicyInForce

from . import services
from .forms import CancelForm, SlotForm
from .ics import appointment_ics, office_name
from .models import OFFICE_TIME_ZONE_NAME, AppointmentStatus
from .selectors import (
    FreeDay,
    active_appointment,
    application_appointments,
    booking_refusal,
    changeable_until,
    free_days,
    office_today,
    policy_on,
    schedule_for,
)


def _own_application(request: HttpRequest, pk: int) -> Application:
    return get_object_or_404(
        own_applications(request.user).select_related("province", "university"), pk=pk
    )


def _chosen_day(raw: str | None, days: list[FreeDay]) -> FreeDay | None:
    """The day whose times are shown: the one asked for when it is among the free days, else
    the first free day."""
    if raw:
        try:
            wanted = date.fromisoformat(raw[:10])
        except ValueError:
            wanted = None
        for day in days:
            if day.day == wanted:
                return day
    return days[0] if days else None


@consent_required
@require_http_methods(["GET", "POST"])
def appointment_page(request: HttpRequest, pk: int) -> HttpResponse:
    application = _own_application(request, pk)
    now = timezone.now()
    today = office_today(now)
    active = active_appointment(application)
    refusal = booking_refusal(application)
    days = free_days(application, now=now) if refusal is None else []
    chosen = _chosen_day(request.POST.get("slot") or request.GET.get("day"), days)
    form = SlotForm(
        post_data(request),
        slots=chosen.slots if chosen else (),
        initial={"version": active.version if active else None},
        auto_id="slot-%s",
    )
    if request.method == "POST" and refusal is None and form.is_valid():
        try:
            if active is None:
                services.appointment_book(
                    application_id=application.pk,
                    actor=request.user,
                    starts_at=form.cleaned_data["slot"],
                    now=now,
                )
                messages.success(request, _("Your appointment is booked. We sent you the details."))
            else:
                services.appointment_reschedule(
                    appointment_id=active.pk,
                    actor=request.user,
                    expected_version=form.cleaned_data["version"] or 0,
                    starts_at=form.cleaned_data["slot"],
                    now=now,
                )
                messages.success(request, _("Your appointment is moved. We sent you the details."))
        except WorkflowError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("application-appointment", pk=application.pk)
    elif request.method == "POST" and refusal is not None:
        form.add_error(None, refusal)
    until = None
    if active is not None:
        try:
            until = changeable_until(active, policy=policy_on(today))
        except NoPolicyInForce:
            until = None
    history = application_appointments(application)
    latest = history.first()
    return render(
        request,
        "appointments/student.html",
        {
            "application": application,
            "active": active,
            "office_name": office_name(active) if active else "",
            "address": schedule_for(active.province).address if active else "",
            "changeable_until": until,
            "can_change": until is not None and now < until,
            "refusal": refusal,
            "days": days,
            "chosen": chosen,
            "form": form,
            "cancel_form": CancelForm(initial={"version": active.version}, auto_id="cancel-%s")
            if active
            else None,
            "history": [item for item in history if item != active],
            "last_missed": latest is not None and latest.status == AppointmentStatus.MISSED,
            "office_tz": OFFICE_TIME_ZONE_NAME,
        },
    )


@consent_required
@require_POST
def appointment_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    application = _own_application(request, pk)
    active = active_appointment(application)
    form = CancelForm(request.POST)
    if active is None:
        messages.error(request, _("There is no booked appointment to cancel."))
    elif not form.is_valid():
        messages.error(request, _("The page was out of date; please try again."))
    else:
        try:
            services.appointment_cancel(
                appointment_id=active.pk,
                actor=request.user,
                expected_version=form.cleaned_data["version"],
            )
        except WorkflowError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Your appointment is cancelled."))
    return redirect("application-appointment", pk=application.pk)


@consent_required
@require_GET
def appointment_calendar(request: HttpRequest, pk: int) -> HttpResponse:
    """The booked appointment as a calendar file (RFC 5545), to add to any calendar."""
    application = _own_application(request, pk)
    active = active_appointment(application)
    if active is None:
        raise Http404(_("There is no booked appointment."))
    body = appointment_ics(
        active, address=schedule_for(active.province).address, now=timezone.now()
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    name = application.reference or f"appointment-{active.pk}"
    response["Content-Disposition"] = f'attachment; filename="{name}.ics"'
    response["Cache-Control"] = "no-store"
    return response

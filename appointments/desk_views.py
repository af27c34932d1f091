"""The officers' pages at the provincial office's desk: a day's list of one office, and marking
each visit attended or missed (POST forms carrying the appointment's version)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.decorators import officer_required
from cases.errors import WorkflowError

from . import services
from .forms import AttendedForm, DayForm, MissedForm
from .models import OFFICE_TIME_ZONE_NAME, Appointment
from .selectors import closed_reason, day_list, day_reservations, office_today, schedule_for


@officer_required
@require_GET
def appointment_desk(request: HttpRequest) -> HttpResponse:
    form = DayForm(request.GET or None, initial={"day": office_today()})
    context: dict = {"form": form, "office_tz": OFFICE_TIME_ZONE_NAME}
    if form.is_valid():
        province = form.cleaned_data["province"]
        day = form.cleaned_data["day"]
        schedule = schedule_for(province)
        context |= {
            "province": province,
            "day": day,
            "schedule": schedule,
            "open_weekday": schedule.opens_on_weekday(day),
            "closed_reason": closed_reason(province.pk, day),
            "reservations": day_reservations(province, day),
            "rows": [
                (
                    appointment,
                    AttendedForm(
                        initial={"version": appointment.version},
                        auto_id=f"attended-{appointment.pk}-%s",
                    ),
                    MissedForm(
                        initial={"version": appointment.version},
                        auto_id=f"missed-{appointment.pk}-%s",
                    ),
                )
                for appointment in day_list(province, day)
            ],
        }
    return render(request, "appointments/desk.html", context)


def _back_to_day(appointment: Appointment) -> HttpResponse:
    query = urlencode(
        {"province": appointment.province_id, "day": appointment.local_start.date().isoformat()}
    )
    return redirect(f"{reverse('appointment-desk')}?{query}")


def _failed(request: HttpRequest, form: AttendedForm | MissedForm) -> None:
    if "version" in form.errors:
        messages.error(request, _("The page was out of date; please try again."))
        return
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else None
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)


@officer_required
@require_POST
def appointment_attended(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = get_object_or_404(Appointment, pk=pk)
    form = AttendedForm(request.POST)
    if not form.is_valid():
        _failed(request, form)
        return _back_to_day(appointment)
    try:
        services.appointment_mark_attended(
            appointment_id=appointment.pk,
            actor=request.user,
            expected_version=form.cleaned_data["version"],
            biometrics_taken=form.cleaned_data["biometrics_taken"],
            originals_seen=form.cleaned_data["originals_seen"],
        )
    except WorkflowError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("%(reference)s: the visit is recorded as attended.")
            % {"reference": appointment.application.reference},
        )
    return _back_to_day(appointment)


@officer_required
@require_POST
def appointment_missed(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = get_object_or_404(Appointment, pk=pk)
    form = MissedForm(request.POST)
    if not form.is_valid():
        _failed(request, form)
        return _back_to_day(appointment)
    try:
        services.appointment_mark_missed(
            appointment_id=appointment.pk,
            actor=request.user,
            expected_version=form.cleaned_data["version"],
        )
    except WorkflowError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _(
                "%(reference)s: the appointment is recorded as missed; the student is told to "
                "book again."
            )
            % {"reference": appointment.application.reference},
        )
    return _back_to_day(appointment)

"""The supervisors' page of the provincial offices: one office's schedule, its closed days and
the places kept for universities; and the international offices' list of their reserved days."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.decorators import supervisor_required, university_staff_required
from cases.errors import WorkflowError
from universities.models import Province
from universities.scoping import staff_university

from . import office_services
from .forms import ClosedDayForm, OfficeForm, ReservationForm, ScheduleForm
from .models import ClosedDay, Reservation
from .selectors import office_calendar, office_today, reserved_days, schedule_for


def _office_url(province_id: int) -> str:
    return f"{reverse('appointment-offices')}?{urlencode({'province': province_id})}"


def _render_office(request: HttpRequest, province: Province | None, **forms: Any) -> HttpResponse:
    context: dict[str, Any] = {
        "office_form": OfficeForm(initial={"province": province.pk} if province else None),
        "province": province,
    }
    if province is not None:
        schedule = schedule_for(province)
        context |= office_calendar(province, today=office_today())
        context |= {
            "schedule": schedule,
            "schedule_form": forms.get("schedule_form")
            or ScheduleForm.for_schedule(schedule, auto_id="schedule-%s"),
            "closed_form": forms.get("closed_form") or ClosedDayForm(auto_id="closed-%s"),
            "reservation_form": forms.get("reservation_form")
            or ReservationForm(auto_id="reservation-%s"),
        }
    return render(request, "appointments/offices.html", context)


@supervisor_required
@require_GET
def appointment_offices(request: HttpRequest) -> HttpResponse:
    form = OfficeForm(request.GET or None)
    province = form.cleaned_data["province"] if form.is_valid() else None
    return _render_office(request, province)


@supervisor_required
@require_POST
def appointment_office_schedule(request: HttpRequest, province_pk: int) -> HttpResponse:
    province = get_object_or_404(Province, pk=province_pk)
    form = ScheduleForm(request.POST, auto_id="schedule-%s")
    if form.is_valid():
        data = form.cleaned_data
        try:
            office_services.office_schedule_update(
                province_id=province.pk,
                actor=request.user,
                expected_version=data["version"],
                weekdays=data["weekdays"],
                opens_at=data["opens_at"],
                closes_at=data["closes_at"],
                slot_minutes=data["slot_minutes"],
                desks=data["desks"],
                booking_horizon_days=data["booking_horizon_days"],
                address=data["address"],
            )
        except WorkflowError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The office's schedule is saved."))
            return redirect(_office_url(province.pk))
    return _render_office(request, province, schedule_form=form)


@supervisor_required
@require_POST
def appointment_closed_day_add(request: HttpRequest, province_pk: int) -> HttpResponse:
    province = get_object_or_404(Province, pk=province_pk)
    form = ClosedDayForm(request.POST, auto_id="closed-%s")
    if form.is_valid():
        try:
            _closed, cancelled = office_services.closed_day_add(
                actor=request.user,
                province_id=None if form.cleaned_data["everywhere"] else province.pk,
                day=form.cleaned_data["day"],
                reason=form.cleaned_data["reason"],
            )
        except WorkflowError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("The day is closed; %(count)s booked appointment(s) were cancelled.")
                % {"count": cancelled},
            )
            return redirect(_office_url(province.pk))
    return _render_office(request, province, closed_form=form)


@supervisor_required
@require_POST
def appointment_closed_day_remove(request: HttpRequest, pk: int) -> HttpResponse:
    closed = get_object_or_404(ClosedDay, pk=pk)
    back = request.POST.get("province") or closed.province_id
    office_services.closed_day_remove(actor=request.user, closed_day_id=closed.pk)
    messages.success(request, _("The office is open again on that day."))
    if back and str(back).isdigit():
        return redirect(_office_url(int(back)))
    return redirect("appointment-offices")


@supervisor_required
@require_POST
def appointment_reservation_add(request: HttpRequest, province_pk: int) -> HttpResponse:
    province = get_object_or_404(Province, pk=province_pk)
    form = ReservationForm(request.POST, auto_id="reservation-%s")
    if form.is_valid():
        try:
            office_services.reservation_add(
                actor=request.user,
                province_id=province.pk,
                day=form.cleaned_data["day"],
                university_id=form.cleaned_data["university"].pk,
                places=form.cleaned_data["places"],
            )
        except WorkflowError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The places are reserved."))
            return redirect(_office_url(province.pk))
    return _render_office(request, province, reservation_form=form)


@supervisor_required
@require_POST
def appointment_reservation_remove(request: HttpRequest, pk: int) -> HttpResponse:
    reservation = get_object_or_404(Reservation, pk=pk)
    office_services.reservation_remove(actor=request.user, reservation_id=reservation.pk)
    messages.success(request, _("The reservation is removed; its places are open to everyone."))
    return redirect(_office_url(reservation.province_id))


@university_staff_required
@require_GET
def university_appointments(request: HttpRequest) -> HttpResponse:
    """The international office's reserved days at the provincial offices."""
    university = staff_university(request.user)
    if university is None:
        raise PermissionDenied
    return render(
        request,
        "appointments/university.html",
        {
            "office_university": university,
            "rows": reserved_days(university, today=office_today()),
        },
    )

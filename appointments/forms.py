"""The appointment pages' forms: choosing a time, the desk's marks, the supervisors' office
settings. They parse and check shapes; the services decide."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django import forms
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.forms import IsoDateField, VersionedForm
from universities.models import Province, University

from .models import OFFICE_TIME_ZONE, OfficeSchedule
from .selectors import FreeSlot

SLOT_FORMAT = "%Y-%m-%dT%H:%M"


def slot_value(starts_at: datetime) -> str:
    """A slot as the form sends it: its office wall-clock time, ``2026-12-03T14:30``."""
    return starts_at.astimezone(OFFICE_TIME_ZONE).strftime(SLOT_FORMAT)


def slot_label(slot: FreeSlot) -> str:
    clock = slot.starts_at.astimezone(OFFICE_TIME_ZONE).strftime("%H:%M")
    return ngettext(
        "%(time)s — %(count)s free place", "%(time)s — %(count)s free places", slot.free
    ) % {"time": clock, "count": slot.free}


class SlotForm(forms.Form):
    """One of a day's free times. The value is checked again by the service, under the lock:
    a time taken since the page was shown is refused there, with its own message."""

    slot = forms.CharField(
        label=_("Time (Türkiye time)"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a time.")},
    )
    # The appointment's version when moving one (a stale page changes nothing).
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)

    def __init__(self, *args: Any, slots: Iterable[FreeSlot] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["slot"].widget.choices = [
            (slot_value(slot.starts_at), slot_label(slot)) for slot in slots
        ]

    def clean_slot(self) -> datetime:
        try:
            naive = datetime.strptime(self.cleaned_data["slot"], SLOT_FORMAT)
        except ValueError as exc:
            raise forms.ValidationError(_("Choose one of the times shown.")) from exc
        return naive.replace(tzinfo=OFFICE_TIME_ZONE)


class CancelForm(VersionedForm):
    pass


class AttendedForm(VersionedForm):
    biometrics_taken = forms.BooleanField(label=_("Biometrics (fingerprints, photo) taken"))
    originals_seen = forms.BooleanField(label=_("Original documents seen"))


class MissedForm(VersionedForm):
    pass


class DayForm(forms.Form):
    """The desk's choice of office and day (a GET form)."""

    province = forms.ModelChoiceField(
        label=_("Office (province)"), queryset=Province.objects.order_by("name")
    )
    day = IsoDateField(label=_("Date"))


class OfficeForm(forms.Form):
    """The supervisors' choice of office (a GET form)."""

    province = forms.ModelChoiceField(
        label=_("Office (province)"), queryset=Province.objects.order_by("name")
    )


class ScheduleForm(VersionedForm):
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Open on"),
        choices=[(number + 1, name) for number, name in WEEKDAYS.items()],
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    opens_at = forms.TimeField(
        label=_("First appointment at"), widget=forms.TimeInput(attrs={"type": "time"})
    )
    closes_at = forms.TimeField(
        label=_("Closes at"), widget=forms.TimeInput(attrs={"type": "time"})
    )
    slot_minutes = forms.IntegerField(
        label=_("Minutes per appointment"), min_value=5, max_value=240
    )
    desks = forms.IntegerField(label=_("Desks (people per time slot)"), min_value=1, max_value=50)
    booking_horizon_days = forms.IntegerField(
        label=_("Bookable this many days ahead"), min_value=1, max_value=365
    )
    address = forms.CharField(label=_("Office address"), max_length=255, required=False)

    @classmethod
    def for_schedule(cls, schedule: OfficeSchedule, **kwargs: Any) -> ScheduleForm:
        return cls(
            initial={
                "version": schedule.version,
                "weekdays": sorted(schedule.open_weekdays),
                "opens_at": schedule.opens_at.strftime("%H:%M"),
                "closes_at": schedule.closes_at.strftime("%H:%M"),
                "slot_minutes": schedule.slot_minutes,
                "desks": schedule.desks,
                "booking_horizon_days": schedule.booking_horizon_days,
                "address": schedule.address,
            },
            **kwargs,
        )


class ClosedDayForm(forms.Form):
    day = IsoDateField(label=_("Date"))
    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        help_text=_("Shown to the students whose appointments on that day are cancelled."),
    )
    everywhere = forms.BooleanField(
        label=_("Closed at every provincial office (a national holiday)"), required=False
    )


class ReservationForm(forms.Form):
    day = IsoDateField(label=_("Date"))
    university = forms.ModelChoiceField(
        label=_("University"), queryset=University.objects.order_by("name")
    )
    places = forms.IntegerField(label=_("Places per time slot"), min_value=1, max_value=50)

from django.urls import path

from . import desk_views, office_views, views

urlpatterns = [
    path(
        "applications/<int:pk>/appointment/",
        views.appointment_page,
        name="application-appointment",
    ),
    path(
        "applications/<int:pk>/appointment/cancel/",
        views.appointment_cancel,
        name="application-appointment-cancel",
    ),
    path(
        "applications/<int:pk>/appointment/calendar.ics",
        views.appointment_calendar,
        name="application-appointment-calendar",
    ),
    path("officers/appointments/", desk_views.appointment_desk, name="appointment-desk"),
    path(
        "officers/appointments/<int:pk>/attended/",
        desk_views.appointment_attended,
        name="appointment-attended",
    ),
    path(
        "officers/appointments/<int:pk>/missed/",
        desk_views.appointment_missed,
        name="appointment-missed",
    ),
    path(
        "officers/appointments/offices/",
        office_views.appointment_offices,
        name="appointment-offices",
    ),
    path(
        "officers/appointments/offices/<int:province_pk>/schedule/",
        office_views.appointment_office_schedule,
        name="appointment-office-schedule",
    ),
    path(
        "officers/appointments/offices/<int:province_pk>/closed-days/",
        office_views.appointment_closed_day_add,
        name="appointment-closed-day-add",
    ),
    path(
        "officers/appointments/closed-days/<int:pk>/remove/",
        office_views.appointment_closed_day_remove,
        name="appointment-closed-day-remove",
    ),
    path(
        "officers/appointments/offices/<int:province_pk>/reservations/",
        office_views.appointment_reservation_add,
        name="appointment-reservation-add",
    ),
    path(
        "officers/appointments/reservations/<int:pk>/remove/",
        office_views.appointment_reservation_remove,
        name="appointment-reservation-remove",
    ),
    path(
        "university/appointments/",
        office_views.university_appointments,
        name="university-appointments",
    ),
]

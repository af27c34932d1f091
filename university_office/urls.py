from django.urls import include, path

from . import staff_views, views

urlpatterns = [
    path("", views.home, name="university-home"),
    path("students/", views.students, name="university-students"),
    path("students/<int:pk>/", views.student_case, name="university-case"),
    path("confirmations/", views.confirmations, name="university-confirmations"),
    path("confirmations/<int:pk>/", views.confirmation, name="university-confirmation"),
    path("precheck/", views.precheck_list, name="university-precheck"),
    path("precheck/<int:pk>/", views.precheck_case, name="university-precheck-case"),
    path(
        "precheck/<int:pk>/documents/<int:document_pk>/",
        views.precheck_document,
        name="university-precheck-document",
    ),
    path("report/", views.report_new, name="university-report-new"),
    path("", include("university_office.bulk_urls")),
    path("", include("university_office.token_urls")),
]

supervisor_urlpatterns = [
    path("", staff_views.staff_list, name="supervisor-university-staff"),
    path(
        "<int:pk>/deactivate/",
        staff_views.staff_deactivate,
        name="supervisor-university-staff-deactivate",
    ),
    path(
        "<int:pk>/reactivate/",
        staff_views.staff_reactivate,
        name="supervisor-university-staff-reactivate",
    ),
    path(
        "universities/<int:pk>/",
        staff_views.university_settings,
        name="supervisor-university-settings",
    ),
]

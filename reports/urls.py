from django.urls import path

from . import officer_views, views

urlpatterns = [
    path("permits/<int:permit_pk>/report/", views.report_new, name="report-new"),
    path(
        "permits/<int:permit_pk>/report/<slug:type>/",
        views.report_create,
        name="report-create",
    ),
    path("reports/<int:pk>/", views.report_detail, name="report-detail"),
    path("reports/<int:pk>/respond/", views.report_respond, name="report-respond"),
    path("reports/<int:pk>/withdraw/", views.report_withdraw, name="report-withdraw"),
    path("reports/<int:pk>/file/", views.report_file, name="report-file"),
    path("officers/reports/<int:pk>/", officer_views.review, name="officer-report"),
    path(
        "officers/reports/<int:pk>/start/",
        officer_views.start_review,
        name="officer-report-start",
    ),
    path(
        "officers/reports/<int:pk>/info/",
        officer_views.request_info,
        name="officer-report-info",
    ),
    path("officers/reports/<int:pk>/accept/", officer_views.accept, name="officer-report-accept"),
    path("officers/reports/<int:pk>/reject/", officer_views.reject, name="officer-report-reject"),
]

from django.urls import path

from . import dashboard_views, permit_views, views

urlpatterns = [
    path("", views.queue, name="officer-queue"),
    path("claim-next/", views.claim_next, name="officer-claim-next"),
    path("export.csv", dashboard_views.queue_export_csv, name="officer-queue-export"),
    path("dashboard/", dashboard_views.supervisor_dashboard, name="supervisor-dashboard"),
    path("applications/<int:pk>/", views.review, name="officer-review"),
    path("applications/<int:pk>/release/", views.release, name="officer-release"),
    path("applications/<int:pk>/reassign/", views.reassign, name="officer-reassign"),
    path("applications/<int:pk>/start/", views.start_review, name="officer-start-review"),
    path("applications/<int:pk>/request-info/", views.request_info, name="officer-request-info"),
    path("applications/<int:pk>/approve/", views.approve, name="officer-approve"),
    path("applications/<int:pk>/reject/", views.reject, name="officer-reject"),
    path("applications/<int:pk>/notes/", views.add_note, name="officer-add-note"),
    path("applications/<int:pk>/messages/", views.send_message, name="officer-send-message"),
    path("permits/<int:pk>/cancel/", permit_views.cancel, name="officer-permit-cancel"),
    path(
        "permits/<int:pk>/cancellation-letter/",
        permit_views.cancellation_letter,
        name="officer-cancellation-letter",
    ),
    path("documents/<int:pk>/verdict/", views.document_verdict, name="officer-document-verdict"),
]

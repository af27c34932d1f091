from django.urls import path

from . import account_views, draft_views, extension_views, student_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", student_views.dashboard, name="dashboard"),
    # Under /account/ with the rest of the account pages; they gather the person's cases.
    path("account/my-data/", account_views.data_export, name="data-export"),
    path("account/delete/", account_views.account_delete, name="account-delete"),
    path("applications/new/", student_views.application_new, name="application-new"),
    path("applications/<int:pk>/", student_views.application_detail, name="application-detail"),
    path("applications/<int:pk>/tasks/", draft_views.application_tasks, name="application-tasks"),
    path(
        "applications/<int:pk>/section/<slug:slug>/",
        draft_views.application_section,
        name="application-section",
    ),
    path(
        "applications/<int:pk>/documents/",
        draft_views.application_documents,
        name="application-documents",
    ),
    path(
        "applications/<int:pk>/documents/<int:document_pk>/delete/",
        draft_views.document_delete,
        name="document-delete",
    ),
    path(
        "applications/<int:pk>/review/", draft_views.application_review, name="application-review"
    ),
    path(
        "applications/<int:pk>/respond/",
        student_views.application_respond,
        name="application-respond",
    ),
    path(
        "applications/<int:pk>/hand-in-again/",
        student_views.application_resubmit,
        name="application-resubmit",
    ),
    path(
        "applications/<int:pk>/messages/",
        student_views.application_message,
        name="application-message",
    ),
    path(
        "applications/<int:pk>/withdraw/",
        student_views.application_withdraw,
        name="application-withdraw",
    ),
    path(
        "applications/<int:pk>/passport/",
        student_views.application_passport,
        name="application-passport",
    ),
    path("applications/<int:pk>/letter/", student_views.permit_letter, name="permit-letter"),
    path(
        "applications/<int:pk>/receipt/",
        extension_views.extension_receipt,
        name="extension-receipt",
    ),
    path("permits/<int:pk>/extend/", extension_views.permit_extend, name="permit-extend"),
    path("documents/<int:pk>/", student_views.document_file, name="document-file"),
]

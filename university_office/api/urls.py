"""``/api/``: the OpenAPI schema, its Swagger UI, and version 1 of the university API.

(The public eligibility API, ``/api/eligibility/``, is the rules app's: ``rules/urls.py``.)
"""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from . import views
from .docs import ApiDocsView

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", ApiDocsView.as_view(url_name="api-schema"), name="api-docs"),
    path("v1/students/", views.StudentList.as_view(), name="api-students"),
    path("v1/students/<str:reference>/", views.StudentDetail.as_view(), name="api-student"),
    path("v1/confirmations/", views.ConfirmationList.as_view(), name="api-confirmations"),
    path(
        "v1/confirmations/<str:number>/",
        views.ConfirmationDetail.as_view(),
        name="api-confirmation",
    ),
    path(
        "v1/confirmations/<str:number>/confirm/",
        views.ConfirmationConfirm.as_view(),
        name="api-confirmation-confirm",
    ),
    path(
        "v1/confirmations/<str:number>/decline/",
        views.ConfirmationDecline.as_view(),
        name="api-confirmation-decline",
    ),
    path("v1/precheck/", views.PrecheckList.as_view(), name="api-precheck"),
    path(
        "v1/precheck/<str:reference>/pass/", views.PrecheckPass.as_view(), name="api-precheck-pass"
    ),
    path(
        "v1/precheck/<str:reference>/return/",
        views.PrecheckReturn.as_view(),
        name="api-precheck-return",
    ),
    path("v1/reports/", views.ReportList.as_view(), name="api-reports"),
]

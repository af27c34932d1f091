from django.urls import path

from . import bulk_views

urlpatterns = [
    path("bulk/", bulk_views.bulk_home, name="university-bulk"),
    path("bulk/template/<str:kind>.csv", bulk_views.bulk_template, name="university-bulk-template"),
    path("bulk/<int:pk>/", bulk_views.bulk_preview, name="university-bulk-preview"),
    path("bulk/<int:pk>/apply/", bulk_views.bulk_apply, name="university-bulk-apply"),
    path("bulk/<int:pk>/result.csv", bulk_views.bulk_result, name="university-bulk-result"),
    path("students/export.csv", bulk_views.students_export, name="university-students-export"),
]

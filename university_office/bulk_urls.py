from django.urls import path  # noqa: F401

# Filled in by the CSV upload and export pages (university-bulk, ...).
urlpatterns: list = []

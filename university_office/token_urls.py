from django.urls import path  # noqa: F401

# Filled in by the API token pages (university-tokens, ...).
urlpatterns: list = []

from django.urls import path

from . import views

urlpatterns = [
    path("eligibility/", views.eligibility_check, name="eligibility"),
    path("api/eligibility/", views.eligibility_api, name="eligibility-api"),
]

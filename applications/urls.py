from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("eligibility/", views.eligibility_check, name="eligibility"),
    path("api/eligibility/", views.eligibility_api, name="eligibility-api"),
]

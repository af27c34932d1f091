from django.urls import path

from . import views

urlpatterns = [
    path("privacy/", views.privacy_notice, name="privacy-notice"),
    path("profile/", views.profile, name="profile"),
    path("my-data/", views.data_export, name="data-export"),
    path("delete/", views.account_delete, name="account-delete"),
]

from django.urls import path

from . import views

urlpatterns = [
    path("privacy/", views.privacy_notice, name="privacy-notice"),
    path("profile/", views.profile, name="profile"),
    path("mobile/", views.mobile, name="mobile"),
    path("mobile/verify/", views.mobile_verify, name="mobile-verify"),
]

from django.urls import include, path

from . import views

urlpatterns = [
    path("verify/", views.permit_verify_form, name="permit-verify-form"),
    path("verify/<str:code>/", views.permit_verify, name="permit-verify"),
    path(
        "permits/<int:pk>/cancellation-letter/",
        views.cancellation_letter,
        name="permit-cancellation-letter",
    ),
    path("", include("permits.card_urls")),
]

"""The officers' pages of permit cards, under /officers/cards/ (included by ``permits.urls``)."""

from django.urls import path

from . import card_views

urlpatterns = [
    path("officers/cards/", card_views.card_list, name="officer-cards"),
    path("officers/cards/import/", card_views.card_import_view, name="officer-card-import"),
    path("officers/cards/<int:pk>/move/", card_views.card_move_view, name="officer-card-move"),
    path(
        "officers/cards/<int:pk>/fee-paid/", card_views.card_fee_paid, name="officer-card-fee-paid"
    ),
]

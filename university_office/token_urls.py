from django.urls import path

from . import token_views

urlpatterns = [
    path("tokens/", token_views.tokens, name="university-tokens"),
    path("tokens/<int:pk>/revoke/", token_views.token_revoke, name="university-token-revoke"),
]

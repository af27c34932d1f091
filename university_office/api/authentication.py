"""``Authorization: Bearer <key>``: a university's API token, and the account that made it."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request

from accounts.models import User
from universities.scoping import staff_university

from ..models import ApiToken
from ..services import token_authenticate, token_mark_used

KEYWORD = "Bearer"
REALM = "university-api"


class UniversityTokenAuthentication(BaseAuthentication):
    """The token's university acts through the account that made the token, for as long as that
    account is active and still staff of that university: a token outlives no one's access.

    ``request.user`` is that account (the actor of every service call, so the history names a
    person), ``request.auth`` the :class:`ApiToken`. A request without the header is anonymous
    (the permission then answers 401); a malformed, unknown or revoked key is refused with 401.
    """

    def authenticate(self, request: Request) -> tuple[User, ApiToken] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != KEYWORD.lower().encode():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                _("Send the header as “Authorization: Bearer <token>”, with one token.")
            )
        try:
            key = parts[1].decode("ascii")
        except UnicodeDecodeError as exc:
            raise exceptions.AuthenticationFailed(_("This token is not valid.")) from exc
        token = token_authenticate(key)
        if token is None:
            raise exceptions.AuthenticationFailed(_("This token is unknown or has been revoked."))
        user = token.created_by
        university = staff_university(user)
        if university is None or university.pk != token.university_id:
            raise exceptions.AuthenticationFailed(
                _(
                    "The account that created this token can no longer act for its university. "
                    "Create a new token from an active account."
                )
            )
        token_mark_used(token)
        return user, token

    def authenticate_header(self, request: Request) -> str:
        # Present, so that a refusal is a 401 (with this challenge), not a 403.
        return f'{KEYWORD} realm="{REALM}"'


class UniversityTokenScheme(OpenApiAuthenticationExtension):
    """The bearer scheme in the OpenAPI schema (``components.securitySchemes``)."""

    target_class = UniversityTokenAuthentication
    name = "universityToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": str(
                _(
                    "A token of your university's international office, made on its API "
                    "tokens page and shown once: “Authorization: Bearer aztr_…”."
                )
            ),
        }

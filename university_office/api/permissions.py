"""Who may call the university API: a request authenticated by a university's token."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from ..models import ApiToken


class IsUniversityToken(BasePermission):
    """A valid token of a university (``UniversityTokenAuthentication``); anyone else gets 401.

    Which rows the token may touch is not decided here: every view starts its queries from
    ``request.auth.university`` (the selectors take nothing else), so another university's
    case simply is not found.
    """

    def has_permission(self, request: Request, view: Any) -> bool:
        return isinstance(request.auth, ApiToken) and bool(request.user.is_authenticated)

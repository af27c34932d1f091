"""What every view of the university API shares: the token's university, the lookups that
never reach the database with what no reference can be, and the documented error answers."""

from __future__ import annotations

import re
from abc import ABCMeta, abstractmethod
from typing import Any, cast

from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import generics
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.views import APIView

from applications.models import Application
from universities.models import University

from ..models import ApiToken
from . import serializers as s

REFERENCE = re.compile(r"[A-Z0-9][A-Z0-9-]{0,39}", re.ASCII)

ERROR_DESCRIPTIONS = {
    400: gettext_lazy("The request was refused: the messages say why, by field."),
    401: gettext_lazy("No token, or a token that is unknown, revoked or of an inactive account."),
    403: gettext_lazy("The token's account may not do this."),
    404: gettext_lazy("No such case, confirmation or page at the token's university."),
    429: gettext_lazy("Too many requests with this token; see Retry-After."),
}
RETRY_AFTER = OpenApiParameter(
    "Retry-After",
    int,
    OpenApiParameter.HEADER,
    response=[429],
    description=gettext_lazy("Seconds to wait before the next request."),
)


def errors(*codes: int) -> dict[int, OpenApiResponse]:
    return {
        code: OpenApiResponse(s.ErrorsSerializer, description=str(ERROR_DESCRIPTIONS[code]))
        for code in codes
    }


ALL_ERRORS = errors(400, 401, 403, 404, 429)


def path_parameter(name: str, description: str | Promise) -> OpenApiParameter:
    return OpenApiParameter(name, str, OpenApiParameter.PATH, description=description)


def university_of(request: Request) -> University:
    return cast(ApiToken, request.auth).university


def reference_or_404(value: str) -> str:
    """A reference as the selectors look it up, or 404 for what no reference can be (it never
    reaches the database: no NUL, no stray characters)."""
    term = value.strip().upper()
    if not REFERENCE.fullmatch(term):
        raise NotFound(_("Not found."))
    return term


class UniversityAPIMixin:
    # (No docstring: the schema would take it for the description of every operation.)

    def perform_authentication(self, request: Request) -> None:
        # The token's account acts in services; the Django request keeps its own (session)
        # user, so the staff-session middleware never takes an API call for a staff session
        # (which would give every call a session cookie).
        session_user = getattr(request._request, "user", None)
        request.user  # noqa: B018 (authenticates)
        if session_user is not None:
            request._request.user = session_user


class UniversityAPIView(UniversityAPIMixin, APIView):
    pass


class UniversityListView(UniversityAPIMixin, generics.ListAPIView, metaclass=ABCMeta):
    # The schema generator builds views without a request; their queryset is then this one.
    queryset: QuerySet[Any] = Application.objects.none()

    def filters(self, serializer_class: type[Any]) -> dict[str, Any]:
        params = serializer_class(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        return dict(params.validated_data)

    def get_queryset(self) -> QuerySet[Any]:
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return self.scoped(university_of(self.request))

    @abstractmethod
    def scoped(self, university: University) -> QuerySet[Any]:
        """The rows this list shows, of the token's university only (each list says which)."""

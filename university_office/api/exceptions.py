"""Every API error in one shape: ``{"errors": {"<field>" or "__all__": ["message", ...]}}``.

The shape the public eligibility API has always answered with, so a client reads a refused
token, a missing case, a validation error and a workflow refusal the same way. A service's
``WorkflowError`` is a 400 (``NotPermitted`` a 403) with its translated message.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from cases.errors import NotPermitted, WorkflowError

ALL = "__all__"


def errors_response(messages: dict[str, list[str]], status_code: int) -> Response:
    return Response({"errors": messages}, status=status_code)


def _flatten(detail: Any, prefix: str = "") -> list[str]:
    """The messages of a nested detail (a list field's items, a dict field's keys) as text."""
    if isinstance(detail, dict):
        return [
            message
            for key, value in detail.items()
            for message in _flatten(value, f"{prefix}{key}: ")
        ]
    if isinstance(detail, list):
        return [message for item in detail for message in _flatten(item, prefix)]
    return [f"{prefix}{detail}"]


def errors_of(detail: Any) -> dict[str, list[str]]:
    """A DRF error detail (a string, a list, or a dict by field) in the portal's shape."""
    if isinstance(detail, dict):
        return {
            (ALL if key in ("non_field_errors", "detail") else str(key)): _flatten(value)
            for key, value in detail.items()
        }
    return {ALL: _flatten(detail)}


def _message(exc: exceptions.APIException) -> Any:
    """DRF's own wording where the portal has its own (and its translations)."""
    if isinstance(exc, exceptions.NotAuthenticated):
        return _("Send your university's API token: “Authorization: Bearer <token>”.")
    if isinstance(exc, exceptions.Throttled):
        seconds = int(exc.wait or 60)
        return ngettext(
            "Too many requests with this token. Try again in %(seconds)d second.",
            "Too many requests with this token. Try again in %(seconds)d seconds.",
            seconds,
        ) % {"seconds": seconds}
    return exc.detail


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, NotPermitted):
        return errors_response({ALL: [exc.message]}, status.HTTP_403_FORBIDDEN)
    if isinstance(exc, WorkflowError):
        return errors_response({ALL: [exc.message]}, status.HTTP_400_BAD_REQUEST)
    # Django's own refusals, without their text (it may name a model).
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = exception_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        return response
    response.data = {"errors": errors_of(_message(exc))}
    return response

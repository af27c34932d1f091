"""The public eligibility checker, as a page and as JSON."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import AllowAny
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.ratelimit import rate_limited

from . import eligibility
from .forms import EligibilityApiForm, EligibilityForm
from .models import Field, Level
from .policies import NoPolicyInForce, eligibility_evaluate

API_RATE_SCOPE = "eligibility-api"


def _evaluate(form: EligibilityForm):
    """Evaluate a valid form; turn rule-level input errors into form errors."""
    try:
        return eligibility_evaluate(inputs=form.rule_input())
    except NoPolicyInForce as exc:
        form.add_error("on", str(exc))
    except eligibility.InvalidInput as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    return None, None


@require_GET
def eligibility_check(request: HttpRequest) -> HttpResponse:
    form = EligibilityForm(request.GET or None)
    outcome = version = None
    if form.is_valid():
        outcome, version = _evaluate(form)
    return render(
        request,
        "rules/eligibility.html",
        {
            "form": form,
            "outcome": outcome,
            "policy": version,
            "documents": eligibility.required_documents(birth_date=None, on=form.cleaned_data["on"])
            if outcome
            else (),
        },
        status=400 if form.is_bound and not outcome else 200,
    )


class FindingSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()


class EligibilityOutcomeSerializer(serializers.Serializer):
    """``rules.eligibility.Outcome.to_dict()``: what every 200 answer carries."""

    eligible = serializers.BooleanField()
    concession_applies = serializers.BooleanField()
    policy_version = serializers.IntegerField()
    standard_end = serializers.DateField()
    maximum_end = serializers.DateField()
    programme_end = serializers.DateField()
    permit_start = serializers.DateField()
    permit_end = serializers.DateField()
    passport_required_until = serializers.DateField()
    passport_ok = serializers.BooleanField()
    max_permit_end_by_passport = serializers.DateField(allow_null=True)
    reasons = FindingSerializer(many=True)
    warnings = FindingSerializer(many=True)


class EligibilityErrorsSerializer(serializers.Serializer):
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text=gettext_lazy('Messages by parameter; "__all__" for the request as a whole.'),
    )


def _date_parameter(
    name: str, description: str | Promise, required: bool = False
) -> OpenApiParameter:
    return OpenApiParameter(name, OpenApiTypes.DATE, required=required, description=description)


class JsonOnly(BaseContentNegotiation):
    """Always JSON, whatever Accept says (the API answered JSON before it was a DRF view)."""

    def select_parser(self, request: Request, parsers: list[Any]) -> Any:
        return parsers[0] if parsers else None

    def select_renderer(
        self, request: Request, renderers: list[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        return renderers[0], renderers[0].media_type


class EligibilityApiView(APIView):
    """``GET /api/eligibility/``: public, no authentication, rate-limited per address."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes: list[Any] = []
    renderer_classes = [JSONRenderer]
    content_negotiation_class = JsonOnly
    # GET only, as always (not HEAD or OPTIONS either).
    http_method_names = ["get"]

    def perform_authentication(self, request: Request) -> None:
        """Nobody is authenticated here; the session's user stays the request's own."""

    @extend_schema(
        operation_id="eligibility_check",
        tags=["eligibility"],
        summary=gettext_lazy("Check whether a student qualifies for a full-programme permit"),
        description=gettext_lazy(
            "The public checker as JSON: the rule engine's outcome for the given programme and "
            "passport. No authentication; at most ELIGIBILITY_API_RATE_PER_MINUTE requests per "
            "address per minute. Messages are in the language of Accept-Language."
        ),
        auth=[],
        parameters=[
            OpenApiParameter(
                "level",
                str,
                required=True,
                enum=[code for code, _label in Level.choices],
                description=gettext_lazy("Level of study."),
            ),
            OpenApiParameter(
                "field",
                str,
                enum=[code for code, _label in Field.choices],
                description=gettext_lazy("Field of study; general unless given."),
            ),
            _date_parameter(
                "programme_start", gettext_lazy("The programme's first day."), required=True
            ),
            _date_parameter("programme_end", gettext_lazy("The programme's end, if known.")),
            OpenApiParameter(
                "prep_year",
                str,
                enum=["true", "false", "1", "0"],
                description=gettext_lazy("A one-year preparatory (language) class."),
            ),
            _date_parameter(
                "passport_expiry", gettext_lazy("The passport's expiry date."), required=True
            ),
            _date_parameter("entry_date", gettext_lazy("The day the student entered Türkiye.")),
            _date_parameter("on", gettext_lazy("The day of the application; today unless given.")),
            OpenApiParameter(
                "Retry-After",
                int,
                OpenApiParameter.HEADER,
                response=[429],
                description=gettext_lazy("Seconds to wait before the next request."),
            ),
        ],
        responses={
            200: EligibilityOutcomeSerializer,
            400: OpenApiResponse(
                EligibilityErrorsSerializer,
                description=gettext_lazy("Invalid parameters: the messages say why, by name."),
            ),
            429: OpenApiResponse(
                EligibilityErrorsSerializer,
                description=gettext_lazy("Too many requests from this address; see Retry-After."),
            ),
        },
    )
    def get(self, request: Request) -> Response:
        if rate_limited(
            request, scope=API_RATE_SCOPE, limit=settings.ELIGIBILITY_API_RATE_PER_MINUTE
        ):
            # The same shape as a 400, so a client reads every error the same way.
            return Response(
                {
                    "errors": {
                        "__all__": [
                            _("Too many requests from your address. Try again in a minute.")
                        ]
                    }
                },
                status=429,
                headers={"Retry-After": "60"},
            )
        form = EligibilityApiForm(request.query_params)
        if form.is_valid():
            outcome, _version = _evaluate(form)
            if outcome is not None:
                return Response(outcome.to_dict())
        return Response(
            {"errors": {name: list(messages) for name, messages in form.errors.items()}},
            status=400,
        )


eligibility_api = EligibilityApiView.as_view()

"""The public eligibility checker, as a page and as JSON."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core.ratelimit import rate_limited

from . import eligibility
from .forms import EligibilityApiForm, EligibilityForm
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


@require_GET
def eligibility_api(request: HttpRequest) -> JsonResponse:
    if rate_limited(request, scope=API_RATE_SCOPE, limit=settings.ELIGIBILITY_API_RATE_PER_MINUTE):
        # The same shape as a 400, so a client reads every error the same way.
        response = JsonResponse(
            {
                "errors": {
                    "__all__": [_("Too many requests from your address. Try again in a minute.")]
                }
            },
            status=429,
            json_dumps_params={"ensure_ascii": False},
        )
        response["Retry-After"] = "60"
        return response
    form = EligibilityApiForm(request.GET)
    if form.is_valid():
        outcome, _version = _evaluate(form)
        if outcome is not None:
            return JsonResponse(outcome.to_dict())
    return JsonResponse(
        {"errors": {name: list(messages) for name, messages in form.errors.items()}},
        status=400,
        json_dumps_params={"ensure_ascii": False},
    )

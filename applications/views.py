"""Public pages: the landing page and the eligibility checker (HTML and JSON)."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from . import eligibility
from .forms import EligibilityApiForm, EligibilityForm
from .policies import NoPolicyInForce, eligibility_evaluate


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "applications/home.html")


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
        "applications/eligibility.html",
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

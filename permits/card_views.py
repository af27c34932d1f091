"""The officers' pages of permit cards: the list by state with each card's next move, and the
upload of the card producer's CSV (preview, then apply). Officers and supervisors only.

The forms live here: they are the pages' own and small.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.decorators import officer_required
from cases.errors import WorkflowError
from core.forms import VersionedForm
from core.requests import post_data, post_files

from . import card_import
from .card import CardStatus, tracking_url
from .card_flow import FLOW
from .card_services import (
    TrackingNumberError,
    card_move,
    card_record_fee_paid,
    cards_filtered,
    cards_per_status,
)
from .models import PermitCard

PAGE_SIZE = 50
# The list's query keys that a move's form carries back to the list.
LIST_KEYS = ("status", "fee", "q", "page")


class CardFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("Card status"),
        choices=[("", gettext_lazy("Any")), *CardStatus.choices],
        required=False,
    )
    fee = forms.ChoiceField(
        label=gettext_lazy("Card fee"),
        choices=[
            ("", gettext_lazy("Paid or not")),
            ("unpaid", gettext_lazy("Not paid")),
            ("paid", gettext_lazy("Paid")),
        ],
        required=False,
    )
    q = forms.CharField(
        label=gettext_lazy("Permit or tracking number"), required=False, max_length=40
    )


class CardMoveForm(VersionedForm):
    to_status = forms.ChoiceField(
        label=gettext_lazy("Next state"),
        choices=[(s, s) for s in CardStatus.values if s != CardStatus.ORDERED],
        widget=forms.HiddenInput,
    )
    tracking_number = forms.CharField(
        label=gettext_lazy("PTT tracking number"),
        help_text=gettext_lazy("13 characters as on the label, for example RR123456785TR."),
        required=False,
        max_length=20,
    )
    back = forms.CharField(
        label=gettext_lazy("Back to"), required=False, widget=forms.HiddenInput, max_length=500
    )


class CardFeeForm(VersionedForm):
    back = forms.CharField(
        label=gettext_lazy("Back to"), required=False, widget=forms.HiddenInput, max_length=500
    )


class CardImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("The card producer's CSV file"),
        help_text=gettext_lazy(
            "Columns permit_number, status, tracking_number, date; at most 5,000 rows."
        ),
    )


def _back_to_list(raw: str) -> str:
    """The list as the officer left it: only the list's own keys are kept."""
    query = QueryDict(raw)
    kept = {key: query[key] for key in LIST_KEYS if query.get(key)}
    url = reverse("officer-cards")
    return f"{url}?{urlencode(kept)}" if kept else url


def _next_moves(card: PermitCard) -> list[tuple[str, str]]:
    order = list(CardStatus.values)
    targets = sorted(FLOW.transitions.get(card.status, ()), key=order.index)
    return [(target, str(CardStatus(target).label)) for target in targets]


@officer_required
@require_GET
def card_list(request: HttpRequest) -> HttpResponse:
    form = CardFilterForm(request.GET)
    filters = form.cleaned_data if form.is_valid() else {}
    cards = cards_filtered(
        status=filters.get("status", ""), fee=filters.get("fee", ""), q=filters.get("q", "")
    )
    page = Paginator(cards, PAGE_SIZE).get_page(request.GET.get("page"))
    query = urlencode({key: value for key, value in filters.items() if value})
    return render(
        request,
        "permits/card_list.html",
        {
            "filter_form": form,
            "page": page,
            "rows": [
                {
                    "card": card,
                    "moves": _next_moves(card),
                    "tracking_url": tracking_url(card.tracking_number)
                    if card.tracking_number
                    else "",
                }
                for card in page
            ],
            "counts": cards_per_status(),
            "query": query,
            "back": request.GET.urlencode(),
        },
    )


@officer_required
@require_POST
def card_move_view(request: HttpRequest, pk: int) -> HttpResponse:
    card = get_object_or_404(PermitCard.objects.select_related("permit__application"), pk=pk)
    form = CardMoveForm(request.POST)
    if form.is_valid():
        try:
            moved = card_move(
                card.pk,
                actor=request.user,
                to_status=form.cleaned_data["to_status"],
                expected_version=form.cleaned_data["version"],
                tracking_number=form.cleaned_data["tracking_number"],
            )
        except TrackingNumberError as exc:
            form.add_error("tracking_number", exc.message)
        except WorkflowError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("The card of permit %(number)s is now “%(status)s”.")
                % {"number": card.permit.number, "status": moved.get_status_display()},
            )
            return redirect(_back_to_list(form.cleaned_data["back"]))
    card.refresh_from_db()
    return render(
        request,
        "permits/card_move.html",
        {
            "card": card,
            "form": form,
            "moves": _next_moves(card),
            "back": form.data.get("back", ""),
            "back_url": _back_to_list(form.data.get("back", "")),
        },
        status=400,
    )


@officer_required
@require_POST
def card_fee_paid(request: HttpRequest, pk: int) -> HttpResponse:
    card = get_object_or_404(PermitCard.objects.select_related("permit"), pk=pk)
    form = CardFeeForm(request.POST)
    back = _back_to_list(request.POST.get("back", ""))
    if not form.is_valid():
        messages.error(request, _("The form was incomplete; nothing was saved."))
        return redirect(back)
    try:
        card_record_fee_paid(
            card.pk, actor=request.user, expected_version=form.cleaned_data["version"]
        )
    except WorkflowError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("The card fee of permit %(number)s is recorded as paid.")
            % {"number": card.permit.number},
        )
    return redirect(back)


@officer_required
@require_http_methods(["GET", "POST"])
def card_import_view(request: HttpRequest) -> HttpResponse:
    """Upload → the preview of every row; the preview's button → apply → the summary."""
    context: dict[str, object] = {"max_rows": card_import.MAX_ROWS}
    status = 200
    if request.method == "POST" and "payload" in request.POST:
        try:
            text = card_import.payload_text(payload=request.POST["payload"], actor=request.user)
            summary = card_import.card_import_apply(text=text, actor=request.user)
        except card_import.ImportRejected as exc:
            context["rejected"] = exc.message
            status = 400
        except card_import.ImportChanged as exc:
            context.update(preview=exc.preview, changed=exc.message)
            status = 409
        else:
            context["summary"] = summary
        context["form"] = CardImportForm()
        return render(request, "permits/card_import.html", context, status=status)
    form = CardImportForm(post_data(request), post_files(request))
    if request.method == "POST" and form.is_valid():
        try:
            text = card_import.read_text(form.cleaned_data["file"])
            preview = card_import.card_import_preview(text=text)
        except card_import.ImportRejected as exc:
            form.add_error("file", exc.message)
        else:
            context["preview"] = preview
            if preview.ok:
                context["payload"] = card_import.payload_sign(text=text, actor=request.user)
            else:
                status = 400
    if form.errors:
        status = 400
    context["form"] = form if form.errors else CardImportForm()
    return render(request, "permits/card_import.html", context, status=status)

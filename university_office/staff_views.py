"""Supervisors' pages for the universities: their international-office accounts (create,
deactivate) and whether each checks documents before the queue."""

from __future__ import annotations

from allauth.account.forms import ResetPasswordForm
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.decorators import supervisor_required
from cases.errors import WorkflowError
from universities.models import University, UniversityStaff

from . import services
from .forms import StaffCreateForm, UniversitySettingsForm


def _send_password_link(request: HttpRequest, email: str) -> None:
    """The new account's owner chooses a password from allauth's reset e-mail (through the
    outbox, in their language); the supervisor never knows it."""
    form = ResetPasswordForm(data={"email": email})
    if form.is_valid():
        form.save(request)


@require_http_methods(["GET", "POST"])
@supervisor_required
def staff_list(request: HttpRequest) -> HttpResponse:
    form = StaffCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            membership = services.university_staff_create(
                actor=request.user,
                email=form.cleaned_data["email"],
                university=form.cleaned_data["university"],
                language=form.cleaned_data["language"],
            )
        except WorkflowError as exc:
            form.add_error("email", exc.message)
        else:
            _send_password_link(request, membership.user.email)
            messages.success(
                request,
                _(
                    "The account %(email)s was created for %(university)s. Its owner gets an "
                    "e-mail to choose a password, then sets up an authenticator app at the first "
                    "sign-in."
                )
                % {"email": membership.user.email, "university": membership.university},
            )
            return redirect("supervisor-university-staff")
    members = UniversityStaff.objects.select_related("user", "university", "created_by")
    page = Paginator(members, 50).get_page(request.GET.get("page"))
    universities = University.objects.filter(staff__isnull=False).distinct().order_by("name")
    return render(
        request,
        "university_office/supervisor/staff.html",
        {"form": form, "page": page, "universities": universities},
        status=400 if request.method == "POST" else 200,
    )


@supervisor_required
@require_POST
def staff_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    membership = get_object_or_404(UniversityStaff, pk=pk)
    services.university_staff_deactivate(actor=request.user, membership_id=membership.pk)
    messages.success(
        request, _("%(email)s can no longer sign in.") % {"email": membership.user.email}
    )
    return redirect("supervisor-university-staff")


@supervisor_required
@require_POST
def staff_reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    membership = get_object_or_404(UniversityStaff, pk=pk)
    services.university_staff_reactivate(actor=request.user, membership_id=membership.pk)
    messages.success(request, _("%(email)s can sign in again.") % {"email": membership.user.email})
    return redirect("supervisor-university-staff")


@require_http_methods(["GET", "POST"])
@supervisor_required
def university_settings(request: HttpRequest, pk: int) -> HttpResponse:
    university = get_object_or_404(University, pk=pk)
    form = UniversitySettingsForm(request.POST or None, instance=university)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(
            request, _("The settings of %(university)s were saved.") % {"university": university}
        )
        return redirect("supervisor-university-staff")
    return render(
        request,
        "university_office/supervisor/university.html",
        {"form": form, "university": university},
        status=400 if request.method == "POST" else 200,
    )

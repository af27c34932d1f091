"""The international office's bulk work: CSV uploads of confirmations and ends of studies
(preview, apply, result file) and the CSV export of its students.

Every view takes the office's university from ``office_view``; an upload of another
university is a 404, as if it did not exist.
"""

from __future__ import annotations

import csv
import logging
from collections.abc import Iterable, Iterator
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from applications.models import EnrolmentStatus, Kind, Status
from permits.models import PermitStatus
from rules.models import Field, Level
from universities.models import University

from .bulk.apply import apply_claim, apply_reap_stale, apply_release, apply_upload
from .bulk.formats import DELIMITERS, FORMATS, pending_confirmations_csv, template_csv
from .bulk.parsing import CsvRejected, max_bytes, max_rows
from .bulk.progress import progress_get, progress_set
from .bulk.results import csv_safe
from .bulk.tasks import apply_bulk_upload, async_threshold
from .bulk.uploads import upload_create
from .decorators import office_view
from .models import BulkKind, BulkState, BulkUpload
from .selectors import pending_confirmations, university_students

logger = logging.getLogger(__name__)

RECENT_UPLOADS = 20
EXPORT_CHUNK_SIZE = 2000
# Seconds between reloads of the status page while a file is being applied.
REFRESH_SECONDS = 3
# Rows of a checked file shown on its page (all problems are always shown).
PREVIEW_ROWS = 50


class UploadForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("What the file holds"),
        choices=BulkKind.choices,
        widget=forms.RadioSelect,
    )
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        widget=forms.FileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "A CSV file saved as UTF-8, with commas or semicolons between the cells; at most "
            "%(size)s MB and %(rows)s rows. Nothing is written until you have seen the check "
            "and applied the file."
        ) % {"size": f"{max_bytes() / (1024 * 1024):g}", "rows": max_rows()}


class _Echo:
    """A file-like object whose write returns the line, for csv.writer inside a generator."""

    def write(self, value: str) -> str:
        return value


def _user(request: HttpRequest) -> User:
    """The signed-in office member (``office_view`` let nobody else in)."""
    return cast(User, request.user)


def _upload_of(university: University, pk: int) -> BulkUpload:
    return get_object_or_404(
        BulkUpload.objects.select_related("uploaded_by"), pk=pk, university=university
    )


def _csv_response(text: str, filename: str) -> HttpResponse:
    response = HttpResponse(text.encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- upload ----------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
@office_view
def bulk_home(request: HttpRequest, university: University) -> HttpResponse:
    """Choose the kind, upload a file; the templates, the columns and recent uploads."""
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                upload = upload_create(
                    actor=_user(request),
                    university=university,
                    kind=form.cleaned_data["kind"],
                    file=form.cleaned_data["file"],
                )
            except CsvRejected as exc:
                form.add_error("file", exc.message)
            else:
                logger.info(
                    "CSV upload %s (%s, %s rows) checked for university %s by user %s",
                    upload.pk,
                    upload.kind,
                    upload.row_count,
                    university.pk,
                    request.user.pk,
                )
                return redirect("university-bulk-preview", pk=upload.pk)
    else:
        initial_kind = request.GET.get("kind")
        form = UploadForm(initial={"kind": initial_kind if initial_kind in FORMATS else None})
    context = {
        "office_university": university,
        "form": form,
        "formats": list(FORMATS.values()),
        "uploads": BulkUpload.objects.filter(university=university)
        .select_related("uploaded_by")
        .defer("rows", "results", "result_csv")[:RECENT_UPLOADS],
    }
    status = 400 if form.is_bound else 200
    return render(request, "university_office/bulk/home.html", context, status=status)


@require_GET
@office_view
def bulk_template(request: HttpRequest, university: University, kind: str) -> HttpResponse:
    """The empty file to fill in (column names only); ``?sep=semicolon`` as Excel in Türkiye
    reads it."""
    if kind not in FORMATS:
        raise Http404
    delimiter = DELIMITERS.get(request.GET.get("sep", ""), ",")
    if kind == "confirmations" and request.GET.get("pending"):
        pending = pending_confirmations(university).iterator(chunk_size=2000)
        return _csv_response(
            pending_confirmations_csv(pending, delimiter=delimiter), "confirmations-pending.csv"
        )
    return _csv_response(template_csv(kind, delimiter=delimiter), f"{kind}-template.csv")


# --- preview, apply, result ------------------------------------------------------------------


@never_cache
@require_GET
@office_view
def bulk_preview(request: HttpRequest, university: University, pk: int) -> HttpResponse:
    """The checked file: its counts and every problem; the apply button when all is well; the
    progress while it is applied (the page reloads itself); the summary afterwards."""
    upload = apply_reap_stale(_upload_of(university, pk))
    problems = [
        {"row": result["row"], "cells": cells, **problem}
        for result, cells in zip(
            upload.results, (row["cells"] for row in upload.rows), strict=False
        )
        for problem in result.get("problems", [])
    ]
    context: dict[str, Any] = {
        "office_university": university,
        "upload": upload,
        "format": FORMATS[upload.kind],
        "problems": problems,
        "columns": upload.columns,
        "preview_rows": [
            [row["cells"].get(column, "") for column in upload.columns]
            for row in upload.rows[:PREVIEW_ROWS]
        ],
        "more_rows": max(0, upload.row_count - PREVIEW_ROWS),
        "refresh_seconds": REFRESH_SECONDS,
    }
    if upload.state == BulkState.APPLYING:
        done, total = progress_get(upload.pk) or (0, upload.row_count)
        total = total or upload.row_count
        context["done"] = done
        context["total"] = total
        context["percent"] = int(done * 100 / total) if total else 0
    if upload.state == BulkState.APPLIED:
        outcomes: dict[str, int] = {}
        for result in upload.results:
            outcomes[result.get("outcome", "")] = outcomes.get(result.get("outcome", ""), 0) + 1
        context["outcomes"] = outcomes
    response = render(request, "university_office/bulk/preview.html", context)
    if upload.state == BulkState.APPLYING:
        # Reloads without JavaScript (the page's <meta> says the same).
        response["Refresh"] = str(REFRESH_SECONDS)
    return response


@office_view
@require_POST
def bulk_apply(request: HttpRequest, university: University, pk: int) -> HttpResponse:
    """Apply every row of a checked file in one transaction: a small file now, a large one in
    the background with a progress bar."""
    upload = _upload_of(university, pk)
    if upload.state == BulkState.INVALID:
        messages.error(request, _("Correct the rows listed below first; nothing was written."))
        return redirect("university-bulk-preview", pk=upload.pk)
    if not apply_claim(upload, actor=_user(request)):
        messages.info(request, _("This file is already being applied or was applied."))
        return redirect("university-bulk-preview", pk=upload.pk)
    logger.info(
        "CSV upload %s (%s rows) applied for university %s by user %s",
        upload.pk,
        upload.row_count,
        university.pk,
        request.user.pk,
    )
    if upload.row_count > async_threshold():
        progress_set(upload.pk, 0, upload.row_count)
        try:
            apply_bulk_upload.delay(upload.pk, request.user.pk, translation.get_language())
        except Exception:
            logger.exception("CSV upload %s: the background worker could not be reached", upload.pk)
            apply_release(upload)
            messages.error(
                request,
                _(
                    "The file could not be started: the portal's background worker cannot be "
                    "reached. Nothing was written; try again in a few minutes."
                ),
            )
        return redirect("university-bulk-preview", pk=upload.pk)
    upload = apply_upload(upload.pk, actor=_user(request))
    if upload.state == BulkState.APPLIED:
        messages.success(
            request,
            _("All %(count)s rows were applied.") % {"count": upload.applied_count},
        )
    return redirect("university-bulk-preview", pk=upload.pk)


@never_cache
@require_GET
@office_view
def bulk_result(request: HttpRequest, university: University, pk: int) -> HttpResponse:
    """Every row of the file with its outcome and message."""
    upload = _upload_of(university, pk)
    if upload.state == BulkState.APPLYING:
        raise Http404
    return _csv_response(upload.result_csv, f"result-{upload.kind}-{upload.pk}.csv")


# --- the students export ---------------------------------------------------------------------

EXPORT_HEADER = (
    gettext_lazy("Surname"),
    gettext_lazy("Given names"),
    gettext_lazy("Student number"),
    gettext_lazy("Reference"),
    gettext_lazy("Kind"),
    gettext_lazy("Status"),
    gettext_lazy("Level"),
    gettext_lazy("Field"),
    gettext_lazy("Programme start"),
    gettext_lazy("Programme end"),
    gettext_lazy("Confirmation number"),
    gettext_lazy("Confirmation status"),
    gettext_lazy("Permit number"),
    gettext_lazy("Permit status"),
    gettext_lazy("Permit valid until"),
)


def _related(case: Any, name: str) -> Any:
    """A one-to-one the case may not have (no permit yet, no confirmation asked)."""
    try:
        return getattr(case, name)
    except ObjectDoesNotExist:
        return None


def _student_lines(cases: Iterable[Any]) -> Iterator[str]:
    # Labels translated now, in the request's language: the lines are written after the view
    # has returned.
    labels = {
        "kind": {k.value: str(k.label) for k in Kind},
        "status": {s.value: str(s.label) for s in Status},
        "level": {v.value: str(v.label) for v in Level},
        "field": {v.value: str(v.label) for v in Field},
        "enrolment": {v.value: str(v.label) for v in EnrolmentStatus},
        "permit": {v.value: str(v.label) for v in PermitStatus},
    }
    header = [str(title) for title in EXPORT_HEADER]
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield "\ufeff" + writer.writerow(header)
        for case in cases:
            permit = _related(case, "permit")
            enrolment = _related(case, "enrolment")
            cells = [
                case.surname,
                case.given_names,
                case.student_number,
                case.reference or "",
                labels["kind"].get(case.kind, case.kind),
                labels["status"].get(case.status, case.status),
                labels["level"].get(case.level, case.level),
                labels["field"].get(case.field, case.field),
                case.programme_start.isoformat() if case.programme_start else "",
                case.programme_end.isoformat() if case.programme_end else "",
                enrolment.number or "" if enrolment else "",
                labels["enrolment"].get(enrolment.status, enrolment.status) if enrolment else "",
                permit.number if permit else "",
                labels["permit"].get(permit.status, permit.status) if permit else "",
                permit.valid_to.isoformat() if permit else "",
            ]
            yield writer.writerow([csv_safe(cell) for cell in cells])

    return lines()


@never_cache
@require_GET
@office_view
def students_export(request: HttpRequest, university: University) -> StreamingHttpResponse:
    """The office's students and their statuses as CSV, with the students list's filters
    (``status``, ``kind``, ``q``). No passport number or FIN is ever in it: the selector does not
    load them. Streamed from a server-side cursor, so a large university's file starts at once."""
    status = request.GET.get("status", "")
    kind = request.GET.get("kind", "")
    cases = university_students(
        university,
        status=status if status in Status.values else "",
        kind=kind if kind in Kind.values else "",
        search=request.GET.get("q", "")[:64],
    )
    today = timezone.localdate()
    # The filter names only: a search term may be a name.
    logger.info(
        "Students of university %s exported as CSV by user %s (filters: %s)",
        university.pk,
        request.user.pk,
        sorted(request.GET),
    )
    response = StreamingHttpResponse(
        _student_lines(cases.iterator(chunk_size=EXPORT_CHUNK_SIZE)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="students-{today.isoformat()}.csv"'
    response["X-Content-Type-Options"] = "nosniff"
    return response

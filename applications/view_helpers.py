"""What the student's pages share: finding the student's own application, showing a refusal,
and the upload form of a draft or an information request."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from documents.rejections import UploadRejected
from rules import eligibility

from . import selectors, workflow
from .forms import (
    DocumentUploadForm,
)
from .models import Application, Status
from .permissions import own_applications
from .precheck_flow import last_returned_round


def own_application(request: HttpRequest, pk: int) -> Application:
    return get_object_or_404(
        own_applications(request.user).select_related(
            "university", "province", "policy_version", "permit"
        ),
        pk=pk,
    )


def show_failure(request: HttpRequest, error: workflow.WorkflowError | UploadRejected) -> None:
    messages.error(request, error.message)


def kind_labels(codes: list[str]) -> list[str]:
    labels = dict(eligibility.DOCUMENT_KINDS)
    return [labels[code] for code in codes if code in labels]


def upload_form(application: Application, data=None, files=None) -> DocumentUploadForm:
    kinds = list(eligibility.DOCUMENT_KINDS)
    if application.status == Status.INFO_REQUESTED:
        request = selectors.open_info_request(application)
        allowed = {*request.document_kinds, "other"} if request else {"other"}
        kinds = [(code, label) for code, label in kinds if code in allowed]
    elif application.status == Status.RETURNED:
        returned = last_returned_round(application)
        allowed = {*returned.returned_documents, "other"} if returned else {"other"}
        kinds = [(code, label) for code, label in kinds if code in allowed]
    return DocumentUploadForm(data, files, kinds=kinds)

"""``/api/v1/``: a university's systems read its students' cases and answer for its office.

Every query starts from ``request.auth.university`` (the token's) through the office's selectors;
another university's reference is simply not found (404, as an unknown one: existence does not
leak). Every write is the service the office's pages call, with channel "api", acting as the
account that made the token; refusals come back in the portal's error shape (``exceptions.py``).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from applications import enrolment, precheck
from applications.models import Application, EnrolmentConfirmation, EnrolmentStatus
from documents.models import Document
from universities.models import University

from .. import selectors, services
from ..models import Channel, StudyEndReport
from . import serializers as s
from .base import (
    ALL_ERRORS,
    RETRY_AFTER,
    UniversityAPIView,
    UniversityListView,
    path_parameter,
    reference_or_404,
    university_of,
)

# --- Students ---


def student_or_404(university: University, reference: str) -> Application:
    case = selectors.university_students(university).filter(reference=reference).first()
    if case is None:
        raise NotFound(_("No case of your university has this reference."))
    return case


class StudentList(UniversityListView):
    serializer_class = s.StudentSerializer

    def scoped(self, university: University) -> QuerySet[Any]:
        return selectors.university_students(university, **self.filters(s.StudentFilterSerializer))

    @extend_schema(
        operation_id="students_list",
        tags=["students"],
        summary=gettext_lazy("Your university's students' cases"),
        description=gettext_lazy(
            "Every first application and extension a student of your university handed in, "
            "newest first, with its permit and enrolment confirmation."
        ),
        parameters=[s.StudentFilterSerializer, RETRY_AFTER],
        responses={200: s.StudentSerializer(many=True), **ALL_ERRORS},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class StudentDetail(UniversityAPIView):
    @extend_schema(
        operation_id="students_retrieve",
        tags=["students"],
        summary=gettext_lazy("One case, by its reference"),
        description=gettext_lazy("The case, its permit and its enrolment confirmation."),
        parameters=[
            path_parameter("reference", gettext_lazy("The case's reference (AZTR-…).")),
            RETRY_AFTER,
        ],
        responses={200: s.StudentSerializer, **ALL_ERRORS},
    )
    def get(self, request: Request, reference: str) -> Response:
        case = student_or_404(university_of(request), reference_or_404(reference))
        return Response(s.StudentSerializer(case).data)


# --- Enrolment confirmations ---


def confirmations_of(university: University, status: str) -> QuerySet[EnrolmentConfirmation]:
    if status == EnrolmentStatus.REQUESTED:
        return selectors.pending_confirmations(university)
    return (
        EnrolmentConfirmation.objects.filter(university=university, status=status)
        .filter(application__anonymised_at__isnull=True)
        .select_related("application")
        .order_by("-answered_at", "-pk")
    )


def confirmation_or_404(university: University, number: str) -> EnrolmentConfirmation:
    confirmation = selectors.confirmation_by_reference(university, reference_or_404(number))
    if confirmation is None:
        raise NotFound(_("No enrolment confirmation of your university has this number."))
    return confirmation


NUMBER = path_parameter(
    "number",
    gettext_lazy("The confirmation's number (EC-…), or the reference of its application."),
)


class ConfirmationList(UniversityListView):
    serializer_class = s.ConfirmationSerializer

    def scoped(self, university: University) -> QuerySet[Any]:
        return confirmations_of(university, self.filters(s.ConfirmationFilterSerializer)["status"])

    @extend_schema(
        operation_id="confirmations_list",
        tags=["confirmations"],
        summary=gettext_lazy("Enrolment confirmations (waiting ones by default)"),
        description=gettext_lazy(
            "Those waiting for your answer unless `status` asks for the answered or cancelled "
            "ones: waiting ones oldest first, the others latest answer first."
        ),
        parameters=[s.ConfirmationFilterSerializer, RETRY_AFTER],
        responses={200: s.ConfirmationSerializer(many=True), **ALL_ERRORS},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class ConfirmationDetail(UniversityAPIView):
    @extend_schema(
        operation_id="confirmations_retrieve",
        tags=["confirmations"],
        summary=gettext_lazy("One enrolment confirmation"),
        description=gettext_lazy(
            "What the student stated and, once answered, what your university confirmed or "
            "why it declined."
        ),
        parameters=[NUMBER, RETRY_AFTER],
        responses={200: s.ConfirmationSerializer, **ALL_ERRORS},
    )
    def get(self, request: Request, number: str) -> Response:
        confirmation = confirmation_or_404(university_of(request), number)
        return Response(s.ConfirmationSerializer(confirmation).data)


def _answered(university: University, confirmation: EnrolmentConfirmation) -> Response:
    fresh = selectors.confirmation_for(university, confirmation.pk)
    return Response(s.ConfirmationSerializer(fresh).data)


class ConfirmationConfirm(UniversityAPIView):
    @extend_schema(
        operation_id="confirmations_confirm",
        tags=["confirmations"],
        summary=gettext_lazy("Confirm (or correct) the student's enrolment"),
        description=gettext_lazy(
            "The level, field and programme dates your university holds: the student's, or "
            "corrected. The rules are evaluated again with them."
        ),
        parameters=[NUMBER, RETRY_AFTER],
        request=s.ConfirmInputSerializer,
        responses={200: s.ConfirmationSerializer, **ALL_ERRORS},
    )
    def post(self, request: Request, number: str) -> Response:
        university = university_of(request)
        confirmation = confirmation_or_404(university, number)
        facts = s.ConfirmInputSerializer(data=request.data)
        facts.is_valid(raise_exception=True)
        enrolment.enrolment_confirm(
            confirmation_id=confirmation.pk,
            actor=request.user,
            expected_version=None,
            channel=Channel.API,
            **facts.validated_data,
        )
        return _answered(university, confirmation)


class ConfirmationDecline(UniversityAPIView):
    @extend_schema(
        operation_id="confirmations_decline",
        tags=["confirmations"],
        summary=gettext_lazy("Do not confirm: the student is not (or no longer) enrolled"),
        description=gettext_lazy("The student is told, with your reason."),
        parameters=[NUMBER, RETRY_AFTER],
        request=s.DeclineInputSerializer,
        responses={200: s.ConfirmationSerializer, **ALL_ERRORS},
    )
    def post(self, request: Request, number: str) -> Response:
        university = university_of(request)
        confirmation = confirmation_or_404(university, number)
        answer = s.DeclineInputSerializer(data=request.data)
        answer.is_valid(raise_exception=True)
        enrolment.enrolment_decline(
            confirmation_id=confirmation.pk,
            actor=request.user,
            reason=answer.validated_data["reason"],
            expected_version=None,
            channel=Channel.API,
        )
        return _answered(university, confirmation)


# --- The document check ---


def precheck_cases(university: University) -> QuerySet[Application]:
    """The cases waiting for the check, each with the kinds of its current documents."""
    current = Document.objects.filter(is_current=True).only(
        "pk", "application_id", "kind", "uploaded_at"
    )
    return selectors.precheck_waiting(university).prefetch_related(
        Prefetch("documents", queryset=current.order_by("kind", "pk"), to_attr="current_documents")
    )


def waiting_or_404(university: University, reference: str) -> Application:
    case = selectors.precheck_waiting(university).filter(reference=reference_or_404(reference))
    found = case.first()
    if found is None:
        raise NotFound(
            _("No case of your university waiting for the document check has this reference.")
        )
    return found


PRECHECK_REFERENCE = path_parameter(
    "reference", gettext_lazy("The reference (AZTR-…) of a case waiting for the check.")
)


class PrecheckList(UniversityListView):
    serializer_class = s.PrecheckCaseSerializer

    def scoped(self, university: University) -> QuerySet[Any]:
        return precheck_cases(university)

    @extend_schema(
        operation_id="precheck_list",
        tags=["precheck"],
        summary=gettext_lazy("Cases waiting for your document check"),
        description=gettext_lazy(
            "Oldest hand-in first, each with the kinds of its current documents (their files "
            "stay on the portal)."
        ),
        parameters=[RETRY_AFTER],
        responses={200: s.PrecheckCaseSerializer(many=True), **ALL_ERRORS},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


def _checked(university: University, case: Application) -> Response:
    return Response(s.StudentSerializer(student_or_404(university, case.reference or "")).data)


class PrecheckPass(UniversityAPIView):
    @extend_schema(
        operation_id="precheck_pass",
        tags=["precheck"],
        summary=gettext_lazy("The documents are complete: on to the migration office"),
        description=gettext_lazy(
            "The case goes on to the migration office's queue; the legal deadline starts then."
        ),
        parameters=[PRECHECK_REFERENCE, RETRY_AFTER],
        request=None,
        responses={200: s.StudentSerializer, **ALL_ERRORS},
    )
    def post(self, request: Request, reference: str) -> Response:
        university = university_of(request)
        case = waiting_or_404(university, reference)
        precheck.precheck_pass(
            application_id=case.pk, actor=request.user, expected_version=case.version
        )
        return _checked(university, case)


class PrecheckReturn(UniversityAPIView):
    @extend_schema(
        operation_id="precheck_return",
        tags=["precheck"],
        summary=gettext_lazy("Back to the student, with a reason for each document to replace"),
        description=gettext_lazy(
            "The student replaces those documents and hands the application in again."
        ),
        parameters=[PRECHECK_REFERENCE, RETRY_AFTER],
        request=s.PrecheckReturnInputSerializer,
        responses={200: s.StudentSerializer, **ALL_ERRORS},
    )
    def post(self, request: Request, reference: str) -> Response:
        university = university_of(request)
        case = waiting_or_404(university, reference)
        answer = s.PrecheckReturnInputSerializer(data=request.data)
        answer.is_valid(raise_exception=True)
        precheck.precheck_return(
            application_id=case.pk,
            actor=request.user,
            expected_version=case.version,
            reasons=answer.validated_data["documents"],
            note=answer.validated_data["note"],
        )
        return _checked(university, case)


# --- Ends of studies ---


class ReportList(UniversityListView):
    serializer_class = s.StudyEndReportSerializer

    def scoped(self, university: University) -> QuerySet[Any]:
        return selectors.study_end_reports(university).select_related("permit__application")

    @extend_schema(
        operation_id="reports_list",
        tags=["reports"],
        summary=gettext_lazy("The ends of studies your university reported"),
        description=gettext_lazy(
            "Newest first, each with the state of the end-of-studies case it opened."
        ),
        parameters=[RETRY_AFTER],
        responses={200: s.StudyEndReportSerializer(many=True), **ALL_ERRORS},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="reports_create",
        tags=["reports"],
        summary=gettext_lazy("Report a graduation, withdrawal, suspension or transfer"),
        description=gettext_lazy(
            "Opens the end-of-studies case of the student's valid permit; the student is told."
        ),
        parameters=[RETRY_AFTER],
        request=s.ReportInputSerializer,
        responses={201: s.StudyEndReportSerializer, **ALL_ERRORS},
    )
    def post(self, request: Request) -> Response:
        university = university_of(request)
        report = s.ReportInputSerializer(data=request.data)
        report.is_valid(raise_exception=True)
        data = report.validated_data
        if selectors.current_permit_of(university, data["reference"]) is None:
            raise NotFound(
                _("No student of your university with a valid permit has this reference.")
            )
        made: StudyEndReport = services.study_end_report(
            actor=request.user,
            reference=data["reference"],
            reason=data["reason"],
            effective_on=data["effective_on"],
            channel=Channel.API,
        )
        fresh = self.scoped(university).get(pk=made.pk)
        return Response(s.StudyEndReportSerializer(fresh).data, status=status.HTTP_201_CREATED)

"""The first application and the extension, registered as kinds of case with the officers'
side. They share one table (and every page of the review): ``Application.kind`` tells them
apart.

Registering is what puts applications into the queue, claim-next, the deadline tracking and the
supervisor dashboard; a new kind of case registers its own ``CaseKind`` the same way.
"""

from __future__ import annotations

import dataclasses

from django.utils.translation import gettext_lazy as _

from cases.registry import CaseKind, QueueSpec

from . import queue, queue_export, queue_rows
from .decisions import application_claim
from .flow import FLOW
from .models import OPEN_STATUSES, Application, Kind, Status

APPLICATION = CaseKind(
    code="application",
    label=_("First application"),
    flow=FLOW,
    open_statuses=tuple(OPEN_STATUSES),
    queue_statuses=tuple(s.value for s in queue.QUEUE_STATUSES),
    granted_status=Status.APPROVED,
    refused_status=Status.REJECTED,
    claimable_statuses=(Status.SUBMITTED, Status.UNDER_REVIEW),
    claim=application_claim,
    review_url_name="officer-review",
    queue=QueueSpec(
        filtered=queue.queue_filtered,
        sorted=queue.queue_sorted,
        row=queue.queue_row,
        csv_columns=queue_export.csv_columns,
        sorts=tuple(queue.SORTS),
        default_sort=queue.DEFAULT_SORT,
        page_size=queue.PAGE_SIZE,
        table_template="applications/queue_table.html",
        rows_html=queue_rows.rows_html,
        list_fields=queue.LIST_FIELDS,
        list_related=(),
    ),
    cases=lambda: Application.objects.filter(kind=Kind.FIRST),
    owns=lambda application: application.kind == Kind.FIRST,
    # LFIP Art. 21(5): 90 days from a complete application (completeness.py).
    clock_field="complete_at",
)

EXTENSION = dataclasses.replace(
    APPLICATION,
    code="extension",
    label=_("Extension application"),
    queue=dataclasses.replace(APPLICATION.queue, filtered=queue.extensions_filtered),
    cases=lambda: Application.objects.filter(kind=Kind.EXTENSION),
    owns=lambda application: application.kind == Kind.EXTENSION,
)

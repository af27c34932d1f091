"""The portal's pages at scale, the officer queue measured against the Django admin.

The officer queue and the admin changelist are measured as pairs showing the same rows in the
same order, alternating request by request (and which of the two goes first), so the machine's
noise hits both alike. The review page, a busy student's dashboard and the eligibility API are
timed on their own.
"""

from __future__ import annotations

import common  # this folder is not a package
import queue_kinds_data
from page_timing import Page, measure
from progress import log


def pages(args) -> dict:
    found = page_set()
    groups, singles, pairs = found["groups"], found["singles"], found["pairs"]
    log(f"Timing pages: {args.requests} requests each after {args.warmup} warm-up requests ...")
    measure(groups + singles, warmup=args.warmup, requests=args.requests)

    results = {page.name: page.result() for group in groups + singles for page in group}
    results["student_dashboard"]["applications_listed"] = found["busiest"]
    ratios = {
        key: round(results[f"queue_{key}"]["median_ms"] / results[f"admin_{key}"]["median_ms"], 2)
        for key, _ours, _theirs in pairs
    }
    return {
        "page_size": found["page_size"],
        "pages": results,
        "queue_to_admin_median_ratio": ratios,
        # Seeded, made-up values (seed_bulk), not anyone's identifiers.
        "search_terms": found["search_terms"],
    }


def page_set() -> dict:
    """Every page of the run, on the database in use: the queue/admin pairs and the pages
    timed on their own (``growth.py`` times the same pages at two sizes)."""
    from django.db.models import Count
    from django.urls import reverse
    from django.utils import timezone

    from accounts.models import User
    from applications.case_kind import APPLICATION
    from applications.models import OPEN_STATUSES, Application, Status
    from reports.models import OPEN_REPORT_STATUSES, Report
    from rules.models import Level
    from universities.models import Province

    log(f"Other kinds of case for the queue: {queue_kinds_data.top_up()}")
    officer = User.objects.get(email="officer1@bulk.example.com")
    officer_client = common.signed_in_client(officer)
    admin_user = common.bench_admin()
    admin_client = common.signed_in_client(admin_user)
    queue = reverse("officer-queue")
    changelist = reverse("admin:applications_application_changelist")
    reports = reverse("admin:reports_report_changelist")
    open_reports = ",".join(s.value for s in OPEN_REPORT_STATUSES)

    # The admin shows the queue's rows in the queue's order: open statuses, oldest first.
    open_values = ",".join(s.value for s in OPEN_STATUSES)
    order = _admin_column(admin_user, "submitted_at")
    same_rows = f"status__in={open_values}&o={order}"

    istanbul = Province.objects.get(code=34).pk
    open_work = Application.objects.filter(status__in=OPEN_STATUSES)
    open_count = open_work.count()
    sample = open_work.order_by("submitted_at", "pk")[open_count // 2]
    # Page 200 at 100,000 applications (the last page on a smaller --applications).
    deep = min(200, -(-open_count // APPLICATION.queue.page_size))
    name = f"{sample.surname} {sample.given_names}"
    passport = sample.passport_number
    from urllib.parse import quote

    pairs = [
        ("default", queue, f"{changelist}?{same_rows}"),
        (
            "filtered",
            f"{queue}?status=under_review&level={Level.BACHELOR}&province={istanbul}",
            f"{changelist}?status__exact=under_review&level__exact={Level.BACHELOR}"
            f"&province__id__exact={istanbul}&o={order}",
        ),
        ("search_name", f"{queue}?q={quote(name)}", f"{changelist}?q={quote(name)}&{same_rows}"),
        (
            "search_passport",
            f"{queue}?q={passport}",
            f"{changelist}?q={passport}&{same_rows}",
        ),
        ("page_200", f"{queue}?page={deep}", f"{changelist}?{same_rows}&p={deep}"),
        # The other kinds' tabs: extensions share the applications' table and admin; reports
        # have their own (reports/admin.py, set up the same way).
        (
            "extensions",
            f"{queue}?kind=extension",
            f"{changelist}?kind__exact=extension&{same_rows}",
        ),
        (
            "reports",
            f"{queue}?kind=report",
            f"{reports}?status__in={open_reports}"
            f"&o={_admin_column(admin_user, 'submitted_at', model=Report)}",
        ),
    ]
    groups = [
        [Page(f"queue_{key}", officer_client, ours), Page(f"admin_{key}", admin_client, theirs)]
        for key, ours, theirs in pairs
    ]

    # The review page, over a rotation of applications under review (each opening is recorded
    # in the access log, as in real use).
    under_review = list(
        Application.objects.filter(status=Status.UNDER_REVIEW)
        .order_by("pk")
        .values_list("pk", flat=True)[:10]
    )
    review = Page(
        "review",
        officer_client,
        lambda n: reverse("officer-review", args=[under_review[n % len(under_review)]]),
    )
    # The dashboard of a student with the most applications over the years.
    busiest = (
        Application.objects.values("applicant")
        .annotate(n=Count("pk"))
        .order_by("-n", "applicant")
        .first()
    )
    student = User.objects.get(pk=busiest["applicant"])
    dashboard = Page("student_dashboard", common.signed_in_client(student), reverse("dashboard"))
    today = timezone.localdate()
    api = Page(
        "eligibility_api",
        _anonymous_client(),
        f"{reverse('eligibility-api')}?level=bachelor&field=general"
        f"&programme_start={today.year}-09-16&passport_expiry={today.year + 8}-05-01"
        f"&entry_date={today.isoformat()}&on={today.isoformat()}",
    )
    # For information: the changelist as it opens, with the model's default order (newest
    # first, across every status).
    admin_plain = Page("admin_plain_changelist", admin_client, changelist)
    singles = [[review], [dashboard], [api], [admin_plain]]
    return {
        "groups": groups,
        "singles": singles,
        "pairs": pairs,
        "busiest": busiest["n"],
        "page_size": APPLICATION.queue.page_size,
        "search_terms": {"name": name, "passport": passport},
    }


def _admin_column(user, name: str, *, model=None) -> int:
    """The changelist's index of a column (its ``o`` parameter), as the admin counts them."""
    from django.contrib import admin
    from django.test import RequestFactory

    from applications.models import Application

    model_admin = admin.site._registry[model or Application]
    request = RequestFactory().get("/")
    request.user = user
    columns = list(model_admin.get_list_display(request))
    if model_admin.get_actions(request):
        columns.insert(0, "action_checkbox")
    return columns.index(name)


def _anonymous_client():
    from django.test import Client

    return Client(headers={"accept-language": "en"})

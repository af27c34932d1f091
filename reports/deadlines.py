"""When a change must be reported by, from the day it happened and the policy in force then.

University guidance (RULES.md, "Deadlines the portal tracks"): a new address, a renewed passport
or a change of university within 20 days, a move to another province within 10; after a
graduation, withdrawal or transfer, another permit within 10 days. A late report is accepted and
marked for the officer, never refused.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Protocol

from .models import ReportType


class ReportDeadlines(Protocol):
    address_report_days: int
    province_report_days: int
    passport_report_days: int
    study_report_days: int
    end_of_studies_days: int


def report_days(policy: ReportDeadlines, *, type: str, other_province: bool = False) -> int:
    if type == ReportType.ADDRESS:
        return policy.province_report_days if other_province else policy.address_report_days
    if type == ReportType.PASSPORT:
        return policy.passport_report_days
    if type == ReportType.STUDY:
        return policy.study_report_days
    if type == ReportType.END_OF_STUDIES:
        return policy.end_of_studies_days
    raise ValueError(f"Unknown report type {type!r}")


def report_due_on(
    policy: ReportDeadlines, *, type: str, changed_on: date, other_province: bool = False
) -> date:
    """The last day on which the report is on time (the day of the change is day 0)."""
    return changed_on + timedelta(
        days=report_days(policy, type=type, other_province=other_province)
    )


def is_late(*, due_on: date, reported_on: date) -> bool:
    return reported_on > due_on

"""The application rows: what the student entered, and what submitting it computed.

Dates fit together: a draft was last changed within the last two months; a submitted one was
created before it was sent, and evaluated by the policy version in force on the day it was sent.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from django.utils import timezone, translation

from applications.models import Application, Status
from core.crypto import identifier_hash
from core.search import fold
from rules import eligibility
from rules.models import Level, PolicyVersion

from .reference_data import (
    DISTRICTS,
    FACULTIES,
    FIELD_MIX,
    GRADUATE_SCHOOLS,
    LEVEL_MIX,
    NEIGHBOURHOODS,
    PASSPORT_PRIME,
    PASSPORT_STEP,
    STREETS,
    pick,
)

if TYPE_CHECKING:
    from .context import SeedContext
    from .students import Student


def moment_on(ctx: SeedContext, day: date, *, earliest: int = 8, latest: int = 18) -> datetime:
    """A moment of that day, in office hours by default."""
    rng = ctx.rng
    moment = time(rng.randint(earliest, latest - 1), rng.randint(0, 59), rng.randint(0, 59))
    return timezone.make_aware(datetime.combine(day, moment), ctx.tz)


def version_for(ctx: SeedContext, day: date) -> PolicyVersion:
    """The policy version in force on that day."""
    in_force = [v for v in ctx.versions if v.effective_from <= day]
    return in_force[-1]


def new_application(ctx: SeedContext, pk: int, status: str, s: Student) -> dict[str, Any]:
    """The row of one application in ``status``; keys starting with "_" are for the other row
    makers (the eligibility outcome, the policy version, how far a draft is filled), not columns."""
    rng = ctx.rng
    today = ctx.today
    # When it was submitted (or, for a draft, last changed).
    if status == Status.DRAFT:
        submitted_on = None
        touched = today - timedelta(days=rng.randint(0, 58))
        created_on = touched - timedelta(days=rng.randint(0, 10))
        on = touched
    else:
        if status == Status.SUBMITTED:
            age = int(rng.triangular(0, 60, 3))
        elif status == Status.UNDER_REVIEW:
            age = int(rng.triangular(2, 110, 20))
        elif status == Status.INFO_REQUESTED:
            age = rng.randint(5, 80)
        else:
            span = (today - timedelta(days=10) - ctx.first_day).days
            age = 10 + int(rng.random() * span)
        submitted_on = today - timedelta(days=age)
        created_on = submitted_on - timedelta(days=rng.randint(0, 15))
        if created_on < ctx.first_day:
            created_on = submitted_on
        on = submitted_on
    level = pick(rng, LEVEL_MIX)
    field_ = pick(rng, FIELD_MIX) if level == Level.BACHELOR else "general"
    # An approved application was eligible; otherwise a few could not be.
    eligible_only = status == Status.APPROVED
    if eligible_only and level == Level.ASSOCIATE:
        level = Level.BACHELOR
    academic_year = on.year if on.month >= 9 else on.year - 1
    upper_years = 0 if rng.random() < 0.7 or level != Level.BACHELOR else rng.randint(1, 2)
    programme_start = date(academic_year - upper_years, 9, rng.choice((9, 16, 23)))
    if programme_start > on:
        programme_start = date(academic_year - 1, 9, 16)
    entry_gap = rng.randint(5, 80) if rng.random() < 0.94 or eligible_only else rng.randint(95, 200)
    entry_date = on - timedelta(days=entry_gap)
    short_passport = not eligible_only and rng.random() < 0.12
    issued_before = rng.randint(7 * 365, 9 * 365) if short_passport else rng.randint(30, 4 * 365)
    passport_issue = on - timedelta(days=issued_before)
    passport_expiry = eligibility.add_years(passport_issue, 10)
    faculty, department = rng.choice(FACULTIES[field_])
    if level in (Level.MASTER, Level.DOCTORAL):
        faculty = rng.choice(GRADUATE_SCHOOLS)
    university_id, university_province = rng.choice(ctx.universities)
    province_id = university_province if rng.random() < 0.85 else rng.choice(list(ctx.provinces))
    code = ctx.provinces[province_id]
    passport_number = f"C{(s.number * PASSPORT_STEP) % PASSPORT_PRIME:08d}"
    app: dict[str, Any] = {
        "id": pk,
        "reference": None,
        "applicant_id": s.pk,
        "status": status,
        "assignee_id": None,
        "surname": s.surname,
        "given_names": s.given_names,
        "father_name": s.father_name,
        "mother_name": s.mother_name,
        "sex": s.sex,
        "date_of_birth": s.date_of_birth,
        "place_of_birth": s.place_of_birth,
        "marital_status": "single" if rng.random() < 0.9 else "married",
        "fin": s.fin,
        "phone": s.phone,
        "contact_email": s.email if rng.random() < 0.3 else "",
        "passport_number": passport_number,
        "passport_issue_date": passport_issue,
        "passport_expiry_date": passport_expiry,
        "passport_issuing_authority": "DMX",
        "entry_date": entry_date,
        "university_id": university_id,
        "faculty": faculty,
        "department": department,
        "student_number": str(rng.randint(10**8, 10**10 - 1)),
        "level": level,
        "field": field_,
        "programme_start": programme_start,
        "programme_end": None,
        "prep_year": rng.random() < 0.2 and level == Level.BACHELOR,
        "province_id": province_id,
        "district": rng.choice(DISTRICTS.get(code, ("Merkez",))),
        "neighbourhood": f"{rng.choice(NEIGHBOURHOODS)} Mahallesi",
        "address_line": f"{rng.choice(STREETS)} Sokak No: {rng.randint(1, 120)} "
        f"Daire {rng.randint(1, 24)}",
        "postal_code": f"{code:02d}{rng.randint(0, 999):03d}",
        "created_at": moment_on(ctx, created_on),
        "submitted_at": None,
        "complete_at": None,
        "decided_at": None,
    }
    if status == Status.DRAFT:
        # A draft is filled up to some step: personal details first.
        filled = rng.randint(1, 4)
        blank_from = (
            (
                {"passport_number", "passport_issue_date", "passport_expiry_date", "entry_date"}
                if filled < 2
                else set()
            )
            | (
                {"university_id", "faculty", "department", "student_number", "programme_start"}
                if filled < 3
                else set()
            )
            | (
                {"province_id", "district", "neighbourhood", "address_line", "postal_code"}
                if filled < 4
                else set()
            )
        )
        for name in blank_from:
            app[name] = None if name.endswith(("_id", "_date", "_start")) else ""
        app["updated_at"] = moment_on(ctx, touched)
        if app["updated_at"] < app["created_at"]:
            app["created_at"] = app["updated_at"]
        app["_filled"] = filled
        return app
    app["submitted_at"] = moment_on(ctx, submitted_on)
    # The bulk cases have no appointments: each counts as complete when handed in.
    app["complete_at"] = app["submitted_at"]
    if app["created_at"] > app["submitted_at"]:
        app["created_at"] = app["submitted_at"] - timedelta(hours=1)
    app["declaration_accepted_at"] = app["submitted_at"] - timedelta(minutes=rng.randint(1, 30))
    version = version_for(ctx, submitted_on)
    inputs = eligibility.EligibilityInput(
        level=level,
        field=field_,
        programme_start=programme_start,
        programme_end=None,
        prep_year=app["prep_year"],
        passport_expiry=passport_expiry,
        entry_date=entry_date,
        on=submitted_on,
    )
    with translation.override(s.language):
        outcome = eligibility.evaluate(inputs, ctx.policies[version.pk])
    app["eligibility_outcome"] = outcome.to_dict()
    app["passport_required_until"] = outcome.passport_required_until
    app["policy_version_id"] = version.pk
    app["evaluated_on"] = submitted_on
    app["_outcome"] = outcome
    app["_version"] = version
    return app


def derive_saved_fields(app: dict[str, Any]) -> None:
    """What ``Application.save()`` derives, with the same functions."""
    app["search_text"] = fold(
        " ".join(str(app.get(name) or "") for name in Application.SEARCHED_FIELDS)
    )
    for name, hash_name in Application.HASHED_FIELDS.items():
        app[hash_name] = identifier_hash(app.get(name) or "", purpose=name)

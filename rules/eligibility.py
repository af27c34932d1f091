"""The permit rule engine: pure functions from facts and a policy to an outcome.

The same rules answer four audiences — the public eligibility checker, the JSON API, the
application form and the officer's decision screen — and they must never disagree. Keeping the
engine pure (no ORM, no request, no settings, no database, no clock) is what makes that
possible: every caller loads the `PolicyVersion` row itself, converts it to a `Policy`, passes
the evaluation date explicitly, and gets the same answer for the same facts. It also lets the
exact date arithmetic of ``shared/domain/RULES.md`` be tested exhaustively without a database.

No policy number lives here: programme lengths, margins and covered levels are policy settings
stored in the database so officers can put a new version into force without a release.

Human messages are translated; dates inside them are ISO ``YYYY-MM-DD`` because the engine does
not know the reader's locale (templates format dates for display from the structured fields).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.utils import formats
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.utils.functional import Promise

    LazyText = str | Promise

__all__ = [
    "ANY_FIELD",
    "DOCUMENT_KINDS",
    "FIELDS",
    "LEVELS",
    "DocumentRequirement",
    "EligibilityInput",
    "Finding",
    "InvalidInput",
    "Outcome",
    "Policy",
    "ProgrammeLength",
    "add_years",
    "evaluate",
    "length_for",
    "required_documents",
]

LEVELS: tuple[str, ...] = ("associate", "bachelor", "master", "doctoral")
FIELDS: tuple[str, ...] = ("general", "medicine", "dentistry", "pharmacy", "veterinary")
# A length row keyed with this field applies to every field of its level; a row for the exact
# field wins, so a level can have a general default plus field-specific exceptions.
ANY_FIELD = "any"

# Stable codes are stored on Document rows and used by the API; labels are what students read.
DOCUMENT_KINDS: tuple[tuple[str, LazyText], ...] = (
    ("passport_identity_page", _("Passport identity page (the page with your photo)")),
    ("passport_entry_stamp", _("Passport page with your entry stamp to Türkiye")),
    ("photo", _("Biometric photo taken within the last 6 months")),
    ("student_certificate", _("Student certificate (öğrenci belgesi) from your university")),
    ("health_insurance", _("Health insurance that covers the whole permit period")),
    ("proof_of_address", _("Proof of your address in Türkiye")),
    ("parental_consent", _("Consent from your parents or guardian (applicants under 18)")),
    ("other", _("Other supporting document")),
)

_ADULT_AGE_YEARS = 18  # legal majority, not a policy setting: it does not change with the agreement


@dataclass(frozen=True)
class ProgrammeLength:
    standard_years: int
    maximum_years: int

    def __post_init__(self) -> None:
        # A policy row that breaks this would make every later date silently wrong.
        if self.standard_years < 1 or self.maximum_years < self.standard_years:
            raise ValueError(
                f"Invalid programme length: standard={self.standard_years}, "
                f"maximum={self.maximum_years}"
            )


@dataclass(frozen=True)
class Policy:
    version: int
    covered_levels: frozenset[str]
    lengths: Mapping[tuple[str, str], ProgrammeLength]
    prep_year_years: int
    passport_margin_days: int
    legal_stay_days: int


@dataclass(frozen=True)
class EligibilityInput:
    level: str
    field: str
    programme_start: date
    passport_expiry: date
    on: date
    programme_end: date | None = None
    prep_year: bool = False
    entry_date: date | None = None


@dataclass(frozen=True)
class Finding:
    code: str
    message: str


@dataclass(frozen=True)
class Outcome:
    policy_version: int
    concession_applies: bool
    eligible: bool
    standard_end: date
    maximum_end: date
    programme_end: date
    permit_start: date
    permit_end: date
    passport_required_until: date
    passport_ok: bool
    max_permit_end_by_passport: date | None
    reasons: tuple[Finding, ...]
    warnings: tuple[Finding, ...]

    def to_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, date):
                result[f.name] = value.isoformat()
            elif f.name in ("reasons", "warnings"):
                result[f.name] = [{"code": x.code, "message": x.message} for x in value]
            else:
                result[f.name] = value
        return result


@dataclass(frozen=True)
class DocumentRequirement:
    code: str
    label: LazyText


class InvalidInput(ValueError):
    """Input that cannot be evaluated at all, as opposed to a negative outcome.

    `field` names the offending parameter so forms and the API can attach the error to it.
    """

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def _shown(d: date) -> str:
    # Messages are read by people: the date as the active language writes it. The structured
    # fields of the outcome keep ISO dates for programs.
    return formats.date_format(d, "DATE_FORMAT")


def add_years(d: date, years: int) -> date:
    """Return the same calendar day `years` later; 29 February becomes 28 February.

    RULES.md fixes this choice (2024-02-29 + 2 years = 2026-02-28); 1 March would shift every
    derived deadline by a day.
    """
    target_year = d.year + years
    try:
        return d.replace(year=target_year)
    except ValueError:
        # Only 29 February can be missing from the target year.
        return d.replace(year=target_year, day=28)


def length_for(policy: Policy, level: str, field: str) -> ProgrammeLength:
    if level not in LEVELS:
        raise InvalidInput("level", str(_("Unknown level of study: %(level)s.") % {"level": level}))
    if field not in FIELDS:
        raise InvalidInput("field", str(_("Unknown field of study: %(field)s.") % {"field": field}))
    exact = policy.lengths.get((level, field))
    if exact is not None:
        return exact
    fallback = policy.lengths.get((level, ANY_FIELD))
    if fallback is not None:
        return fallback
    # Blame the level when the policy knows nothing about it, so the error points at what the
    # student should change; otherwise only this field is missing for the level.
    if any(key_level == level for key_level, _field in policy.lengths):
        raise InvalidInput(
            "field",
            str(
                _("Policy version %(version)s has no programme length for this field of study.")
                % {"version": policy.version}
            ),
        )
    raise InvalidInput(
        "level",
        str(
            _("Policy version %(version)s has no programme length for this level of study.")
            % {"version": policy.version}
        ),
    )


def _passport_too_short(required: date, expiry: date, max_end: date | None) -> Finding:
    params = {"date": _shown(required), "expiry": _shown(expiry)}
    if max_end is None:
        message = (
            _(
                "Your passport must be valid until at least %(date)s for a permit covering your "
                "whole programme. It expires on %(expiry)s, which is too soon for any permit. "
                "Renew your passport before you apply."
            )
            % params
        )
    else:
        message = _(
            "Your passport must be valid until at least %(date)s for a permit covering your "
            "whole programme. It expires on %(expiry)s. Renew your passport first; with the "
            "current one a permit can last until %(max_end)s at the latest."
        ) % {**params, "max_end": _shown(max_end)}
    return Finding("passport_too_short", str(message))


def evaluate(inputs: EligibilityInput, policy: Policy) -> Outcome:
    length = length_for(policy, inputs.level, inputs.field)
    start = inputs.programme_start
    on = inputs.on

    if inputs.programme_end is not None and inputs.programme_end <= start:
        raise InvalidInput(
            "programme_end",
            str(
                _("The programme end date (%(end)s) must be after its start date (%(start)s).")
                % {"end": _shown(inputs.programme_end), "start": _shown(start)}
            ),
        )
    if inputs.entry_date is not None and inputs.entry_date > on:
        raise InvalidInput(
            "entry_date",
            str(
                _("The date you entered Türkiye (%(entry)s) cannot be later than %(on)s.")
                % {"entry": _shown(inputs.entry_date), "on": _shown(on)}
            ),
        )

    extra = policy.prep_year_years if inputs.prep_year else 0
    one_day = timedelta(days=1)
    standard_end = add_years(start, length.standard_years + extra) - one_day
    maximum_end = add_years(start, length.maximum_years + extra) - one_day
    programme_end = inputs.programme_end if inputs.programme_end is not None else standard_end

    permit_start = on
    permit_end = programme_end
    margin = timedelta(days=policy.passport_margin_days)
    passport_required_until = permit_end + margin
    passport_ok = inputs.passport_expiry >= passport_required_until

    max_permit_end_by_passport: date | None = None
    if not passport_ok:
        candidate = inputs.passport_expiry - margin
        if candidate > on:
            max_permit_end_by_passport = candidate

    concession_applies = inputs.level in policy.covered_levels

    # Every reason is checked independently so the student sees all problems at once instead
    # of fixing them one round-trip at a time.
    reasons: list[Finding] = []
    if not concession_applies:
        reasons.append(
            Finding(
                "level_not_covered",
                str(
                    _(
                        "The one-time permit for your whole programme does not cover this level "
                        "of study. You can still apply for a standard student residence permit."
                    )
                ),
            )
        )
    if programme_end < on:
        reasons.append(
            Finding(
                "programme_ended",
                str(
                    _(
                        "Your programme ended on %(end)s, before %(on)s. A permit for the whole "
                        "programme cannot be issued for a programme that has already ended."
                    )
                    % {"end": _shown(programme_end), "on": _shown(on)}
                ),
            )
        )
    if programme_end > maximum_end:
        reasons.append(
            Finding(
                "programme_too_long",
                str(
                    _(
                        "Your programme ends on %(end)s, but the longest period allowed for this "
                        "programme ends on %(max_end)s. Check the end date on your student "
                        "certificate."
                    )
                    % {"end": _shown(programme_end), "max_end": _shown(maximum_end)}
                ),
            )
        )
    if inputs.passport_expiry < on:
        reasons.append(
            Finding(
                "passport_expired",
                str(
                    _("Your passport expired on %(expiry)s. Renew your passport before you apply.")
                    % {"expiry": _shown(inputs.passport_expiry)}
                ),
            )
        )
    if not passport_ok:
        reasons.append(
            _passport_too_short(
                passport_required_until, inputs.passport_expiry, max_permit_end_by_passport
            )
        )

    warnings: list[Finding] = []
    if inputs.entry_date is not None:
        days_since_entry = (on - inputs.entry_date).days
        if days_since_entry > policy.legal_stay_days:
            warnings.append(
                Finding(
                    "legal_stay_exceeded",
                    str(
                        _(
                            "You entered Türkiye on %(entry)s, %(days)s days before %(on)s. The "
                            "first application must be made within your %(limit)s-day visa-free "
                            "stay. Apply as soon as possible and be ready to explain the delay."
                        )
                        % {
                            "entry": _shown(inputs.entry_date),
                            "days": days_since_entry,
                            "on": _shown(on),
                            "limit": policy.legal_stay_days,
                        }
                    ),
                )
            )

    return Outcome(
        policy_version=policy.version,
        concession_applies=concession_applies,
        eligible=concession_applies and not reasons,
        standard_end=standard_end,
        maximum_end=maximum_end,
        programme_end=programme_end,
        permit_start=permit_start,
        permit_end=permit_end,
        passport_required_until=passport_required_until,
        passport_ok=passport_ok,
        max_permit_end_by_passport=max_permit_end_by_passport,
        reasons=tuple(reasons),
        warnings=tuple(warnings),
    )


def required_documents(*, birth_date: date | None, on: date) -> tuple[DocumentRequirement, ...]:
    if birth_date is not None and birth_date > on:
        raise InvalidInput(
            "birth_date",
            str(
                _("The date of birth (%(birth)s) cannot be later than %(on)s.")
                % {"birth": _shown(birth_date), "on": _shown(on)}
            ),
        )
    # Without a birth date we cannot know the applicant is a minor; the form asks for it when
    # it matters. The 18th birthday follows add_years so 29 February births are consistent
    # with every other date the engine computes.
    minor = birth_date is not None and on < add_years(birth_date, _ADULT_AGE_YEARS)
    return tuple(
        DocumentRequirement(code, label)
        for code, label in DOCUMENT_KINDS
        if code != "other" and (code != "parental_consent" or minor)
    )

"""The grounds on which a permit is refused or cancelled (LFIP Art. 40), one list for both:
a refusal states them to the applicant, a cancellation to the holder."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

ARTICLE_40_GROUNDS: dict[str, Promise] = {
    "conditions_not_met": gettext_lazy("The conditions for the permit are not met."),
    "conditions_no_longer_met": gettext_lazy("The conditions for the permit are no longer met."),
    "studies_cannot_continue": gettext_lazy("There is evidence that the studies cannot continue."),
    "other_purpose": gettext_lazy("The permit was used for a purpose other than studying."),
    "deportation_or_entry_ban": gettext_lazy(
        "A deportation order or an entry ban applies to the applicant."
    ),
}

# A permit that was granted is cancelled because a condition is no longer met, not "not met".
CANCELLATION_GROUNDS = {
    code: label for code, label in ARTICLE_40_GROUNDS.items() if code != "conditions_not_met"
}

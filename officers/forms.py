from datetime import date, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applications.decisions import REJECTION_REASONS
from core.forms import IsoDateField, VersionedForm
from documents.models import Document
from permits.grounds import CANCELLATION_GROUNDS
from rules import eligibility

from .queue import officers


class OwnIds:
    """Several forms share the review page: each gets its own ids (names stay as they are)."""

    id_prefix = "form"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", f"{self.id_prefix}-%s")
        super().__init__(*args, **kwargs)


class RequestInfoForm(OwnIds, VersionedForm):
    id_prefix = "request"

    document_kinds = forms.MultipleChoiceField(
        label=_("Documents the student must upload again"),
        choices=eligibility.DOCUMENT_KINDS,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    message = forms.CharField(
        label=_("Message to the student"),
        help_text=_("Say plainly what is missing or wrong; the student reads this."),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
    )
    due_date = IsoDateField(label=_("Deadline"))

    def __init__(self, *args, max_days: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_days = max_days
        self.fields["due_date"].initial = timezone.localdate() + timedelta(days=max_days)
        self.fields["due_date"].help_text = _("At most %(days)s days from today.") % {
            "days": max_days
        }


class ApproveForm(OwnIds, VersionedForm):
    id_prefix = "approve"

    valid_from = IsoDateField(label=_("Permit valid from"))
    valid_to = IsoDateField(label=_("Permit valid until"))

    def __init__(self, *args, earliest: date, latest: date, fixed_start: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        # An extension's permit starts the day after the current one ends: no gap, no overlap.
        self.earliest, self.latest, self.fixed_start = earliest, latest, fixed_start
        self.fields["valid_from"].initial = earliest
        self.fields["valid_to"].initial = latest
        self.fields["valid_to"].help_text = _(
            "At the latest %(date)s: the programme end, and the passport expiry minus the "
            "policy margin."
        ) % {"date": latest.isoformat()}

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("valid_from"), cleaned.get("valid_to")
        if start and self.fixed_start and start != self.earliest:
            self.add_error(
                "valid_from",
                _("An extension starts on %(date)s, the day after the current permit ends.")
                % {"date": self.earliest.isoformat()},
            )
        elif start and start < self.earliest:
            self.add_error("valid_from", _("A permit cannot start before the decision date."))
        if end and end > self.latest:
            self.add_error(
                "valid_to",
                _("The permit cannot end after %(date)s.") % {"date": self.latest.isoformat()},
            )
        if start and end and end < start:
            self.add_error("valid_to", _("The permit must end after it starts."))
        return cleaned


class RejectForm(OwnIds, VersionedForm):
    id_prefix = "reject"

    reason_codes = forms.MultipleChoiceField(
        label=_("Refusal grounds (LFIP Art. 40)"),
        choices=list(REJECTION_REASONS.items()),
        widget=forms.CheckboxSelectMultiple,
    )
    explanation = forms.CharField(
        label=_("Explanation for the student"),
        help_text=_("The student reads this with the grounds and the way to appeal."),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
    )


class NoteForm(OwnIds, forms.Form):
    id_prefix = "note"

    body = forms.CharField(
        label=_("Internal note (never shown to the student)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
    )


class OfficerMessageForm(OwnIds, forms.Form):
    id_prefix = "message"

    body = forms.CharField(
        label=_("Message to the student"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )


class VerdictForm(forms.Form):
    verdict = forms.ChoiceField(
        label=_("Verdict"),
        choices=[
            (Document.Review.ACCEPTED, Document.Review.ACCEPTED.label),
            (Document.Review.NEEDS_REPLACEMENT, Document.Review.NEEDS_REPLACEMENT.label),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason the student will read"), required=False, max_length=1000
    )


class ReassignForm(OwnIds, VersionedForm):
    id_prefix = "reassign"

    assignee = forms.ModelChoiceField(label=_("Assign to"), queryset=officers())


class CancelPermitForm(OwnIds, VersionedForm):
    id_prefix = "cancel"

    grounds = forms.MultipleChoiceField(
        label=_("Grounds (LFIP Art. 40)"),
        choices=list(CANCELLATION_GROUNDS.items()),
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(
        label=_("Reasons, as the holder will read them"),
        help_text=_("The holder reads this with the grounds and the way to appeal."),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
    )

"""What each notice says: subject, headline, what happened and what to do next.

Plain sentences with the reference and dates filled in from the notification's context; the
templates in ``templates/emails/`` lay them out as text and HTML.
"""

from django.utils.translation import gettext_lazy as _

from .models import Notification

K = Notification.Kind

SUBJECTS = {
    K.SUBMITTED: _("We received your application %(reference)s"),
    K.UNDER_REVIEW: _("An officer is reviewing your application %(reference)s"),
    K.INFO_REQUESTED: _("Action needed on your application %(reference)s"),
    K.INFO_PROVIDED: _("We received your answer for %(reference)s"),
    K.APPROVED: _("Your residence permit is granted (%(reference)s)"),
    K.REJECTED: _("Decision on your application %(reference)s"),
    K.WITHDRAWN: _("Your application %(reference)s was withdrawn"),
    K.MESSAGE: _("New message about application %(reference)s"),
    K.DRAFT_REMINDER: _("Your draft application will be deleted on %(delete_on)s"),
}

WHAT_HAPPENED = {
    K.SUBMITTED: _(
        "Your application was submitted on %(date)s. Your reference number is %(reference)s."
    ),
    K.UNDER_REVIEW: _("A migration officer has started reviewing your application."),
    K.INFO_REQUESTED: _(
        "The officer needs more information from you, by %(due_date)s: %(message)s"
    ),
    K.INFO_PROVIDED: _("Your answer reached the officer, who will continue the review."),
    K.APPROVED: _(
        "Your student residence permit %(permit)s is granted, valid from %(valid_from)s to "
        "%(valid_to)s."
    ),
    K.REJECTED: _("Your application was refused. The reasons are on your application page."),
    K.WITHDRAWN: _("Your application was withdrawn."),
    K.MESSAGE: _("You have a new message about this application."),
    K.DRAFT_REMINDER: _(
        "You have not changed your draft application since %(updated)s. Drafts are deleted "
        "after %(days)s days without changes, so yours will be deleted on %(delete_on)s."
    ),
}

NEXT_STEP = {
    K.SUBMITTED: _("You do not need to do anything now; we will write when something changes."),
    K.UNDER_REVIEW: _("You do not need to do anything now."),
    K.INFO_REQUESTED: _("Upload the documents and send your answer on the application page."),
    K.INFO_PROVIDED: _("You do not need to do anything now."),
    K.APPROVED: _(
        "Download your decision letter from the application page. Apply for an extension "
        "from 60 days before the permit ends."
    ),
    K.REJECTED: _(
        "You can appeal to the administrative court within 60 days of being notified; the "
        "application page explains how."
    ),
    K.WITHDRAWN: _("You can start a new application at any time."),
    K.MESSAGE: _("Read and answer it on the application page."),
    K.DRAFT_REMINDER: _("Sign in and complete or submit it to keep it."),
}

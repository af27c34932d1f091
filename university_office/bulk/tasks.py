"""Applying a large file in the background, so the page can show how far it has got.

Files above ``UNIVERSITY_BULK_ASYNC_ROWS`` rows (200) are applied here; smaller ones during
the request (``bulk_views.bulk_apply``). The task is safe to run twice: ``apply_upload`` does
nothing to an upload that is no longer ``applying``, and a run that was cut off left nothing
behind (its transaction was rolled back).
"""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.utils import translation

from accounts.models import User

from .apply import APPLY_TIME_LIMIT, apply_with_progress

DEFAULT_ASYNC_ROWS = 200


def async_threshold() -> int:
    return int(getattr(settings, "UNIVERSITY_BULK_ASYNC_ROWS", DEFAULT_ASYNC_ROWS))


# A file of the largest size applies well within these limits (about 20 ms a row); they are
# longer than the project's default task limits, which suit one e-mail.
@shared_task(
    name="university_office.bulk.apply_upload",
    soft_time_limit=APPLY_TIME_LIMIT - 60,
    time_limit=APPLY_TIME_LIMIT,
)
def apply_bulk_upload(upload_id: int, actor_id: int, language: str = "") -> str:
    """Apply a claimed upload as ``actor_id``; its state afterwards. A refused row's message
    is in ``language``, the one the page was shown in when the file was applied."""
    actor = User.objects.get(pk=actor_id)
    with translation.override(language or actor.preferred_language or settings.LANGUAGE_CODE):
        return apply_with_progress(upload_id, actor=actor).state

"""Calendar days as the portal counts them: in the project's time zone (Türkiye)."""

from datetime import date, datetime, time

from django.utils import timezone


def day_start(day: date) -> datetime:
    """The first moment of ``day`` in the current time zone, as an aware datetime.

    Cut-offs "before day D" compare timestamps with this, so a change at 23:30 local time
    belongs to the day it was made on wherever the server's clock is.
    """
    return timezone.make_aware(datetime.combine(day, time.min))

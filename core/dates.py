"""Calendar days as the portal counts them: in the project's time zone (Türkiye)."""

from datetime import date, datetime, time

from django.utils import timezone


def day_start(day: date) -> datetime:
    """The first moment of ``day`` in the current time zone, as an aware datetime.

    Cut-offs "before day D" compare timestamps with this, so a change at 23:30 local time
    belongs to the day it was made on wherever the server's clock is.
    """
    return timezone.make_aware(datetime.combine(day, time.min))


def reminder_threshold(days_left: int, thresholds: tuple[int, ...]) -> int:
    """The smallest reminder threshold not yet passed: with 180/90/30, 95 days left → 180.

    A reminder keyed by this threshold is sent once, and a missed night is caught up the next
    day (the threshold is still the same).
    """
    return min(t for t in thresholds if days_left <= t)

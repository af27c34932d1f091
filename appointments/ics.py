"""The calendar file of an appointment (RFC 5545, ``text/calendar``), written here: one event
with a reminder needs some thirty lines, fewer than a dependency would cost.

Times are in UTC (``…Z``), which every calendar shows in its own zone and which needs no
VTIMEZONE block; the words are in the active language. The UID stays the same for the life of
the appointment row, so importing the file again updates the event instead of adding one.
"""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

from .models import Appointment


def _escape(text: str) -> str:
    """TEXT values (RFC 5545 §3.3.11): backslash, semicolon, comma and newlines escaped."""
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def _fold(line: str) -> str:
    """Lines of at most 75 octets (§3.1), continued with CRLF and a space, never splitting a
    UTF-8 character."""
    parts: list[str] = []
    current = ""
    limit = 75
    for char in line:
        if len((current + char).encode("utf-8")) > limit:
            parts.append(current)
            current = char
            limit = 74  # the continuation's leading space counts
        else:
            current += char
    parts.append(current)
    return "\r\n ".join(parts)


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def office_name(appointment: Appointment) -> str:
    return _("Provincial Directorate of Migration Management, %(province)s") % {
        "province": appointment.province.name
    }


def appointment_ics(appointment: Appointment, *, address: str, now: datetime) -> bytes:
    host = urlsplit(settings.PUBLIC_BASE_URL).hostname or "localhost"
    reference = appointment.application.reference or ""
    location = ", ".join(part for part in (office_name(appointment), address) if part)
    description = _(
        "Residence permit application %(reference)s. Bring your passport and the originals of "
        "the documents you uploaded; your fingerprints and photo are taken there."
    ) % {"reference": reference}
    summary = _("Migration office appointment (%(reference)s)") % {"reference": reference}
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//AZTR student permit portal//Appointments//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:appointment-{appointment.pk}@{host}",
        f"DTSTAMP:{_utc(now)}",
        f"DTSTART:{_utc(appointment.starts_at)}",
        f"DTEND:{_utc(appointment.ends_at)}",
        f"SUMMARY:{_escape(summary)}",
        f"LOCATION:{_escape(location)}",
        f"DESCRIPTION:{_escape(description)}",
        "STATUS:CONFIRMED",
        "TRANSP:OPAQUE",
        "BEGIN:VALARM",
        "ACTION:DISPLAY",
        f"DESCRIPTION:{_escape(_('Migration office appointment tomorrow'))}",
        "TRIGGER:-P1D",
        "END:VALARM",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return ("\r\n".join(_fold(line) for line in lines) + "\r\n").encode("utf-8")

"""What a university's international office keeps here."""

from .records import ApiToken, Channel, StudyEndReport

__all__ = ["ApiToken", "Channel", "StudyEndReport"]

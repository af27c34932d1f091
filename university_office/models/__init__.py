"""What a university's international office keeps here."""

from .bulk import BulkKind, BulkState, BulkUpload
from .records import ApiToken, Channel, StudyEndReport

__all__ = ["ApiToken", "BulkKind", "BulkState", "BulkUpload", "Channel", "StudyEndReport"]

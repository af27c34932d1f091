"""Private storage for applicants' documents.

Documents are personal data (passports, biometric photos, health insurance): they never get a
public URL. The storage has no base URL; files are served only through a permission-checked view.
"""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage


class PrivateFileSystemStorage(FileSystemStorage):
    """Reads ``PRIVATE_MEDIA_ROOT`` on every use, not once at import.

    Django resolves a field's storage callable when the model class is built; a location fixed
    then would ignore a setting changed later (per-test folders, a management command's
    override).
    """

    def __init__(self) -> None:
        super().__init__(base_url=None)

    @property
    def base_location(self):
        return settings.PRIVATE_MEDIA_ROOT

    @property
    def location(self):
        return os.path.abspath(self.base_location)


def private_storage() -> Storage:
    # A callable, so migrations record a reference instead of a path.
    return PrivateFileSystemStorage()

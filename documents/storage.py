"""Private storage for applicants' documents.

Documents are personal data (passports, biometric photos, health insurance): they never get a
public URL. The storage has no base URL; files are served only through a permission-checked view.
"""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage, storages


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


def _chosen_backend() -> Storage:
    if "private" in settings.STORAGES:
        return storages["private"]
    return PrivateFileSystemStorage()


class PrivateStorage(Storage):
    """Hands every call to the backend the settings choose at the time of the call: the local
    folder, or object storage when ``DOCUMENT_STORAGE=s3`` puts a "private" entry in STORAGES.

    A model field resolves its storage once, when the class is built; choosing per call keeps
    the choice with the settings (and lets tests switch it).
    """

    def __getattribute__(self, name: str):
        if name.startswith("__"):
            return object.__getattribute__(self, name)
        return getattr(_chosen_backend(), name)


def private_storage() -> Storage:
    # A callable, so migrations record a reference instead of a path.
    return PrivateStorage()

"""Private storage for applicants' documents.

Documents are personal data (passports, biometric photos, health insurance): they never get a
public URL. The storage has no base URL; files are served only through a permission-checked view.
"""

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage


def private_storage() -> Storage:
    # A callable, so the location follows settings at run time (tests point it elsewhere) and
    # migrations do not capture a path.
    return FileSystemStorage(location=settings.PRIVATE_MEDIA_ROOT, base_url=None)

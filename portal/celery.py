"""The Celery application.

Configured from Django settings under the ``CELERY_`` namespace so the broker, like every other
service, is one URL in the environment.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

"""The Celery application.

Configured from Django settings under the ``CELERY_`` namespace so the broker, like every other
service, is one URL in the environment.
"""

import os

from celery import Celery

from .observability.celery_signals import connect_signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# The request id travels with the tasks a request enqueues, into the worker's log lines.
connect_signals()

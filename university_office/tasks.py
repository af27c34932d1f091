"""The international offices' Celery tasks, where the worker's autodiscovery looks for them."""

from .bulk.tasks import apply_bulk_upload

__all__ = ["apply_bulk_upload"]

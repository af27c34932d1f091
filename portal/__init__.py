"""The student residence-permit portal's project package."""

from .celery import app as celery_app

__all__ = ("celery_app",)

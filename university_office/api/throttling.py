"""Each university token has its own rate: ``UNIVERSITY_API_RATE_PER_MINUTE`` requests a minute.

The counts live in the shared cache (``CACHE_URL``: Redis in production), so a token is
counted once however its requests are spread over the web processes. Over the rate, DRF answers
429 with ``Retry-After``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from ..models import ApiToken


class UniversityTokenThrottle(SimpleRateThrottle):
    scope = "university-token"

    def get_rate(self) -> str:
        # Read at each request (not frozen when the class is imported), so the setting decides.
        return f"{settings.UNIVERSITY_API_RATE_PER_MINUTE}/min"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        token = request.auth
        if not isinstance(token, ApiToken):
            # Not a university's call (the public schema and docs): nothing to count here.
            return None
        return self.cache_format % {"scope": self.scope, "ident": token.pk}

"""A Redis outage gives cache misses, not error pages: the policy versions are read from the
database again, the rate limits open instead of locking everyone out, and /readyz/ names the
cache as down (found by ``make chaos``: the dashboards answered 500 while Redis restarted)."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.urls import reverse

from applications.models import Status
from core.ratelimit import rate_limited
from rules.policies import policy_version_in_force
from tests.factories import OfficerFactory

pytestmark = pytest.mark.django_db

DEAD_REDIS = {
    "default": {
        "BACKEND": "core.cache.ResilientRedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
}


@pytest.fixture
def redis_down(settings):
    settings.CACHES = DEAD_REDIS  # Django drops the cache handlers when CACHES changes


def test_the_cache_calls_fall_back_when_redis_is_down(redis_down, caplog):
    assert cache.get("policy-versions", "missing") == "missing"
    assert cache.add("counter", 1) is True
    assert cache.incr("counter") == 1
    assert cache.get_many(["a", "b"]) == {}
    assert cache.set_many({"a": 1}) == ["a"]
    assert "Cache unavailable" in caplog.text


def test_pages_and_rules_work_while_redis_is_down(redis_down, application_in, client_for, rf):
    from django.utils import timezone

    assert policy_version_in_force(on=timezone.localdate()) is not None
    application = application_in(Status.SUBMITTED)
    student = client_for(application.applicant).get(reverse("dashboard"))
    assert student.status_code == 200
    review = client_for(OfficerFactory()).get(reverse("officer-review", args=[application.pk]))
    assert review.status_code == 200
    # A rate limit does not lock anyone out while its counters are gone.
    request = rf.get("/", REMOTE_ADDR="203.0.113.9")
    assert not any(rate_limited(request, scope="test", limit=1) for _ in range(3))


def test_readiness_names_the_cache_when_redis_is_down(redis_down, client):
    response = client.get(reverse("readyz"))
    assert response.status_code == 503
    assert "cache" in response.json()["down"]


def test_a_redis_cache_url_gets_the_resilient_backend_with_timeouts():
    import os
    import subprocess
    import sys

    printed = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'portal.settings'; "
            "from django.conf import settings; c = settings.CACHES['default']; "
            "print(c['BACKEND'], c['OPTIONS']['socket_timeout'])",
        ],
        env={**os.environ, "CACHE_URL": "redis://127.0.0.1:6379/1"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert printed == ["core.cache.ResilientRedisCache", "1"]

"""``/livez/`` and ``/readyz/``: what the platform reads to restart a process or to send it
traffic. Readiness names the dependency that is down; liveness checks none."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.urls import reverse

from .conftest import DEAD_PORT, REDIS_BROKER

pytestmark = pytest.mark.django_db

LIVEZ = reverse("livez")
READYZ = reverse("readyz")
DEAD_REDIS_CACHE = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": f"redis://127.0.0.1:{DEAD_PORT}/0",
    }
}


def dead_cache():
    """The shared cache on a port nothing listens on, for the ``with`` block only: the suite's
    own fixtures clear the cache after each test, so it must be the real one again by then."""
    return override_settings(CACHES=DEAD_REDIS_CACHE)


def test_liveness_answers_without_looking_at_anything(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(LIVEZ)

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_ready_in_eager_mode_and_says_so(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True

    response = client.get(READYZ)

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"] == {"database": "ok", "cache": "ok", "broker": "eager"}
    assert "down" not in body
    assert "eagerly" in body["note"]
    assert "no-cache" in response["Cache-Control"]


def test_ready_with_redis_for_cache_and_broker(client, broker):
    broker(REDIS_BROKER)
    redis_cache = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_BROKER,
        }
    }
    with override_settings(CACHES=redis_cache):
        response = client.get(READYZ)

    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "cache": "ok", "broker": "ok"}


def test_an_unreachable_broker_is_named(client, broker):
    broker(f"redis://127.0.0.1:{DEAD_PORT}/0")

    response = client.get(READYZ)

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "down"
    assert body["down"] == ["broker"]
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["cache"] == "ok"
    assert body["checks"]["broker"].startswith("down: ")
    # A class name, never the URL: no credentials leak to whoever can read the probe.
    assert "127.0.0.1" not in response.content.decode()
    # ... and the process is alive all the same: a restart would not bring the broker back.
    assert client.get(LIVEZ).status_code == 200


def test_an_unreachable_cache_is_named(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    with dead_cache():
        response = client.get(READYZ)
        alive = client.get(LIVEZ)

    assert response.status_code == 503
    body = response.json()
    assert body["down"] == ["cache"]
    assert body["checks"]["cache"] == "down: ConnectionError"
    assert body["checks"]["database"] == "ok"
    assert alive.status_code == 200


def test_every_dependency_down_is_named(client, broker):
    broker(f"redis://127.0.0.1:{DEAD_PORT}/0")
    with dead_cache():
        body = client.get(READYZ).json()

    assert body["down"] == ["cache", "broker"]


def test_healthz_keeps_its_answer(client, settings):
    """The monitors that read /healthz/ get what they always got: database and broker."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    with dead_cache():
        response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "broker": "eager"}


@pytest.mark.parametrize("url", [LIVEZ, READYZ])
def test_probes_take_get_and_head_only(client, url):
    assert client.head(url).status_code == 200
    assert client.post(url).status_code == 405

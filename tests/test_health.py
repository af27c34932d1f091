"""``/healthz/``: what load balancers and monitors read to decide whether to send traffic here."""

from __future__ import annotations

import pytest
from django.urls import reverse

from portal.celery import app as celery_app

pytestmark = pytest.mark.django_db

URL = reverse("healthz")
REACHABLE_BROKER = "redis://127.0.0.1:6379/15"
UNREACHABLE_BROKER = "redis://127.0.0.1:1/0"  # nothing listens on port 1


@pytest.fixture
def broker(settings):
    """Switch off eager mode and point the Celery app at a broker; restore both afterwards."""
    previous = celery_app.conf.broker_url

    def use(url: str) -> None:
        settings.CELERY_TASK_ALWAYS_EAGER = False
        settings.CELERY_BROKER_URL = url
        celery_app.conf.broker_url = url

    yield use
    celery_app.conf.broker_url = previous


def test_eager_mode_is_healthy_and_says_so(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True

    response = client.get(URL)

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"] == {"database": "ok", "broker": "eager"}
    assert "down" not in body
    assert "eagerly" in body["note"]


def test_never_cached(client):
    response = client.get(URL)
    assert "no-cache" in response["Cache-Control"]
    assert "max-age=0" in response["Cache-Control"]


def test_a_reachable_broker_is_ok(client, broker):
    broker(REACHABLE_BROKER)

    response = client.get(URL)

    assert response.status_code == 200
    body = response.json()
    assert body["checks"] == {"database": "ok", "broker": "ok"}
    assert "note" not in body


def test_an_unreachable_broker_makes_the_process_unhealthy(client, broker):
    broker(UNREACHABLE_BROKER)

    response = client.get(URL)

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "down"
    assert body["down"] == ["broker"]
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["broker"].startswith("down: ")
    # The reason is a class name, not the URL: no credentials leak to whoever can read it.
    assert "127.0.0.1" not in response.content.decode()


def test_only_get(client):
    assert client.post(URL).status_code == 405

"""Fixtures of the operators' view: a token for /metrics, a broker to point Celery at, and the
exposition parsed into samples."""

from __future__ import annotations

import pytest
from prometheus_client.parser import text_string_to_metric_families

from portal.celery import app as celery_app

TOKEN = "metrics-test-token-0123456789"
# Not db 15: other suites flush that one while this one may be running beside them.
REDIS_BROKER = "redis://127.0.0.1:6379/12"
AMQP_BROKER = "amqp://guest:guest@127.0.0.1:5672//"
DEAD_PORT = 1  # nothing listens on port 1: connecting is refused at once


def _reset_producer_pools() -> None:
    """Forget cached broker connections, so the next publish uses the current conf."""
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def metrics_token(settings) -> str:
    settings.METRICS_TOKEN = TOKEN
    return TOKEN


@pytest.fixture
def broker(settings, monkeypatch):
    """Switch off eager mode and point the Celery app at a broker; restore both afterwards."""
    for variable in ("CELERY_BROKER_URL", "CELERY_BROKER_READ_URL", "CELERY_BROKER_WRITE_URL"):
        monkeypatch.delenv(variable, raising=False)  # they would win over app.conf
    previous = celery_app.conf.broker_url

    def use(url: str) -> None:
        settings.CELERY_TASK_ALWAYS_EAGER = False
        settings.CELERY_BROKER_URL = url
        celery_app.conf.broker_url = url
        _reset_producer_pools()

    yield use
    celery_app.conf.broker_url = previous
    _reset_producer_pools()


def parse(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample of an exposition: (name, labels) -> value."""
    samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return samples


@pytest.fixture
def scrape(client, metrics_token):
    """``scrape()`` -> the samples /metrics answers now; ``scrape.value(name, **labels)``."""

    class Scrape:
        def __call__(self) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
            response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
            assert response.status_code == 200
            return parse(response.content.decode())

        def value(self, name: str, **labels: str) -> float | None:
            return self().get((name, frozenset(labels.items())))

    return Scrape()

"""Timing one page as a user sees it: milliseconds per request and SQL queries per request.

The pages are timed in this process with Django's test client, so the figures are the portal's
own (views, templates, queries), without a web server's or a network's share.
"""

from __future__ import annotations

import statistics
import time


class QueryCounter:
    """Counts the SQL statements run on the default connection (an execute wrapper)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def summary(samples: list[float]) -> dict:
    ordered = sorted(samples)
    p95 = statistics.quantiles(ordered, n=100, method="inclusive")[94]
    return {
        "median_ms": round(statistics.median(ordered), 1),
        "p95_ms": round(p95, 1),
        "min_ms": round(ordered[0], 1),
        "requests": len(ordered),
    }


class Page:
    """One URL as one user sees it; ``url`` may be a function of the request number."""

    def __init__(self, name: str, client, url, *, expect: int = 200) -> None:
        self.name = name
        self.client = client
        self.url = url
        self.expect = expect
        self.samples: list[float] = []
        self.queries: int | None = None

    def _url(self, n: int) -> str:
        return self.url(n) if callable(self.url) else self.url

    def hit(self, n: int, *, record: bool) -> None:
        url = self._url(n)
        started = time.perf_counter()
        response = self.client.get(url)
        elapsed = (time.perf_counter() - started) * 1000
        if record:
            self.samples.append(elapsed)
        self._check(url, response)

    def count_queries(self) -> None:
        """The queries of one warm request (caches filled, as in steady use)."""
        from django.db import connection

        counter = QueryCounter()
        with connection.execute_wrapper(counter):
            response = self.client.get(self._url(0))
        self._check(self._url(0), response)
        self.queries = counter.count

    def _check(self, url: str, response) -> None:
        if response.status_code != self.expect:
            raise RuntimeError(f"{self.name}: {url} answered {response.status_code}")

    def result(self) -> dict:
        return {"url": self._url(0), "queries": self.queries, **summary(self.samples)}


def measure(groups: list[list[Page]], *, warmup: int, requests: int) -> None:
    """Round-robin over every page; within a group the order flips every round."""
    for page in (p for group in groups for p in group):
        for n in range(warmup):
            page.hit(n, record=False)
        page.count_queries()
    for n in range(requests):
        for group in groups:
            ordered = group if n % 2 == 0 else list(reversed(group))
            for page in ordered:
                page.hit(n, record=True)

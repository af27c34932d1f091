"""Capacity (``make load``, after the locust run): the highest arrival rate the portal holds.

An open-loop run: request *i* of a step starts at ``t0 + i / rate`` whatever happened to the
requests before it (no user waits for an answer before asking again), and its latency is counted
from that scheduled start, so time spent queueing — in the listen backlog, behind busy gunicorn
workers, or behind a late generator — counts. The rate steps up (10, 20, 40, 60, 80 … requests
per second, ``--step-seconds`` each, 20 s by default) until a step's 95th percentile reaches
200 ms or any request fails (not 2xx/3xx, refused, reset or no answer within 10 s); one step
halfway between the last rate held and the first one missed then narrows it.

Two workloads, on the same gunicorn (2 sync workers, DEBUG off, Redis cache, CONN_MAX_AGE=60):

- **mixed**: signed-in students (dashboard, their application's page), officers (the queue's
  default view and two filtered views, review pages) and international-office staff of three
  universities (the students tracker, plain and filtered by status), sessions prepared before
  the run (staff with their second factor passed, as ``bench/load.py`` does);
- **trivial**: ``/bench/trivial/``, a view returning a two-byte ``HttpResponse`` through the
  portal's whole middleware stack, anonymous. It exists only when ``BENCH_TRIVIAL_VIEW=1`` is in
  gunicorn's environment (``portal/urls.py``): production never has it. Its rate is the
  framework's ceiling on this machine and this server.

Writes ``capacity: {mixed_rps, trivial_rps, ratio, steps: […]}`` into ``bench/results/load.json``
(added to what the locust run wrote there) and prints it. The generator is one asyncio loop in
this process, a new connection per request (gunicorn's sync workers close every connection);
``generator_lag_ms`` in each step says how late it started requests, so a step lost by the
generator rather than the server shows.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # this folder is not a package
from capacity_targets import MIX, Target, mixed_targets

RATES = (10, 20, 40, 60, 80, 100, 120, 160, 200, 250, 300, 400, 500, 650, 800, 1000)
P95_LIMIT_MS = 200.0
TIMEOUT_S = 10.0
# Broker and cache of this run's own (the tests use 15, `make bench` 12 and 13).
CAPACITY_CACHE_URL = "redis://127.0.0.1:6379/10"
CAPACITY_BROKER_URL = "redis://127.0.0.1:6379/11"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@dataclass(frozen=True)
class Outcome:
    name: str
    latency_ms: float
    status: int | None  # None: no answer (refused, reset, timed out)
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 400


# --- the open-loop generator ----------------------------------------------------------------


async def fetch(host: str, port: int, target: Target, scheduled: float) -> Outcome:
    """One GET on a new connection; latency from the scheduled start to the last byte."""
    loop = asyncio.get_running_loop()
    cookie = f"Cookie: sessionid={target.session}\r\n" if target.session else ""
    request = (
        f"GET {target.path} HTTP/1.1\r\nHost: {host}:{port}\r\nAccept-Language: en\r\n"
        f"User-Agent: bench-capacity\r\n{cookie}Connection: close\r\n\r\n"
    ).encode()
    writer = None
    try:
        async with asyncio.timeout(TIMEOUT_S):
            reader, writer = await asyncio.open_connection(host, port)
            writer.write(request)
            await writer.drain()
            head = await reader.readline()
            await reader.read()  # the rest, until the server closes
        parts = head.split()
        status = int(parts[1]) if len(parts) >= 2 and parts[1].isdigit() else None
        error = "" if status is not None else f"bad status line {head[:40]!r}"
        return Outcome(target.name, (loop.time() - scheduled) * 1000, status, error)
    except (OSError, TimeoutError) as exc:
        return Outcome(target.name, (loop.time() - scheduled) * 1000, None, type(exc).__name__)
    finally:
        if writer is not None:
            writer.close()


async def open_loop(
    host: str, port: int, *, rate: float, seconds: float, pick, on_outcome=None
) -> tuple[list[Outcome], float]:
    """Start request i at t0 + i/rate; wait for all; (outcomes, the generator's worst lag)."""
    loop = asyncio.get_running_loop()
    total = max(1, int(rate * seconds))
    t0 = loop.time() + 0.1
    lag = 0.0
    tasks = []
    for i in range(total):
        scheduled = t0 + i / rate
        delay = scheduled - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        lag = max(lag, loop.time() - scheduled)
        task = asyncio.create_task(fetch(host, port, pick(i), scheduled))
        if on_outcome is not None:
            task.add_done_callback(lambda done: on_outcome(done.result()))
        tasks.append(task)
    return list(await asyncio.gather(*tasks)), lag * 1000


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def summary(workload: str, rate: float, outcomes: list[Outcome], lag_ms: float) -> dict:
    latencies = [o.latency_ms for o in outcomes]
    errors = [o for o in outcomes if not o.ok]
    by_name: dict[str, list[float]] = {}
    for o in outcomes:
        by_name.setdefault(o.name, []).append(o.latency_ms)
    step = {
        "workload": workload,
        "rate": rate,
        "requests": len(outcomes),
        "errors": len(errors),
        "median_ms": round(statistics.median(latencies), 1),
        "p95_ms": round(percentile(latencies, 0.95), 1),
        "max_ms": round(max(latencies), 1),
        "generator_lag_ms": round(lag_ms, 1),
    }
    if errors:
        kinds: dict[str, int] = {}
        for o in errors:
            key = f"{o.name}: {o.status or o.error}"
            kinds[key] = kinds.get(key, 0) + 1
        step["error_kinds"] = kinds
    if len(by_name) > 1:
        step["p95_by_page_ms"] = {
            name: round(percentile(values, 0.95), 1) for name, values in sorted(by_name.items())
        }
    step["held"] = not errors and step["p95_ms"] < P95_LIMIT_MS
    return step


def stepped(host: str, port: int, *, workload: str, pick, seconds: float, rates=RATES) -> dict:
    """Step the rate up until a step is missed, then one step halfway; the highest rate held."""

    def one(rate: float) -> dict:
        outcomes, lag = asyncio.run(open_loop(host, port, rate=rate, seconds=seconds, pick=pick))
        step = summary(workload, rate, outcomes, lag)
        log(
            f"  {workload:7} {rate:6g}/s: p95 {step['p95_ms']:7.1f} ms, median "
            f"{step['median_ms']:6.1f} ms, {step['errors']} errors, generator lag "
            f"{step['generator_lag_ms']:.0f} ms -> {'held' if step['held'] else 'missed'}"
        )
        time.sleep(3)  # let the backlog drain before the next step
        return step

    steps, held, missed = [], 0.0, None
    for rate in rates:
        step = one(rate)
        steps.append(step)
        if not step["held"]:
            missed = rate
            break
        held = rate
    if missed is not None and held and missed - held > max(5, 0.1 * held):
        middle = round((held + missed) / 2)
        step = one(middle)
        steps.append(step)
        if step["held"]:
            held = middle
    return {"held_rps": held, "first_missed_rps": missed, "steps": steps}


def warm_up(host: str, port: int, targets: list[Target]) -> list[str]:
    """Each distinct page once, in turn (both gunicorn workers warm); the ones not 200."""

    async def run() -> list[Outcome]:
        loop = asyncio.get_running_loop()
        results = []
        for target in targets:
            results.append(await fetch(host, port, target, loop.time()))
        return results

    # 200 exactly: a redirect (to a sign-in or set-up page) would measure the wrong page.
    return [f"{o.name} -> {o.status or o.error}" for o in asyncio.run(run()) if o.status != 200]


def picker(weighted: list[tuple[float, Target]], seed: int = 1):
    rng = random.Random(seed)
    weights = [w for w, _ in weighted]
    chosen = [t for _, t in weighted]
    sequence = rng.choices(chosen, weights=weights, k=100_000)
    return lambda i: sequence[i % len(sequence)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, default=100_000)
    parser.add_argument("--step-seconds", type=float, default=20)
    parser.add_argument("--port", type=int, default=8098)
    parser.add_argument("--cache-url", default=CAPACITY_CACHE_URL)
    parser.add_argument("--broker-url", default=CAPACITY_BROKER_URL)
    parser.add_argument("--skip-trivial", action="store_true")
    args = parser.parse_args()

    common.configure()
    os.environ["CELERY_BROKER_URL"] = args.broker_url
    seed = common.prepare(applications=args.applications, log=log)
    import load  # bench/load.py: the same gunicorn

    machine = common.machine()
    weighted = mixed_targets()
    log(f"Serving with gunicorn (2 workers) on 127.0.0.1:{args.port}, trivial view on ...")
    server = load.serve(
        args.port,
        env={"CACHE_URL": args.cache_url, "BENCH_TRIVIAL_VIEW": "1"},
        log_name="gunicorn-capacity.log",
    )
    host = "127.0.0.1"
    try:
        distinct = list({t.path + (t.session or ""): t for _, t in weighted}.values())
        trivial = Target("trivial", "/bench/trivial/")
        failed = warm_up(host, args.port, [*distinct[:60], *distinct[-20:], trivial, trivial])
        if failed:
            raise SystemExit(f"Pages fail before any load: {failed[:5]}")
        log(f"mixed workload, {len(weighted)} pages over {len(distinct)} sessions x paths:")
        mixed = stepped(
            host, args.port, workload="mixed", pick=picker(weighted), seconds=args.step_seconds
        )
        if args.skip_trivial:
            trivial_run = {"held_rps": None, "first_missed_rps": None, "steps": []}
        else:
            log("trivial view:")
            trivial_run = stepped(
                host,
                args.port,
                workload="trivial",
                pick=lambda i: trivial,
                seconds=args.step_seconds,
            )
    finally:
        load.stop(server)
    capacity = {
        "mixed_rps": mixed["held_rps"],
        "trivial_rps": trivial_run["held_rps"],
        "ratio": (
            round(mixed["held_rps"] / trivial_run["held_rps"], 3)
            if mixed["held_rps"] and trivial_run["held_rps"]
            else None
        ),
        "mixed_first_missed_rps": mixed["first_missed_rps"],
        "trivial_first_missed_rps": trivial_run["first_missed_rps"],
        "p95_limit_ms": P95_LIMIT_MS,
        "step_seconds": args.step_seconds,
        "mix": MIX,
        "server": "gunicorn, 2 sync workers, DEBUG off, Redis cache, CONN_MAX_AGE=60",
        "generator": "open loop, asyncio, one connection per request, latency from the "
        "scheduled start",
        "machine": machine,
        "seed": seed,
        "load_average_at_end": common.load_average(),
        "steps": mixed["steps"] + trivial_run["steps"],
    }
    path = common.RESULTS / "load.json"
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        document = {}
    document["capacity"] = capacity
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps({"capacity": capacity}, indent=2, ensure_ascii=False))
    return 0 if capacity["mixed_rps"] else 1


if __name__ == "__main__":
    sys.exit(main())

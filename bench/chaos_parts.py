"""The processes and servers ``make chaos`` runs beside the portal: its own Redis, the
broker's TCP proxy, the counting SMTP sink and the Celery workers (``bench/chaos.py`` runs them)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from email import policy
from email.parser import BytesParser
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # this folder is not a package

REDIS_PORT = 6390
CACHE_DB, BROKER_DB = 1, 2
START = time.monotonic()


def log(message: str) -> None:
    print(f"[{time.monotonic() - START:6.1f}s] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- Redis of this run's own ----------------------------------------------------------------


class RedisServer:
    def __init__(self, port: int) -> None:
        self.port = port
        self.process: subprocess.Popen | None = None
        self.starts = 0

    def start(self) -> None:
        self.starts += 1
        logfile = common.RESULTS / f"chaos-redis-{self.starts}.log"
        self.process = subprocess.Popen(  # noqa: S603 (Debian's redis-server, fixed arguments)
            [
                "/usr/bin/redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
                "--logfile",
                str(logfile),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as conn:
                    conn.sendall(b"PING\r\n")
                    if conn.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"redis-server did not start on {self.port}: see {logfile}")
            time.sleep(0.1)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()  # SIGTERM: with --save "" it exits without writing
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


# --- the broker's TCP proxy -------------------------------------------------------------------


class Proxy:
    """127.0.0.1:listen -> 127.0.0.1:upstream, in a thread; ``cut()`` closes the listening
    socket and resets every open connection, ``mend()`` listens again."""

    def __init__(self, listen: int, upstream: int) -> None:
        self.listen, self.upstream = listen, upstream
        self.loop = asyncio.new_event_loop()
        self.server: asyncio.base_events.Server | None = None
        self.writers: set[asyncio.StreamWriter] = set()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def _call(self, coroutine):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout=10)

    async def _pipe(self, reader, writer) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (OSError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    async def _handle(self, client_reader, client_writer) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.upstream)
        except OSError:
            client_writer.close()
            return
        self.writers |= {client_writer, up_writer}
        try:
            await asyncio.gather(
                self._pipe(client_reader, up_writer), self._pipe(up_reader, client_writer)
            )
        finally:
            self.writers -= {client_writer, up_writer}

    async def _start(self) -> None:
        self.server = await asyncio.start_server(
            self._handle, "127.0.0.1", self.listen, reuse_address=True
        )

    async def _cut(self) -> None:
        if self.server is not None:
            self.server.close()
            self.server = None
        for writer in list(self.writers):
            transport = writer.transport
            if transport is not None:
                transport.abort()  # a reset, not a polite close
        self.writers.clear()

    def mend(self) -> None:
        self._call(self._start())

    def cut(self) -> None:
        self._call(self._cut())

    def close(self) -> None:
        self.cut()
        self.loop.call_soon_threadsafe(self.loop.stop)


# --- the SMTP sink ----------------------------------------------------------------------------

REFERENCE = re.compile(r"CHAOS-\d+-\d+")


class CountingSink:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.message_ids: Counter[str] = Counter()
        self.references: Counter[str] = Counter()
        self.unmatched = 0
        self.parser = BytesParser(policy=policy.default)

    async def handle_DATA(self, server, session, envelope) -> str:  # aiosmtpd's hook name
        raw = envelope.original_content or envelope.content
        headers = self.parser.parsebytes(raw, headersonly=True)
        found = REFERENCE.search(str(headers.get("Subject", ""))) or REFERENCE.search(
            raw.decode("utf-8", "replace")
        )
        with self.lock:
            self.message_ids[str(headers.get("Message-ID", ""))] += 1
            if found:
                self.references[found.group(0)] += 1
            else:
                self.unmatched += 1
        return "250 Message accepted for delivery"

    def received(self) -> int:
        with self.lock:
            return sum(self.message_ids.values())


# --- Celery workers ---------------------------------------------------------------------------


class Worker:
    def __init__(self, name: str, environment: dict[str, str]) -> None:
        self.name, self.environment = name, environment
        self.process: subprocess.Popen | None = None
        self.starts = 0

    def start(self) -> None:
        self.starts += 1
        logfile = (common.RESULTS / f"chaos-{self.name}-{self.starts}.log").open("w")
        self.process = subprocess.Popen(  # noqa: S603 (our own venv's celery, fixed arguments)
            [
                str(Path(sys.executable).with_name("celery")),
                "-A",
                "portal",
                "worker",
                "--pool=prefork",
                "--concurrency=1",
                "-n",
                f"{self.name}@%h",
                "--without-mingle",
                "--without-gossip",
                "--loglevel=INFO",
            ],
            cwd=common.ROOT,
            env=self.environment,
            stdout=logfile,
            stderr=subprocess.STDOUT,
        )

    def pool_processes(self) -> list[int]:
        if self.process is None:
            return []
        found = subprocess.run(  # noqa: S603
            ["/usr/bin/pgrep", "-P", str(self.process.pid)],
            capture_output=True,
            text=True,
            check=False,
        )
        return [int(pid) for pid in found.stdout.split()]

    def kill(self) -> list[int]:
        """SIGKILL to the main process and its pool processes, all at once."""
        if self.process is None:
            return []
        victims = [self.process.pid, *self.pool_processes()]
        for pid in victims:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.process.wait()
        return victims

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        children = self.pool_processes()
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        for pid in children:  # a pool process left behind (should be none)
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)

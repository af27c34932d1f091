"""The scanners and manage.py commands, started so that a stopped run can end every one of them."""

from __future__ import annotations

import subprocess  # nosec B404 # fixed argument lists of our own tools, never a shell
import threading

from runner_config import ROOT

# Every process started here, so that a stopped run (Ctrl+C, SIGTERM) ends them all; once it
# is stopping, no new one starts (the sqlmap thread would otherwise go on to its next target).
_children: set[subprocess.Popen] = set()
_children_lock = threading.Lock()
_stopping = threading.Event()


class Stopped(Exception):
    """The run is stopping: a scan thread gives up instead of starting another tool."""


def run(
    command: list[str],
    *,
    env: dict[str, str] | None = None,
    check: bool = True,
    stdout=subprocess.PIPE,
    stderr=subprocess.PIPE,
) -> subprocess.CompletedProcess:
    """Every tool and manage.py command runs through here: a fixed argument list, no shell."""
    with _children_lock:
        if _stopping.is_set():
            raise Stopped
        process = subprocess.Popen(  # noqa: S603 # nosec B603
            command, cwd=ROOT, env=env, stdout=stdout, stderr=stderr, text=True
        )
        _children.add(process)
    with process:
        try:
            out, err = process.communicate()
        finally:
            with _children_lock:
                _children.discard(process)
    if check and process.returncode:
        raise subprocess.CalledProcessError(process.returncode, command, out, err)
    return subprocess.CompletedProcess(command, process.returncode, out or "", err or "")


def end_children() -> None:
    with _children_lock:
        _stopping.set()
        for process in _children:
            process.kill()

"""What the server's own logs say after the scans, whichever tool caused it.

Any response with a 5xx status in the access log, and any worker timeout while handling a
request in the error log, is a finding. Each tool sends its own User-Agent, so the access log
tells whose requests were whose.
"""

from __future__ import annotations

import collections
import re

from run_summary import Summary
from scan_server import Server


def traffic(summary: Summary, server: Server) -> dict:
    """Requests per tool by status class and the paths they reached; every 5xx is a finding."""
    per_tool: dict[str, dict] = {}
    for tool, status, request in server.requests():
        counts = per_tool.setdefault(
            tool, {"requests": 0, "statuses": collections.Counter(), "paths": set()}
        )
        counts["requests"] += 1
        counts["statuses"][f"{status // 100}xx"] += 1
        method, _, rest = request.partition(" ")
        path = rest.rsplit(" ", 1)[0].split("?", 1)[0]
        # /officers/applications/12/ and /13/ are one page for this count, and so is every
        # code sqlmap tries in /verify/<code>/.
        path = re.sub(r"/\d+(?=/)", "/<id>", path)
        path = re.sub(r"^/verify/[^/]+/$", "/verify/<code>/", path)
        counts["paths"].add(f"{method} {path}")
        if status >= 500:
            summary.finding(tool, f"HTTP {status} from the server", request[:300])
    return {
        "total": sum(counts["requests"] for counts in per_tool.values()),
        "per_tool": {
            tool: {
                "requests": counts["requests"],
                "statuses": dict(sorted(counts["statuses"].items())),
                "distinct_paths": len(counts["paths"]),
            }
            for tool, counts in sorted(per_tool.items())
        },
        "paths": sorted({path for counts in per_tool.values() for path in counts["paths"]}),
    }


WORKER_TIMEOUT = re.compile(r"WORKER TIMEOUT \(pid:(\d+)\)")


def worker_timeouts(summary: Summary, server: Server) -> int:
    """Every gunicorn worker timeout while handling a request is a finding; returns the others.

    A sync worker that times out *before reading any request line* ("no URI read") was held by
    a client that opened a connection and sent nothing: wapiti does that when it cancels a
    module at its time limit. That is the transport's matter (in production the TLS proxy in
    front buffers requests, and gunicorn's documentation requires one for sync workers), not
    the application's, so it is counted in summary.json but does not fail the run.
    """
    lines = server.error_log.read_text(errors="replace").splitlines()
    idle = 0
    for number, line in enumerate(lines):
        timeout = WORKER_TIMEOUT.search(line)
        if not timeout:
            continue
        marker = f"[{timeout.group(1)}] [ERROR] Error handling request"
        handled = next((later for later in lines[number + 1 :] if marker in later), "")
        if handled.rstrip().endswith("(no URI read)"):
            idle += 1
        else:
            summary.finding("server", "worker timeout while handling a request", handled[:300])
    return idle

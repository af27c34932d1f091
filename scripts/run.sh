#!/usr/bin/env bash
# Serves the portal on http://127.0.0.1:8000 the way the Procfile does — gunicorn, a Celery
# worker and beat — when a broker is reachable; otherwise gunicorn alone, with tasks run eagerly
# inside the web process (and it says so).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python

if [ -z "${CELERY_BROKER_URL:-}" ] && $PY - <<'PYCHECK' 2>/dev/null; then
import socket
socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
PYCHECK
  export CELERY_BROKER_URL="redis://127.0.0.1:6379/0"
fi

pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT INT TERM

if [ -n "${CELERY_BROKER_URL:-}" ]; then
  echo "Broker: $CELERY_BROKER_URL — starting a Celery worker and beat."
  .venv/bin/celery -A portal worker --loglevel=INFO --concurrency=2 &
  pids+=($!)
  .venv/bin/celery -A portal beat --loglevel=INFO &
  pids+=($!)
else
  echo "No broker reachable (Redis on 127.0.0.1:6379 did not answer): tasks run eagerly"
  echo "inside the web process; emails are sent during the request that causes them."
fi

$PY manage.py seed_demo --print-logins-only
# gunicorn serves static files through whitenoise, from the collected folder.
$PY manage.py collectstatic --no-input -v 0
echo "Serving on http://127.0.0.1:8000 (gunicorn, 2 workers). Stop with Ctrl+C."
.venv/bin/gunicorn portal.wsgi --workers 2 --bind 127.0.0.1:8000 --access-logfile - &
pids+=($!)
wait -n "${pids[@]}"

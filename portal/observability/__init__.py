"""What operators see of the portal: Prometheus metrics, liveness and readiness probes, and
JSON logs whose lines carry the id of the request (or task) they belong to."""

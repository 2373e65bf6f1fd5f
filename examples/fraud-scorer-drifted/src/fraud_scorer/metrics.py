"""Prometheus metrics.

Under gunicorn every worker is a separate process, so the metrics are written to the
directory named by PROMETHEUS_MULTIPROC_DIR and aggregated at scrape time.
"""

from __future__ import annotations

import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

REQUESTS = Counter(
    "fraud_scorer_requests",
    "HTTP requests handled, by route template and status code.",
    ["endpoint", "method", "status"],
)
REQUEST_DURATION = Histogram(
    "fraud_scorer_request_duration_seconds",
    "Time spent handling an HTTP request.",
    ["endpoint", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.25, 0.3, 0.5, 1.0, 2.5),
)
PREDICTIONS = Counter(
    "fraud_scorer_predictions",
    "Scored transactions, by decision.",
    ["decision"],
)
FRAUD_PROBABILITY = Histogram(
    "fraud_scorer_fraud_probability",
    "Distribution of predicted fraud probabilities (watch for score drift).",
    buckets=(0.01, 0.05, 0.1, 0.2, 0.35, 0.5, 0.65, 0.8, 0.9, 0.95, 0.99),
)
MODEL_LOADED = Gauge(
    "fraud_scorer_model_loaded",
    "1 when the worker has a model loaded and is ready to score.",
    multiprocess_mode="livemin",
)


def render_latest() -> tuple[bytes, str]:
    """Serialise the current metrics in the Prometheus text format."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST

"""gunicorn settings for fraud-scorer.

The bind address and worker class are given on the command line (Dockerfile CMD,
docker-compose command), so the same file works behind any port mapping.
"""

import os
import shutil
from pathlib import Path

from prometheus_client import multiprocess

workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# Each worker holds one onnxruntime session; keep onnxruntime single-threaded per worker
# (ORT_INTRA_OP_THREADS) and scale with workers and replicas instead.
threads = 1
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "25"))
keepalive = 5
max_requests = 20000
max_requests_jitter = 2000
# Every worker loads the model in the app lifespan: an onnxruntime session must not be
# created before fork and shared between processes.
preload_app = False
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms rid=%({x-request-id}o)s'
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def on_starting(server):
    """Start every run with an empty Prometheus multiprocess directory."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not directory:
        return
    path = Path(directory)
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    server.log.info("prometheus multiprocess dir: %s", path)


def child_exit(server, worker):
    """Drop the metrics files of a worker that exited."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.mark_process_dead(worker.pid)

"""gunicorn's settings (it reads this file from the directory it starts in): see README,
"Deploying behind gunicorn", and benchmarks/concurrency.py, which measured them."""

import multiprocessing
import os

# Sync workers, two a core and one more: while one waits on PostgreSQL another uses the core.
# GUNICORN_WORKERS overrides it (a machine shared with other services wants fewer).
workers = int(os.environ.get("GUNICORN_WORKERS", 2 * multiprocessing.cpu_count() + 1))
# The proxy in front holds slow clients; a request that takes this long is stuck, not slow.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 60))

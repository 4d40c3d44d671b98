"""A real Celery worker, on the real Redis broker and the test database, runs the sweep."""

import datetime
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from conftest import service_missing
from learning.tests.factories import ActionFactory
from sscb.tasks import send_reminders

pytestmark = pytest.mark.django_db(transaction=True)


def _database_url():
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def test_a_worker_sends_the_reminder_digest(tmp_path, agency_user):
    if connection.vendor != "postgresql":
        service_missing("PostgreSQL", "the worker process needs the test database over a socket")
    import redis

    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2).ping()
    except redis.exceptions.ConnectionError as error:
        service_missing("Redis", str(error))

    ActionFactory(
        owner_agency=agency_user.agency,
        due_on=datetime.date.today() - datetime.timedelta(days=2),
        title="Share notifications with schools",
    )
    queue = f"test-{uuid.uuid4().hex[:8]}"
    outbox = tmp_path / "mail"
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "DATABASE_CONN_MAX_AGE": "0",
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(outbox),
        "CELERY_QUEUE": queue,
        "DEBUG": "1",
    }
    env.pop("PYTEST_VERSION", None)
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "sscb",
            "worker",
            "--pool=solo",
            "-Q",
            queue,
            "--without-gossip",
            "--without-mingle",
            "--loglevel=INFO",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        send_reminders.apply_async(queue=queue)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not (outbox.exists() and any(outbox.iterdir())):
            if worker.poll() is not None:
                break
            time.sleep(0.5)
        files = list(outbox.iterdir()) if outbox.exists() else []
    finally:
        worker.terminate()
        try:
            log = worker.communicate(timeout=20)[0]
        except subprocess.TimeoutExpired:
            worker.kill()
            log = worker.communicate()[0]
    assert files, f"no email arrived; worker log:\n{log[-3000:]}"
    message = Path(files[0]).read_text()
    assert f"To: {agency_user.email}" in message
    assert "Share notifications with schools" in message
    assert "Action overdue" in message

"""The embedded default (SQLite, as `make run` serves it) holds several people saving at once.

A real server (gunicorn: 4 processes of 2 threads) on a real SQLite file; eight people sign in
through the form, then press "Save" on a new finding at the same moment, three times over.
"""

import os
import re
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from benchmarks.concurrency import free_port
from sscb.tests.served import Person

ROOT = Path(__file__).resolve().parents[2]
PEOPLE = 8
ROUNDS = 3
PASSWORD = "a-long-enough-test-password"

SETUP = f"""
from sscb.models import SubGroup, User
li = SubGroup.objects.get_or_create(code="li", defaults={{"name": "Learning and Improvement"}})[0]
for n in range({PEOPLE}):
    user = User.objects.create_user(f"saver{{n}}", password="{PASSWORD}", role="business_unit")
print(li.pk)
"""


def _run(env, *args):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    ).stdout


@pytest.fixture
def sqlite_server(tmp_path):
    database = tmp_path / "db.sqlite3"
    env = {
        **os.environ,
        "DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{database}",
        "MFA_REQUIRED_ROLES": "",
    }
    env.pop("PYTEST_VERSION", None)
    env.pop("PYTEST_CURRENT_TEST", None)
    _run(env, "migrate", "--noinput", "-v0")
    subgroup = _run(env, "shell", "-c", SETUP).strip().splitlines()[-1]
    port = free_port()
    server = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "sscb.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "4",
            "--threads",
            "2",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/accounts/login/", timeout=1)
            break
        except OSError:
            time.sleep(0.2)
    yield base, database, subgroup
    server.terminate()
    server.wait(timeout=20)


def test_eight_people_saving_at_once_all_get_their_record_stored(sqlite_server):
    base, database, subgroup = sqlite_server
    people = [Person() for _ in range(PEOPLE)]
    for n, person in enumerate(people):
        status, url, _ = person.post(
            base, "/accounts/login/", {"login": f"saver{n}", "password": PASSWORD}
        )
        assert status == 200 and not url.endswith("/accounts/login/"), (status, url)

    answers = []
    barrier = threading.Barrier(PEOPLE)

    def save(n, person):
        for round_ in range(ROUNDS):
            barrier.wait()
            answers.append(
                person.post(
                    base,
                    "/learning/findings/new/",
                    {
                        "title": f"Finding {n}-{round_} saved under load",
                        "detail": "Practitioners raised the same concern in supervision.",
                        "source": "practitioner",
                        "nature": "improvement",
                        "subgroup": subgroup,
                        "identified_on": "2026-11-02",
                    },
                )[:2]  # the status and the address answered
            )

    threads = [threading.Thread(target=save, args=pair) for pair in enumerate(people)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert len(answers) == PEOPLE * ROUNDS
    # Every save answered as a success (the redirect to the new finding), none as a 500 or 503.
    saved = re.compile(r"/learning/findings/[0-9a-f-]{36}/$")
    assert all(status == 200 and saved.search(url) for status, url in answers), answers
    with sqlite3.connect(database) as connection:
        [(stored,)] = connection.execute(
            "SELECT count(*) FROM learning_finding WHERE title LIKE '% saved under load'"
        )
    assert stored == PEOPLE * ROUNDS


def test_a_save_that_meets_a_busy_database_is_explained_not_a_500(rf):
    from django.contrib.auth.models import AnonymousUser
    from django.db import OperationalError

    from sscb.errors import DatabaseBusyMiddleware

    request = rf.post("/learning/findings/new/")
    request.user = AnonymousUser()
    middleware = DatabaseBusyMiddleware(lambda request: None)

    response = middleware.process_exception(request, OperationalError("database is locked"))

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert b"Nothing was saved" in response.content
    # Any other database failure is not dressed up as "busy".
    assert middleware.process_exception(request, OperationalError("no such table")) is None

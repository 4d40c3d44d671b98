"""Two web servers on one PostgreSQL and Redis serve one partnership (README, "More than one web
server"): real gunicorn instances, as deployed (DEBUG off), on this run's test database and a
Redis database of their own, with one folder of uploaded files. A person signed in on one is
signed in on the other; a change saved on one is on the other's kept pages at once; a file
uploaded to one downloads from the other; signing out on one signs out on both."""

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from http.cookiejar import CookieJar
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from conftest import service_missing

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "safeguarding-demo"  # UserFactory's
# The servers' own Redis database: kept pages are keyed by a person's key, and other tests'
# servers (test_sqlite_concurrency) number their people from 1 too.
REDIS_DATABASE = 13


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _services() -> tuple[str, str]:
    """This run's test database and a Redis database of the servers' own, as URLs."""
    import redis

    if connection.vendor != "postgresql":
        service_missing("PostgreSQL", f"the tests run on {connection.vendor} (set DATABASE_URL)")
    redis_url = urllib.parse.urlsplit(settings.REDIS_URL)._replace(path=f"/{REDIS_DATABASE}")
    try:
        redis.Redis.from_url(redis_url.geturl(), socket_connect_timeout=2).flushdb()
    except redis.exceptions.ConnectionError as error:
        service_missing("Redis", str(error))
    database = settings.DATABASES["default"]
    credentials = urllib.parse.quote(database["USER"] or "")
    if database["PASSWORD"]:
        credentials += ":" + urllib.parse.quote(database["PASSWORD"])
    where = f"{database['HOST'] or 'localhost'}:{database['PORT'] or 5432}"
    return f"postgres://{credentials}@{where}/{database['NAME']}", redis_url.geturl()


class Instance:
    """One gunicorn instance, as the README starts it."""

    def __init__(self, env, log: Path):
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = log
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        with log.open("w") as written:
            self.process = subprocess.Popen(  # noqa: S603 - our own virtualenv's gunicorn
                [gunicorn, "sscb.wsgi", "--bind", f"127.0.0.1:{self.port}", "--workers", "2"],
                cwd=ROOT,
                env=env,
                stdout=written,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(self.base + "/accounts/login/", timeout=2)
                return
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    pytest.fail(f"gunicorn did not start: {log.read_text()[-2000:]}")
                time.sleep(0.2)

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)


class Person:
    """A browser: one cookie jar, whichever instance it asks."""

    def __init__(self):
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))

    def get(self, instance, path) -> tuple[int, str, bytes]:
        try:
            response = self.opener.open(instance.base + path, timeout=30)
            return response.status, response.geturl(), response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.geturl(), error.read()

    def post(self, instance, path, data, files=None) -> tuple[int, str, bytes]:
        _status, _url, page = self.get(instance, path)
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        fields = {"csrfmiddlewaretoken": token.decode(), **data}
        if files:
            boundary = uuid.uuid4().hex
            parts = [
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                f"{value}\r\n".encode()
                for name, value in fields.items()
            ]
            parts += [
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="{filename}"\r\nContent-Type: text/plain\r\n\r\n'.encode()
                + content
                + b"\r\n"
                for name, (filename, content) in files.items()
            ]
            body = b"".join(parts) + f"--{boundary}--\r\n".encode()
            kind = f"multipart/form-data; boundary={boundary}"
        else:
            body = urllib.parse.urlencode(fields).encode()
            kind = "application/x-www-form-urlencoded"
        request = urllib.request.Request(instance.base + path, body, headers={"Content-Type": kind})
        try:
            response = self.opener.open(request, timeout=60)
            return response.status, response.geturl(), response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.geturl(), error.read()

    def sign_in(self, instance, username):
        status, url, _ = self.post(
            instance, "/accounts/login/", {"login": username, "password": PASSWORD}
        )
        assert status == 200 and urllib.parse.urlsplit(url).path == "/", (status, url)


@pytest.fixture
def two_instances(transactional_db, tmp_path):
    from benchmarks.run import BENCHMARK_ENVIRONMENT

    database_url, redis_url = _services()
    env = {
        **os.environ,
        # As deployed (DEBUG off, one SECRET_KEY), over plain HTTP on this machine.
        **BENCHMARK_ENVIRONMENT,
        "ALLOWED_HOSTS": "127.0.0.1",
        "MFA_REQUIRED_ROLES": "",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "MEDIA_ROOT": str(tmp_path / "media"),
        "STORAGE_BACKEND": "local",
        # Every change seen at once, so what one instance keeps must follow the other's saves.
        "PAGES_MAY_BE_OLD_SECONDS": "0",
        "FIGURES_MAY_BE_OLD_SECONDS": "0",
    }
    env.pop("PYTEST_VERSION", None)  # the servers run as deployed, not as tests
    env.pop("PYTEST_CURRENT_TEST", None)
    instances = []
    try:
        for name in ("first", "second"):
            instances.append(Instance(env, tmp_path / f"{name}.log"))
        yield instances, redis_url
    finally:
        for instance in instances:
            instance.stop()


def test_two_instances_share_sessions_kept_pages_and_files(two_instances, make_user):
    import redis
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    from learning.models import Finding
    from reviews.models import DocumentVersion
    from reviews.tests.factories import ReviewFactory
    from sscb.models import SubGroup

    (first, second), redis_url = two_instances
    writer_user = make_user(role="business_unit", username="writer")
    make_user(role="business_unit", username="reader")
    # Hashed as deployed: the tests' own quick hasher is not among the servers'.
    hasher = PBKDF2PasswordHasher()
    type(writer_user).objects.filter(username__in=["writer", "reader"]).update(
        password=hasher.encode(PASSWORD, hasher.salt())
    )
    review = ReviewFactory(title="Shared between instances")
    subgroup = SubGroup.objects.get(code=SubGroup.Code.CASE_REVIEW_PANEL)
    writer, reader = Person(), Person()

    # Signed in on one, signed in on the other.
    writer.sign_in(first, "writer")
    status, url, _ = writer.get(second, "/")
    assert status == 200 and urllib.parse.urlsplit(url).path == "/"

    # The reader's list, kept for them on the first instance, follows a save on the second.
    reader.sign_in(second, "reader")
    for _ in range(2):
        assert b"Seen on both instances" not in reader.get(first, "/learning/findings/")[2]
    assert redis.Redis.from_url(redis_url).keys("*figures:page-part:*")  # kept, and in Redis
    status, url, _ = writer.post(
        second,
        "/learning/findings/new/",
        {
            "title": "Seen on both instances",
            "detail": "Practitioners raised the same concern in supervision.",
            "source": "practitioner",
            "nature": "improvement",
            "subgroup": subgroup.pk,
            "identified_on": "2026-11-02",
        },
    )
    assert status == 200 and re.search(r"/learning/findings/[0-9a-f-]{36}/$", url), (status, url)
    assert Finding.objects.filter(title="Seen on both instances").exists()
    assert b"Seen on both instances" in reader.get(first, "/learning/findings/")[2]

    # A file uploaded to one downloads from the other.
    documents = f"/reviews/{review.uuid}/documents/"
    status, _url, _ = writer.post(
        first,
        documents,
        {"kind": "final_report", "title": "Overview report", "note": ""},
        files={"file": ("overview.txt", b"What the panel found.")},
    )
    assert status == 200
    version = DocumentVersion.objects.get(document__review=review)
    status, _url, content = reader.get(
        second, f"/reviews/{review.uuid}/documents/files/{version.uuid}/"
    )
    assert (status, content) == (200, b"What the panel found.")

    # Signed out on one, signed out on both.
    writer.post(first, "/accounts/logout/", {})
    status, url, _ = writer.get(second, "/")
    assert urllib.parse.urlsplit(url).path == "/accounts/login/"

"""Two web servers on one PostgreSQL and Redis serve one partnership (README, "More than one web
server"): real gunicorn instances, as deployed (DEBUG off), on this run's test database and a
Redis database of their own, with one folder of uploaded files. A person signed in on one is
signed in on the other; a change saved on one is on the other's kept pages at once; a file
uploaded to one downloads from the other; signing out on one signs out on both."""

import os
import re
import urllib.parse

import pytest
from django.conf import settings
from django.db import connection

from benchmarks.concurrency import SERVER_ENVIRONMENT, Server, free_port
from conftest import service_missing
from sscb.tests.factories import PASSWORD
from sscb.tests.served import Person

# The servers' own Redis database: kept pages are keyed by a person's key, and other tests'
# servers (test_sqlite_concurrency) number their people from 1 too.
REDIS_DATABASE = 13


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


def _sign_in(person, base, username):
    status, url, _ = person.post(
        base, "/accounts/login/", {"login": username, "password": PASSWORD}
    )
    assert status == 200 and urllib.parse.urlsplit(url).path == "/", (status, url)


@pytest.fixture
def two_instances(transactional_db, tmp_path):
    """The two instances' addresses, and their Redis database's."""
    database_url, redis_url = _services()
    env = {
        **os.environ,
        # As the benchmark serves it: as deployed (DEBUG off, one SECRET_KEY), over plain HTTP
        # on this machine; signing in with a password alone.
        **SERVER_ENVIRONMENT,
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
    servers = []
    try:
        for _ in range(2):
            servers.append(Server(free_port(), 2, env))
        yield [f"http://127.0.0.1:{server.port}" for server in servers], redis_url
    finally:
        for server in servers:
            server.stop()


def test_two_instances_share_sessions_kept_pages_and_files(two_instances, make_user):
    import redis
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    from learning.exports import ACTION_HEADER
    from learning.models import Finding
    from learning.tests.factories import ActionFactory, new_finding_form
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
    _sign_in(writer, first, "writer")
    status, url, _ = writer.get(second, "/")
    assert status == 200 and urllib.parse.urlsplit(url).path == "/"

    # The reader's list, kept for them on the first instance, follows a save on the second.
    _sign_in(reader, second, "reader")
    for _ in range(2):
        assert b"Seen on both instances" not in reader.get(first, "/learning/findings/")[2]
    assert redis.Redis.from_url(redis_url).keys("*figures:page-part:*")  # kept, and in Redis
    status, url, _ = writer.post(
        second,
        "/learning/findings/new/",
        new_finding_form(subgroup, review, "Seen on both instances"),
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

    # The action tracker's CSV, sent as it is read from the database, arrives whole.
    ActionFactory(review=review, title="Streamed through gunicorn")
    status, _url, content = reader.get(second, "/learning/actions/export.csv")
    lines = content.decode("utf-8-sig").splitlines()
    assert status == 200 and lines[:2] == ["Actions", ",".join(ACTION_HEADER)], lines
    assert [line for line in lines if "Streamed through gunicorn" in line]

    # Signed out on one, signed out on both.
    writer.post(first, "/accounts/logout/", {})
    status, url, _ = writer.get(second, "/")
    assert urllib.parse.urlsplit(url).path == "/accounts/login/"

"""The real services CI promises: PostgreSQL and Redis (Chromium is checked by browser tests)."""

import pytest
from django.conf import settings
from django.db import connection

from conftest import IN_CI, service_missing


@pytest.mark.django_db
def test_ci_runs_against_postgresql():
    if connection.vendor != "postgresql":
        if IN_CI:
            pytest.fail(f"CI must run on PostgreSQL, not {connection.vendor}: set DATABASE_URL")
        pytest.skip("running on SQLite here; CI runs on PostgreSQL")
    with connection.cursor() as cursor:
        cursor.execute("select version()")
        assert cursor.fetchone()[0].startswith("PostgreSQL")


def test_celery_reaches_its_broker():
    import redis

    from sscb.celery import app

    assert app.conf.broker_url == settings.REDIS_URL
    assert app.conf.accept_content == ["json"]
    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2)
        assert client.ping()
    except redis.exceptions.ConnectionError as error:
        service_missing("Redis", str(error))
    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1)
        assert conn.connected


def test_the_redis_cache_makes_one_client_and_reads_what_it_wrote():
    """sscb.redis_cache keeps a Redis client for its connection pool instead of making one for
    each call, and is still Django's cache against the real Redis."""
    import redis

    from sscb.redis_cache import RedisCache

    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2).ping()
    except redis.exceptions.ConnectionError as error:
        service_missing("Redis", str(error))
    cache = RedisCache(settings.REDIS_URL, {"KEY_PREFIX": "test-kept-client"})
    try:
        cache.set("figure", {"reviews": 3})
        cache.set_many({"a": 1, "b": 2})
        assert cache.get("figure") == {"reviews": 3}
        assert cache.get_many(["a", "b", "missing"]) == {"a": 1, "b": 2}
        assert cache.incr("a", 2**32) == 2**32 + 1
        clients = {id(cache._cache.get_client(write=write)) for write in (True, False, False)}
        assert len(clients) == 1
    finally:
        cache.delete_many(["figure", "a", "b"])
    assert cache.get("figure") is None


def test_with_redis_sessions_are_read_from_the_shared_cache():
    """Production settings (REDIS_URL set, not under pytest) keep sessions in the database and
    read them from Redis; without REDIS_URL they are read from the database alone."""
    import os
    import subprocess
    import sys

    script = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SESSION_ENGINE, s.CACHES['default']['BACKEND'])"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_VERSION"}
    env |= {"DJANGO_SETTINGS_MODULE": "sscb.settings", "DEBUG": "1"}

    def engines(**extra):
        return subprocess.run(  # noqa: S603 - our own interpreter and settings
            [sys.executable, "-c", script],
            env={k: v for k, v in {**env, **extra}.items() if v is not None},
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()

    assert engines(REDIS_URL=settings.REDIS_URL) == [
        "django.contrib.sessions.backends.cached_db",
        "sscb.redis_cache.RedisCache",
    ]
    assert engines(REDIS_URL=None) == [
        "django.contrib.sessions.backends.db",
        "django.core.cache.backends.locmem.LocMemCache",
    ]


@pytest.mark.django_db
def test_a_session_in_redis_ends_when_its_person_signs_out(client, member_user):
    """Signed in through the cached sessions against the real Redis: the page is served from the
    cached session, the database keeps it, and signing out removes it from both."""
    import redis
    from django.contrib.sessions.models import Session
    from django.core.cache import caches
    from django.test import override_settings
    from django.urls import reverse

    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2).ping()
    except redis.exceptions.ConnectionError as error:
        service_missing("Redis", str(error))
    shared = {
        "BACKEND": "sscb.redis_cache.RedisCache",
        "LOCATION": settings.REDIS_URL,
        "KEY_PREFIX": "test-sessions",
    }
    with override_settings(
        CACHES={"default": shared}, SESSION_ENGINE="django.contrib.sessions.backends.cached_db"
    ):
        client.force_login(member_user)
        key = client.session.session_key
        cache_key = f"django.contrib.sessions.cached_db{key}"
        try:
            assert caches["default"].get(cache_key) is not None
            assert Session.objects.filter(session_key=key).exists()
            assert client.get(reverse("reminders")).status_code == 200
            client.post(reverse("logout"))
            assert caches["default"].get(cache_key) is None
            assert not Session.objects.filter(session_key=key).exists()
            assert client.get(reverse("reminders")).status_code == 302
        finally:
            caches["default"].delete(cache_key)  # never clear(): Celery shares this Redis

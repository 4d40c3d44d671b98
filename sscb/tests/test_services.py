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

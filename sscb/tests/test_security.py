import datetime
import os
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

pytestmark = pytest.mark.django_db

BASE_DIR = Path(settings.BASE_DIR)


def _sign_in(client, username, password):
    return client.post(reverse("login"), {"login": username, "password": password})


def test_right_password_signs_in(client, member_user):
    response = _sign_in(client, "member", "safeguarding-demo")
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_wrong_password_says_so_and_signs_nobody_in(client, member_user):
    response = _sign_in(client, "member", "wrong")
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_five_wrong_passwords_lock_the_account(client, member_user):
    for _ in range(5):
        _sign_in(client, "member", "not-the-password")
    response = _sign_in(client, "member", "safeguarding-demo")
    assert response.status_code == 429
    assert "This account is locked for now" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_four_wrong_passwords_do_not_lock_the_account(client, member_user):
    for _ in range(4):
        _sign_in(client, "member", "not-the-password")
    assert _sign_in(client, "member", "safeguarding-demo").status_code == 302


def test_admin_is_for_staff_only(client, member_user, bu_user):
    client.force_login(member_user)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    client.force_login(bu_user)
    assert client.get("/admin/").status_code == 200


def test_pages_carry_a_policy_that_forbids_inline_script(client, member_user):
    client.force_login(member_user)
    policy = client.get(reverse("home"))["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in policy
    assert directives["frame-ancestors"] == "'none'"


def test_the_policy_built_once_is_django_csps_and_a_view_may_still_change_its_own(rf, settings):
    """``sscb.csp``: every response gets the policy django-csp builds from the settings; a
    response that changes it (django-csp's decorators) or asks for a nonce gets django-csp's."""
    from csp.constants import NONCE
    from csp.decorators import csp_update
    from csp.middleware import CSPMiddleware
    from csp.utils import build_policy
    from django.http import HttpResponse

    from sscb.csp import ContentSecurityPolicyMiddleware

    def plain(request):
        return HttpResponse("plain")

    @csp_update({"img-src": ["https://maps.example"]})
    def updated(request):
        return HttpResponse("updated")

    def header(middleware_class, view):
        return middleware_class(view)(rf.get("/"))["Content-Security-Policy"]

    assert header(ContentSecurityPolicyMiddleware, plain) == build_policy()
    assert header(ContentSecurityPolicyMiddleware, updated) == header(CSPMiddleware, updated)
    assert "img-src 'self' data: https://maps.example" in header(
        ContentSecurityPolicyMiddleware, updated
    )

    directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    settings.CONTENT_SECURITY_POLICY = {
        "DIRECTIVES": {**directives, "script-src": [*directives["script-src"], NONCE]}
    }

    def with_nonce(request):
        return HttpResponse(f"<script nonce='{request.csp_nonce}'></script>")

    response = ContentSecurityPolicyMiddleware(with_nonce)(rf.get("/"))
    nonce = response.content.decode().split("'")[1]
    assert f"'nonce-{nonce}'" in response["Content-Security-Policy"]
    assert "nonce" not in header(ContentSecurityPolicyMiddleware, plain)


def test_templates_hold_no_inline_script_and_nothing_from_a_cdn():
    for template in BASE_DIR.glob("**/templates/**/*.html"):
        if ".venv" in template.parts:
            continue
        text = template.read_text()
        for tag in text.split("<script")[1:]:
            assert "src=" in tag.split(">", 1)[0], f"inline script in {template}"
        assert "://cdn" not in text and "cdnjs" not in text and "jsdelivr" not in text, template
        if "email" not in template.parts:  # email clients need inline styles; browsers don't
            assert " style=" not in text, f"inline style in {template}"


def test_idle_sessions_expire():
    assert "sscb.sessions.SessionIdleTimeoutMiddleware" in settings.MIDDLEWARE
    assert settings.SESSION_COOKIE_AGE <= 60 * 60
    assert settings.SESSION_TOUCH_SECONDS <= 60


def test_a_session_is_saved_at_most_once_a_minute_and_still_ends_when_idle(client, member_user):
    """Page views within a minute write no session row; the first one after moves the expiry."""
    from django.contrib.sessions.models import Session

    start = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False):
        client.force_login(member_user)
        key = client.session.session_key
        client.get("/")
        first_expiry = Session.objects.get(pk=key).expire_date
    with time_machine.travel(start + datetime.timedelta(seconds=30), tick=False):
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/").status_code == 200
        assert not [q for q in queries if "django_session" in q["sql"] and "UPDATE" in q["sql"]]
        assert Session.objects.get(pk=key).expire_date == first_expiry
    later = start + datetime.timedelta(seconds=90)
    with time_machine.travel(later, tick=False):
        assert client.get("/").status_code == 200
        assert Session.objects.get(pk=key).expire_date == later + datetime.timedelta(
            seconds=settings.SESSION_COOKIE_AGE
        )
    idle = later + datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE + 1)
    with time_machine.travel(idle, tick=False):
        response = client.get("/")
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def _manage(*args, **env):
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"PYTEST_VERSION", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "x7#kq2!v9m@p4z$w8r^t6y&u1i*o3e(a5s)d0f_g-h+j=l~n-production-like-key-0123",
    "ALLOWED_HOSTS": "learning.example.org",
    "MEDIA_ROOT": "/srv/sscb/media",
    "SITE_URL": "https://learning.example.org",
    "DEFAULT_FROM_EMAIL": "business.unit@example.org",
    # Production shares its cache (check sscb.W005); the check connects to nothing.
    "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
}


def test_production_settings_pass_the_deployment_checklist():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    result = _manage("check", **{**PRODUCTION, "SECRET_KEY": ""})
    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr

"""Kept figures (sscb/figures_cache.py): a new generation whenever a record may have changed, and
never otherwise."""

import uuid

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.test import override_settings
from django.urls import reverse

from reviews.tests.factories import ReviewFactory
from sscb import figures_cache
from sscb.tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db


def test_saving_or_deleting_a_record_starts_a_new_generation():
    first = figures_cache.generation()
    review = ReviewFactory()
    second = figures_cache.generation()
    assert second > first
    review.delete()
    assert figures_cache.generation() > second


def test_a_record_changed_in_a_transaction_starts_another_generation_when_it_commits(
    django_capture_on_commit_callbacks,
):
    """A page counted while the transaction was open (from the data before it) is kept under the
    generation the save started; the commit makes that one unreachable too."""
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        AgencyFactory()
        AgencyFactory()
        during = figures_cache.generation()
    assert len(callbacks) == 1  # one more bump for the transaction, however many saves
    assert figures_cache.generation() > during


def test_the_access_log_written_by_a_page_view_keeps_the_generation(bu_user):
    from sscb.models import AccessLogEntry

    before = figures_cache.generation()
    AccessLogEntry.objects.create(
        user=bu_user, username=bu_user.username, action=AccessLogEntry.Action.VIEW, record="R1"
    )
    assert figures_cache.generation() == before


def test_a_signed_in_persons_successful_post_starts_a_new_generation(client, bu_user):
    """Covers bulk updates, which send no signal."""
    client.force_login(bu_user)
    before = figures_cache.generation()
    assert client.get(reverse("home")).status_code == 200
    assert figures_cache.generation() == before
    refused = client.post(reverse("reviews:create"), {})  # invalid: the form comes back
    assert refused.status_code == 200
    assert figures_cache.generation() > before  # a 200 may have saved something: assume it did
    before = figures_cache.generation()
    refused = client.post(reverse("reviews:detail", args=[uuid.uuid4()]))
    assert refused.status_code >= 400
    assert figures_cache.generation() == before


def test_a_background_job_starts_a_new_generation():
    """The reminder sweep and retention change records in bulk, which sends no signal."""
    from sscb.tasks import purge_access_log

    before = figures_cache.generation()
    purge_access_log.apply()
    assert figures_cache.generation() > before


def test_a_lost_generation_starts_afresh_from_the_clock():
    from django.core.cache import cache

    figures_cache.bump()
    old = figures_cache.generation()
    cache.delete(figures_cache.GENERATION_KEY)
    figures_cache.bump()
    assert figures_cache.generation() > old


def test_parts_are_made_once_a_generation_and_scope():
    made = []

    def make():
        made.append(1)
        return {"part": f"made {len(made)}"}

    assert figures_cache.parts("test", "2025:all", make) == {"part": "made 1"}
    assert figures_cache.parts("test", "2025:all", make) == {"part": "made 1"}
    assert figures_cache.parts("test", "2025:7", make) == {"part": "made 2"}
    figures_cache.bump()
    assert figures_cache.parts("test", "2025:all", make) == {"part": "made 3"}
    with override_settings(FIGURES_CACHE_SECONDS=0):
        assert figures_cache.parts("test", "2025:all", make) == {"part": "made 4"}
        assert figures_cache.parts("test", "2025:all", make) == {"part": "made 5"}


def test_one_copy_of_a_part_is_kept_and_a_copy_from_before_a_change_is_replaced():
    """So that people saving all day do not fill the cache with copies nobody can be served."""
    from django.core.cache import cache

    def copies():
        return [key for key in cache._cache if ":figures:test:" in key]

    cache.clear()
    assert figures_cache.parts("test", "all", lambda: "made 1") == "made 1"
    for made in range(2, 5):
        ReviewFactory()
        assert figures_cache.parts("test", "all", lambda made=made: f"made {made}") == (
            f"made {made}"
        )
        assert len(copies()) == 1


def test_a_readers_part_may_be_a_little_old_after_a_soft_change_unless_they_reload(bu_user):
    """Every part kept for its reader (``parts`` with the request: a page's, the dashboard's
    reader parts) is made afresh for a reader who reloads the page."""

    def asked(reload=None):
        request = _asked("/dashboard/", bu_user)
        if reload:
            request.META["HTTP_CACHE_CONTROL"] = reload
        return request

    with override_settings(PAGES_MAY_BE_OLD_SECONDS=30):
        assert figures_cache.parts("test", "all", lambda: "made 1", request=asked()) == "made 1"
        figures_cache.bump(hard=False)
        assert figures_cache.parts("test", "all", lambda: "made 2", request=asked()) == "made 1"
        for made, reload in ((3, "max-age=0"), (4, "no-cache")):
            figures_cache.bump(hard=False)
            assert (
                figures_cache.parts(
                    "test", "all", lambda made=made: f"made {made}", request=asked(reload)
                )
                == f"made {made}"
            )


def _made_by_another_meanwhile(name, scope_key, value, *, generation):
    """Another request, already making the part, stores ``value`` made in ``generation``."""
    import threading

    from django.core.cache import cache

    key = figures_cache._key(name, scope_key)
    assert cache.add(f"{key}:making", generation)

    def done():
        cache.set(key, (generation, 0, value))
        cache.delete(f"{key}:making")

    timer = threading.Timer(0.05, done)
    timer.start()
    return timer


def test_a_part_another_request_is_making_is_waited_for_not_made_again():
    """Many people open the dashboard at once after a change: it is counted once."""
    figures_cache.bump()
    timer = _made_by_another_meanwhile(
        "test", "all", "made by the other", generation=figures_cache.generation()
    )
    assert figures_cache.parts("test", "all", lambda: pytest.fail("made twice")) == (
        "made by the other"
    )
    timer.join()


def test_a_part_made_meanwhile_before_a_change_is_not_served_and_a_stuck_one_not_waited_for(
    monkeypatch,
):
    now = figures_cache.generation()
    timer = _made_by_another_meanwhile("test", "all", "made before", generation=now - 1)
    assert figures_cache.parts("test", "all", lambda: "made afresh") == "made afresh"
    timer.join()

    from django.core.cache import cache

    monkeypatch.setattr(figures_cache, "MADE_WITHIN_SECONDS", 0.2)
    figures_cache.bump()
    cache.add(f"{figures_cache._key('test', 'all')}:making", 0)  # a request that died making it
    assert figures_cache.parts("test", "all", lambda: "made after waiting") == "made after waiting"


def test_a_save_or_a_page_does_not_fail_when_the_cache_is_away(monkeypatch):
    from django.core.cache import cache
    from redis.exceptions import ConnectionError as RedisConnectionError

    def away(*args, **kwargs):
        raise RedisConnectionError("Connection refused")

    for method in ("get", "get_many", "set", "add", "incr"):
        monkeypatch.setattr(cache, method, away)
    ReviewFactory()
    made = []
    assert figures_cache.parts("test", "all", lambda: made.append(1) or {"part": "x"}) == {
        "part": "x"
    }
    assert made == [1]
    with override_settings(FIGURES_MAY_BE_OLD_SECONDS=60):
        request = _asked("/dashboard/", AnonymousUser())
        assert figures_cache.a_little_old(request, "test", "all", lambda: "counted") == "counted"


def _asked(path, user, query=""):
    from django.test import RequestFactory

    request = RequestFactory().get(f"{path}?{query}" if query else path)
    request.user = user
    return request


def test_a_part_is_kept_for_its_reader_path_and_query_and_only_the_names_it_is_kept_for(
    bu_user, member_user
):
    made = []

    def render(html="<p>part</p>"):
        made.append(1)
        return f"{html} {len(made)}"

    def kept(user, query="", path="/reviews/", names=frozenset({"kind", "page"})):
        return figures_cache.kept_for_reader(_asked(path, user, query), render, names=names)

    assert kept(bu_user) == kept(bu_user) == "<p>part</p> 1"
    assert kept(bu_user, "kind=scr&page=2") == kept(bu_user, "page=2&kind=scr") == "<p>part</p> 2"
    assert kept(member_user) == "<p>part</p> 3"  # another reader: their own
    assert kept(bu_user, path="/audits/") == "<p>part</p> 4"  # another page
    # Anything else is made each time: a name not kept for, a page that is not a number, a
    # long query string.
    for query in ("sort=x", "kind=scr&sort=x", "page=x", "page=1234567", "kind=" + "x" * 300):
        assert kept(bu_user, query) != kept(bu_user, query)
    posted = _asked("/reviews/", bu_user)
    posted.method = "POST"  # a page shown again with a refused form's errors
    assert figures_cache.kept_for_reader(posted, render) != kept(bu_user)
    made_so_far = len(made)
    figures_cache.bump()
    assert kept(bu_user) == f"<p>part</p> {made_so_far + 1}"


@pytest.mark.parametrize("token", ['name="csrfmiddlewaretoken"', "X-CSRFToken"])
def test_a_part_holding_a_forms_token_is_never_kept(bu_user, token, caplog):
    made = []

    def render():
        made.append(1)
        return f"<form>{token} {len(made)}</form>"

    first = figures_cache.kept_for_reader(_asked("/reviews/", bu_user), render)
    second = figures_cache.kept_for_reader(_asked("/reviews/", bu_user), render)
    assert (first, second) == (f"<form>{token} 1</form>", f"<form>{token} 2</form>")
    assert "holds a form's own token" in caplog.text

"""The benchmark is not a test, but a tiny run of it is, so that it cannot rot."""

import io
import re

import pytest
from django.core.management import call_command

from benchmarks.run import main as run_benchmark

pytestmark = pytest.mark.django_db(transaction=True)


def test_generate_load_and_the_benchmark_run_at_a_tiny_scale(tmp_path, settings):
    settings.DEBUG = True  # load_demo refuses otherwise
    call_command("load_demo", stdout=io.StringIO())
    settings.DEBUG = False
    out = io.StringIO()
    call_command("generate_load", scale=0.0005, stdout=out)
    assert "Generated scale 0.0005" in out.getvalue()
    from learning.models import Action
    from sscb.models import Reminder

    assert Action.objects.filter(title__startswith="Synthetic action").count() == 250
    assert Reminder.objects.filter(key__startswith="LOAD").count() == 500

    results = tmp_path / "results.md"
    rows = run_benchmark(
        ["--iterations", "2", "--warmup", "1", "--sweep", "inprocess", "--output", str(results)]
    )
    text = results.read_text()
    assert "- Data: demo data plus generated scale" in text and "- Machine: " in text
    assert (
        "FIGURES_CACHE_SECONDS=600, FIGURES_MAY_BE_OLD_SECONDS=0, PAGES_MAY_BE_OLD_SECONDS=0"
        in (text)
    ), "how long what is made is kept, in tests"
    for role in ("Business Unit", "member", "agency lead", "executive", "reviewer"):
        assert f"| {role} | Home |" in text, role
    for page in ("Dashboard", "Review list", "Review detail", "Golden thread", "Annual report"):
        assert f"| Business Unit | {page}" in text
    assert "Daily sweep for" in text
    # The whole action tracker downloaded, each way, within the target.
    assert re.search(r"\| CSV, [\d,]+ actions \| [\d.]+ \| [\d.]+ MB \| ≤ 30 s \| yes \|", text)
    assert re.search(r"\| XLSX, [\d,]+ actions \| [\d.]+ \| [\d.]+ MB \| ≤ 30 s \| yes \|", text)
    assert all(row["queries"] > 0 and row["floor"] > 0 for row in rows), "SQL measured per page"
    assert all(row["afresh"] > 0 for row in rows), "and each page with nothing kept"
    assert "| Afresh ms |" in text
    assert all(row["ratio"] == row["median"] / row["floor"] for row in rows)
    # The page as made runs more SQL than the page as served (its parts are not kept).
    assert "| Afresh SQL ms | Afresh ratio |" in text
    assert all(row["afresh_queries"] >= row["queries"] for row in rows)
    assert any(row["afresh_queries"] > row["queries"] for row in rows)
    assert all(row["afresh_ratio"] == row["afresh"] / row["afresh_floor"] for row in rows)

    # Every page an agency lead reaches from their home page answers, each timed.
    from benchmarks.crawl import main as crawl

    reached = crawl(["agency_lead", "--pages", "12", "--top", "3"])
    assert len(reached) == 12 and reached[0][0] >= reached[-1][0] > 0
    assert {status for _, _, status, _, _ in reached} == {200}
    assert "/learning/" in {url for *_, url, _ in reached}


def test_generate_load_refuses_to_run_twice():
    call_command("generate_load", scale=0.0002, stdout=io.StringIO())
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="already here"):
        call_command("generate_load", scale=0.0002, stdout=io.StringIO())


def _page_queries(client):
    """Query counts of every main page, signed in as the Business Unit, on the data present."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from learning.models import Finding
    from reviews.models import Review
    from sscb.models import User

    # Both runs start with Django's content types unread: a flush between them empties that
    # cache, and tests run before this one in the same process may have filled it.
    ContentType.objects.clear_cache()
    client.force_login(User.objects.filter(role="business_unit").order_by("pk").first())
    review = Review.objects.order_by("pk").first()
    threaded = Finding.objects.exclude(review=None).order_by("pk").first().review.uuid
    urls = [
        "/",
        "/reviews/",
        "/reviews/?kind=scr",
        f"/reviews/{review.uuid}/",  # compared by position: ids differ between the runs
        "/audits/",
        "/learning/",
        "/learning/findings/",
        "/learning/collate/",
        "/learning/outcomes/",
        "/learning/evidence/",
        "/learning/actions/",
        "/learning/actions/?status=open",
        f"/learning/thread/review/{threaded}/",
        "/reminders/",
        "/dashboard/",
        "/dashboard/annual-report/",
    ]
    counts = []
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, url
        counts.append((url, len(queries.captured_queries)))
    return counts


def test_page_query_counts_stay_fixed_at_a_larger_fixture(client):
    """Each page's query count at ~250 actions is no more than at ~25 (generate_load data)."""
    call_command("generate_load", scale=0.00005, stdout=io.StringIO())
    small = _page_queries(client)
    call_command("flush", interactive=False, verbosity=0)
    call_command("generate_load", scale=0.0005, stdout=io.StringIO())
    large = _page_queries(client)
    grown = [
        (url, before, after) for (url, before), (_, after) in zip(small, large) if after > before
    ]
    assert not grown, f"pages whose queries grew with the data: {grown}"

"""Every page a role can reach, made afresh, slowest first: what `run.py`'s chosen pages miss.

    DATABASE_URL=postgres://... .venv/bin/python benchmarks/crawl.py agency_lead executive

Signed in as each role's demo user, it follows the links on each page from the home page (the
navigation, the lists, the records they name), at most ``--pages`` pages a role and two of each
kind of address (a record's page once or twice, not every record). Each page is asked for three
times with nothing kept (``FIGURES_CACHE_SECONDS`` at 0, DEBUG off) and the third is timed, so the
database's caches are warm. Prints the slowest, with their query counts. Downloads and sign-out
are not followed.
"""

import argparse
import os
import re
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sscb.settings")

LINK = re.compile(r'href="(/[^"#]*)"')
NOT_FOLLOWED = re.compile(
    r"^/(static|media|accounts/logout|admin/logout|i18n)/|\.(xlsx|csv|pdf|ics)(\?|$)|/download"
    r"|/export|/file"
)
PUBLIC_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _kind(url: str) -> str:
    """An address without its record: ``/reviews/<id>/`` for every review's page."""
    return re.sub(r"/\d+/", "/N/", PUBLIC_ID.sub("ID", url.split("?")[0]))


def crawl(user, limit: int) -> list[tuple[float, int, int, str]]:
    """(ms, queries, status, url) of each page reached from the home page."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(user)
    seen, queue, kinds, rows = set(), ["/"], {}, []
    while queue and len(seen) < limit:
        url = queue.pop(0)
        kind = _kind(url)
        if url in seen or kinds.get(kind, 0) >= 2:
            continue
        kinds[kind] = kinds.get(kind, 0) + 1
        seen.add(url)
        client.get(url)
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url)
            ms = (time.perf_counter() - started) * 1000
        rows.append((ms, len(queries.captured_queries), response.status_code, url))
        if response.status_code == 200 and "html" in response.get("Content-Type", ""):
            for link in LINK.findall(response.content.decode()):
                link = link.replace("&amp;", "&")
                if link not in seen and not NOT_FOLLOWED.search(link):
                    queue.append(link)
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("roles", nargs="+", help="business_unit, subgroup_member, agency_lead, …")
    parser.add_argument("--pages", type=int, default=150, help="at most this many a role")
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args(argv)

    import django
    from django.apps import apps

    if not apps.ready:
        django.setup()
    from django.conf import settings
    from django.test import override_settings

    from benchmarks import pages as shared

    if "testserver" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    rows = []
    for role in args.roles:
        user = shared.people_of_role(role)[0]
        shared.ensure_second_factor(user)
        with override_settings(FIGURES_CACHE_SECONDS=0):  # every page made afresh
            rows += [(*row, role) for row in crawl(user, args.pages)]
    rows.sort(reverse=True)
    for ms, queries, status, url, role in rows[: args.top]:
        print(f"{ms:8.0f} ms {queries:4d} queries {status} {role:20s} {url}")
    print(f"{len(rows)} pages; {shared.machine()}")
    return rows


if __name__ == "__main__":
    from benchmarks.run import BENCHMARK_ENVIRONMENT

    for name, value in BENCHMARK_ENVIRONMENT.items():
        os.environ.setdefault(name, value)
    main()

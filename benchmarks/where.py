"""Where one page's server time goes: cProfile over repeated requests, signed in as a role.

    DATABASE_URL=postgres://... .venv/bin/python benchmarks/where.py business_unit /reviews/

Prints the functions with the most time of their own and the most time in all (DEBUG off, as
``run.py`` measures), and the share of the time spent in SQL, template rendering and the rest.
"""

import argparse
import cProfile
import os
import pstats
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sscb.settings")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("role", help="business_unit, subgroup_member, agency_lead, executive, ...")
    parser.add_argument("url")
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--top", type=int, default=35)
    parser.add_argument("--sort", default="tottime", choices=["tottime", "cumulative"])
    parser.add_argument(
        "--afresh", action="store_true", help="nothing kept: each request makes its page"
    )
    args = parser.parse_args(argv)

    import django

    django.setup()
    from django.conf import settings
    from django.test import Client

    from benchmarks import pages as shared
    from sscb import figures_cache

    if "testserver" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    user = shared.people_of_role(args.role)[0]
    shared.ensure_second_factor(user)
    client = Client()
    client.force_login(user)
    if args.afresh:  # as run.py makes a page afresh: not even figures that may be a little old
        settings.FIGURES_MAY_BE_OLD_SECONDS = 0
    for _ in range(3):
        assert client.get(args.url).status_code < 400
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for _ in range(args.requests):
        if args.afresh:
            profiler.disable()
            figures_cache.bump()
            profiler.enable()
        client.get(args.url)
    profiler.disable()
    elapsed = (time.perf_counter() - started) * 1000 / args.requests
    stats = pstats.Stats(profiler)
    stats.sort_stats(args.sort).print_stats(args.top)
    print(f"{args.url}: {elapsed:.1f} ms a request under the profiler ({args.requests} requests)")


if __name__ == "__main__":
    from benchmarks.run import BENCHMARK_ENVIRONMENT

    for name, value in BENCHMARK_ENVIRONMENT.items():
        os.environ.setdefault(name, value)
    main()

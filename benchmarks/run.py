"""Benchmark the pages and the reminder sweep against a database filled by ``generate_load``.

    DATABASE_URL=postgres://... .venv/bin/python manage.py generate_load --scale 1
    DATABASE_URL=postgres://... .venv/bin/python benchmarks/run.py

Each page is requested in-process through Django's test client (server time: URL routing,
middleware, queries, templates), after a warm-up, and timed by median and 95th percentile. The
dashboard's floor is the same SQL run directly on the connection. The daily reminder sweep runs
in a child process (``manage.py send_reminders`` for the next day not yet swept), so that its
peak memory is its own. Prints one table and writes it to ``benchmarks/results.md``.
"""

import argparse
import datetime
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sscb.settings")

# Production-like settings (DEBUG off), served over plain HTTP to the in-process client.
BENCHMARK_ENVIRONMENT = {
    "DEBUG": "0",
    "SECRET_KEY": "benchmark-only-" + "x" * 50,
    "ALLOWED_HOSTS": "testserver",
    "SECURE_SSL_REDIRECT": "0",
    "SESSION_COOKIE_SECURE": "0",
    "STATIC_MANIFEST": "0",
}

# The targets: the dashboard ≤ 150 ms, every list and detail page ≤ 60 ms. The annual
# report is neither a list nor a detail page but the dashboard's printable report, so it is
# held to the dashboard's target.
TARGETS_MS = {"dashboard": 150, "report": 150, "page": 60}
TARGET_RATIO = 2.0
TARGET_SWEEP_S = 30
TARGET_SWEEP_MB = 300


def _percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def _time(call, iterations, warmup):
    for _ in range(warmup):
        call()
    samples = []
    for _ in range(iterations):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples), _percentile(samples, 0.95)


def _row(*cells):
    return "| " + " | ".join(str(cell) for cell in cells) + " |"


def _met(ok):
    return "yes" if ok else "NO"


def _machine():
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kib / 1024 / 1024:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return f"{cpu}, {os.cpu_count()} cores{memory}, Python {platform.python_version()}"


def _sweep_in_child(day, database_url):
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
    }
    env.pop("PYTEST_VERSION", None)
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    result = subprocess.run(  # noqa: S603 - our own interpreter and command
        [sys.executable, "manage.py", "send_reminders", "--date", day.isoformat()],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    seconds = time.perf_counter() - started
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return seconds, max(peak_kib, before) / 1024, result.stdout.splitlines()[0]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--output", default=str(BASE_DIR / "benchmarks" / "results.md"))
    parser.add_argument(
        "--sweep",
        choices=["child", "inprocess", "skip"],
        default="child",
        help="run the reminder sweep in a child process (default), in this process, or not",
    )
    args = parser.parse_args(argv)

    import django
    from django.apps import apps

    if not apps.ready:
        django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from learning.models import Action, Finding
    from reviews.models import Review
    from sscb.dates import financial_year_of
    from sscb.models import ReminderSweep, User

    if "testserver" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    user = User.objects.filter(role=User.Role.BUSINESS_UNIT, is_active=True).order_by("pk").first()
    if user is None or not Review.objects.exists():
        raise SystemExit("No data: run `manage.py generate_load --scale S` first.")
    client = Client()
    client.force_login(user)
    today = timezone.localdate()
    year = financial_year_of(today)
    actions = Action.objects.count()
    review = (
        Review.objects.filter(clocks__isnull=False).order_by("pk").first() or Review.objects.first()
    )
    threaded = (
        Finding.objects.filter(review__isnull=False).values_list("review__uuid", flat=True).first()
    )
    busiest = (
        Action.objects.values("owner_agency_id")
        .order_by("owner_agency_id")
        .first()["owner_agency_id"]
    )
    pages = [
        ("Dashboard", f"/dashboard/?year={year}", "dashboard"),
        ("Review list", "/reviews/", "page"),
        ("Review list, filtered (SCR, open clock)", "/reviews/?kind=scr&clock=amber", "page"),
        ("Review detail", f"/reviews/{review.uuid}/", "page"),
        (
            "Action list, agency + status",
            f"/learning/actions/?owner_agency={busiest}&status=open",
            "page",
        ),
        ("Golden thread (review)", f"/learning/thread/review/{threaded or review.uuid}/", "page"),
        ("Annual report", f"/dashboard/annual-report/?year={year}", "report"),
    ]

    def fetch(url):
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
        return response

    rows = []
    for label, url, kind in pages:
        with CaptureQueriesContext(connection) as queries:
            fetch(url)
        count = len(queries.captured_queries)  # before the next request resets the log
        median, p95 = _time(lambda url=url: fetch(url), args.iterations, args.warmup)
        rows.append([label, url, median, p95, count, TARGETS_MS[kind]])

    # The dashboard's floor: the same SQL, run directly.
    with CaptureQueriesContext(connection) as queries:
        fetch(pages[0][1])
    # The dashboard's own aggregate queries: not the session and user lookups every page makes.
    statements = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith("SELECT")
        and "django_session" not in q["sql"]
        and 'FROM "sscb_user"' not in q["sql"]
    ]

    def floor():
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
                cursor.fetchall()

    floor_median, floor_p95 = _time(floor, args.iterations, args.warmup)
    ratio = rows[0][2] / floor_median if floor_median else float("inf")

    sweep = None
    if args.sweep != "skip":
        last = ReminderSweep.objects.filter(finished_at__isnull=False).order_by("-day").first()
        backlog = None
        if last is None:
            # The very first sweep plans every reminder already due: a one-off backlog.
            backlog_day = today
            if args.sweep == "child":
                backlog = _sweep_in_child(backlog_day, os.environ.get("DATABASE_URL", ""))
            else:
                from sscb.reminders import reminders_sweep

                started = time.perf_counter()
                reminders_sweep(today=backlog_day)
                backlog = (time.perf_counter() - started, None, "in process")
            last_day = backlog_day
        else:
            last_day = last.day
        day = max(last_day, today) + datetime.timedelta(days=1)
        if args.sweep == "child":
            seconds, peak_mb, summary = _sweep_in_child(day, os.environ.get("DATABASE_URL", ""))
        else:
            from sscb.reminders import reminders_sweep

            started = time.perf_counter()
            result = reminders_sweep(today=day)
            seconds, peak_mb, summary = time.perf_counter() - started, None, str(result["planned"])
        sweep = {
            "day": day,
            "seconds": seconds,
            "peak_mb": peak_mb,
            "summary": summary,
            "backlog": backlog,
        }

    scale = actions / 500_000
    database = connection.vendor
    if database == "postgresql":
        database += f" {connection.pg_version // 10000}"
    lines = [
        "# Benchmark results",
        "",
        f"- Date: {datetime.datetime.now():%Y-%m-%d %H:%M}",
        f"- Scale: {scale:.3g} ({actions:,} actions, {Review.objects.count():,} reviews)",
        f"- Database: {database}",
        f"- Machine: {_machine()}",
        f"- {args.iterations} timed requests per page after {args.warmup} warm-up requests; "
        "server time, in process, DEBUG off",
        "",
        _row("Page", "Median ms", "p95 ms", "Queries", "Target", "Met"),
        _row("---", "---:", "---:", "---:", "---", ":---:"),
    ]
    for label, _url, median, p95, count, target in rows:
        lines.append(
            _row(
                label,
                f"{median:.1f}",
                f"{p95:.1f}",
                count,
                f"≤ {target} ms",
                _met(median <= target),
            )
        )
    lines.append(
        _row(
            "Dashboard SQL floor",
            f"{floor_median:.1f}",
            f"{floor_p95:.1f}",
            len(statements),
            "",
            "",
        )
    )
    lines.append(
        _row(
            "Dashboard / floor",
            f"{ratio:.2f}×",
            "",
            "",
            f"≤ {TARGET_RATIO}×",
            _met(ratio <= TARGET_RATIO),
        )
    )
    if sweep:
        peak_mb = sweep["peak_mb"] or 0
        met = sweep["seconds"] <= TARGET_SWEEP_S and peak_mb <= TARGET_SWEEP_MB
        lines += [
            "",
            _row("Reminder sweep", "Seconds", "Peak memory", "Target", "Met"),
            _row("---", "---:", "---:", "---", ":---:"),
            _row(
                f"Daily sweep for {sweep['day']} over {actions:,} actions",
                f"{sweep['seconds']:.1f}",
                f"{peak_mb:.0f} MB" if sweep["peak_mb"] else "n/a",
                f"≤ {TARGET_SWEEP_S} s, ≤ {TARGET_SWEEP_MB} MB",
                _met(met),
            ),
        ]
        if sweep["backlog"]:
            seconds, backlog_mb, summary = sweep["backlog"]
            lines.append(
                _row(
                    f"First sweep ever, the whole backlog ({summary})",
                    f"{seconds:.1f}",
                    f"{backlog_mb:.0f} MB" if backlog_mb else "n/a",
                    "one-off",
                    "",
                )
            )
        lines += ["", f"Daily sweep printed: {sweep['summary']}"]
    text = "\n".join(lines) + "\n"
    print(text)
    Path(args.output).write_text(text)
    return rows


if __name__ == "__main__":
    for name, value in BENCHMARK_ENVIRONMENT.items():
        os.environ.setdefault(name, value)
    main()

"""Benchmark each role's main pages, against their own SQL, and the reminder sweep.

    DEBUG=1 DATABASE_URL=postgres://... .venv/bin/python manage.py load_demo
    DEBUG=1 DATABASE_URL=postgres://... .venv/bin/python manage.py generate_load --scale 0.02
    DATABASE_URL=postgres://... .venv/bin/python benchmarks/run.py

Signed in as each role's demo user (Business Unit, member, agency lead, executive, reviewer),
each page that role uses most (benchmarks/pages.py) is requested in-process through Django's test
client (server time: URL routing, middleware, queries, templates), after a warm-up, and timed by
median and 95th percentile. Then the SQL one request of that page ran is replayed bare on the same
connection (its floor), and the page is judged by the ratio of the two: absolute times move with
the machine, the ratio travels. The same again with nothing kept ("afresh"): the page as made.
Writes a page makes on a GET (an access-log row) are not replayed.
The daily reminder sweep runs in a child process (``manage.py send_reminders`` for the next day
not yet swept), so that its peak memory is its own. Records the data and the machine, prints one
table and writes it to ``benchmarks/results.md``.
"""

import argparse
import datetime
import os
import re
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

# Every page within twice the time of its own SQL (issue 15): the rest is Python and templates.
TARGET_RATIO = 2.0
TARGET_SWEEP_S = 30
TARGET_SWEEP_MB = 300
# A download is made whole before the web server's worker may answer anything else; half of
# gunicorn's timeout (gunicorn.conf.py) leaves room for a slower or busier machine.
TARGET_EXPORT_S = 30
EXPORT_URL = "/learning/actions/export.{}"
# A signed-in page that only redirects: the cost every request pays before its page begins.
BARE_URL = "/accounts/email/"


def _percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def _time(call, iterations, warmup, before=lambda: None):
    """Median and 95th percentile ms of ``call``; ``before`` runs, untimed, before each."""
    for _ in range(warmup):
        before()
        call()
    samples = []
    for _ in range(iterations):
        before()
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples), _percentile(samples, 0.95)


def _row(*cells):
    return "| " + " | ".join(str(cell) for cell in cells) + " |"


def _met(ok):
    return "yes" if ok else "NO"


# ``manage.py`` in a child that says, as it ends, its own peak memory (VmHWM, in kB). The
# kernel's count of a child's peak (``RUSAGE_CHILDREN``) starts from this process's own, which
# it takes across fork and exec: it gave this process's size after the pages and the exports,
# not the sweep's.
# The sweep runs on the day it is given as if that day had come (a sweep refuses a day after
# today): the benchmark sweeps the day after the last one, so each run meets a new day's work.
PEAK_REPORTING_MANAGE = (
    "import atexit, os, sys, manage, time_machine\n"
    "def peak():\n"
    "    with open('/proc/self/status') as status:\n"
    "        print(*[line for line in status if line.startswith('VmHWM:')], file=sys.stderr)\n"
    "atexit.register(peak)\n"
    "time_machine.travel(os.environ['BENCHMARK_DAY'] + ' 07:00', tick=True).start()\n"
    "manage.main()\n"
)
PEAK = re.compile(r"^VmHWM:\s+(\d+) kB", re.M)


def _sweep_in_child(day, database_url):
    """The daily sweep for ``day`` as ``manage.py send_reminders`` runs it: seconds, peak
    megabytes of its own, and the first line it printed."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "BENCHMARK_DAY": day.isoformat(),
    }
    env.pop("PYTEST_VERSION", None)
    started = time.perf_counter()
    result = subprocess.run(  # noqa: S603 - our own interpreter and command
        [
            sys.executable,
            "-c",
            PEAK_REPORTING_MANAGE,
            "send_reminders",
        ],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    seconds = time.perf_counter() - started
    peak_kib = int(PEAK.search(result.stderr).group(1))
    return seconds, peak_kib / 1024, result.stdout.splitlines()[0]


# A queryset read with .iterator() on PostgreSQL (a form's choices) runs through a named cursor.
SERVER_SIDE_CURSOR = re.compile(
    r'^\s*DECLARE "[^"]+" NO SCROLL CURSOR WITH(?:OUT)? HOLD FOR ', re.I
)


def _replayable(captured: list[str]) -> list[str]:
    """The reads among a request's SQL, which the floor replays (a write on a GET, such as an
    access-log row, is not repeated); a server-side cursor's query is replayed as a plain one."""
    reads = [SERVER_SIDE_CURSOR.sub("", sql) for sql in captured]
    return [sql for sql in reads if sql.lstrip().upper().startswith(("SELECT", "WITH"))]


def _floor(request, args):
    """The SQL one call of ``request`` runs, and the median ms of its reads replayed bare on the
    same connection."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        request()
    captured = [query["sql"] for query in queries.captured_queries]
    statements = _replayable(captured)

    def replay():
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
                cursor.fetchall()

    return captured, statements, _time(replay, args.iterations, args.warmup)[0]


def _exports(client) -> list[dict]:
    """The Business Unit's whole action tracker downloaded as CSV and as XLSX: seconds, size,
    or the refusal of a spreadsheet too large for one (``learning.exports``)."""
    results = []
    for fmt in ("csv", "xlsx"):
        started = time.perf_counter()
        response = client.get(EXPORT_URL.format(fmt))
        size = len(response.getvalue()) if response.status_code == 200 else None
        results.append({"fmt": fmt, "seconds": time.perf_counter() - started, "size": size})
    return results


def _sweep(args, today):
    from sscb.models import ReminderSweep

    last = ReminderSweep.objects.filter(finished_at__isnull=False).order_by("-day").first()
    backlog = None
    if last is None:
        # The very first sweep plans every reminder already due: a one-off backlog.
        if args.sweep == "child":
            backlog = _sweep_in_child(today, os.environ.get("DATABASE_URL", ""))
        else:
            from sscb.reminders import reminders_sweep

            started = time.perf_counter()
            reminders_sweep(today=today)
            backlog = (time.perf_counter() - started, None, "in process")
        last_day = today
    else:
        last_day = last.day
    day = max(last_day, today) + datetime.timedelta(days=1)
    if args.sweep == "child":
        seconds, peak_mb, summary = _sweep_in_child(day, os.environ.get("DATABASE_URL", ""))
    else:
        import time_machine

        from sscb.reminders import reminders_sweep

        started = time.perf_counter()
        with time_machine.travel(datetime.datetime.combine(day, datetime.time(7)), tick=True):
            result = reminders_sweep(today=day)
        seconds, peak_mb, summary = time.perf_counter() - started, None, str(result["planned"])
    return {
        "day": day,
        "seconds": seconds,
        "peak_mb": peak_mb,
        "summary": summary,
        "backlog": backlog,
    }


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
    parser.add_argument("--note", default="", help="a line saying what this run measured")
    args = parser.parse_args(argv)

    import django
    from django.apps import apps

    if not apps.ready:
        django.setup()
    from django.conf import settings
    from django.test import Client, override_settings
    from django.utils import timezone

    from benchmarks import pages as shared
    from reviews.models import Review
    from sscb import figures_cache

    if "testserver" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    if not Review.objects.exists():
        raise SystemExit("No data: run `manage.py load_demo` and `generate_load --scale S` first.")
    machine, data = shared.machine(), shared.data_description()

    def fetch(client, url):
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
        return response

    rows, missing = [], []
    for role, role_label, _demo in shared.ROLES:
        people = shared.people_of_role(role)
        if not people:
            missing.append(role_label)
            continue
        user = people[0]
        shared.ensure_second_factor(user)  # production asks every role for one
        client = Client()
        client.force_login(user)
        for label, url in shared.pages_for(user):

            def page(url=url, client=client):
                fetch(client, url)

            median, p95 = _time(page, args.iterations, args.warmup)
            # What the first reader after a change waits: nothing kept (sscb/figures_cache.py),
            # not even figures that may be a little old.
            with override_settings(FIGURES_MAY_BE_OLD_SECONDS=0):
                afresh, _ = _time(page, args.iterations, args.warmup, before=figures_cache.bump)
            captured, statements, floor_median = _floor(page, args)
            # The SQL of the page made afresh, the same way: what its Python is judged against
            # when it is built.
            with override_settings(FIGURES_MAY_BE_OLD_SECONDS=0):
                figures_cache.bump()
                afresh_captured, _, afresh_floor = _floor(page, args)
            rows.append(
                {
                    "role": role_label,
                    "user": user.username,
                    "page": label,
                    "url": url,
                    "median": median,
                    "p95": p95,
                    "afresh": afresh,
                    "queries": len(captured),
                    "not_replayed": len(captured) - len(statements),
                    "floor": floor_median,
                    "ratio": median / floor_median if floor_median else float("inf"),
                    "afresh_queries": len(afresh_captured),
                    "afresh_floor": afresh_floor,
                    "afresh_ratio": afresh / afresh_floor if afresh_floor else float("inf"),
                }
            )

    # What every signed-in request costs before its page does anything: middleware, the session,
    # the person and their second factor (three queries), measured on a redirect that renders
    # nothing. No page can be faster; a page whose own SQL is small cannot be within 2× of it.
    bare = Client()
    bare.force_login(shared.people_of_role(shared.ROLES[0][0])[0])
    bare_median, _ = _time(lambda: bare.get(BARE_URL), args.iterations, args.warmup)
    _, bare_sql, bare_floor_median = _floor(lambda: bare.get(BARE_URL), args)

    exports = _exports(bare)
    sweep = _sweep(args, timezone.localdate()) if args.sweep != "skip" else None

    iterations = f"{args.iterations} timed requests per page after {args.warmup} warm-up requests"
    lines = [
        "# Benchmark results",
        "",
        f"- Date: {datetime.datetime.now():%Y-%m-%d %H:%M}",
        *([f"- Run: {args.note}"] if args.note else []),
        f"- Data: {shared.describe_data(data)}",
        f"- Machine: {machine}",
        f"- {iterations}; server time, in process, DEBUG off, every role with a second factor; "
        f"{shared.kept_settings()}",
        "- SQL floor: the queries one request of the page ran, replayed bare on the same "
        "connection (median); writes made on a GET are counted but not replayed",
        "- Afresh: the median with nothing kept, each request after a new figures generation "
        "(what the first reader after a change waits: sscb/figures_cache.py); its SQL and ratio "
        "are measured the same way as the page's as served",
        "- The machine is shared: absolute times are noisy, the ratio is what travels",
        f"- Fixed cost of a signed-in request that renders nothing ({BARE_URL}, a redirect): "
        f"{bare_median:.1f} ms, of which SQL {bare_floor_median:.1f} ms ({len(bare_sql)} "
        "queries); every page pays it",
        *([f"- No user for: {', '.join(missing)}"] if missing else []),
        "",
        _row(
            "Role",
            "Page",
            "Median ms",
            "p95 ms",
            "Afresh ms",
            "Queries",
            "SQL floor ms",
            "Ratio",
            "≤ 2×",
            "Afresh queries",
            "Afresh SQL ms",
            "Afresh ratio",
            "≤ 2×",
        ),
        _row("---", "---", "---:", "---:", "---:", "---:", "---:", "---:", ":---:", "---:")
        + " ---: | ---: | :---: |",
    ]
    for row in rows:
        writes = f" ({row['not_replayed']} not replayed)" if row["not_replayed"] else ""
        lines.append(
            _row(
                row["role"],
                row["page"],
                f"{row['median']:.1f}",
                f"{row['p95']:.1f}",
                f"{row['afresh']:.1f}",
                f"{row['queries']}{writes}",
                f"{row['floor']:.1f}",
                f"{row['ratio']:.2f}×",
                _met(row["ratio"] <= TARGET_RATIO),
                row["afresh_queries"],
                f"{row['afresh_floor']:.1f}",
                f"{row['afresh_ratio']:.2f}×",
                _met(row["afresh_ratio"] <= TARGET_RATIO),
            )
        )
    from learning.exports import SPREADSHEET_ACTIONS_UP_TO

    lines += [
        "",
        _row("Business Unit's whole action tracker", "Seconds", "Size", "Target", "Met"),
        _row("---", "---:", "---:", "---", ":---:"),
    ]
    refusal = f" (refused: more than {SPREADSHEET_ACTIONS_UP_TO:,}, filter or take CSV)"
    for export in exports:
        refused = export["size"] is None
        label = f"{export['fmt'].upper()}, {data['counts']['actions']:,} actions"
        lines.append(
            _row(
                label + (refusal if refused else ""),
                f"{export['seconds']:.1f}",
                "" if refused else f"{export['size'] / 1e6:.1f} MB",
                f"≤ {TARGET_EXPORT_S} s",
                _met(export["seconds"] <= TARGET_EXPORT_S),
            )
        )
    if sweep:
        actions = data["counts"]["actions"]
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

"""Many people at once: gunicorn, PostgreSQL, 32 signed-in sessions, with writes.

    DATABASE_URL=postgres://... .venv/bin/python benchmarks/concurrency.py
    DATABASE_URL=postgres://... .venv/bin/python benchmarks/concurrency.py --instances 2

On the demo data plus generated load (as ``run.py``), this starts gunicorn (``gunicorn.conf.py``:
its worker count, DEBUG off, the cache and allauth's limits in Redis) and signs in ``--sessions``
people of every role through the real sign-in form, password then authenticator code, each from
an address of their own. Then, for ``--duration`` seconds each:

1. the floor: every session's connection asks for the sign-in page, the cheapest page there is;
2. each main page in turn: the same number of connections ask for that page, shared among the
   sessions of the roles that use it, each seeing the page as their role does;
3. everyone at once: each session walks its own role's pages, while ``--writers`` of them save
   new findings (sub-group members) and report progress on actions (agency leads).

It reports, per page, the throughput (requests a second), p50 and p99 and errors (any answer but
the expected one), each page's throughput against the floor's, and checks that every write the
server accepted (a redirect) is in the database. With ``--instances 2`` it measures one gunicorn
instance and then two on different ports sharing PostgreSQL and Redis, a request going to either
(a session begun on one instance is used on both), and reports one beside the other.

The benchmark prepares its people in the database it measures: each gets a known password and a
new authenticator app secret. Use a database made for benchmarks, never one people use.
"""

import argparse
import datetime
import html
import http.client
import os
import re
import runpy
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sscb.settings")

from benchmarks.run import BENCHMARK_ENVIRONMENT  # noqa: E402 - needs the path above

PASSWORD = "benchmark-only-" + "p" * 20  # noqa: S105 - set on the benchmark's own people
# The server as in production (DEBUG off, every role with a second factor), over plain HTTP on
# 127.0.0.1, one trusted proxy: each session's X-Forwarded-For is its own address, so that the
# per-address sign-in limits see 32 people, not one.
SERVER_ENVIRONMENT = {
    **BENCHMARK_ENVIRONMENT,
    "ALLOWED_HOSTS": "127.0.0.1",
    "SECURE_HSTS_SECONDS": "0",
    "TRUSTED_PROXY_COUNT": "1",
    "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
    "MFA_REQUIRED_ROLES": "all",
    "REDIS_URL": "redis://127.0.0.1:6379/7",
}
# How 32 sessions divide among the roles (scaled for another --sessions).
SHARE = {
    "business_unit": 6,
    "subgroup_member": 8,
    "agency_lead": 8,
    "executive": 5,
    "independent_reviewer": 5,
}
TARGET_FLOOR_SHARE = 0.35
TARGET_P99_S = 1.0
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def _row(*cells):
    return "| " + " | ".join(str(cell) for cell in cells) + " |"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def totp_code(secret: str) -> str:
    """The code an authenticator app shows now (RFC 6238: SHA-1, 30 s, six digits)."""
    import base64
    import hashlib
    import hmac
    import struct

    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", int(time.time()) // 30), hashlib.sha1).digest()
    start = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[start : start + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


class Browser:
    """One person's browser: cookies, an address of its own, requests spread over the servers."""

    def __init__(self, ports, address):
        self.ports = ports
        self.address = address
        self.cookies = {}
        self.turn = 0

    def request(self, method, path, form=None, port=None):
        """Returns (status, Location, body, seconds); a new connection each time, as gunicorn's
        sync workers close it after every answer."""
        if port is None:
            port = self.ports[self.turn % len(self.ports)]
            self.turn += 1
        headers = {"X-Forwarded-For": self.address, "Host": "127.0.0.1"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read()
        finally:
            connection.close()
        seconds = time.perf_counter() - started
        for header in response.msg.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            for name, morsel in cookie.items():
                if morsel.value and morsel["max-age"] != "0":
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)
        return response.status, response.getheader("Location", ""), content, seconds

    def csrf_token(self, path):
        status, _location, content, _ = self.request("GET", path)
        found = CSRF_FIELD.search(content.decode())
        if status != 200 or not found:
            raise RuntimeError(f"{path} answered {status} without a form")
        return html.unescape(found.group(1))

    def sign_in(self, username, secret):
        """The sign-in form, then the authenticator code, as a person would."""
        token = self.csrf_token("/accounts/login/")
        status, location, _, _ = self.request(
            "POST",
            "/accounts/login/",
            {"csrfmiddlewaretoken": token, "login": username, "password": PASSWORD},
        )
        if status != 302 or "/2fa/" not in location:
            raise RuntimeError(f"{username}: password step answered {status} {location}")
        token = self.csrf_token(location)
        if time.time() % 30 > 24:  # the code would change before the server reads it
            time.sleep(30.5 - time.time() % 30)
        status, location, _, _ = self.request(
            "POST", location, {"csrfmiddlewaretoken": token, "code": totp_code(secret)}
        )
        if status != 302 or location != "/":
            raise RuntimeError(f"{username}: code step answered {status} {location}")


class Server:
    """Our own gunicorn, started and stopped by process id."""

    def __init__(self, port, workers, environment):
        command = [str(Path(sys.executable).parent / "gunicorn"), "sscb.wsgi"]
        command += ["--bind", f"127.0.0.1:{port}", "--log-level", "warning"]
        if workers:
            command += ["--workers", str(workers)]
        self.port = port
        self.process = subprocess.Popen(  # noqa: S603 - our own virtualenv's gunicorn
            command, cwd=BASE_DIR, env=environment, start_new_session=True
        )
        deadline = time.monotonic() + 90
        while True:
            try:
                if Browser([port], "10.255.0.1").request("GET", "/accounts/login/")[0] == 200:
                    return
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"gunicorn on port {port} did not start")
            time.sleep(0.5)

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _prepare(sessions):
    """The people who sign in, each with a known password and authenticator secret, and what
    each will do: their role's pages, and for writers the form they save."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    from benchmarks import pages as shared
    from learning import selectors as learning
    from learning.models import Action

    total = sum(SHARE.values())
    people = []
    for role, _label, _demo in shared.ROLES:
        wanted = max(1, round(SHARE[role] * sessions / total))
        found = shared.people_of_role(role, wanted)
        if not found:
            raise SystemExit(f"No {role} to sign in: load the demo data and generate_load first.")
        people += [(role, found[i % len(found)]) for i in range(wanted)]
    people = people[:sessions]
    secrets_by_user = {}
    plans = []
    for role, user in people:
        if user.pk not in secrets_by_user:
            user.set_password(PASSWORD)
            user.save(update_fields=["password"])
            Authenticator.objects.filter(user=user).delete()
            secrets_by_user[user.pk] = generate_totp_secret()
            TOTP.activate(user, secrets_by_user[user.pk])
        plan = {
            "role": role,
            "username": user.username,
            "user_pk": user.pk,
            "secret": secrets_by_user[user.pk],
            "pages": shared.pages_for(user),
            "write": None,
        }
        if role == "subgroup_member":
            subgroup = learning.form_choices(user)["subgroups"].order_by("pk").first()
            if subgroup:
                plan["write"] = ("finding", subgroup.pk)
        elif role == "agency_lead":
            action = (
                learning.actions_visible_to(user)
                .filter(status__in=[Action.Status.OPEN, Action.Status.IN_PROGRESS])
                .order_by("pk")
                .first()
            )
            if action:
                plan["write"] = ("progress", action.uuid)
        plans.append(plan)
    return plans


class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.samples = {}
        self.accepted = []  # (kind, token) of every write the server accepted

    def add(self, label, seconds, ok):
        with self.lock:
            self.samples.setdefault(label, []).append((seconds, ok))


def _drive(workers, duration):
    """Runs each worker's ``step`` again and again, all at once, for ``duration`` seconds."""
    deadline = time.monotonic() + duration
    started = time.monotonic()

    def loop(step):
        while time.monotonic() < deadline:
            step()

    threads = [threading.Thread(target=loop, args=(step,)) for step in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.monotonic() - started


def _get_step(recorder, browser, label, url):
    def step():
        try:
            status, _location, _content, seconds = browser.request("GET", url)
            ok = status == 200
        except OSError:
            seconds, ok = 0.0, False
        recorder.add(label, seconds, ok)

    return step


def _write_step(recorder, browser, plan, run_id, counter):
    from sscb.record_urls import record_url

    kind, target = plan["write"]
    today = datetime.date.today().isoformat()

    def step():
        counter[0] += 1
        token = f"Benchmark {run_id} {plan['username']} write {counter[0]}"
        try:
            if kind == "finding":
                form_url, post_url, label = "/learning/findings/new/", None, "Save a finding"
                form = {
                    "title": token,
                    "detail": "What the benchmark learned: practice was recorded well.",
                    "source": "practitioner",
                    "nature": "strength",
                    "subgroup": str(target),
                    "identified_on": today,
                }
            else:
                # The action's page holds the form; the act has its own address.
                form_url = record_url("learning:action", target)
                post_url = record_url("learning:action_progress", target)
                label = "Report progress on an action"
                form = {"progress": token}
            port = browser.ports[counter[0] % len(browser.ports)]
            _s, _l, content, _ = browser.request("GET", form_url, port=port)
            found = CSRF_FIELD.search(content.decode())
            form["csrfmiddlewaretoken"] = html.unescape(found.group(1)) if found else ""
            status, _location, _content, seconds = browser.request(
                "POST", post_url or form_url, form, port=port
            )
            ok = status == 302
        except OSError:
            seconds, ok = 0.0, False
        recorder.add(label, seconds, ok)
        if ok:
            with recorder.lock:
                recorder.accepted.append((kind, token))

    return step


def _measure(ports, plans, args, run):
    """Signs everyone in on these servers and runs the three phases; returns the results."""
    _say(f"Signing in {len(plans)} sessions on port(s) {ports}")
    browsers = []
    for index, plan in enumerate(plans):
        browser = Browser(ports, f"10.{20 + index // 250}.{index % 250}.{run['address']}")
        for attempt in range(3):
            try:
                browser.sign_in(plan["username"], plan["secret"])
                break
            except RuntimeError as error:
                print(f"Signing in again after: {error}", file=sys.stderr)
                if attempt == 2:
                    raise
                browser.cookies.clear()
                time.sleep(31 - time.time() % 30)  # that person's code was used: the next one
        browsers.append(browser)
    connections = len(plans)
    phases = []

    floor = Recorder()
    anonymous = [
        Browser(ports, f"10.{30 + i // 250}.{i % 250}.{run['address']}") for i in range(connections)
    ]
    elapsed = _drive(
        [_get_step(floor, b, "Sign-in page", "/accounts/login/") for b in anonymous],
        args.duration,
    )
    phases.append(("floor", floor, elapsed))

    by_page = {}
    for browser, plan in zip(browsers, plans, strict=True):
        for label, url in plan["pages"]:
            by_page.setdefault(label, []).append((browser, url))
    for label, entries in by_page.items():
        if args.pages and label not in args.pages:
            continue
        _say(f"{label}: {connections} connections for {args.duration:g} s")
        recorder = Recorder()
        workers = []
        for i in range(connections):
            browser, url = entries[i % len(entries)]
            workers.append(_get_step(recorder, browser, label, url))
        phases.append(("page", recorder, _drive(workers, args.duration)))

    mixed = Recorder()
    workers = []
    writers = {"finding": 0, "progress": 0}  # as many of each kind as there can be
    for browser, plan in zip(browsers, plans, strict=True):
        kind = plan["write"][0] if plan["write"] else None
        if kind and writers[kind] < (args.writers + (kind == "finding")) // 2:
            writers[kind] += 1
            counter = [0]
            write = _write_step(mixed, browser, plan, run["id"], counter)
            read = _cycle(mixed, browser, plan["pages"][:1])
            workers.append(_alternate(write, read))
        else:
            workers.append(_cycle(mixed, browser, plan["pages"]))
    _say(f"Everyone at once, {sum(writers.values())} saving, for {args.mixed_duration:g} s")
    phases.append(("mixed", mixed, _drive(workers, args.mixed_duration)))
    return phases, sum(writers.values())


def _say(text):
    print(f"{datetime.datetime.now():%H:%M:%S} {text}", file=sys.stderr, flush=True)


def _cycle(recorder, browser, pages):
    steps = [_get_step(recorder, browser, label, url) for label, url in pages]
    position = [0]

    def step():
        steps[position[0] % len(steps)]()
        position[0] += 1

    return step


def _alternate(first, second):
    turn = [0]

    def step():
        (first if turn[0] % 2 == 0 else second)()
        turn[0] += 1

    return step


def _stats(samples, elapsed):
    seconds = [s for s, _ok in samples]
    errors = sum(1 for _s, ok in samples if not ok)
    return {
        "count": len(samples),
        "rate": len(samples) / elapsed if elapsed else 0.0,
        "p50": statistics.median(seconds) if seconds else 0.0,
        "p99": _percentile(seconds, 0.99) if seconds else 0.0,
        "errors": errors,
    }


def _stored(accepted):
    """How many of the accepted writes are in the database."""
    from learning.models import Action, Finding

    findings = [token for kind, token in accepted if kind == "finding"]
    progress = [token for kind, token in accepted if kind == "progress"]
    stored = Finding.objects.filter(title__in=findings).values("title").distinct().count()
    stored += (
        Action.history.model.objects.filter(progress__in=progress)
        .values("progress")
        .distinct()
        .count()
    )
    return stored


def _report(results, args, machine, data, workers, kept):
    """Markdown: per configuration, the floor, each page against it, the mixed run."""
    lines = [
        "# Concurrency benchmark",
        "",
        f"- Date: {datetime.datetime.now():%Y-%m-%d %H:%M}",
        *([f"- Run: {args.note}"] if args.note else []),
        f"- Data: {data}",
        f"- Machine: {machine}",
        f"- Server: gunicorn, {workers} sync workers per instance, DEBUG off, PostgreSQL, "
        f"cache and sign-in limits in Redis ({kept}); the load comes from Python threads on "
        "the same machine",
        f"- {args.sessions} sessions signed in through the sign-in form (password, then "
        f"authenticator code); {args.duration:g} s per page, {args.mixed_duration:g} s all at once",
        "- The machine is shared with other work: absolute figures are noisy, the ratio to the "
        "sign-in page measured in the same run is what travels",
        "",
    ]
    for instances, phases, writers in results:
        floor_stats = _stats(phases[0][1].samples["Sign-in page"], phases[0][2])
        floor = floor_stats["rate"]
        lines += [
            f"## {instances} instance{'s' if instances > 1 else ''}",
            "",
            f"Each page alone, {args.sessions} connections at once:",
            "",
            _row("Page", "Req/s", "× sign-in", "p50 ms", "p99 ms", "Errors", "Met"),
            _row("---", "---:", "---:", "---:", "---:", "---:", ":---:"),
        ]
        for kind, recorder, elapsed in phases[:-1]:
            for label, samples in recorder.samples.items():
                s = _stats(samples, elapsed)
                share = s["rate"] / floor if floor else 0.0
                met = (kind == "floor" or share >= TARGET_FLOOR_SHARE) and (
                    s["p99"] <= TARGET_P99_S and not s["errors"]
                )
                lines.append(
                    _row(
                        label,
                        f"{s['rate']:.1f}",
                        "floor" if kind == "floor" else f"{share:.2f}×",
                        f"{s['p50'] * 1000:.0f}",
                        f"{s['p99'] * 1000:.0f}",
                        s["errors"],
                        "yes" if met else "NO",
                    )
                )
        _kind, mixed, elapsed = phases[-1]
        accepted = len(mixed.accepted)
        stored = _stored(mixed.accepted)
        lines += [
            "",
            f"Everyone at once, {writers} of them saving as they go:",
            "",
            _row("Page", "Req/s", "p50 ms", "p99 ms", "Errors", "Met"),
            _row("---", "---:", "---:", "---:", "---:", ":---:"),
        ]
        everything = [sample for samples in mixed.samples.values() for sample in samples]
        for label, samples in [*sorted(mixed.samples.items()), ("All pages", everything)]:
            s = _stats(samples, elapsed)
            met = s["p99"] <= TARGET_P99_S and not s["errors"]
            lines.append(
                _row(
                    label,
                    f"{s['rate']:.1f}",
                    f"{s['p50'] * 1000:.0f}",
                    f"{s['p99'] * 1000:.0f}",
                    s["errors"],
                    "yes" if met else "NO",
                )
            )
        lines += [
            "",
            f"Writes accepted: {accepted}; stored: {stored} "
            f"({'every one' if stored == accepted else 'SOME LOST'}).",
            "",
        ]
    if len(results) == 2:
        lines += [
            "## One instance against two",
            "",
            _row("Page", "1 instance req/s", "2 instances req/s"),
            _row("---", "---:", "---:"),
        ]
        rates = []
        for _instances, phases, _writers in results:
            rates.append(
                {
                    label: _stats(samples, elapsed)["rate"]
                    for _kind, recorder, elapsed in phases[:-1]
                    for label, samples in recorder.samples.items()
                }
            )
        for label in rates[0]:
            lines.append(_row(label, f"{rates[0][label]:.1f}", f"{rates[1].get(label, 0):.1f}"))
        lines.append("")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=32)
    parser.add_argument("--duration", type=float, default=10, help="seconds per page")
    parser.add_argument("--mixed-duration", type=float, default=30, help="seconds all at once")
    parser.add_argument("--writers", type=int, default=4)
    parser.add_argument("--workers", type=int, default=0, help="default: gunicorn.conf.py's")
    parser.add_argument("--instances", type=int, choices=[1, 2], default=1)
    parser.add_argument("--pages", nargs="*", help="only these pages (by label)")
    parser.add_argument(
        "--server-env", action="append", default=[], help="KEY=VALUE for the servers"
    )
    parser.add_argument("--note", default="", help="a line saying what this run measured")
    parser.add_argument("--output", default=str(BASE_DIR / "benchmarks" / "concurrency.md"))
    args = parser.parse_args(argv)

    for name, value in SERVER_ENVIRONMENT.items():
        os.environ.setdefault(name, value)
    import django

    django.setup()
    from django.db import connection

    from benchmarks import pages as shared

    if connection.vendor != "postgresql":
        raise SystemExit("Set DATABASE_URL to a PostgreSQL database made for benchmarks.")
    environment = {**os.environ, **dict(item.split("=", 1) for item in args.server_env)}
    environment.pop("PYTEST_VERSION", None)
    kept = shared.kept_settings(environment)
    machine = shared.machine()
    data = shared.describe_data(shared.data_description())
    _say("Preparing the people who sign in")
    plans = _prepare(args.sessions)
    connection.close()
    workers = args.workers or runpy.run_path(str(BASE_DIR / "gunicorn.conf.py"))["workers"]
    results = []
    for instances in [1, 2] if args.instances == 2 else [1]:
        run = {"id": "".join(secrets.choice("bcdfghjkmnpqrstvwxz") for _ in range(8))}
        run["address"] = secrets.randbelow(250) + 1
        servers = []
        try:
            for _ in range(instances):
                servers.append(Server(free_port(), workers, environment))
            phases, writers = _measure([server.port for server in servers], plans, args, run)
        finally:
            for server in servers:
                server.stop()
        results.append((instances, phases, writers))
    text = _report(results, args, machine, data, workers, kept)
    print(text)
    Path(args.output).write_text(text)
    return results


if __name__ == "__main__":
    main()

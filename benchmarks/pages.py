"""What both benchmarks share: each role's people, the pages each role uses most, and a record
of the data and the machine a run measured. Needs Django set up before it is called.
"""

import os
import platform
from pathlib import Path

# The demo users (``manage.py load_demo``), one per role; ``generate_load``'s people of the same
# role stand in where there is no demo data, and make up the rest of a concurrent crowd.
ROLES = [
    ("business_unit", "Business Unit", "admin"),
    ("subgroup_member", "member", "member"),
    ("agency_lead", "agency lead", "agency"),
    ("executive", "executive", "executive"),
    ("independent_reviewer", "reviewer", "reviewer"),
]


def people_of_role(role: str, count: int = 1) -> list:
    """The demo user of ``role`` first, then ``generate_load``'s, who see the generated data."""
    from sscb.models import User

    demo = {code: username for code, _label, username in ROLES}[role]
    people = list(User.objects.filter(username=demo, role=role, is_active=True))
    if len(people) < count:
        people += list(
            User.objects.filter(role=role, is_active=True, username__startswith="load-")
            .exclude(username=demo)
            .order_by("pk")[: count - len(people)]
        )
    if role == "agency_lead":  # a lead whose agency owns no action shows an empty page
        people = [person for person in people if person.agency_id]
    return people


def pages_for(user) -> list[tuple[str, str]]:
    """(label, URL) of the pages ``user``'s role uses most, on records that user can open."""
    from django.db.models import Count
    from django.utils import timezone

    from learning import selectors as learning
    from reviews.selectors import reviews_visible_to
    from sscb.dates import financial_year_of

    year = financial_year_of(timezone.localdate())
    reviews = reviews_visible_to(user)
    # The review with the most learning recorded: the detail and thread pages at their busiest.
    review = (
        reviews.annotate(found=Count("findings")).order_by("-found", "pk").first()
        if reviews.exists()
        else None
    )
    actions = learning.actions_visible_to(user)
    action = actions.order_by("due_on", "pk").first()
    home = [("Home", "/")]
    review_pages = (
        [
            ("Review detail", f"/reviews/{review.uuid}/"),
            ("Golden thread (review)", f"/learning/thread/review/{review.uuid}/"),
        ]
        if review
        else []
    )
    if user.is_business_unit:
        busiest = (
            actions.values("owner_agency_id")
            .annotate(n=Count("pk"))
            .order_by("-n", "owner_agency_id")
            .first()
        )
        agency_filter = f"owner_agency={busiest['owner_agency_id']}&" if busiest else ""
        return [
            *home,
            ("Dashboard", f"/dashboard/?year={year}"),
            ("Review list", "/reviews/"),
            ("Review list, filtered (SCR, amber clock)", "/reviews/?kind=scr&clock=amber"),
            *review_pages,
            ("Findings", "/learning/findings/"),
            ("Action list, agency + status", f"/learning/actions/?{agency_filter}status=open"),
            ("Annual report", f"/dashboard/annual-report/?year={year}"),
        ]
    if user.is_executive:
        return [
            *home,
            ("Dashboard", f"/dashboard/?year={year}"),
            ("Annual report", f"/dashboard/annual-report/?year={year}"),
            ("Learning loop", "/learning/"),
            ("Review list", "/reviews/"),
        ]
    if user.is_agency_lead:
        return [
            *home,
            ("My agency", "/learning/my-agency/"),
            ("Action list, open", "/learning/actions/?status=open"),
            *([("Action detail", f"/learning/actions/{action.uuid}/")] if action else []),
            ("Review list", "/reviews/"),
        ]
    if user.is_independent_reviewer:
        return [*home, ("Review list", "/reviews/"), *review_pages]
    return [  # a sub-group member
        *home,
        ("Learning loop", "/learning/"),
        ("Findings", "/learning/findings/"),
        ("Review list", "/reviews/"),
        *review_pages,
        ("Action list", "/learning/actions/"),
    ]


def data_description() -> dict:
    """Row counts, whether the demo data is there, and the generated scale."""
    from audits.models import Audit
    from learning.management.commands.generate_load import AT_SCALE_1, PREFIX
    from learning.models import Action, AssuranceEvidence, Finding, PriorityTheme
    from reviews.models import Review
    from sscb.models import Reminder, User

    generated = Review.objects.filter(reference__startswith=PREFIX).count()
    return {
        "demo": User.objects.filter(username="admin").exists(),
        "scale": generated / AT_SCALE_1["reviews"],
        "counts": {
            "reviews": Review.objects.count(),
            "audits": Audit.objects.count(),
            "findings": Finding.objects.count(),
            "themes": PriorityTheme.objects.count(),
            "actions": Action.objects.count(),
            "evidence": AssuranceEvidence.objects.count(),
            "reminders": Reminder.objects.count(),
            "people": User.objects.count(),
        },
    }


def describe_data(data: dict) -> str:
    counts = ", ".join(f"{n:,} {name}" for name, n in data["counts"].items())
    demo = "demo data plus " if data["demo"] else "no demo data; "
    return f"{demo}generated scale {data['scale']:.3g} ({counts})"


# How long a server keeps what it has made (sscb/figures_cache.py): a run's figures depend on
# them, so each report says what they were.
KEPT_SETTINGS = ("FIGURES_CACHE_SECONDS", "FIGURES_MAY_BE_OLD_SECONDS", "PAGES_MAY_BE_OLD_SECONDS")


def kept_settings(environment=None) -> str:
    """The keeping settings: as ``environment`` sets them (a server's), or as this process has
    them."""
    from django.conf import settings

    environment = environment or {}
    return ", ".join(
        f"{name}={environment.get(name, getattr(settings, name))}" for name in KEPT_SETTINGS
    )


def machine() -> str:
    """CPU model, cores, memory, load, Python, Django and the database's version."""
    import django
    from django.db import connection

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
    load = ""
    if hasattr(os, "getloadavg"):
        load = f", load average {os.getloadavg()[0]:.2f} at the start"
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            database = f"PostgreSQL {cursor.fetchone()[0].split()[0]}"
    else:
        database = connection.vendor
    return (
        f"{cpu}, {os.cpu_count()} cores{memory}{load}; Python {platform.python_version()}, "
        f"Django {django.get_version()}, {database}"
    )


def ensure_second_factor(user) -> str | None:
    """Gives ``user`` an authenticator app, as production requires; returns a new secret."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    from sscb.signin import has_second_factor

    if has_second_factor(user):
        return None
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret

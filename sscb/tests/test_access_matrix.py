"""The access matrix: every named URL × every role × own / other agency, restricted / not, on
the panel / not, GET and POST, each with its expected answer (issue 11).

``EXPECTATIONS`` holds one entry per URL name: the checks to make, each a method, a variant of
the world (``world.py``) to request, and the answer for each role. The Django admin follows one
generic rule (``admin_checks``) with its exceptions written down in ``ADMIN_EXCEPTIONS``. A named
URL with no entry fails ``test_every_named_url_has_an_expectation`` (and its own test below), so
a new page cannot ship without its rule.

Answers: "ok" (200, a file, or a redirect that is not to a sign-in page), "login" (a redirect to
a sign-in page), "403", "404", "405", and "invalid" (the form is shown again with an error, 200 or
400, because it carries an id the person may not use), and "ignored" (answered like "ok", but
the id it carries was not used). Every answer but "ok" must leave the database as it was
(compared by the row count and latest ``updated_at`` of every table, history tables included).

To add a page: add its name to EXPECTATIONS with a ``GET(...)`` (and ``POST(...)`` if it takes
one) per variant; ``rule()`` and ``rw()`` say who gets what.
"""

import datetime
import io
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from openpyxl import load_workbook

from learning.exports import XLSX
from reviews import lifecycle
from reviews.forms import ReviewAgencyFormSet
from reviews.models import ReviewAgency
from sscb import figures_cache
from sscb.dates import financial_year_of
from sscb.tests.factories import PASSWORD
from sscb.tests.world import (
    DRAFT_TITLE,
    OTHER_ATTENDEE,
    OTHER_CHRONOLOGY,
    OTHER_CONCERNS,
    OWN_ATTENDEE,
    OWN_CHRONOLOGY,
    OWN_CONCERNS,
    add_admin_rows,
    build_world,
)

# Roles --------------------------------------------------------------------------------------

ROLES = {
    "anon": "anonymous",
    "bu": "business_unit",
    "member": "subgroup_member",  # on the CRP, L&I and QAP sub-groups the records belong to
    "outsider": "outside_member",  # a sub-group member on no sub-group
    "exec": "executive",
    "lead": "agency_lead",  # of agency A
    "reviewer": "independent_reviewer",  # leads the review "restricted"
}
SIGNED_IN = [short for short in ROLES if short != "anon"]
OK, LOGIN, INVALID, IGNORED = "ok", "login", "invalid", "ignored"
REFUSED = {LOGIN, "403", "404", "405", INVALID, IGNORED}


def rule(ok: str = "", others: str = "403", anon: str = LOGIN, **special: str) -> dict:
    """Roles named in ``ok`` (short names, space-separated) get "ok", the other signed-in roles
    ``others``, anonymous ``anon``; ``special`` sets single roles (``lead="404"``)."""
    expect = dict.fromkeys(SIGNED_IN, others) | {"anon": anon}
    expect |= dict.fromkeys(ok.split(), OK)
    expect |= special
    return expect


def rw(read: str, write: str | None = None, **special: str) -> dict:
    """Readers not in ``write`` get 403, writers "ok", everyone else 404. Without ``write``,
    a read: readers "ok", everyone else 404."""
    if write is None:
        return rule(read, others="404", **special)
    readers, writers = set(read.split()), set(write.split())
    assert writers <= readers, (readers, writers)
    return (
        rule(" ".join(writers), others="404", **dict.fromkeys(readers - writers, "403")) | special
    )


EVERYONE = rule("bu member outsider exec lead reviewer")
POST_ONLY = rule(others="405")  # a view that takes only a POST answers a GET with 405

# Who may open what (the rules are in */selectors.py; this is them written out for the world).
REVIEW_READERS = {
    "open_A": "bu member outsider exec lead",
    "open_B": "bu member outsider exec",
    "restricted_panel": "bu member lead",  # the agency lead and the member sit on its panel
    "restricted": "bu reviewer",  # nobody on its panel; the reviewer leads it
}
REVIEW_WRITERS = "bu member"  # the member sits on the CRP, each review's responsible sub-group


AUDIT_READERS = {"own": "bu member outsider exec lead", "other": "bu member outsider exec"}
RETURN_READERS = {"own": "bu member exec lead", "other": "bu member exec"}  # member is on QAP
FINDING_READERS = {
    "own": "bu member outsider exec lead",
    "other": "bu member outsider exec",
    "restricted": "bu reviewer",
}
THEME_READERS = {
    "own": "bu member outsider exec lead",  # a finding about agency A
    "other": "bu member outsider exec reviewer",  # holds a finding of the reviewer's review
}
CHECK_READERS = {"own": "bu member outsider exec lead", "other": "bu member outsider exec"}
EVIDENCE_READERS = CHECK_READERS
ACTION_READERS = {
    "own": "bu member outsider exec lead",
    "other": "bu member outsider exec",
    "restricted_plan": "bu lead reviewer",  # agency A's, in the restricted review's plan
}
ATTACHMENT_READERS = {
    "action_own": ACTION_READERS["own"],
    "action_other": ACTION_READERS["other"],
    "evidence_own": EVIDENCE_READERS["own"],
    "evidence_other": EVIDENCE_READERS["other"],
}
LEARNING_WRITERS = "bu member"  # the member sits on L&I, whose work all the records are
DASHBOARD = rule("bu member exec")


# Checks -------------------------------------------------------------------------------------


@dataclass
class Check:
    method: str
    variant: str
    expect: dict
    kwargs: Callable = lambda w: {}
    query: Callable | None = None
    data: Callable | None = None
    # role short name -> function of the world giving texts the page must (not) contain
    shows: dict = field(default_factory=dict)
    hides: dict = field(default_factory=dict)


def GET(variant, expect, kwargs=None, **options):
    return Check("GET", variant, expect, kwargs or (lambda w: {}), **options)


def POST(variant, expect, kwargs=None, data=None, **options):
    return Check("POST", variant, expect, kwargs or (lambda w: {}), data=data, **options)


def page(variant="page", expect=EVERYONE, **options):
    """A page every signed-in person may open."""
    return [GET(variant, expect, **options)]


def each(readers: dict, make_kwargs, method="GET", write=None, data=None, **options):
    """One check per variant in ``readers``; with ``write``, writers get "ok", other readers 403."""
    checks = []
    for variant, read in readers.items():
        if write is None:
            expect = rw(read)
        else:
            allowed = " ".join(set(write.split()) & set(read.split()))
            expect = rw(read, allowed)
        checks.append(
            Check(
                method,
                variant,
                expect,
                (lambda v: lambda w: make_kwargs(w, v))(variant),
                data=(lambda v: lambda w: data(w, v))(variant) if data else None,
                **options,
            )
        )
    return checks


def review_kw(w, v):
    return {"uuid": w.reviews[v].uuid}


def review_at(extra=None):
    """A review variant's address, with ``extra`` arguments (a section, a clock)."""
    return lambda w, v: review_kw(w, v) | (extra(w, v) if callable(extra) else extra or {})


def clock_of(w, v):
    return {"clock_uuid": w.clocks[v].uuid}


def restricted_ref(w):
    restricted = w.reviews["restricted"]
    return [restricted.reference, restricted.title]


# Who may not open the review "restricted" (and so must never read its reference or title).
NOT_RESTRICTED_READERS = ("member", "outsider", "exec", "lead")


def hides_restricted(*roles):
    return dict.fromkeys(roles or NOT_RESTRICTED_READERS, restricted_ref)


def uuid_kw(collection, key="uuid"):
    return lambda w, v: {key: getattr(w, collection)[v].uuid}


def today(days=0):
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


# Payloads -----------------------------------------------------------------------------------


def method_form(w, v):
    return {"method": "systems", "method_rationale": "Proportionate to a single agency's part."}


def agencies_formset(w, v):
    prefix = ReviewAgencyFormSet(instance=w.reviews[v]).prefix
    return {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}


def agency_row_of_open_b(w):
    prefix = ReviewAgencyFormSet(instance=w.reviews["open_A"]).prefix
    row = ReviewAgency.objects.get(review=w.reviews["open_B"])
    return {
        f"{prefix}-TOTAL_FORMS": "1",
        f"{prefix}-INITIAL_FORMS": "1",
        f"{prefix}-0-id": row.pk,
        f"{prefix}-0-review": w.reviews["open_A"].pk,
        f"{prefix}-0-agency": w.agency_b.pk,
        f"{prefix}-0-chronology_requested_on": today(),
    }


class RewoundFile(SimpleUploadedFile):
    """A file the test client can send once for each role (it reads without rewinding)."""

    def read(self, *args):
        self.seek(0)
        return super().read(*args)


def chronology_agency(w, v):
    """An agency involved in the review variant (open_B's is agency B; the others', A)."""
    return w.agency_b if v == "open_B" else w.agency_a


def chronology_form(w, v):
    return {
        "agency": chronology_agency(w, v).pk,
        "happened_on": "2025-03-11",
        "what_happened": "Strategy discussion held.",
        "source": "Minutes",
    }


def chronology_upload(w, v):
    text = "date,what happened,source,key episode\r\n2025-03-11,Strategy discussion,Minutes,no\r\n"
    return {
        "agency": chronology_agency(w, v).pk,
        "file": RewoundFile("chronology.csv", text.encode()),
    }


def entry_kw(w, v):
    return {"uuid": w.reviews["open_A"].uuid, "entry": w.chronology[v].uuid}


def terms_form(w, v):
    return {"scope_from": "2024-09-01", "scope_to": "2025-03-10", "lines_of_enquiry": "One line"}


def team_form(w, v):
    return {"person": w.users["subgroup_member"].pk, "role": "chair"}


def team_member_of(w, v):
    return {"member_uuid": w.team[v].uuid}


# open_A's chronology as each reader sees it: agency A's lead reads A's entries only.
CHRONOLOGY_SHOWN = {
    "shows": {
        "bu": lambda w: [OWN_CHRONOLOGY, OTHER_CHRONOLOGY],
        "member": lambda w: [OWN_CHRONOLOGY, OTHER_CHRONOLOGY],
        "lead": lambda w: [OWN_CHRONOLOGY],
    },
    "hides": {"lead": lambda w: [OTHER_CHRONOLOGY]},
}
# Agency A's lead enters A's entries in the reviews they may open (A takes part in each).
CHRONOLOGY_WRITERS = "bu member lead"
# The case file (chronology, agency reports) is read by those who work on the review: not the
# executive, nor a member of no sub-group of the review's (reviews.selectors.case_files_open_to).
ENTRY_READERS = {"own": "bu member lead", "other": "bu member"}
# Of a review's readers, those who read its case file; the others get 403.
CASE_FILE_READERS = "bu member lead reviewer"


def chronology_checks():
    """The merged chronology (or its export): every reader, and what open_A shows whom."""
    return [
        GET(
            "open_A",
            rw(REVIEW_READERS["open_A"], "bu member lead"),
            lambda w: review_kw(w, "open_A"),
            **CHRONOLOGY_SHOWN,
        ),
        *each(
            {v: REVIEW_READERS[v] for v in ("open_B", "restricted_panel", "restricted")},
            review_at(),
            write=CASE_FILE_READERS,
        ),
    ]


def document_form(w, v):
    return {
        "kind": "agency_report",
        "title": "Agency report from the matrix",
        "agency": chronology_agency(w, v).pk,
        "file": RewoundFile("report.txt", b"An agency report"),
    }


# open_A's documents: its draft is the Business Unit's alone to read (no panel, no reviewer);
# each agency report is its own agency's lead's and the review's editors'.
DOCUMENT_READERS = {
    "draft": "bu",
    "own_report": "bu member lead",
    "other_report": "bu member",
    "final": "bu member lead",  # not published yet
}
DOCUMENT_WRITERS = {
    "draft": "bu",
    "own_report": "bu member lead",
    "other_report": "bu member",
    "final": "bu member",
}


def document_checks(method, kwargs, data=None):
    return [
        Check(
            method,
            name,
            rw(DOCUMENT_READERS[name], DOCUMENT_WRITERS[name] if method == "POST" else None),
            (lambda n: lambda w: kwargs(w, n))(name),
            data=data,
        )
        for name in DOCUMENT_READERS
    ]


def move_form(w, v):
    review = w.reviews[v]
    return {"to_stage": lifecycle.allowed_moves(review.kind, review.stage)[0], "note": "On."}


def audit_form(w, v, lead_subgroup="qap"):
    audit = w.audits[v]
    return {
        "kind": audit.kind,
        "title": audit.title + " (edited)",
        "lead_subgroup": w.subgroups[lead_subgroup].pk,
        "reports_to": w.subgroups["qap"].pk,
        "scope": "Neglect",
        "period_start": "2025-04-01",
        "period_end": "2025-09-30",
        "agencies": [agency.pk for agency in audit.agencies.all()],
    }


def new_audit(lead_subgroup):
    def data(w):
        return {
            "kind": "themed",
            "title": "Themed audit of missing children",
            "lead_subgroup": w.subgroups[lead_subgroup].pk,
            "reports_to": w.subgroups["qap"].pk,
            "scope": "Missing episodes",
            "period_start": "2025-04-01",
            "period_end": "2025-09-30",
            "agencies": [w.agency_a.pk],
        }

    return data


def case_form(w, v):
    agency = w.agency_a if v == "own" else w.agency_b
    return {"pseudonym": "Child Z", "agency": agency.pk, "grade": "good", "concerns": "None"}


def answers_form(w, v):
    data = {}
    for answer in w.returns[v].answers.select_related("standard"):
        prefix = f"standard-{answer.standard.number}"
        data |= {
            f"{prefix}-self_score": "3",
            f"{prefix}-narrative": "Supervision",
            f"{prefix}-evidence": "Policy",
        }
    return data


def theme_form(subgroup="li"):
    return lambda w, v=None: {
        "title": "A new theme for the matrix",
        "description": "Recurs in three reviews.",
        "priorities": [w.priority.pk],
        "subgroup": w.subgroups[subgroup].pk,
    }


def finding_form(review="open_A"):
    return lambda w, v=None: {
        "title": "Finding from the matrix",
        "detail": "Practitioners did not share information.",
        "source": "learning_review",
        "nature": "improvement",
        "review": w.reviews[review].pk,
        "agencies": [w.agency_a.pk],
        "subgroup": w.subgroups["li"].pk,
        "identified_on": today(),
    }


def action_form(finding=None):
    def data(w, v=None):
        fields = {
            "title": "Action from the matrix",
            "owner_agency": w.agency_a.pk,
            "subgroup": w.subgroups["li"].pk,
            "due_on": today(30),
        }
        if finding:
            fields["finding"] = w.findings[finding].pk
        return fields

    return data


def outcome_form(w, v=None):
    return {"title": "Outcome", "schedule": "May", "impact_measure": "Audit in six months"}


def activity_form(w, v=None):
    return {"way": "briefing", "title": "Briefing", "planned_on": today()}


def check_form(w, v=None):
    return {"way": "single_agency_audit", "agency": w.agency_a.pk, "result": "pending"}


def evidence_form(w, v=None):
    return {"way": "agency_report", "agency": w.agency_a.pk, "title": "Assurance report"}


def collate_form(finding):
    return lambda w: {"theme": w.themes["own"].pk, "findings": [w.findings[finding].pk]}


def form_refuses(checks):
    """The same checks, where the form itself refuses those allowed in ("invalid")."""
    for check in checks:
        check.expect = {role: INVALID if got == OK else got for role, got in check.expect.items()}
    return checks


# The table ----------------------------------------------------------------------------------

EXPECTATIONS: dict[str, list[Check]] = {
    # The Board -------------------------------------------------------------------------------
    "home": page(
        hides=hides_restricted()
        | {"reviewer": lambda w: [w.reviews["open_A"].reference, w.reviews["open_B"].reference]}
    ),
    "partnership": page(),
    "reminders": [
        GET("page", EVERYONE),
        POST("page", EVERYONE, data=lambda w: {"email_reminders": ""}),
    ],
    # Retention: the Business Unit's page, and its confirmation (a POST, by the Business Unit
    # only; the review listed in the world is not due, so the service refuses and says so).
    "retention:due": [GET("page", rule("bu"))],
    "retention:dispose": [
        GET("page", POST_ONLY),
        POST(
            "page",
            rule("bu"),
            data=lambda w: {"only": w.disposal_candidate.pk, "confirm": "on"},
        ),
    ],
    # Reviews -----------------------------------------------------------------------------------
    "reviews:list": page(
        hides={
            "member": restricted_ref,
            "outsider": restricted_ref,
            "exec": restricted_ref,
            "lead": lambda w: [w.reviews["open_B"].reference, *restricted_ref(w)],
            "reviewer": lambda w: [w.reviews["open_A"].reference, w.reviews["open_B"].reference],
        }
    ),
    "reviews:create": [
        GET("page", rule("bu member")),
        POST("empty", rule("bu member"), data=lambda w: {}),
    ],
    "reviews:detail": [
        # open_A's follow-on and open_B's source are the restricted review: shown, unnamed.
        GET(
            "open_A",
            rw(REVIEW_READERS["open_A"]),
            lambda w: review_kw(w, "open_A"),
            shows={
                role: lambda w: ["a restricted review"]
                for role in ("member", "outsider", "exec", "lead")
            },
            hides=dict.fromkeys(("member", "outsider", "exec", "lead"), restricted_ref),
        ),
        GET(
            "open_B",
            rw(REVIEW_READERS["open_B"]),
            lambda w: review_kw(w, "open_B"),
            shows={
                role: lambda w: ["a restricted review"] for role in ("member", "outsider", "exec")
            },
            hides=dict.fromkeys(("member", "outsider", "exec"), restricted_ref),
        ),
        *each({v: REVIEW_READERS[v] for v in ("restricted_panel", "restricted")}, review_at()),
    ],
    "reviews:section": [
        *each(REVIEW_READERS, review_at({"section": "method"}), write=REVIEW_WRITERS),
        *each(
            REVIEW_READERS,
            review_at({"section": "method"}),
            "POST",
            write=REVIEW_WRITERS,
            data=method_form,
        ),
    ],
    "reviews:formset": [
        *each(REVIEW_READERS, review_at({"section": "agencies"}), write=REVIEW_WRITERS),
        *each(
            REVIEW_READERS,
            review_at({"section": "agencies"}),
            "POST",
            write=REVIEW_WRITERS,
            data=agencies_formset,
        ),
        # open_B's agency row posted through open_A's form: not open_A's to change (the formset
        # leaves a row that is not the review's alone).
        POST(
            "open_A+agency_row_of_open_B",
            rw(REVIEW_READERS["open_A"], REVIEW_WRITERS, bu=IGNORED, member=IGNORED),
            lambda w: review_kw(w, "open_A") | {"section": "agencies"},
            data=agency_row_of_open_b,
        ),
    ],
    "reviews:move": [
        GET("open_A", POST_ONLY, lambda w: review_kw(w, "open_A")),
        *each(REVIEW_READERS, review_at(), "POST", write=REVIEW_WRITERS, data=move_form),
    ],
    "reviews:clock-pause": [
        GET("open_A", POST_ONLY, lambda w: review_kw(w, "open_A") | clock_of(w, "open_A")),
        *each(
            REVIEW_READERS,
            review_at(clock_of),
            "POST",
            write=REVIEW_WRITERS,
            data=lambda w, v: {"reason": "Criminal trial listed"},
        ),
        # Another review's clock under open_A's address: nobody may touch it through open_A.
        POST(
            "open_A+clock_of_restricted",
            rw(REVIEW_READERS["open_A"], REVIEW_WRITERS, bu="404", member="404"),
            lambda w: review_kw(w, "open_A") | clock_of(w, "restricted"),
            data=lambda w: {"reason": "Criminal trial listed"},
        ),
    ],
    "reviews:clock-resume": [
        GET("open_A", POST_ONLY, lambda w: review_kw(w, "open_A") | clock_of(w, "open_A")),
        *each(
            REVIEW_READERS,
            review_at(clock_of),
            "POST",
            write=REVIEW_WRITERS,
            data=lambda w, v: {"on": today()},
        ),
        # Another review's clock under open_A's address: nobody may touch it through open_A.
        POST(
            "open_A+clock_of_restricted",
            rw(REVIEW_READERS["open_A"], REVIEW_WRITERS, bu="404", member="404"),
            lambda w: review_kw(w, "open_A") | clock_of(w, "restricted"),
            data=lambda w: {"on": today()},
        ),
    ],
    # The case file ---------------------------------------------------------------------------
    "reviews:chronology": chronology_checks(),
    "reviews:chronology-csv": chronology_checks(),
    "reviews:chronology-xlsx": chronology_checks(),
    "reviews:chronology-add": [
        *each(REVIEW_READERS, review_at(), write=CHRONOLOGY_WRITERS),
        *each(REVIEW_READERS, review_at(), "POST", write=CHRONOLOGY_WRITERS, data=chronology_form),
    ],
    "reviews:chronology-upload": [
        *each(REVIEW_READERS, review_at(), write=CHRONOLOGY_WRITERS),
        *each(
            REVIEW_READERS, review_at(), "POST", write=CHRONOLOGY_WRITERS, data=chronology_upload
        ),
    ],
    # Agency B's entry is not agency A's lead's to read; only the review's editors change it.
    "reviews:chronology-edit": [
        *each(ENTRY_READERS, entry_kw, write=CHRONOLOGY_WRITERS),
        *each(
            ENTRY_READERS,
            entry_kw,
            "POST",
            write=CHRONOLOGY_WRITERS,
            data=lambda w, v: (
                chronology_form(w, "open_A")
                | {"agency": (w.agency_a if v == "own" else w.agency_b).pk}
            ),
        ),
    ],
    "reviews:chronology-close": [
        GET("open_A", POST_ONLY, lambda w: review_kw(w, "open_A")),
        *each(REVIEW_READERS, review_at(), "POST", write=REVIEW_WRITERS, data=lambda w, v: {}),
    ],
    "reviews:chronology-reopen": [
        GET("open_A", POST_ONLY, lambda w: review_kw(w, "open_A")),
        *each(
            REVIEW_READERS,
            review_at(),
            "POST",
            write=REVIEW_WRITERS,
            data=lambda w, v: {"reason": "An agency found more records."},
        ),
    ],
    "reviews:chronology-template": page(),
    # An agency lead marks their own agency's part complete: nobody else.
    "reviews:agency-part-complete": [
        GET("open_A", POST_ONLY, lambda w: review_kw(w, "open_A") | {"part": "chronology"}),
        *each(
            REVIEW_READERS,
            review_at({"part": "chronology"}),
            "POST",
            write="lead",
            data=lambda w, v: {},
        ),
    ],
    "reviews:terms": [
        *each(REVIEW_READERS, review_at()),
        *each(REVIEW_READERS, review_at(), "POST", write=REVIEW_WRITERS, data=terms_form),
    ],
    "reviews:team": [
        *each(REVIEW_READERS, review_at()),
        *each(REVIEW_READERS, review_at(), "POST", write=REVIEW_WRITERS, data=team_form),
    ],
    "reviews:team-leave": [
        GET("open_A", POST_ONLY, lambda w: review_kw(w, "open_A") | team_member_of(w, "open_A")),
        *each(
            REVIEW_READERS,
            review_at(team_member_of),
            "POST",
            write=REVIEW_WRITERS,
            data=lambda w, v: {},
        ),
        # Another review's team member under open_A's address: nobody may touch it through it.
        POST(
            "open_A+member_of_restricted",
            rw(REVIEW_READERS["open_A"], REVIEW_WRITERS, bu="404", member="404"),
            lambda w: review_kw(w, "open_A") | team_member_of(w, "restricted"),
        ),
    ],
    "reviews:documents": [
        GET(
            "open_A",
            rw(REVIEW_READERS["open_A"]),
            lambda w: review_kw(w, "open_A"),
            shows={"bu": lambda w: [DRAFT_TITLE]},
            hides=dict.fromkeys(("member", "outsider", "exec", "lead"), lambda w: [DRAFT_TITLE]),
        ),
        *each(
            {v: REVIEW_READERS[v] for v in ("open_B", "restricted_panel", "restricted")},
            review_at(),
        ),
        # The reviewer adds documents to the review they lead; an agency lead, their agency's
        # report.
        *each(
            REVIEW_READERS,
            review_at(),
            "POST",
            write="bu member lead reviewer",
            data=document_form,
        ),
    ],
    "reviews:document-version": [
        GET(
            "draft",
            POST_ONLY,
            lambda w: review_kw(w, "open_A") | {"document_uuid": w.documents["draft"].uuid},
        ),
        *document_checks(
            "POST",
            lambda w, n: review_kw(w, "open_A") | {"document_uuid": w.documents[n].uuid},
            data=lambda w: {"file": RewoundFile("v2.txt", b"Version 2"), "note": "Second"},
        ),
    ],
    "reviews:document-download": document_checks(
        "GET",
        lambda w, n: review_kw(w, "open_A") | {"version_uuid": w.document_versions[n].uuid},
    ),
    # The public leaflets: anyone, signed in or not.
    "process:index": page(expect=rule("bu member outsider exec lead reviewer", anon=OK)),
    "process:kind": [
        GET(
            "lcspr",
            rule("bu member outsider exec lead reviewer", anon=OK),
            lambda w: {"kind": "lcspr"},
            hides=dict.fromkeys(ROLES, restricted_ref),
        )
    ],
    # Audits ------------------------------------------------------------------------------------
    "audits:list": page(
        hides={
            "lead": lambda w: [w.audits["other"].title],
            "reviewer": lambda w: [w.audits["own"].title, w.audits["other"].title],
        }
    ),
    "audits:create": [
        GET("page", rule("bu member")),
        POST("qap", rule("bu member"), data=new_audit("qap")),
        # A sub-group member may lead an audit only from a sub-group they sit on.
        POST("cdop", rule("bu", member=INVALID), data=new_audit("cdop")),
    ],
    # Graded cases: the agency lead reads their own agency's; the others' only as counts.
    "audits:detail": [
        GET(
            "own",
            rw(AUDIT_READERS["own"]),
            lambda w: {"uuid": w.audits["own"].uuid},
            shows={
                "lead": lambda w: [OWN_CONCERNS],
                "member": lambda w: [OWN_CONCERNS, OTHER_CONCERNS],
            },
            hides={"lead": lambda w: [OTHER_CONCERNS]},
        ),
        GET("other", rw(AUDIT_READERS["other"]), lambda w: {"uuid": w.audits["other"].uuid}),
    ],
    "audits:edit": [
        *each(AUDIT_READERS, uuid_kw("audits"), write="bu member"),
        *each(AUDIT_READERS, uuid_kw("audits"), "POST", write="bu member", data=audit_form),
    ],
    "audits:stage": [
        GET("own", POST_ONLY, lambda w: {"uuid": w.audits["own"].uuid}),
        *each(
            AUDIT_READERS,
            uuid_kw("audits"),
            "POST",
            write="bu member",
            data=lambda w, v: {"stage": "in_progress"},
        ),
    ],
    "audits:case-add": [
        *each(AUDIT_READERS, uuid_kw("audits"), write="bu member"),
        *each(AUDIT_READERS, uuid_kw("audits"), "POST", write="bu member", data=case_form),
        # A case graded for an agency that takes no part in the audit (only B is in "other").
        POST(
            "other+agency_A",
            rw(AUDIT_READERS["other"], "bu member", bu=INVALID, member=INVALID),
            lambda w: {"uuid": w.audits["other"].uuid},
            data=lambda w: case_form(w, "own"),
        ),
    ],
    "audits:cycle-create": [
        GET("page", rule("bu")),
        POST(
            "section_175",
            rule("bu"),
            data=lambda w: {
                "framework": w.frameworks["section_175"].pk,
                "title": "Section 175 audit",
                # Next year's, opened early: due within it whatever day the test runs.
                "financial_year": str(financial_year_of(timezone.localdate()) + 1),
                "opened_on": today(),
                "deadline": today(60),
            },
        ),
    ],
    "audits:cycle": [GET("cycle", rw("bu member exec"), lambda w: {"uuid": w.cycle.uuid})],
    # Read by those who read the cycle; its deadline is moved by the Business Unit only.
    "audits:cycle-deadline": [
        GET("cycle", rw("bu member exec", "bu"), lambda w: {"uuid": w.cycle.uuid}),
        POST(
            "cycle",
            rw("bu member exec", "bu"),
            lambda w: {"uuid": w.cycle.uuid},
            data=lambda w: {"deadline": w.cycle.deadline.isoformat()},
        ),
    ],
    # Returns for agencies added since the cycle opened: the Business Unit sends them.
    "audits:cycle-add-returns": [
        GET("cycle", POST_ONLY, lambda w: {"uuid": w.cycle.uuid}),
        POST(
            "cycle", rw("bu member exec", "bu"), lambda w: {"uuid": w.cycle.uuid}, data=lambda w: {}
        ),
    ],
    "audits:heat-map": [GET("cycle", rw("bu member exec"), lambda w: {"uuid": w.cycle.uuid})],
    "audits:agency-history": [
        GET("own", rw("bu member exec lead"), lambda w: {"uuid": w.agency_a.uuid}),
        GET("other", rw("bu member exec"), lambda w: {"uuid": w.agency_b.uuid}),
    ],
    "audits:return": each(RETURN_READERS, uuid_kw("returns")),
    # Filled in by the Business Unit and the agency's own lead ("other" is submitted already,
    # so it only shows the return again).
    "audits:return-edit": [
        *each(RETURN_READERS, uuid_kw("returns"), write="bu lead"),
        # Saving and submitting each have their own address.
        POST(
            "own", rule(others="405"), lambda w: {"uuid": w.returns["own"].uuid}, data=lambda w: {}
        ),
    ],
    "audits:return-save": [
        GET("own", POST_ONLY, lambda w: {"uuid": w.returns["own"].uuid}),
        *each(RETURN_READERS, uuid_kw("returns"), "POST", write="bu lead", data=answers_form),
    ],
    "audits:return-submit": [
        GET("own", POST_ONLY, lambda w: {"uuid": w.returns["own"].uuid}),
        *each(RETURN_READERS, uuid_kw("returns"), "POST", write="bu lead", data=answers_form),
    ],
    # Moderated by the Business Unit and QAP ("own" is a draft, so it only shows it again).
    "audits:return-moderate": [
        *each(
            RETURN_READERS, lambda w, v: {"uuid": w.returns[v].uuid, "number": 1}, write="bu member"
        ),
        *each(
            RETURN_READERS,
            lambda w, v: {"uuid": w.returns[v].uuid, "number": 1},
            "POST",
            write="bu member",
            data=lambda w, v: {"moderated_score": "2", "moderation_comment": "Partly met"},
        ),
    ],
    "audits:return-send-back": [
        GET("other", POST_ONLY, lambda w: {"uuid": w.returns["other"].uuid}),
        *each(
            RETURN_READERS,
            uuid_kw("returns"),
            "POST",
            write="bu member",
            data=lambda w, v: {"sent_back_reason": "Say more about standard 2."},
        ),
    ],
    # Learning: lists and exports ---------------------------------------------------------------
    "learning:index": page(
        hides={
            "lead": lambda w: [w.themes["other"].title],
            "reviewer": lambda w: [w.themes["own"].title],
        }
    ),
    "learning:findings": page(
        hides={
            "member": lambda w: [w.findings["restricted"].title],
            "exec": lambda w: [w.findings["restricted"].title],
            "lead": lambda w: [w.findings["other"].title, w.findings["restricted"].title],
            "reviewer": lambda w: [w.findings["own"].title, w.findings["other"].title],
        }
    ),
    "learning:outcomes": page(),
    "learning:activities": page(),
    "learning:checks": page(),
    "learning:evidence_list": page(
        hides={
            "lead": lambda w: [w.evidence["other"].title],
            "reviewer": lambda w: [w.evidence["own"].title],
        }
    ),
    "learning:actions": page(
        hides={
            "member": lambda w: [w.actions["restricted_plan"].title],
            "lead": lambda w: [w.actions["other"].title, *restricted_ref(w)],
            "reviewer": lambda w: [w.actions["own"].title, w.actions["other"].title],
        }
    ),
    # The agency lead's export names their action in the restricted review's plan, not the review.
    "learning:actions_csv": page(
        shows={"lead": lambda w: [w.actions["restricted_plan"].title]},
        hides={"lead": lambda w: [w.actions["other"].title, *restricted_ref(w)]},
    ),
    "learning:actions_xlsx": page(
        shows={"lead": lambda w: [w.actions["restricted_plan"].title]},
        hides={"lead": lambda w: [w.actions["other"].title, *restricted_ref(w)]},
    ),
    # What is asked of agency A: its actions (one in the restricted review's plan, unnamed) and
    # its evidence, nobody else's.
    "learning:my_agency": page(
        expect=rule("lead"),
        # Its own return (linked by its public id) beside its actions; never the other agency's.
        shows={"lead": lambda w: [w.actions["restricted_plan"].title, str(w.returns["own"].uuid)]},
        hides={
            "lead": lambda w: [
                w.actions["other"].title,
                w.evidence["other"].title,
                str(w.returns["other"].uuid),
                *restricted_ref(w),
            ]
        },
    ),
    # Learning: findings and collating ----------------------------------------------------------
    "learning:finding_new": [
        GET("page", rule("bu member")),
        POST("open_A", rule("bu member"), data=finding_form("open_A")),
        # A finding from a review the member may not open is refused.
        POST("restricted", rule("bu", member=INVALID), data=finding_form("restricted")),
    ],
    "learning:finding": each(FINDING_READERS, uuid_kw("findings")),
    "learning:finding_edit": [
        *each(FINDING_READERS, uuid_kw("findings"), write=LEARNING_WRITERS),
        *each(
            FINDING_READERS,
            uuid_kw("findings"),
            "POST",
            write=LEARNING_WRITERS,
            data=finding_form(),
        ),
    ],
    "learning:collate": [
        GET("page", rule("bu member")),
        POST("unthemed_own", rule("bu member"), data=collate_form("unthemed_own")),
        # A finding the member may not see cannot be put into a theme by its id.
        POST("restricted", rule("bu", member=INVALID), data=collate_form("restricted")),
        # A theme of a sub-group the member does not sit on.
        POST(
            "theme_cdop",
            rule("bu", member="403"),
            data=lambda w: {
                "theme": w.themes["cdop"].pk,
                "findings": [w.findings["unthemed_own"].pk],
            },
        ),
    ],
    # Learning: themes and outcomes -------------------------------------------------------------
    "learning:theme_new": [
        GET("page", rule("bu member")),
        POST("li", rule("bu member"), data=theme_form("li")),
        POST("cdop", rule("bu", member=INVALID), data=theme_form("cdop")),
    ],
    # Under theme_own's outcome: agency A's and agency B's evidence and checks; the lead sees A's.
    "learning:theme": each(
        THEME_READERS, uuid_kw("themes"), hides={"lead": lambda w: [w.evidence["other"].title]}
    ),
    "learning:theme_edit": [
        *each(THEME_READERS, uuid_kw("themes"), write=LEARNING_WRITERS),
        *each(THEME_READERS, uuid_kw("themes"), "POST", write=LEARNING_WRITERS, data=theme_form()),
    ],
    "learning:theme_move": [
        GET("own", POST_ONLY, lambda w: {"uuid": w.themes["own"].uuid}),
        *each(
            THEME_READERS,
            uuid_kw("themes"),
            "POST",
            write=LEARNING_WRITERS,
            data=lambda w, v: {"to": "active"},
        ),
    ],
    "learning:outcome_new": [
        *each(THEME_READERS, uuid_kw("themes", "theme_uuid"), write=LEARNING_WRITERS),
        *each(
            THEME_READERS,
            uuid_kw("themes", "theme_uuid"),
            "POST",
            write=LEARNING_WRITERS,
            data=outcome_form,
        ),
    ],
    "learning:outcome": each(
        THEME_READERS, uuid_kw("outcomes"), hides={"lead": lambda w: [w.evidence["other"].title]}
    ),
    "learning:outcome_edit": [
        *each(THEME_READERS, uuid_kw("outcomes"), write=LEARNING_WRITERS),
        *each(
            THEME_READERS, uuid_kw("outcomes"), "POST", write=LEARNING_WRITERS, data=outcome_form
        ),
    ],
    # The Executive's decision: the Executive and the Business Unit.
    "learning:outcome_decide": [
        GET("own", POST_ONLY, lambda w: {"uuid": w.outcomes["own"].uuid}),
        *each(
            THEME_READERS,
            uuid_kw("outcomes"),
            "POST",
            write="bu exec",
            data=lambda w, v: {"decision": "agreed", "notes": "Agreed by the Executive."},
        ),
    ],
    "learning:activity_new": [
        *each(THEME_READERS, uuid_kw("outcomes", "outcome_uuid"), write=LEARNING_WRITERS),
        *each(
            THEME_READERS,
            uuid_kw("outcomes", "outcome_uuid"),
            "POST",
            write=LEARNING_WRITERS,
            data=activity_form,
        ),
    ],
    "learning:activity_edit": [
        *each(THEME_READERS, uuid_kw("activities"), write=LEARNING_WRITERS),
        *each(
            THEME_READERS, uuid_kw("activities"), "POST", write=LEARNING_WRITERS, data=activity_form
        ),
    ],
    "learning:check_new": [
        *each(THEME_READERS, uuid_kw("outcomes", "outcome_uuid"), write=LEARNING_WRITERS),
        *each(
            THEME_READERS,
            uuid_kw("outcomes", "outcome_uuid"),
            "POST",
            write=LEARNING_WRITERS,
            data=check_form,
        ),
    ],
    "learning:check_edit": [
        *each(CHECK_READERS, uuid_kw("checks"), write=LEARNING_WRITERS),
        *each(CHECK_READERS, uuid_kw("checks"), "POST", write=LEARNING_WRITERS, data=check_form),
    ],
    "learning:stage_complete": [
        *each(CHECK_READERS, uuid_kw("stages"), write=LEARNING_WRITERS),
        *each(
            CHECK_READERS,
            uuid_kw("stages"),
            "POST",
            write=LEARNING_WRITERS,
            data=lambda w, v: {"completed_on": today(), "responses": "12", "confidence": "7"},
        ),
    ],
    # Learning: assurance evidence --------------------------------------------------------------
    "learning:evidence_new": [
        *each(THEME_READERS, uuid_kw("outcomes", "outcome_uuid"), write=LEARNING_WRITERS),
        *each(
            THEME_READERS,
            uuid_kw("outcomes", "outcome_uuid"),
            "POST",
            write=LEARNING_WRITERS,
            data=evidence_form,
        ),
    ],
    "learning:evidence": [
        *each(EVIDENCE_READERS, uuid_kw("evidence")),
        # Its acts each have their own address.
        POST("own", rule(others="405"), lambda w: {"uuid": w.evidence["own"].uuid}),
    ],
    # The agency provides its own evidence; the sub-group judges it.
    "learning:evidence_provide": [
        GET("own", POST_ONLY, lambda w: {"uuid": w.evidence["own"].uuid}),
        *each(
            EVIDENCE_READERS,
            uuid_kw("evidence"),
            "POST",
            write="bu member lead",
            data=lambda w, v: {"summary": "Thirty strategy discussions audited"},
        ),
    ],
    "learning:evidence_judge": [
        GET("own", POST_ONLY, lambda w: {"uuid": w.evidence["own"].uuid}),
        *each(
            EVIDENCE_READERS,
            uuid_kw("evidence"),
            "POST",
            write=LEARNING_WRITERS,
            data=lambda w, v: {"judgement": "assured", "reason": "Audit shows it"},
        ),
    ],
    "learning:evidence_edit": [
        *each(EVIDENCE_READERS, uuid_kw("evidence"), write=LEARNING_WRITERS),
        *each(
            EVIDENCE_READERS,
            uuid_kw("evidence"),
            "POST",
            write=LEARNING_WRITERS,
            data=evidence_form,
        ),
    ],
    # Learning: actions -------------------------------------------------------------------------
    # Actions for a submitted return's unmet standards, in one step: those who moderate.
    "learning:actions_from_return": [
        GET("other", rule("bu member"), lambda w: {"uuid": w.returns["other"].uuid}),
        # A draft is the agency's: nothing to act on yet.
        GET("own", rule(), lambda w: {"uuid": w.returns["own"].uuid}),
        POST(
            "other",
            rule("bu member"),
            lambda w: {"uuid": w.returns["other"].uuid},
            data=lambda w: {"subgroup": w.subgroups["qap"].pk, "due_on": today(60)},
        ),
    ],
    "learning:action_new": [
        GET(
            "review=open_A", rule("bu member"), query=lambda w: {"review": w.reviews["open_A"].uuid}
        ),
        GET("audit=other", rule("bu member"), query=lambda w: {"audit": w.audits["other"].uuid}),
        GET("outcome=own", rule("bu member"), query=lambda w: {"outcome": w.outcomes["own"].uuid}),
        GET(
            "standard=other",
            rule("bu member"),
            query=lambda w: {"standard": w.returns["other"].answers.first().uuid},
        ),
        POST(
            "review=open_A",
            rule("bu member"),
            query=lambda w: {"review": w.reviews["open_A"].uuid},
            data=action_form(),
        ),
        # An action cannot be added to the plan of a review the member may not open ...
        POST(
            "review=restricted",
            rule("bu", member="404"),
            query=lambda w: {"review": w.reviews["restricted"].uuid},
            data=action_form(),
        ),
        # ... nor tied to a finding they may not see.
        POST(
            "finding=restricted",
            rule("bu", member=INVALID),
            query=lambda w: {"review": w.reviews["open_A"].uuid},
            data=action_form(finding="restricted"),
        ),
        # ... nor given to a sub-group they do not sit on to sign off.
        POST(
            "subgroup=cdop",
            rule("bu", member=INVALID),
            query=lambda w: {"review": w.reviews["open_A"].uuid},
            data=lambda w: action_form()(w) | {"subgroup": w.subgroups["cdop"].pk},
        ),
    ],
    "learning:action": [
        # The agency lead's action in a restricted review's plan does not name the review.
        GET(
            "restricted_plan",
            rw(ACTION_READERS["restricted_plan"]),
            lambda w: {"uuid": w.actions["restricted_plan"].uuid},
            shows={"lead": lambda w: [w.actions["restricted_plan"].title]},
            hides={"lead": restricted_ref},
        ),
        # Action "other" answers the restricted review's finding, which stays unnamed.
        *each(
            {v: ACTION_READERS[v] for v in ("own", "other")},
            uuid_kw("actions"),
            hides=dict.fromkeys(
                ("member", "outsider", "exec"), lambda w: [w.findings["restricted"].title]
            ),
        ),
        # Its acts each have their own address.
        POST("own", rule(others="405"), lambda w: {"uuid": w.actions["own"].uuid}),
    ],
    # Progress: the owner agency and the sub-group; an agency lead cannot reach B's action.
    "learning:action_progress": [
        GET("own", POST_ONLY, lambda w: {"uuid": w.actions["own"].uuid}),
        *each(
            ACTION_READERS,
            uuid_kw("actions"),
            "POST",
            write="bu member lead",
            data=lambda w, v: {"progress": "Half the officers trained"},
        ),
    ],
    # Sign-off and the follow-up check: the sub-group only (no action is complete or signed
    # off, so the form refuses it).
    "learning:action_sign_off": [
        GET("own", POST_ONLY, lambda w: {"uuid": w.actions["own"].uuid}),
        *form_refuses(
            each(
                ACTION_READERS,
                uuid_kw("actions"),
                "POST",
                write=LEARNING_WRITERS,
                data=lambda w, v: {"follow_up_on": today(90)},
            )
        ),
    ],
    "learning:action_follow_up": [
        GET("own", POST_ONLY, lambda w: {"uuid": w.actions["own"].uuid}),
        *form_refuses(
            each(
                ACTION_READERS,
                uuid_kw("actions"),
                "POST",
                write=LEARNING_WRITERS,
                data=lambda w, v: {"lasted": "yes", "result": "Still in use six weeks on"},
            )
        ),
    ],
    # Sending a completion back: the sub-group only (no action is complete, so the form refuses).
    "learning:action_send_back": [
        GET("own", POST_ONLY, lambda w: {"uuid": w.actions["own"].uuid}),
        *form_refuses(
            each(
                ACTION_READERS,
                uuid_kw("actions"),
                "POST",
                write=LEARNING_WRITERS,
                data=lambda w, v: {"reason": "Attach the training register"},
            )
        ),
    ],
    "learning:action_edit": [
        *each(ACTION_READERS, uuid_kw("actions"), write=LEARNING_WRITERS),
        *each(
            ACTION_READERS, uuid_kw("actions"), "POST", write=LEARNING_WRITERS, data=action_form()
        ),
    ],
    "learning:attachment": each(ATTACHMENT_READERS, uuid_kw("attachments")),
    "learning:thread_review": each(REVIEW_READERS, uuid_kw("reviews")),
    "learning:thread_audit": each(AUDIT_READERS, uuid_kw("audits")),
    # The Board's dashboard and reports ---------------------------------------------------------
    "dashboard:index": page(expect=DASHBOARD, hides=hides_restricted("member", "exec")),
    "dashboard:annual-report": page(expect=DASHBOARD, hides=hides_restricted("member", "exec")),
    "dashboard:export-csv": page(expect=DASHBOARD),
    "dashboard:export-xlsx": page(expect=DASHBOARD),
    "dashboard:annual-report-export-csv": page(expect=DASHBOARD),
    "dashboard:annual-report-export-xlsx": page(expect=DASHBOARD),
    "dashboard:reports": page(expect=DASHBOARD),
    "dashboard:report": [
        # The member sits on L&I and QAP (whose lines are li, qap and education), not CDOP.
        GET("li", DASHBOARD, lambda w: {"line": "li"}, hides=hides_restricted("member", "exec")),
        GET("qap", DASHBOARD, lambda w: {"line": "qap"}),
        GET("education", DASHBOARD, lambda w: {"line": "education"}),
        GET("cdop", rule("bu exec"), lambda w: {"line": "cdop"}),
        GET("no-such-line", rule(others="404"), lambda w: {"line": "no-such-line"}),
    ],
}


# Child death reviews and external scrutiny (issue 20) -------------------------------------------
# CDOP's record of a death: the review's readers, the Business Unit writes it (the member does not
# sit on CDOP); a review of another kind has no such record (404 for those who may change it).
# The scrutiny register: read by the Business Unit, sub-group members and the executive, kept by
# the Business Unit; the member sits on L&I, which monitors the inspection, and so turns its
# recommendations into findings and actions.

SCRUTINY_READERS = "bu member outsider exec"


def child_death_form(w):
    from reviews.models import AgeBand, DeathCategory

    return {
        "notified_on": "",
        "meeting": w.child_death.child_death.meeting_id,  # the panel's: the category is its
        "category": DeathCategory.objects.get(number=5).pk,
        "modifiable_factors": "no",
        "expectedness": "expected",
        "age_band": AgeBand.objects.get(position=3).pk,
        "ncmd_reference": "NCMD-0002",
    }


def inspection_kw(w):
    return {"uuid": w.inspection.uuid}


def recommendation_kw(which):
    return lambda w: {"uuid": w.inspection.uuid, "rec_uuid": w.recommendations[which].uuid}


def inspection_form(w):
    return {
        "kind": "peer_review",
        "title": "Peer review of the safeguarding arrangements",
        "started_on": "2025-02-03",
        "scope": "The partnership's arrangements.",
        "subgroup": w.subgroups["li"].pk,
    }


NOT_A_CHILD_DEATH = rule(others="404", outsider="403", exec="403", lead="403")

EXPECTATIONS |= {
    "reviews:child-death": [
        GET(
            "child_death",
            rw("bu member outsider exec lead", "bu"),
            lambda w: {"uuid": w.child_death.uuid},
        ),
        POST(
            "child_death",
            rw("bu member outsider exec lead", "bu"),
            lambda w: {"uuid": w.child_death.uuid},
            data=child_death_form,
        ),
        GET("open_A", NOT_A_CHILD_DEATH, lambda w: {"uuid": w.reviews["open_A"].uuid}),
    ],
    "scrutiny:list": page(expect=rule(SCRUTINY_READERS)),
    "scrutiny:create": [
        GET("page", rule("bu")),
        POST("page", rule("bu"), data=inspection_form),
    ],
    "scrutiny:detail": [GET("jtai", rw(SCRUTINY_READERS), inspection_kw)],
    "scrutiny:thread": [GET("jtai", rw(SCRUTINY_READERS), inspection_kw)],
    "scrutiny:edit": [
        GET("jtai", rw(SCRUTINY_READERS, "bu"), inspection_kw),
        POST("jtai", rw(SCRUTINY_READERS, "bu"), inspection_kw, data=inspection_form),
    ],
    "scrutiny:recommendation-add": [
        GET("jtai", rw(SCRUTINY_READERS, "bu"), inspection_kw),
        POST(
            "jtai",
            rw(SCRUTINY_READERS, "bu"),
            inspection_kw,
            data=lambda w: {"text": "Audit the use of neglect tools.", "agency": ""},
        ),
    ],
    "scrutiny:recommendation-edit": [
        GET("open", rw(SCRUTINY_READERS, "bu"), recommendation_kw("open")),
        POST(
            "open",
            rw(SCRUTINY_READERS, "bu"),
            recommendation_kw("open"),
            data=lambda w: {"text": "Partners to hear and record the child's voice.", "agency": ""},
        ),
    ],
    "scrutiny:recommendation-finding": [
        GET("open", POST_ONLY, recommendation_kw("open")),
        POST("open", rw(SCRUTINY_READERS, "bu member"), recommendation_kw("open")),
    ],
    "scrutiny:recommendation-action": [
        GET("open", POST_ONLY, recommendation_kw("open")),
        POST(
            "open",
            rw(SCRUTINY_READERS, "bu member"),
            recommendation_kw("open"),
            data=lambda w: {"owner_agency": w.agency_b.pk, "due_on": today(30)},
        ),
    ],
    # The CDOP annual report's exports: its readers (the member does not sit on CDOP); a report
    # with no export is not found.
    "dashboard:report-export-csv": [
        GET("cdop", rule("bu exec"), lambda w: {"line": "cdop"}),
        GET("li", rule(others="404"), lambda w: {"line": "li"}),
    ],
    "dashboard:report-export-xlsx": [
        GET("cdop", rule("bu exec"), lambda w: {"line": "cdop"}),
    ],
}


# Meetings (learning.meetings) ------------------------------------------------------------------
# The member sits on the Case Review Panel, whose meetings the world holds; only the Business Unit
# runs them (the Panel has no chair here). The restricted review is on the agendas: the member
# sees a "Restricted item", never its reference or title.

MEETING_READ = rw("bu member")
MEETING_RUN = rw("bu member", "bu")


def meeting_kw(which):
    return lambda w: {"uuid": w.meetings[which].uuid}


def item_kw(which):
    return lambda w: {"uuid": w.items[which].meeting.uuid, "item_uuid": w.items[which].uuid}


def paper_kw(which):
    def kwargs(w):
        paper = w.papers[which]
        return {
            "uuid": paper.item.meeting.uuid,
            "item_uuid": paper.item.uuid,
            "paper_uuid": paper.uuid,
        }

    return kwargs


def attendance_form(w):
    from sscb.models import SubGroupMembership

    data = {}
    for user_id in SubGroupMembership.objects.filter(subgroup=w.subgroups["crp"]).values_list(
        "user_id", flat=True
    ):
        data |= {f"status_{user_id}": "present", f"deputy_{user_id}": ""}
    return data


def moderated_scores(w):
    """Every standard of the submitted return moderated "met"."""
    answers = w.returns["other"].answers.values_list("pk", flat=True)
    return {f"score_{pk}": "3" for pk in answers}


MEETING_HIDES = {
    "hides": hides_restricted("member"),
    "shows": {"member": lambda w: ["Restricted item"]},
}

EXPECTATIONS |= {
    "meetings:list": page(),
    "meetings:figures": page(),
    "meetings:create": [
        GET("page", rule("bu")),
        POST(
            "page",
            rule("bu"),
            data=lambda w: {"body": w.subgroups["crp"].pk, "held_on": today(30), "place": "Hall"},
        ),
    ],
    "meetings:series": [
        GET("page", rule("bu")),
        POST(
            "page",
            rule("bu"),
            data=lambda w: {
                "body": w.subgroups["crp"].pk,
                "first_on": today(30),
                "every_weeks": "6",
                "count": "2",
                "papers_days_before": "7",
                "place": "Hall",
            },
        ),
    ],
    "meetings:detail": [
        GET("planned", MEETING_READ, meeting_kw("planned"), **MEETING_HIDES),
        GET("held", MEETING_READ, meeting_kw("held"), **MEETING_HIDES),
    ],
    "meetings:pack": [GET("planned", MEETING_READ, meeting_kw("planned"), **MEETING_HIDES)],
    "meetings:paper": [
        GET("open", MEETING_READ, lambda w: {"uuid": w.papers["open"].uuid}),
        GET("restricted", rw("bu"), lambda w: {"uuid": w.papers["restricted"].uuid}),
    ],
    "meetings:edit": [
        GET("planned", MEETING_RUN, meeting_kw("planned")),
        POST(
            "planned",
            MEETING_RUN,
            meeting_kw("planned"),
            data=lambda w: {"held_on": today(21), "place": "Hall", "papers_due_on": today(14)},
        ),
    ],
    "meetings:move": [
        GET("planned", POST_ONLY, meeting_kw("planned")),
        POST("planned", MEETING_RUN, meeting_kw("planned"), lambda w: {"to": "agenda_published"}),
    ],
    "meetings:prepare": [
        GET("planned", MEETING_RUN, meeting_kw("planned")),
        POST(
            "planned",
            MEETING_RUN,
            meeting_kw("planned"),
            data=lambda w: {"chosen": [f"review:{w.reviews['open_A'].pk}"]},
        ),
    ],
    "meetings:attendance": [
        GET("held", MEETING_RUN, meeting_kw("held")),
        POST("held", MEETING_RUN, meeting_kw("held"), data=attendance_form),
    ],
    "meetings:item-add": [
        GET("planned", MEETING_RUN, meeting_kw("planned")),
        POST(
            "planned", MEETING_RUN, meeting_kw("planned"), lambda w: {"title": "Any other business"}
        ),
    ],
    "meetings:item-edit": [
        GET("open", MEETING_RUN, item_kw("open")),
        GET("restricted", MEETING_RUN, item_kw("restricted")),
        POST("open", MEETING_RUN, item_kw("open"), lambda w: {"title": "Renamed", "presenter": ""}),
    ],
    "meetings:item-move": [
        GET("open", POST_ONLY, item_kw("open")),
        POST("open", MEETING_RUN, item_kw("open"), lambda w: {"direction": "down"}),
    ],
    "meetings:paper-add": [GET("open", MEETING_RUN, item_kw("open"))],
    "meetings:cancel": [
        GET("planned", MEETING_RUN, meeting_kw("planned")),
        POST(
            "planned",
            MEETING_RUN,
            meeting_kw("planned"),
            lambda w: {"because": "No business this month."},
        ),
    ],
    "meetings:item-remove": [
        GET("open", POST_ONLY, item_kw("open")),
        POST("open", MEETING_RUN, item_kw("open")),
    ],
    "meetings:paper-withdraw": [
        GET("open", POST_ONLY, paper_kw("open")),
        POST("open", MEETING_RUN, paper_kw("open")),
    ],
    "meetings:item-minute": [
        GET("held_open", MEETING_RUN, item_kw("held_open")),
        GET("held_restricted", MEETING_RUN, item_kw("held_restricted")),
        POST(
            "held_open",
            MEETING_RUN,
            item_kw("held_open"),
            lambda w: {"notes": "Discussed.", "decision": "Noted."},
        ),
    ],
    "meetings:decide-referral": [
        GET("held_open", MEETING_RUN, item_kw("held_open")),
        POST(
            "held_open",
            MEETING_RUN,
            item_kw("held_open"),
            lambda w: {
                "decision": "not_initiate",
                "reasons": "Criteria not met.",
                "alternative_route": "none",
            },
        ),
    ],
    "meetings:decide-outcome": [
        GET("held_outcome", MEETING_RUN, item_kw("held_outcome")),
        POST(
            "held_outcome",
            MEETING_RUN,
            item_kw("held_outcome"),
            lambda w: {"decision": "agreed", "notes": "Go ahead."},
        ),
    ],
    "meetings:decide-return": [
        GET("held_return", MEETING_RUN, item_kw("held_return")),
        POST("held_return", MEETING_RUN, item_kw("held_return"), moderated_scores),
    ],
    "meetings:agree-theme": [
        GET("held_theme", POST_ONLY, item_kw("held_theme")),
        POST("held_theme", MEETING_RUN, item_kw("held_theme")),
    ],
    "meetings:approve-minutes": [
        GET("held_minutes", POST_ONLY, item_kw("held_minutes")),
        POST("held_minutes", MEETING_RUN, item_kw("held_minutes")),
    ],
    "meetings:action-arising": [
        GET("held_open", MEETING_RUN, item_kw("held_open")),
        POST(
            "held_open",
            MEETING_RUN,
            item_kw("held_open"),
            lambda w: {
                "title": "Chase the chronology",
                "owner_agency": w.agency_a.pk,
                "due_on": today(30),
            },
        ),
    ],
}


# The performance framework (audits.performance) ----------------------------------------------
# The member sits on QAP, so reads every indicator; the Executive reads them too; agency A's lead
# sees (and submits) A's alone; the outsider (on no sub-group) and the reviewer see none. Values
# are submitted by the owning agency's lead or the Business Unit.

INDICATOR_READERS = {"own": "bu member exec lead", "other": "bu member exec"}
PERFORMANCE_READERS = rule("bu member exec lead")
PERFORMANCE_WRITERS = rule("bu lead")


def indicator_kw(w, v):
    return {"uuid": w.indicators[v].uuid}


def scorecard_kw(w):
    return {"uuid": w.indicator_set.uuid}


def _last_quarter():
    from audits.performance.selectors import last_ended_quarter

    return last_ended_quarter()


def value_form(w, v):
    year, quarter = _last_quarter()
    return {"year": str(year), "quarter": str(quarter), "value": "91.5", "commentary": "Steady."}


def values_upload(w):
    year, quarter = _last_quarter()
    name = w.indicators["own"].name
    text = f"indicator,financial year,quarter,value,commentary\r\n{name},{year},{quarter},92,\r\n"
    return {"agency": w.agency_a.pk, "file": RewoundFile("values.csv", text.encode())}


SCORECARD_SHOWN = {
    "shows": {
        "member": lambda w: [w.indicators["own"].name, w.indicators["other"].name],
        "lead": lambda w: [w.indicators["own"].name],
    },
    "hides": {"lead": lambda w: [w.indicators["other"].name]},
}

EXPECTATIONS |= {
    "performance:index": page(expect=PERFORMANCE_READERS, **SCORECARD_SHOWN),
    "performance:indicator": each(INDICATOR_READERS, indicator_kw),
    "performance:submit": [
        *each(INDICATOR_READERS, indicator_kw, write="bu lead"),
        *each(INDICATOR_READERS, indicator_kw, method="POST", write="bu lead", data=value_form),
    ],
    "performance:upload": [
        GET("page", PERFORMANCE_WRITERS),
        POST("page", PERFORMANCE_WRITERS, data=values_upload),
    ],
    "performance:template": page(expect=PERFORMANCE_WRITERS),
    "performance:scorecard": [
        GET("page", PERFORMANCE_READERS, scorecard_kw, **SCORECARD_SHOWN),
    ],
    "performance:scorecard-csv": [
        GET("page", PERFORMANCE_READERS, scorecard_kw, **SCORECARD_SHOWN),
    ],
    "performance:scorecard-xlsx": [GET("page", PERFORMANCE_READERS, scorecard_kw)],
}


# Briefings (learning.briefings) ---------------------------------------------------------------

BRIEFING_DRAFT = rw("bu member")  # a draft is L&I's (the member's) and the Business Unit's
PUBLISHED = EVERYONE  # a published briefing is for every signed-in person
OWN_THEME = {"own": THEME_READERS["own"]}
OWN_REVIEW = {"open_A": REVIEW_READERS["open_A"]}


def briefing_kw(which):
    return lambda w: {"uuid": w.briefings[which].uuid}


def cascade_kw(which):
    return lambda w: {"uuid": w.cascades[which].uuid}


def briefing_form(w, v=None):
    return {
        "title": "Hearing children",
        "outcome": w.outcomes["own"].pk,
        "what_happened": "Child N was not asked.",
        "why_it_matters": "Words are evidence.",
        "what_to_do": "Ask.",
        "questions": "Did you ask?",
    }


def cascade_form(w):
    return {"cascaded_on": today(), "method": "team_meeting", "staff_reached": "12"}


def writing_from(readers, collection, writers=LEARNING_WRITERS):
    return [
        *each(readers, uuid_kw(collection), write=writers),
        *each(readers, uuid_kw(collection), "POST", write=writers, data=briefing_form),
    ]


EXPECTATIONS |= {
    "briefings:list": page(),
    "briefings:write_from_theme": writing_from(OWN_THEME, "themes"),
    "briefings:write_from_outcome": writing_from(OWN_THEME, "outcomes"),
    # open_A is the Case Review Panel's, on which the member sits.
    "briefings:write_from_review": writing_from(OWN_REVIEW, "reviews", REVIEW_WRITERS),
    "briefings:detail": [
        GET("draft", BRIEFING_DRAFT, briefing_kw("draft")),
        GET("published", PUBLISHED, briefing_kw("published")),
    ],
    "briefings:edit": [
        GET("draft", BRIEFING_DRAFT, briefing_kw("draft")),
        POST("draft", BRIEFING_DRAFT, briefing_kw("draft"), lambda w: briefing_form(w)),
        # Published, it is not changed: a new briefing is written instead.
        GET("published", rule(others="403"), briefing_kw("published")),
    ],
    "briefings:submit": [
        GET("draft", POST_ONLY, briefing_kw("draft")),
        POST("draft", BRIEFING_DRAFT, briefing_kw("draft")),
    ],
    # The chair approves, or the Business Unit for them; the member (who wrote it) may not.
    "briefings:approve": [
        GET("submitted", POST_ONLY, briefing_kw("submitted")),
        POST("submitted", rw("bu member", "bu"), briefing_kw("submitted")),
    ],
    "briefings:return": [
        GET("submitted", POST_ONLY, briefing_kw("submitted")),
        POST(
            "submitted",
            rw("bu member", "bu"),
            briefing_kw("submitted"),
            lambda w: {"returned_note": "Shorter, please."},
        ),
    ],
    "briefings:publish": [
        GET("approved", POST_ONLY, briefing_kw("approved")),
        POST("approved", BRIEFING_DRAFT, briefing_kw("approved")),
    ],
    "briefings:print": [
        GET("draft", BRIEFING_DRAFT, briefing_kw("draft")),
        GET("published", PUBLISHED, briefing_kw("published")),
    ],
    "briefings:pdf": [
        GET("draft", BRIEFING_DRAFT, briefing_kw("draft")),
        GET("published", PUBLISHED, briefing_kw("published")),
    ],
    "briefings:cascades": page(expect=rule("lead")),
    # Agency A's confirmation: its lead confirms; L&I and the Business Unit read it.
    "briefings:confirm": [
        GET("own", rw("bu member lead", "lead"), cascade_kw("own")),
        POST("own", rw("bu member lead", "lead"), cascade_kw("own"), lambda w: cascade_form(w)),
        GET("other", rw("bu member", ""), cascade_kw("other")),
        POST("other", rw("bu member", ""), cascade_kw("other"), lambda w: cascade_form(w)),
    ],
}


# Training (learning.training) ---------------------------------------------------------------------
# The course is the L&I sub-group's, on which the member sits: the Business Unit and the member run
# it. Everyone signed in sees courses and sessions; a register's names only those who run the
# course, and an agency's lead their own agency's. The questionnaire opens by its token alone.

TRAINING_RUN = rule("bu member")
EVERYONE_AND_ANON = rule("bu member outsider exec lead reviewer", anon=OK)
REGISTER_SHOWN = {
    "shows": {
        "bu": lambda w: [OWN_ATTENDEE, OTHER_ATTENDEE],
        "member": lambda w: [OWN_ATTENDEE, OTHER_ATTENDEE],
        "lead": lambda w: [OWN_ATTENDEE],
    },
    "hides": {
        "lead": lambda w: [OTHER_ATTENDEE],
        "outsider": lambda w: [OWN_ATTENDEE, OTHER_ATTENDEE],
        "exec": lambda w: [OWN_ATTENDEE, OTHER_ATTENDEE],
        "reviewer": lambda w: [OWN_ATTENDEE, OTHER_ATTENDEE],
    },
}


def course_kw(w):
    return {"uuid": w.training.course.uuid}


def training_session_kw(which):
    return lambda w: {"uuid": w.training.sessions[which].uuid}


def attendee_kw(which):
    return lambda w: {"uuid": w.training.attendees[which].uuid}


def token_kw(which):
    return lambda w: {"token": w.training.tokens[which]}


def course_form(w):
    return {
        "title": "Exploitation: themed event",
        "kind": "themed_event",
        "subgroup": w.subgroups["li"].pk,
        "learning_points": "Spotting the signs",
        "outcomes": [w.outcomes["own"].pk],
    }


def training_session_form(w):
    return {"held_on": today(30), "trainer": "Dana Reid", "venue": "Online", "places": "20"}


def register_upload(w):
    text = (
        "name,work email,agency,manager email,status\r\n"
        "Kim Ellis,kim@police.example,Police,boss@police.example,booked\r\n"
    )
    return {"file": RewoundFile("register.csv", text.encode())}


def answer_form(w):
    return {"point_1": "4", "point_2": "5", "doing_differently": "Ask about the day."}


EXPECTATIONS |= {
    "training:list": page(),
    "training:rates": page(),
    "training:register-template": page(),
    "training:attendees": page(**REGISTER_SHOWN),
    "training:answers": page(),
    "training:course-new": [
        GET("page", TRAINING_RUN),
        POST("page", TRAINING_RUN, data=course_form),
    ],
    "training:course": [GET("course", EVERYONE, course_kw)],
    "training:course-edit": [
        GET("course", TRAINING_RUN, course_kw),
        POST("course", TRAINING_RUN, course_kw, course_form),
    ],
    "training:session-new": [
        GET("course", TRAINING_RUN, course_kw),
        POST("course", TRAINING_RUN, course_kw, training_session_form),
    ],
    "training:session": [
        GET("delivered", EVERYONE, training_session_kw("delivered"), **REGISTER_SHOWN),
    ],
    "training:session-edit": [
        GET("upcoming", TRAINING_RUN, training_session_kw("upcoming")),
        POST("upcoming", TRAINING_RUN, training_session_kw("upcoming"), training_session_form),
    ],
    "training:deliver": [
        GET("held", POST_ONLY, training_session_kw("held")),
        POST("held", TRAINING_RUN, training_session_kw("held")),
    ],
    "training:send": [
        GET("upcoming", POST_ONLY, training_session_kw("upcoming")),
        POST("upcoming", TRAINING_RUN, training_session_kw("upcoming"), lambda w: {"stage": "1"}),
    ],
    "training:attendee-add": [
        GET("upcoming", TRAINING_RUN, training_session_kw("upcoming")),
        POST(
            "upcoming",
            TRAINING_RUN,
            training_session_kw("upcoming"),
            lambda w: {
                "name": "Kim Ellis",
                "email": "kim@police.example",
                "agency": w.agency_a.pk,
                "manager_email": "boss@police.example",
                "status": "booked",
            },
        ),
    ],
    "training:register-upload": [
        GET("upcoming", TRAINING_RUN, training_session_kw("upcoming")),
        POST("upcoming", TRAINING_RUN, training_session_kw("upcoming"), register_upload),
    ],
    "training:attendee-edit": [
        GET("own", rw("bu member lead", "bu member"), attendee_kw("own")),
        POST(
            "own",
            rw("bu member lead", "bu member"),
            attendee_kw("own"),
            lambda w: {
                "name": "Kim Ellis",
                "email": "kim.ellis@police.example",
                "agency": w.agency_a.pk,
                "manager_email": "boss@police.example",
            },
        ),
    ],
    "training:attendee-mark": [
        GET("own", POST_ONLY, attendee_kw("own")),
        POST(
            "own",
            rw("bu member lead", "bu member"),
            attendee_kw("own"),
            lambda w: {"status": "did_not_attend"},
        ),
        POST(
            "other",
            rw("bu member", "bu member"),
            attendee_kw("other"),
            lambda w: {"status": "did_not_attend"},
        ),
    ],
    "training:attendee-remove": [
        GET("booked", POST_ONLY, attendee_kw("booked")),
        POST("booked", rw("bu member lead", "bu member"), attendee_kw("booked")),
    ],
    "training:link-resend": [
        GET("own", POST_ONLY, attendee_kw("own")),
        POST(
            "own", rw("bu member lead", "bu member"), attendee_kw("own"), lambda w: {"stage": "2"}
        ),
    ],
    # The questionnaire: anyone with the link, signed in or not; an answered one says so.
    "training:answer": [
        GET("open", EVERYONE_AND_ANON, token_kw("open")),
        GET(
            "answered",
            EVERYONE_AND_ANON,
            token_kw("answered"),
            shows={short: (lambda w: ["already been answered"]) for short in ROLES},
        ),
    ],
    "training:answer-submit": [
        GET("open", rule(others="405", anon="405"), token_kw("open")),
        POST("open", EVERYONE_AND_ANON, token_kw("open"), answer_form),
        POST(
            "answered",
            rule(others=INVALID, anon=INVALID),
            token_kw("answered"),
            answer_form,
        ),
    ],
}


# Sign-in, password and second-factor pages (django-allauth) -------------------------------------

PUBLIC = rule("bu member outsider exec lead reviewer", anon=OK)  # needs nobody signed in
NOTHING_TO_SHOW = rule(others="404")  # a second-factor page for a person who has none


def webauthn_of_someone_else(w):
    return {"pk": w.someone_elses_key.pk}


EXPECTATIONS |= {
    # Signing in and out; a signed-in person opening the sign-in page is sent home.
    "login": page(expect=PUBLIC),
    "account_login": page(expect=PUBLIC),
    "logout": page(),  # asks to confirm; an anonymous visitor is sent to sign in
    "account_logout": page(),
    "account_inactive": page(expect=PUBLIC),
    # Nobody signs themselves up: the Business Unit creates accounts. The page says so, and a
    # posted form creates nobody.
    "account_signup": [
        GET("page", PUBLIC),
        POST(
            "new person",
            rule("bu member outsider exec lead reviewer", anon=INVALID),
            data=lambda w: {
                "username": "newcomer",
                "email": "newcomer@example.org",
                "password1": "a long and unusual passphrase",
                "password2": "a long and unusual passphrase",
            },
        ),
    ],
    # Password reset: public, and it says the same whether or not an account has the address.
    "account_reset_password": page(expect=PUBLIC),
    "account_reset_password_done": page(expect=PUBLIC),
    "account_reset_password_from_key": page(
        "bad key", PUBLIC, kwargs=lambda w: {"uidb36": "1", "key": "not-a-real-key"}
    ),
    "account_reset_password_from_key_done": page(expect=PUBLIC),
    "account_email_verification_sent": page(expect=PUBLIC),
    "account_confirm_email": page("bad key", PUBLIC, kwargs=lambda w: {"key": "not-a-real-key"}),
    # A signed-in person's own account pages.
    "account_change_password": page(),
    "account_set_password": page(),  # has a password: sent on to change it
    "account_email": page(),
    "account_reauthenticate": page(),
    "account_request_reauthentication_code": page(),
    "account_confirm_reauthentication_code": page(),
    # Steps of a sign-in under way: with none under way, anonymous visitors go back to sign in
    # and a signed-in person is sent home.
    "account_confirm_login_code": page(),
    "mfa_authenticate": page(),
    "mfa_login_webauthn": page(),
    # Second factors: setting one up asks for the password again first.
    "mfa_index": page(),
    "mfa_activate_totp": page(),
    "mfa_add_webauthn": page(),
    "mfa_list_webauthn": page(),
    "mfa_generate_recovery_codes": page(),
    "mfa_reauthenticate": page(),
    "mfa_reauthenticate_webauthn": page(),
    "mfa_deactivate_totp": page(expect=NOTHING_TO_SHOW),
    "mfa_view_recovery_codes": page(expect=NOTHING_TO_SHOW),
    "mfa_download_recovery_codes": page(expect=NOTHING_TO_SHOW),
    # Another person's security key, by its id: nobody may rename or remove it.
    "mfa_edit_webauthn": [
        GET("someone else's", NOTHING_TO_SHOW, webauthn_of_someone_else),
        POST(
            "someone else's",
            NOTHING_TO_SHOW,
            webauthn_of_someone_else,
            data=lambda w: {"name": "Mine now"},
        ),
    ],
    "mfa_remove_webauthn": [
        GET("someone else's", NOTHING_TO_SHOW, webauthn_of_someone_else),
        POST("someone else's", NOTHING_TO_SHOW, webauthn_of_someone_else, data=lambda w: {}),
    ],
}


# Every named URL ----------------------------------------------------------------------------


def named_urls(resolver=None, namespace=()):
    """Each named route as "namespace:name", with its pattern."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace + ((pattern.namespace,) if pattern.namespace else ())
            yield from named_urls(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield ":".join((*namespace, pattern.name)), pattern


URL_NAMES = sorted({name for name, _ in named_urls()})


# The Django admin: one rule for every page ---------------------------------------------------

# The Business Unit (staff) gets "ok"; every other signed-in role and anonymous visitors are
# sent to sign in (the admin's sign-in page, which refuses a signed-in person who is not staff).
ADMIN_RULE = rule("bu", others=LOGIN)
# Pages where the Business Unit's answer differs from the rule, and why.
READ_ONLY = rule(others=LOGIN, bu="403")
ADMIN_EXCEPTIONS: dict[str, tuple[dict, str]] = {
    "admin:login": (
        rule("bu"),
        "the Business Unit is sent on to the admin; anyone else signed in is refused (403), "
        "as sending them to sign in again would only bring them back",
    ),
    "admin:logout": (
        rule(others=OK, bu="405"),
        "signing out is a POST; others are sent to the admin's index, which sends them to sign in",
    ),
    "admin:reviews_review_add": (READ_ONLY, "a review is opened on the review pages"),
    "admin:reviews_termsofreference_add": (READ_ONLY, "a version is saved on the review's page"),
    "admin:reviews_casedocument_add": (READ_ONLY, "documents are uploaded on the review's page"),
    "admin:reviews_documentversion_add": (READ_ONLY, "versions are uploaded on the review's page"),
    "admin:meetings_paper_add": (READ_ONLY, "papers are uploaded on the meeting's page"),
    "admin:sscb_accesslogentry_add": (READ_ONLY, "the access log is append-only"),
    "admin:sscb_accesslogentry_delete": (READ_ONLY, "the access log is append-only"),
    "admin:sscb_reminder_add": (READ_ONLY, "reminders are kept by the sweep"),
    "admin:training_questionnaire_add": (READ_ONLY, "answers come through their one-use links"),
    "admin:sscb_remindersweep_add": (READ_ONLY, "sweeps are kept by the sweep"),
    "admin:sscb_disposalrecord_add": (READ_ONLY, "the disposal log is append-only"),
    "admin:sscb_disposalrecord_delete": (READ_ONLY, "the disposal log is append-only"),
    "admin:axes_accessattempt_add": (READ_ONLY, "django-axes keeps its records"),
    "admin:axes_accesslog_add": (READ_ONLY, "django-axes keeps its records"),
    "admin:axes_accessfailurelog_add": (READ_ONLY, "django-axes keeps its records"),
}
# Case records are never deleted in the admin: they are disposed of under Disposals, their
# history kept until then (sscb/admin_records.py, RecordAdmin.deletable).
KEPT_IN_THE_ADMIN = [
    "sscb_reminder",
    "sscb_remindersweep",
    "reviews_review",
    "reviews_reviewclock",
    "reviews_reviewstagechange",
    "reviews_clockpause",
    "reviews_chronologyentry",
    "reviews_termsofreference",
    "reviews_reviewteammember",
    "reviews_casedocument",
    "reviews_documentversion",
    "reviews_childdeathdetails",
    "audits_audit",
    "audits_caseauditentry",
    "audits_auditcycle",
    "audits_selfassessment",
    "audits_standardassessment",
    "performance_indicatorvalue",
    "learning_finding",
    "learning_prioritytheme",
    "learning_learningoutcome",
    "learning_deliveryactivity",
    "learning_practicecheck",
    "learning_assuranceevidence",
    "learning_action",
    "meetings_meeting",
    "meetings_agendaitem",
    "meetings_paper",
    "meetings_attendance",
    "briefings_briefing",
    "briefings_briefingversion",
    "briefings_cascade",
    "scrutiny_inspection",
    "scrutiny_recommendation",
    "training_session",
    "training_attendee",
    "training_questionnaire",
]
ADMIN_EXCEPTIONS |= {
    f"admin:{name}_delete": (READ_ONLY, "disposed of under Disposals, not deleted")
    for name in KEPT_IN_THE_ADMIN
}
# Made by the product's pages (a service with side effects) or kept by its services only.
ADMIN_EXCEPTIONS |= {
    f"admin:{name}_add": (READ_ONLY, why)
    for name, why in {
        "reviews_reviewclock": "clocks follow the review's dates",
        "reviews_reviewstagechange": "a stage move is made on the review's page",
        "reviews_clockpause": "a pause is made on the review's page",
        "audits_auditcycle": "opening a cycle sends a return to each agency",
        "audits_selfassessment": "returns are sent when a cycle opens",
        "audits_standardassessment": "a return has an answer for each standard",
        "performance_indicatorvalue": "values are returned by the agency",
        "learning_deliveryactivity": "planned on the outcome's, a session's or a briefing's page",
        "learning_practicecheck": "a training evaluation's stages are scheduled with it",
        "briefings_briefing": "written from a theme, review or outcome",
        "briefings_briefingversion": "kept as each edit replaces the words",
        "briefings_cascade": "sent at publication",
        "training_session": "a session plans its course's deliveries",
        "training_attendee": "the register is kept on the session's page",
        "learning_action": "numbered in its plan on the plan's page",
        "audits_audit": "given its reference on the Audits page",
        "audits_caseauditentry": "graded on a case file audit's page until it is complete",
        "scrutiny_inspection": "given its reference on the register's page",
        "scrutiny_recommendation": "numbered on its inspection's page",
        "meetings_agendaitem": "added on the meeting's page, which dates an outcome's decision",
        "meetings_attendance": "recorded on the meeting's page once it is held",
        "reviews_childdeathdetails": "recorded on a child death review's page",
    }.items()
}
ADMIN_EXCEPTIONS["admin:sscb_user_delete"] = (
    rule("bu", others=LOGIN),
    "a person with records is made inactive, not deleted: the page says so",
)
# Admin names with no check, and why (still "written down").
ADMIN_SKIPPED: dict[str, str] = {}


def _admin_model(action_name):
    """The model and the page ("change", "history", ...) of an "admin:<app>_<model>_<page>"."""
    for model in admin.site._registry:
        prefix = f"{model._meta.app_label}_{model._meta.model_name}_"
        if action_name.startswith(prefix):
            return model, action_name[len(prefix) :]
    return None, None


def admin_request(world, name):
    """(kwargs, query) for one admin page, or a reason why none can be built."""
    page_name = name.split(":", 1)[1]
    if page_name == "app_list":
        return {"app_label": "reviews"}, None
    if page_name == "view_on_site":
        action = world.actions["own"]  # a model with a page of its own
        return {
            "content_type_id": ContentType.objects.get_for_model(action).pk,
            "object_id": action.pk,
        }, None
    if page_name == "autocomplete":
        return {}, {"app_label": "learning", "model_name": "finding", "field_name": "review"}
    if page_name == "auth_user_password_change":
        return {"id": world.users["business_unit"].pk}, None
    model, action = _admin_model(page_name)
    if model is None:
        return {}, None
    if action in ("changelist", "add"):
        return {}, None
    if action == "simple_history":
        past = model.history.order_by("history_id").first()
        if past is None:
            return f"no history of a {model._meta.label} row in the world", None
        return {"args": [getattr(past, model._meta.pk.attname), past.history_id]}, None
    row = model._default_manager.order_by("pk").first()
    if row is None:
        return f"no {model._meta.label} row in the world", None
    return {"object_id": row.pk}, None


def admin_checks(name):
    expect, _ = ADMIN_EXCEPTIONS.get(name, (ADMIN_RULE, ""))
    return [GET("admin", expect)]


def checks_for(name):
    if name in EXPECTATIONS:
        return EXPECTATIONS[name]
    if name.startswith("admin:") and name not in ADMIN_SKIPPED:
        return admin_checks(name)
    return None


# Running a check ----------------------------------------------------------------------------

LOGIN_PATHS = ("/accounts/login/", "/admin/login/")


def outcome(response) -> str:
    status = response.status_code
    if status in (301, 302, 303):
        location = response.headers.get("Location", "")
        path = location.split("?", 1)[0]
        return LOGIN if path.endswith(LOGIN_PATHS) else OK
    if status in (200, 201, 204):
        return OK
    return str(status)


def body(response) -> str:
    """The page's text; a spreadsheet's cells, one per line."""
    # Reading a file to the end closes it (the test client's wrapper); closing it again here
    # would end the request a second time, which closes the database connection.
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if response.get("Content-Type", "").startswith(XLSX):
        workbook = load_workbook(io.BytesIO(content), read_only=True)
        return "\n".join(
            str(value)
            for sheet in workbook.worksheets
            for row in sheet.iter_rows(values_only=True)
            for value in row
            if value is not None
        )
    return content.decode("utf-8", errors="replace")


def fingerprint_sql():
    """One query counting the rows (and the latest change) of every table of the project's apps,
    history included: if a refused request changed anything, the answer differs."""
    parts = []
    quote = connection.ops.quote_name
    for model in apps.get_models(include_auto_created=True):
        if model._meta.app_label not in (
            "sscb",
            "reviews",
            "audits",
            "learning",
            "training",
            "account",
            "mfa",
        ):
            continue
        if model._meta.object_name == "AccessLogEntry":
            continue  # refusals may well be logged; that is not a change to a record
        table = quote(model._meta.db_table)
        parts.append(f"(SELECT COUNT(*) FROM {table})")
        if any(f.attname == "updated_at" for f in model._meta.concrete_fields):
            parts.append(f"(SELECT MAX({quote('updated_at')}) FROM {table})")
    return "SELECT " + ", ".join(parts)


def fingerprint(sql):
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()


def url_for(world, name, check):
    kwargs = check.kwargs(world)
    if name.startswith("admin:") and name not in EXPECTATIONS:
        kwargs, query = admin_request(world, name)
    else:
        query = check.query(world) if check.query else None
    args = kwargs.pop("args", None) if isinstance(kwargs, dict) else None
    url = reverse(name, args=args) if args else reverse(name, kwargs=kwargs)
    if query:
        from urllib.parse import urlencode

        url += "?" + urlencode(query)
    return url


def run_check(world, clients, name, check, sql) -> list[str]:
    """Every role's answer to one check; a line for each that is not the expected one."""
    problems = []
    url = url_for(world, name, check)
    data = check.data(world) if check.data else {}
    for short, role in ROLES.items():
        expected = check.expect[short]
        where = f"{role} {check.method} {name}[{check.variant}]"
        with transaction.atomic():
            before = fingerprint(sql) if expected in REFUSED else None
            generation = figures_cache.generation()
            if check.method == "GET":
                response = clients[short].get(url)
                if figures_cache.generation() != generation:
                    # Kept figures would be made again after every page view: slow, not wrong.
                    problems.append(f"{where}: a page view started a new figures generation")
            else:
                response = clients[short].post(url, data)
            got = outcome(response)
            if expected == INVALID and response.status_code in (200, 400):
                got = INVALID
            elif expected == IGNORED and got == OK:
                got = IGNORED
            detail = ""
            if got != expected:
                if getattr(response, "exc_info", None):
                    detail = f" ({response.exc_info[1]!r})"
                elif response.status_code in (301, 302, 303):
                    detail = f" (to {response.headers.get('Location')})"
                problems.append(f"{where}: expected {expected}, got {got}{detail}")
            elif before is not None and fingerprint(sql) != before:
                problems.append(f"{where}: answered {got} but changed the database")
            elif got == OK and (short in check.shows or short in check.hides):
                text = body(response)
                for shown in check.shows.get(short, lambda w: [])(world):
                    if shown not in text:
                        problems.append(f"{where}: does not show {shown!r}")
                for hidden in check.hides.get(short, lambda w: [])(world):
                    if hidden in text:
                        problems.append(f"{where}: shows {hidden!r}")
            elif response.streaming:
                body(response)  # read to the end, which closes the file
            transaction.set_rollback(True)
    return problems


# Fixtures -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """Built once for the module inside a transaction that is rolled back at its end; each test
    runs in a savepoint within it, and each request in another (so no request sees another's)."""
    media = tmp_path_factory.mktemp("media")
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=str(media)),
        transaction.atomic(),
    ):
        built = build_world()
        add_admin_rows(built)
        built.sessions = {}
        for short, role in ROLES.items():
            user = built.users[role]
            if user is not None:
                client = Client()
                client.force_login(user)
                # As if the password had just been given again, as allauth asks before a
                # change to a second factor: so that those pages answer, not only redirect.
                again = client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
                assert again.status_code == 302, again.status_code
                built.sessions[short] = client.cookies[settings.SESSION_COOKIE_NAME].value
        yield built
        transaction.set_rollback(True)


@pytest.fixture
def clients(world, db):
    made = {}
    for short in ROLES:
        client = Client(raise_request_exception=False)
        if short in world.sessions:
            client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[short]
        made[short] = client
    return made


# Tests --------------------------------------------------------------------------------------


def test_every_named_url_has_an_expectation():
    written = set(EXPECTATIONS) | {name for name in URL_NAMES if name.startswith("admin:")}
    missing = sorted(set(URL_NAMES) - written)
    stale = sorted(set(EXPECTATIONS) - set(URL_NAMES))
    assert not missing, f"named URLs with no expectation in EXPECTATIONS: {missing}"
    assert not stale, f"EXPECTATIONS for URL names that no longer exist: {stale}"
    assert not (set(ADMIN_SKIPPED) - set(URL_NAMES)), "ADMIN_SKIPPED names no admin page"


@pytest.mark.parametrize("name", URL_NAMES)
def test_access(name, world, clients):
    checks = checks_for(name)
    if checks is None and name in ADMIN_SKIPPED:
        pytest.skip(ADMIN_SKIPPED[name])
    assert checks is not None, f"{name}: no expectation written down (add it to EXPECTATIONS)"
    if name.startswith("admin:") and name not in EXPECTATIONS:
        built, _ = admin_request(world, name)
        assert not isinstance(built, str), f"{name}: {built}; add a row or list it in ADMIN_SKIPPED"
    if name.startswith("mfa_"):
        # The password given again when the world was built lasts allauth's five minutes; a
        # worker may reach these pages later than that (so they only redirected, at random).
        for short, client in clients.items():
            if short in world.sessions:
                again = client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
                assert again.status_code == 302, again.status_code
    sql = fingerprint_sql()
    problems = []
    for check in checks:
        problems += run_check(world, clients, name, check, sql)
    assert not problems, "\n".join(problems)


# A record is named by its public id (a UUID), never by its key (issue 14).
NAMED_BY_UUID = sorted(name for name, pattern in named_urls() if "<uuid:" in str(pattern.pattern))


def test_no_page_names_a_record_by_its_key():
    """The one integer in the site's own addresses is a standard's number in moderation: its
    position in the framework, not a record's key."""
    integers = sorted(
        name
        for name, pattern in named_urls()
        if not name.startswith("admin:") and "<int:" in str(pattern.pattern)
    )
    assert integers == ["audits:return-moderate"]


@pytest.mark.parametrize("name", NAMED_BY_UUID)
def test_a_key_or_an_unknown_uuid_is_a_page_that_does_not_exist(name, world, clients):
    """Where a UUID goes, the record's key (an integer) or the UUID of nothing is 404, even for
    the Business Unit, who may open every record; never a 500."""
    # The first check the page answers (not a GET to a page that only takes a POST).
    check = next(check for check in EXPECTATIONS[name] if check.expect["bu"] != "405")
    kwargs = check.kwargs(world)
    public_ids = [str(value) for value in kwargs.values() if isinstance(value, uuid.UUID)]
    assert public_ids, f"{name}: its check names no record by UUID"
    url = url_for(world, name, check)
    data = check.data(world) if check.data else {}
    problems = []
    for public_id in public_ids:
        for garbage in ("1", str(uuid.UUID(int=0x5AFE))):
            wrong = url.replace(public_id, garbage)
            with transaction.atomic():
                if check.method == "GET":
                    response = clients["bu"].get(wrong)
                else:
                    response = clients["bu"].post(wrong, data)
                transaction.set_rollback(True)
            if response.status_code != 404:
                problems.append(f"{check.method} {wrong}: {response.status_code}")
    assert not problems, "\n".join(problems)

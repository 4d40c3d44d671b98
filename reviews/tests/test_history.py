"""A review's page says who changed the review and its parts, and what, each part named; and a
reader sees in it only the parts the page shows them (README, "History"; ``reviews.history``)."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from reviews import casefile, services
from reviews.child_death_data import install
from reviews.models import AgeBand, DeathCategory, ParallelProcess, Review, ReviewAgency
from reviews.tests.factories import ReviewAgencyFactory, open_review
from sscb.models import SubGroup
from sscb.tests.factories import AgencyFactory, SubGroupFactory, UserFactory
from sscb.tests.posting import as_posted
from sscb.tests.reading import history_entries
from sscb.tests.reading import said as _said

D = datetime.date
DAY = D(2025, 3, 10)


def _history(client, review) -> list[str]:
    return history_entries(
        client.get(reverse("reviews:detail", args=[review.uuid])), "review-history"
    )


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


def _file(name="report.txt"):
    return SimpleUploadedFile(name, b"Agency report")


@pytest.fixture
def review(bu_user, crp):
    """An LCSPR: its six months to publication may be paused (a rapid review's may not)."""
    return open_review(
        by=bu_user,
        kind=Review.Kind.LCSPR,
        subgroup=crp,
        title="Serious injury to a baby",
        referred_on=D(2025, 10, 20),
        decision=Review.Decision.INITIATE,
        decided_on=D(2025, 10, 20),
        decision_reasons="The rapid review recommended it.",
    )


def test_a_reviews_history_says_who_changed_each_of_its_parts_and_what(client, review, crp_member):
    """A chair reads, on the review's page, who changed its agencies, processes, clocks, terms
    and team: each entry says which part."""
    police = AgencyFactory(name="West Mercia Police", short_name="Police")
    ReviewAgencyFactory(review=review, agency=police)
    colleague = UserFactory(first_name="Sam", last_name="Hill")
    client.force_login(crp_member)

    agencies = reverse("reviews:formset", args=[review.uuid, "agencies"])
    data = as_posted(formsets=[client.get(agencies).context["formset"]])
    assert (
        client.post(
            agencies, data | {"agencies-0-chronology_requested_on": "2025-10-21"}
        ).status_code
        == 302
    )
    processes = reverse("reviews:formset", args=[review.uuid, "processes"])
    data = as_posted(formsets=[client.get(processes).context["formset"]])
    data |= {
        "parallel_processes-0-kind": "coroner",
        "parallel_processes-0-started_on": "2025-10-22",
    }
    assert client.post(processes, data).status_code == 302
    clock = review.clocks.get(kind="lcspr_publication")
    pause = reverse("reviews:clock-pause", args=[review.uuid, clock.uuid])
    assert client.post(pause, {"reason": "Inquest opened", "on": "2025-10-27"}).status_code == 302
    resume = reverse("reviews:clock-resume", args=[review.uuid, clock.uuid])
    assert client.post(resume, {"on": "2025-10-28"}).status_code == 302
    terms = {"scope_from": "2024-09-01", "scope_to": "2025-03-10", "lines_of_enquiry": "Voice?"}
    assert client.post(reverse("reviews:terms", args=[review.uuid]), terms).status_code == 302
    team = reverse("reviews:team", args=[review.uuid])
    assert client.post(team, {"person": colleague.pk, "role": "chair"}).status_code == 302
    member = review.team.get()
    leave = reverse("reviews:team-leave", args=[review.uuid, member.uuid])
    assert client.post(leave).status_code == 302

    entries = _history(client, review)
    today = timezone.localdate()
    who = str(crp_member)
    assert _said(
        entries,
        f"{who}: agency taking part (West Mercia Police): chronology requested on none → "
        "21 Oct 2025",
    )
    assert _said(entries, f"{who}: parallel process (Coroner's inquest): recorded it")
    pause = "clock pause of “Publish the LCSPR” (Inquest opened)"
    assert _said(entries, f"{who}: {pause}: recorded it")
    assert _said(
        entries,
        f"{who}: {pause}: resumed on none → 28 Oct 2025; resumed by none → {who}",
    )
    assert _said(entries, f"{who}: terms of reference version (1): recorded it")
    assert _said(
        entries, f"{who}: review team member (Sam Hill): left on none → {today.day} {today:%b %Y}"
    )
    # The newest first: leaving the team was the last change.
    assert "review team member (Sam Hill): left on" in entries[0]


def test_cdops_record_is_in_its_reviews_history_without_the_meeting(client, bu_user):
    """A change to CDOP's record of a death says what the panel's decision was and became; the
    meeting that made it is not named (meetings have their own rule for who may see them)."""
    from learning.meetings.models import Meeting

    install(DeathCategory, AgeBand)
    cdop = SubGroupFactory(code=SubGroup.Code.CDOP)
    death = open_review(
        by=bu_user,
        kind=Review.Kind.CHILD_DEATH,
        subgroup=cdop,
        title="Infant",
        referred_on=D(2025, 4, 2),
    )
    panel = Meeting.objects.create(body=cdop, held_on=D(2025, 5, 2))
    eight, ten = DeathCategory.objects.get(number=8), DeathCategory.objects.get(number=10)
    record = {
        "notified_on": "2025-04-02",
        "meeting": panel.pk,
        "category": eight.pk,
        "modifiable_factors": "insufficient",
        "expectedness": "expected",
        "age_band": AgeBand.objects.get(position=1).pk,
        "ncmd_reference": "NCMD-123",
    }
    client.force_login(bu_user)
    url = reverse("reviews:child-death", args=[death.uuid])
    assert client.post(url, record).status_code == 302
    assert client.post(url, record | {"category": ten.pk}).status_code == 302
    entries = _history(client, death)
    assert entries[0].endswith(f"{bu_user}: CDOP's record: category of death {eight} → {ten}")
    assert _said(entries, f"{bu_user}: CDOP's record: recorded it")
    assert str(panel) not in " ".join(entries)


@pytest.fixture
def two(db):
    """Two agencies, each with its lead."""
    made = {}
    for short in ("Police", "Health"):
        agency = AgencyFactory(name=f"{short} agency", short_name=short)
        made[short] = (agency, UserFactory(role="agency_lead", agency=agency, username=short))
    return made


def test_the_case_files_parts_are_in_the_history_only_of_those_who_may_read_them(
    client, media, review, two, bu_user, crp_member, executive_user
):
    """The documents and chronology entries are in the history of those who read the case file,
    each only as the documents and chronology pages show them (no drafts but for the panel,
    the reviewer and the Business Unit; an agency lead only their own agency's); never what
    an entry says."""
    (police, police_lead), (health, health_lead) = two["Police"], two["Health"]
    for agency in (police, health):
        ReviewAgencyFactory(review=review, agency=agency)
    for agency in (police, health):
        casefile.document_add(
            review=review,
            by=bu_user,
            kind="agency_report",
            title=f"{agency.short_name} IMR",
            agency=agency,
            file=_file(),
        )
    casefile.document_add(
        review=review, by=bu_user, kind="draft_report", title="Draft 1", file=_file()
    )
    client.force_login(police_lead)
    add = reverse("reviews:chronology-add", args=[review.uuid])
    seen = {
        "agency": police.pk,
        "happened_on": "2025-03-10",
        "what_happened": "Seen at home by the health visitor.",
        "source": "Case record",
    }
    assert client.post(add, seen).status_code == 302
    entry = review.chronology.get()
    edit = reverse("reviews:chronology-edit", args=[review.uuid, entry.uuid])
    changed = seen | {"what_happened": "Seen at home by the health visitor, with her mother."}
    assert client.post(edit, changed).status_code == 302
    client.force_login(health_lead)
    assert client.post(add, seen | {"agency": health.pk}).status_code == 302

    def history_of(user) -> str:
        client.force_login(user)
        return " ".join(_history(client, review))

    police_reads = history_of(police_lead)
    assert "document (Police IMR): recorded it" in police_reads
    assert (
        f"{police_lead}: chronology entry (Police agency): changed the what happened"
        in police_reads
    )
    assert "Health IMR" not in police_reads and "Draft 1" not in police_reads
    assert "chronology entry (Health agency)" not in police_reads
    member_reads = history_of(crp_member)  # works on the review, not on its panel
    assert "document (Police IMR)" in member_reads and "document (Health IMR)" in member_reads
    assert "chronology entry (Health agency): recorded it" in member_reads
    assert "Draft 1" not in member_reads
    assert "document (Draft 1): recorded it" in history_of(bu_user)
    executive_reads = history_of(executive_user)  # reads the review, not its case file
    assert "agency taking part (Police agency): recorded it" in executive_reads
    for never in ("document", "IMR", "Draft 1", "chronology entry"):
        assert never not in executive_reads
    for user in (bu_user, crp_member, police_lead, health_lead, executive_user):
        assert "Seen at home" not in history_of(user)


def _change_every_part(review, by, people, rounds):
    """``rounds`` changes of the review and of one of each of its parts; the last round's are
    the newest of all."""
    row = ReviewAgency.objects.filter(review=review).order_by("pk").last()
    process = ParallelProcess.objects.filter(review=review).order_by("pk").last()
    clock = review.clocks.get(kind="lcspr_publication")
    document = review.documents.order_by("pk").last()
    entry = review.chronology.order_by("pk").last()
    today = timezone.localdate()
    for n in range(rounds):
        review.title = f"Serious injury, part {n}"
        review.save()
        row.notes = f"Note {n}"
        row.save()
        process.description = f"Hearing {n}"
        process.save()
        services.clock_pause(clock=clock, by=by, reason=f"Inquest {n}", on=today)
        services.clock_resume(clock=clock, by=by, on=today)
        casefile.terms_of_reference_add(
            review=review, by=by, scope_from=DAY, scope_to=DAY, lines_of_enquiry=f"Line {n}"
        )
        member = casefile.team_member_add(
            review=review, by=by, person=people[n % 2], role="business_unit_support"
        )
        casefile.team_member_leave(member=member, by=by)
        casefile.document_version_add(document=document, by=by, upload=_file())
        casefile.chronology_entry_save(
            review=review, by=by, entry=entry, what_happened=f"Seen {n}."
        )


def test_a_reviews_history_runs_the_same_queries_for_few_or_many_versions_and_parts(
    client, media, review, bu_user, count_queries, django_assert_num_queries
):
    people = [UserFactory(), UserFactory()]

    def grow(n):
        for _ in range(n):
            agency = AgencyFactory()
            ReviewAgency.objects.create(review=review, agency=agency)
            ParallelProcess.objects.create(review=review, kind="coroner")
            casefile.document_add(
                review=review,
                by=bu_user,
                kind="agency_report",
                title="IMR",
                agency=agency,
                file=_file(),
            )
            casefile.chronology_entry_save(
                review=review,
                by=bu_user,
                agency=agency,
                happened_on=DAY,
                what_happened="Seen.",
                source="Case record",
            )

    client.force_login(bu_user)
    url = reverse("reviews:detail", args=[review.uuid])
    client.get(url)  # the session's first save and the content types read once, not counted
    grow(1)
    _change_every_part(review, bu_user, people, 1)
    few = count_queries(url)
    grow(30)
    _change_every_part(review, bu_user, people, 30)
    with django_assert_num_queries(few):
        entries = _history(client, review)
    assert len(entries) == 20  # the newest twenty
    said = " ".join(entries)
    for part in (
        "title Serious injury, part 28 → Serious injury, part 29",
        "agency taking part (",
        "parallel process (Coroner's inquest): description Hearing 28 → Hearing 29",
        "clock pause of “Publish the LCSPR” (Inquest 29)",
        "terms of reference version (31)",
        "review team member (",
        "document version (",
        "chronology entry (",
    ):
        assert part in said, part

"""Every change to a case record is in its history, on its own page: a finding's, a theme's, an
outcome's (with its delivery, practice checks and their evaluation stages) and an evidence's.
Each says who changed what, and never names a record the reader may not open (a move to or from
one is said: "moved to review X from another review")."""

import datetime
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags

from audits.tests.factories import AuditFactory
from learning import services
from learning.models import PriorityTheme
from learning.tests.factories import (
    ActivityFactory,
    CheckFactory,
    EvidenceFactory,
    FindingFactory,
    OutcomeFactory,
    ThemeFactory,
)
from reviews.tests.factories import ReviewAgencyFactory, ReviewFactory
from sscb.tests.factories import AgencyFactory, StrategicPriorityFactory
from sscb.tests.reading import history_entries as history

pytestmark = pytest.mark.django_db


def words(response):
    return " ".join(unescape(strip_tags(response.content.decode())).split())


def say(day):
    return f"{day.day} {day:%b %Y}"


@pytest.fixture
def other_agency():
    return AgencyFactory(name="Shropshire Children's Services", short_name="CSC", kind="csc")


def test_a_findings_page_says_who_changed_what_and_not_the_review_it_came_from(
    client, agency_user, agency, other_agency, li_member
):
    """Moved from a review the agency may not open to one it may: the lead reads the change of
    nature and of agencies, and that it moved to the review they may open from another one,
    never which."""
    elsewhere = ReviewFactory(title="Death of an infant in the care of a relative")
    involved = ReviewFactory(title="Neglect of a toddler")
    ReviewAgencyFactory(review=involved, agency=agency)
    finding = FindingFactory(
        review=elsewhere, agencies=[agency], title="Handover at shift change", recorded_by=li_member
    )
    finding._history_user = li_member
    services.finding_save(
        finding=finding,
        recorded_by=li_member,
        review=involved,
        nature="strength",
        agencies=[agency, other_agency],
    )

    client.force_login(agency_user)
    response = client.get(reverse("learning:finding", args=[finding.uuid]))
    entries = history(response, "finding-history")
    assert (
        f"{li_member}: agencies West Mercia Police → Shropshire Children's Services, "
        in (entries[0])
    )
    assert (
        f"{li_member}: nature Area for improvement → Strength (good practice to spread)"
        in entries[1]
    )
    assert entries[1].endswith(f"; moved to review {involved.reference} from another review")
    assert "the system: agencies none → West Mercia Police" in entries[2]
    assert "the system: recorded it" in entries[3]
    page = words(response)
    assert elsewhere.reference not in page and elsewhere.title not in page


def test_a_themes_page_says_who_moved_it_and_changed_its_priorities(client, bu_user, li_member):
    first = StrategicPriorityFactory(title="Neglect")
    theme = ThemeFactory(status=PriorityTheme.Status.PROPOSED, priorities=[first])
    theme._history_user = li_member
    services.theme_move(theme=theme, to="agreed", on=datetime.date(2025, 5, 1))
    services.theme_save(
        theme=theme, priorities=[first, StrategicPriorityFactory(title="Exploitation")]
    )
    # A finding collated into the theme is the finding's change, not the theme's: its history
    # names neither the finding nor its review.
    finding = FindingFactory(title="Escalation was not used")
    services.theme_collate(theme=theme, findings=[finding])

    client.force_login(bu_user)
    entries = history(client.get(reverse("learning:theme", args=[theme.uuid])), "theme-history")
    assert f"{li_member}: priorities Neglect → Exploitation, Neglect" in entries[0]
    assert f"{li_member}: saved it unchanged" in entries[1]  # saved, then its priorities set
    assert f"{li_member}: status Proposed → Agreed; agreed on none → 1 May 2025" in entries[2]
    assert "recorded it" in entries[-1]
    assert not any(finding.title in entry or finding.review.reference in entry for entry in entries)


@pytest.fixture
def outcome_with_work(agency, other_agency, executive_user, li_member):
    """An outcome decided by the Executive, delivered, with a training evaluation of the agency's
    (its baseline done) and another agency's case file audit, each change by a named person."""
    old_theme = ThemeFactory(title="Thresholds for early help")
    outcome = OutcomeFactory(theme=old_theme)
    outcome._history_user = li_member
    services.outcome_save(outcome=outcome, theme=ThemeFactory(title="Voice of the child"))
    outcome._history_user = executive_user
    services.outcome_decide(
        outcome=outcome,
        decision="agreed",
        notes="Agreed as written.",
        decided_by=executive_user,
        decided_on=datetime.date(2025, 5, 1),
    )
    activity = ActivityFactory(outcome=outcome, title="Voice of the child briefing")
    activity._history_user = li_member
    services.activity_save(activity=activity, delivered_on=datetime.date(2025, 5, 2), reach=40)
    check = services.practice_check_save(
        outcome=outcome,
        way="training_evaluation",
        agency=agency,
        activity=activity,
        baseline_on=datetime.date(2025, 4, 20),
    )
    baseline = check.stages.get(stage=1)
    baseline._history_user = li_member
    services.evaluation_stage_complete(
        stage=baseline, completed_on=datetime.date(2025, 4, 21), responses=12, confidence=6
    )
    theirs = CheckFactory(outcome=outcome, agency=other_agency)
    theirs._history_user = li_member
    services.practice_check_save(
        check=theirs,
        audit=AuditFactory(title="Neglect case file audit", stage="complete"),
        result="improved",
        checked_on=datetime.date(2025, 6, 1),
    )
    return outcome, old_theme


def test_an_outcomes_page_says_who_changed_it_and_its_delivery_and_checks(
    client, bu_user, executive_user, li_member, outcome_with_work
):
    outcome, old_theme = outcome_with_work
    client.force_login(bu_user)
    response = client.get(reverse("learning:outcome", args=[outcome.uuid]))
    entries = history(response, "outcome-history")
    assert entries[0].endswith(
        f"{li_member}: practice check (Shropshire Children's Services): checked on none → "
        "1 Jun 2025; result Not yet known → Practice has improved"
    )
    assert entries[1].endswith("practice check (Shropshire Children's Services): recorded it")
    assert entries[2].endswith(
        f"{li_member}: training evaluation stage (Baseline, before the training, West Mercia "
        "Police): completed on none → 21 Apr 2025; responses none → 12; confidence none → 6"
    )
    assert entries[6].endswith("practice check (West Mercia Police): recorded it")
    assert entries[7].endswith(
        f"{li_member}: delivery activity (Voice of the child briefing): delivered on none → "
        "2 May 2025; reach none → 40"
    )
    assert entries[9].endswith(
        f"{executive_user}: decision Awaiting the Executive → Agreed; changed the decision "
        f"notes; decided by none → {executive_user}; decided on none → 1 May 2025"
    )
    # Moved to another theme, which the Business Unit may open; the other check's audit is
    # a check's link it does not list: never named.
    assert entries[10].endswith(f"{li_member}: theme {old_theme.title} → Voice of the child")
    assert not any("audit" in entry for entry in entries)
    assert "Neglect case file audit" not in words(response)


def test_an_outcomes_page_shows_an_agency_lead_the_history_of_its_own_checks_only(
    client, agency_user, outcome_with_work
):
    outcome, old_theme = outcome_with_work
    client.force_login(agency_user)
    response = client.get(reverse("learning:outcome", args=[outcome.uuid]))
    entries = history(response, "outcome-history")
    assert any("practice check (West Mercia Police)" in entry for entry in entries)
    assert any("training evaluation stage (Baseline" in entry for entry in entries)
    assert not any("Shropshire" in entry for entry in entries)
    # The theme it left asks nothing of the agency: the lead may not open it.
    assert any(
        entry.endswith("moved to theme Voice of the child from another theme") for entry in entries
    )
    assert old_theme.title not in words(response)


def test_an_evidences_page_says_who_provided_and_judged_it_and_not_its_earlier_outcome(
    client, bu_user, agency_user, agency, li_member
):
    earlier = OutcomeFactory(title="Practitioners escalate disagreements")
    evidence = EvidenceFactory(outcome=earlier, agency=agency)
    evidence._history_user = li_member
    now = OutcomeFactory(title="Disagreements resolved within a week")
    services.evidence_save(evidence=evidence, outcome=now)
    evidence._history_user = agency_user
    services.evidence_provide(
        evidence=evidence, summary="Audit of 20 cases.", received_on=datetime.date(2025, 6, 10)
    )
    evidence._history_user = li_member
    services.evidence_judge(
        evidence=evidence, judgement="assured", reason="All 20 cases.", judged_by=li_member
    )

    client.force_login(bu_user)
    response = client.get(reverse("learning:evidence", args=[evidence.uuid]))
    entries = history(response, "evidence-history")
    assert entries[0].endswith(
        f"{li_member}: judgement Not yet judged → Assured; changed the judgement reason; "
        f"judged by none → {li_member}; judged on none → {say(timezone.localdate())}"
    )
    assert entries[1].endswith(
        f"{agency_user}: received on none → 10 Jun 2025; changed the summary"
    )
    assert entries[2].endswith(f"{li_member}: outcome {earlier.title} → {now.title}")
    # The agency's lead may open the outcome it now assures, not the one it left (whose theme
    # asks nothing more of the agency).
    client.force_login(agency_user)
    response = client.get(reverse("learning:evidence", args=[evidence.uuid]))
    entries = history(response, "evidence-history")
    assert entries[2].endswith(f"{li_member}: moved to outcome {now.title} from another outcome")
    assert earlier.title not in words(response)


# Query counts -----------------------------------------------------------------------------------


def _versions(records, times):
    """``times`` more versions of each of ``records``, taken in turn so that the newest versions
    shown hold each of them: each time a new title (a check's summary, a stage's notes)."""
    for n in range(times):
        for record in records:
            field = {"PracticeCheck": "summary", "TrainingEvaluationStage": "notes"}
            setattr(record, field.get(type(record).__name__, "title"), f"Version {n}")
            record.save()


@pytest.mark.parametrize("kind", ["finding", "theme", "outcome", "evidence"])
def test_a_history_runs_the_same_queries_for_2_versions_or_many(
    client, bu_user, agency, count_queries, django_assert_num_queries, kind
):
    if kind == "finding":
        record = FindingFactory(agencies=[agency])  # recorded, then its agencies: 2 versions
        records = [record]
    elif kind == "theme":
        record = ThemeFactory()  # recorded, then its priorities: 2 versions
        records = [record]
    elif kind == "outcome":
        record = OutcomeFactory()
        check = CheckFactory(outcome=record, agency=agency)
        stage = check.stages.create(
            stage=1, due_on=datetime.date(2025, 5, 1), due_by=datetime.date(2025, 5, 2)
        )
        records = [record, ActivityFactory(outcome=record), check, stage]
        _versions(records, 1)
    else:
        record = EvidenceFactory(agency=agency)
        records = [record]
        _versions(records, 1)
    url = reverse(f"learning:{kind}", args=[record.uuid])
    client.force_login(bu_user)
    client.get(url)  # what the layout keeps between pages is kept already
    small = count_queries(url)
    _versions(records, 40 // len(records))
    with django_assert_num_queries(small):
        response = client.get(url)
    assert len(history(response, f"{kind}-history")) == 20

"""The loop-stage rules and the golden thread, in both directions."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from learning import selectors, services
from learning.dashboard.overview import dashboard_figures
from learning.models import (
    AssuranceEvidence,
    Finding,
    LearningOutcome,
    LoopStage,
    PracticeCheck,
    PriorityTheme,
)
from learning.tests.factories import (
    ActionFactory,
    ActivityFactory,
    CheckFactory,
    EvidenceFactory,
    FindingFactory,
    OutcomeFactory,
    ReviewFactory,
    ThemeFactory,
)

pytestmark = pytest.mark.django_db


def finding_stage(finding):
    return (
        selectors.findings_with_loop_stage(Finding.objects.filter(pk=finding.pk)).get().loop_stage
    )


def test_each_step_of_the_loop_moves_the_theme_and_its_findings_on(executive_user, bu_user):
    finding = FindingFactory()
    assert finding_stage(finding) == LoopStage.IDENTIFIED

    theme = ThemeFactory()
    services.theme_collate(theme=theme, findings=[finding])
    assert selectors.theme_loop_stage(theme) == LoopStage.THEMED
    assert finding_stage(finding) == LoopStage.THEMED

    outcome = OutcomeFactory(theme=theme)
    assert selectors.theme_loop_stage(theme) == LoopStage.THEMED, "pending is not agreed"
    services.outcome_decide(
        outcome=outcome, decision="not_agreed", notes="Rework it", decided_by=executive_user
    )
    assert selectors.theme_loop_stage(theme) == LoopStage.THEMED, "not agreed is not agreed"
    services.outcome_decide(
        outcome=outcome, decision="agreed", notes="Agreed", decided_by=executive_user
    )
    assert selectors.theme_loop_stage(theme) == LoopStage.OUTCOME_AGREED

    activity = ActivityFactory(outcome=outcome)
    assert selectors.theme_loop_stage(theme) == LoopStage.OUTCOME_AGREED, "planned only"
    # Delivered and checked on or after the Executive agreed it (today).
    today = datetime.date.today()
    services.activity_save(activity=activity, delivered_on=today, reach=40)
    assert selectors.theme_loop_stage(theme) == LoopStage.DELIVERED

    check = CheckFactory(outcome=outcome)
    assert selectors.theme_loop_stage(theme) == LoopStage.DELIVERED, "a check not yet made"
    services.practice_check_save(
        check=check, checked_on=today, result=PracticeCheck.Result.IMPROVED
    )
    assert selectors.theme_loop_stage(theme) == LoopStage.PRACTICE_CHECKED

    evidence = EvidenceFactory(outcome=outcome)
    services.evidence_provide(evidence=evidence, summary="Audit of 20 cases")
    services.evidence_judge(
        evidence=evidence, judgement="partly", reason="Half the cases", judged_by=bu_user
    )
    assert selectors.theme_loop_stage(theme) == LoopStage.PRACTICE_CHECKED, "partly ≠ assured"
    second = EvidenceFactory(outcome=outcome)
    services.evidence_provide(evidence=second, summary="Re-audit")
    services.evidence_judge(
        evidence=second, judgement="assured", reason="18 of 20", judged_by=bu_user
    )
    assert selectors.theme_loop_stage(theme) == LoopStage.ASSURED
    assert finding_stage(finding) == LoopStage.ASSURED


def test_a_stage_counts_only_once_every_stage_before_it_is_reached(bu_user):
    theme = ThemeFactory()
    outcome = OutcomeFactory(theme=theme)  # still awaiting the Executive
    ActivityFactory(outcome=outcome, delivered_on=datetime.date(2025, 5, 2), reach=40)
    assert selectors.theme_loop_stage(theme) == LoopStage.THEMED, "delivered, never agreed"
    CheckFactory(outcome=outcome, checked_on=datetime.date(2025, 9, 1), result="improved")
    evidence = EvidenceFactory(outcome=outcome)
    services.evidence_provide(evidence=evidence, summary="Feedback from 12 families")
    services.evidence_judge(evidence=evidence, judgement="assured", reason="x", judged_by=bu_user)
    assert selectors.theme_loop_stage(theme) == LoopStage.THEMED, "assured, never agreed"

    outcome.decision, outcome.decided_on = "agreed", datetime.date(2025, 4, 1)
    outcome.save()
    assert selectors.theme_loop_stage(theme) == LoopStage.ASSURED


def test_a_skipped_step_holds_the_theme_at_the_stage_before_it(bu_user):
    theme = ThemeFactory()
    outcome = OutcomeFactory(theme=theme, decision="agreed", decided_on=datetime.date(2025, 4, 1))
    CheckFactory(outcome=outcome, checked_on=datetime.date(2025, 9, 1), result="improved")
    EvidenceFactory(
        outcome=outcome,
        judgement="assured",
        received_on=datetime.date(2025, 9, 2),
        judged_on=datetime.date(2025, 9, 3),
        judged_by=bu_user,
    )
    assert selectors.theme_loop_stage(theme) == LoopStage.OUTCOME_AGREED, "never delivered"


def test_the_stages_follow_one_outcome_not_a_mixture_of_outcomes(bu_user):
    """One outcome agreed, another delivered, checked and assured but never agreed: the theme
    has come as far as its furthest outcome, not further."""
    theme = ThemeFactory()
    OutcomeFactory(theme=theme, decision="agreed", decided_on=datetime.date(2025, 4, 1))
    pending = OutcomeFactory(theme=theme)
    ActivityFactory(outcome=pending, delivered_on=datetime.date(2025, 5, 2), reach=40)
    CheckFactory(outcome=pending, checked_on=datetime.date(2025, 9, 1), result="improved")
    assert selectors.theme_loop_stage(theme) == LoopStage.OUTCOME_AGREED
    finding = FindingFactory(theme=theme)
    assert finding_stage(finding) == LoopStage.OUTCOME_AGREED


def test_another_themes_progress_does_not_leak():
    busy, quiet = ThemeFactory(), ThemeFactory()
    ActivityFactory(
        outcome=OutcomeFactory(
            theme=busy, decision="agreed", decided_on=datetime.date(2024, 12, 1)
        ),
        delivered_on=datetime.date(2025, 1, 1),
        reach=3,
    )
    assert selectors.theme_loop_stage(quiet) == LoopStage.THEMED
    assert selectors.theme_loop_stage(busy) == LoopStage.DELIVERED


def test_evidence_cannot_be_judged_before_it_arrives(bu_user):
    evidence = EvidenceFactory()
    with pytest.raises(ValidationError, match="not been received"):
        services.evidence_judge(
            evidence=evidence, judgement="assured", reason="x", judged_by=bu_user
        )
    evidence.refresh_from_db()
    assert evidence.judgement == AssuranceEvidence.Judgement.PENDING


def test_theme_moves_follow_the_allowed_path():
    theme = ThemeFactory(status=PriorityTheme.Status.PROPOSED)
    with pytest.raises(ValidationError, match="cannot be marked active"):
        services.theme_move(theme=theme, to="active")
    services.theme_move(theme=theme, to="agreed", on=datetime.date(2025, 4, 2))
    theme.refresh_from_db()  # what was stored, not the object handed to the service
    assert theme.agreed_on == datetime.date(2025, 4, 2)
    with pytest.raises(ValidationError, match="at least one finding"):
        services.theme_move(theme=theme, to="active")
    services.theme_collate(theme=theme, findings=[FindingFactory()])
    services.theme_move(theme=theme, to="active")
    services.theme_move(theme=theme, to="closed")
    with pytest.raises(ValidationError, match="closed"):
        services.theme_collate(theme=theme, findings=[FindingFactory()])
    with pytest.raises(ValidationError, match="cannot be marked proposed"):
        services.theme_move(theme=theme, to="proposed")


def test_golden_thread_forward_from_a_review(bu_user):
    review = ReviewFactory()
    other_review = ReviewFactory()
    theme = ThemeFactory()
    FindingFactory(review=review, theme=theme, title="Voice of the child not recorded")
    FindingFactory(review=review, title="Unthemed finding")
    FindingFactory(review=other_review, theme=ThemeFactory(), title="Elsewhere")
    outcome = OutcomeFactory(theme=theme, decision="agreed", decided_on=datetime.date(2025, 5, 1))
    ActivityFactory(outcome=outcome, title="Voice of the child briefing")
    EvidenceFactory(outcome=outcome, title="Police assurance report")
    ActionFactory(review=review, title="Revise the strategy discussion template")

    thread = selectors.thread_forward(bu_user, review=review)

    assert {f.title for f in thread["findings"]} == {
        "Voice of the child not recorded",
        "Unthemed finding",
    }
    assert [t.pk for t in thread["themes"]] == [theme.pk]
    assert thread["themes"][0].loop_stage == LoopStage.OUTCOME_AGREED
    [thread_outcome] = thread["themes"][0].outcomes.all()
    assert [a.title for a in thread_outcome.activities.all()] == ["Voice of the child briefing"]
    assert [e.title for e in thread_outcome.evidence.all()] == ["Police assurance report"]
    assert [a.title for a in thread["actions"]] == ["Revise the strategy discussion template"]


def test_golden_thread_back_from_evidence_to_its_reviews(bu_user):
    theme = ThemeFactory()
    first, second = ReviewFactory(title="LR Child B"), ReviewFactory(title="LR Child C")
    FindingFactory(review=first, theme=theme)
    FindingFactory(review=second, theme=theme)
    FindingFactory(review=ReviewFactory(title="Not this one"))
    evidence = EvidenceFactory(outcome=OutcomeFactory(theme=theme))

    thread = selectors.thread_back(bu_user, evidence)

    assert thread["theme"] == theme
    assert {r.title for r in thread["reviews"]} == {"LR Child B", "LR Child C"}


def test_restricted_review_findings_are_hidden_from_those_off_the_panel(
    member_user, make_user, bu_user
):
    restricted = ReviewFactory(is_restricted=True)
    panel = make_user(username="panel")
    restricted.panel_members.add(panel)
    hidden = FindingFactory(review=restricted)
    FindingFactory(review=ReviewFactory())

    assert hidden not in selectors.findings_visible_to(member_user)
    assert hidden in selectors.findings_visible_to(panel)
    assert hidden in selectors.findings_visible_to(bu_user)
    assert LearningOutcome.objects.count() == 0


def test_every_reader_of_the_loop_stage_agrees(client, bu_user):
    """The case found: a theme whose only outcome still awaits the Executive showed "Delivered".
    The badge, the theme list and its filter, the findings filter, the thread and the dashboard
    all read the one definition."""
    review = ReviewFactory()
    theme = ThemeFactory(title="Awaiting the Executive")
    # Recorded in 2025/26, the year whose figures are read below.
    PriorityTheme.objects.filter(pk=theme.pk).update(
        created_at=datetime.datetime(2025, 4, 2, 9, tzinfo=datetime.UTC)
    )
    outcome = OutcomeFactory(theme=theme)
    ActivityFactory(outcome=outcome, delivered_on=datetime.date(2025, 5, 2), reach=40)
    finding = FindingFactory(review=review, theme=theme, title="Awaiting finding")
    client.force_login(bu_user)

    def listed(name, stage):
        page = client.get(reverse(f"learning:{name}"), {"loop_stage": stage.value})
        return [record.pk for record in page.context["page_obj"].object_list]

    badge = client.get(theme.get_absolute_url()).content.decode()
    assert 'data-stage="Themed"' in badge
    assert 'data-stage="Themed"' in client.get(finding.get_absolute_url()).content.decode()
    index = client.get(reverse("learning:index")).content.decode()
    assert '<td data-testid="theme-stage">Themed</td>' in index
    assert listed("index", LoopStage.THEMED) == [theme.pk]
    assert listed("index", LoopStage.DELIVERED) == []
    assert listed("findings", LoopStage.THEMED) == [finding.pk]
    assert listed("findings", LoopStage.DELIVERED) == []
    thread = client.get(reverse("learning:thread_review", args=[review.uuid])).content.decode()
    assert '<span class="fw-semibold" data-testid="thread-stage">Themed</span>' in thread
    figures = dashboard_figures(bu_user, 2025)
    by_stage = {row["stage"]: row["count"].value for row in figures["themes_by_stage"]}
    assert by_stage["Themed"] == 1 and by_stage["Delivered"] == 0
    assert [LoopStage(t.loop_stage) for t in figures["themes"]] == [LoopStage.THEMED]

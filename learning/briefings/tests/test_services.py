"""Briefings: versions, the chair's approval, publication as a delivery activity, the cascade
and its reach, and the pseudonym rule."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from learning.models import DeliveryActivity, LearningOutcome
from sscb.tests.factories import SubGroupMembershipFactory

from .. import selectors, services
from ..models import Briefing, BriefingVersion, Cascade
from .factories import TEXT, draft, published

pytestmark = pytest.mark.django_db


def test_a_briefing_from_a_theme_starts_with_its_title_findings_and_outcomes(
    writer, theme, outcome
):
    start = selectors.starting_point(writer, "theme", theme.uuid)
    assert start["subgroup"] == theme.subgroup
    assert start["initial"]["title"] == "Hearing the voice of the child"
    assert "Child A's words were not recorded" in start["initial"]["what_happened"]
    assert start["initial"]["why_it_matters"] == theme.description
    assert list(start["outcomes"]) == [outcome]


def test_a_briefing_from_an_outcome_chooses_that_outcome(writer, outcome):
    start = selectors.starting_point(writer, "outcome", outcome.uuid)
    assert start["initial"]["outcome"] == outcome.pk
    assert start["records"] == {"theme": outcome.theme}
    assert start["source"] == (outcome, outcome.get_absolute_url())


def test_editing_a_draft_never_submitted_keeps_no_version(writer, li, outcome):
    briefing = draft(by=writer, subgroup=li, outcome=outcome)
    services.briefing_edit(briefing=briefing, by=writer, outcome=outcome, **TEXT | {"title": "New"})
    assert briefing.version == 1
    assert not briefing.versions.exists()


def test_each_edit_after_submission_keeps_the_previous_version_and_who_wrote_it(
    writer, chair, li, outcome, make_user
):
    briefing = draft(by=writer, subgroup=li, outcome=outcome)
    services.briefing_submit(briefing=briefing, by=writer)
    services.briefing_edit(
        briefing=briefing, by=chair, outcome=outcome, **TEXT | {"title": "Hearing every child"}
    )
    briefing.refresh_from_db()
    assert (briefing.version, briefing.title, briefing.edited_by) == (
        2,
        "Hearing every child",
        chair,
    )
    assert briefing.status == Briefing.Status.DRAFT  # the chair approves the words as they are
    [kept] = briefing.versions.all()
    assert (kept.number, kept.title, kept.written_by, kept.replaced_by) == (
        1,
        "Hearing Child A",
        writer,
        chair,
    )
    assert kept.what_to_do == TEXT["what_to_do"]
    # Saving the same words again is not a new version.
    services.briefing_edit(
        briefing=briefing, by=chair, outcome=outcome, **TEXT | {"title": "Hearing every child"}
    )
    assert BriefingVersion.objects.count() == 1


def test_only_the_chair_or_the_business_unit_approves_and_never_their_own_words(
    writer, chair, li, outcome, bu_user, make_user
):
    other_member = make_user(role="subgroup_member", username="other")
    SubGroupMembershipFactory(subgroup=li, user=other_member)
    briefing = draft(by=writer, subgroup=li, outcome=outcome)
    services.briefing_submit(briefing=briefing, by=writer)
    for refused in (writer, other_member):
        with pytest.raises(ValidationError):
            services.briefing_approve(briefing=briefing, by=refused)
    services.briefing_approve(briefing=briefing, by=chair)
    briefing.refresh_from_db()
    assert (briefing.status, briefing.approved_by, briefing.approved_for_chair) == (
        Briefing.Status.APPROVED,
        chair,
        False,
    )

    # The chair's own briefing: the chair may not approve it; the Business Unit does, for them.
    own = draft(by=chair, subgroup=li, outcome=outcome, title="The chair's own")
    services.briefing_submit(briefing=own, by=chair)
    with pytest.raises(ValidationError, match="You wrote this version"):
        services.briefing_approve(briefing=own, by=chair)
    services.briefing_approve(briefing=own, by=bu_user)
    own.refresh_from_db()
    assert own.approved_by == bu_user and own.approved_for_chair


def test_an_edit_after_approval_needs_approving_again(writer, chair, li, outcome):
    briefing = draft(by=writer, subgroup=li, outcome=outcome)
    services.briefing_submit(briefing=briefing, by=writer)
    services.briefing_approve(briefing=briefing, by=chair)
    services.briefing_edit(
        briefing=briefing, by=writer, outcome=outcome, **TEXT | {"questions": "What changed?"}
    )
    briefing.refresh_from_db()
    assert briefing.status == Briefing.Status.DRAFT and briefing.approved_by is None
    with pytest.raises(ValidationError):
        services.briefing_publish(briefing=briefing, by=writer)


def test_a_draft_without_an_outcome_cannot_be_submitted(writer, li, outcome):
    briefing = draft(by=writer, subgroup=li, outcome=outcome)
    briefing.outcome = None
    briefing.save()
    with pytest.raises(ValidationError, match="learning outcome"):
        services.briefing_submit(briefing=briefing, by=writer)
    assert Briefing.objects.get().status == Briefing.Status.DRAFT


@pytest.mark.parametrize(
    "section, text",
    [
        ("what_happened", "Child A (DOB 01/02/2015) told a teacher."),
        ("why_it_matters", "NHS number 943 476 5919 was on the referral."),
        ("questions", "Who lives at SY1 1HF with Child A?"),
    ],
)
def test_a_name_date_of_birth_or_nhs_number_is_refused(writer, li, outcome, section, text):
    with pytest.raises(ValidationError) as refused:
        draft(by=writer, subgroup=li, outcome=outcome, **{section: text})
    assert "pseudonym" in " ".join(refused.value.message_dict[section])
    assert not Briefing.objects.exists()


def test_publishing_records_the_outcomes_delivery_and_sends_it_to_every_active_agency(
    writer, chair, li, outcome, agencies
):
    today = timezone.localdate()
    briefing = published(by=writer, approver=chair, subgroup=li, outcome=outcome)
    [activity] = DeliveryActivity.objects.all()  # no second entry
    assert briefing.activity == activity
    assert (activity.outcome, activity.way, activity.delivered_on, activity.reach) == (
        outcome,
        DeliveryActivity.Way.BRIEFING,
        today,
        0,
    )
    assert sorted(c.agency.name for c in briefing.cascades.all()) == sorted(
        a.name for a in agencies
    )
    assert {c.confirm_by for c in briefing.cascades.all()} == {today + datetime.timedelta(days=28)}
    with pytest.raises(ValidationError):
        services.briefing_publish(briefing=briefing, by=writer)
    with pytest.raises(ValidationError, match="published briefing"):
        services.briefing_edit(briefing=briefing, by=writer, outcome=outcome, **TEXT)


def test_reach_is_the_sum_of_the_agencies_confirmations_kept_in_step(
    writer, chair, li, outcome, agencies, agency_user
):
    briefing = published(by=writer, approver=chair, subgroup=li, outcome=outcome)
    police, csc = (briefing.cascades.get(agency=a) for a in agencies)
    today = timezone.localdate()
    services.cascade_confirm(
        cascade=police, by=agency_user, cascaded_on=today, method="team_meeting", staff_reached=40
    )
    services.cascade_confirm(
        cascade=csc, by=agency_user, cascaded_on=today, method="email", staff_reached=25
    )
    briefing.activity.refresh_from_db()
    assert briefing.activity.reach == 65
    # A corrected confirmation replaces the figure; the earlier one stays in its history.
    services.cascade_confirm(
        cascade=police, by=agency_user, cascaded_on=today, method="supervision", staff_reached=30
    )
    briefing.activity.refresh_from_db()
    assert briefing.activity.reach == 55
    assert [h.staff_reached for h in police.history.order_by("history_date")] == [None, 40, 30]
    assert selectors.reach_of([briefing.pk])[briefing.pk] == {
        "briefing_id": briefing.pk,
        "sent": 2,
        "confirmed": 2,
        "reach": 55,
    }


def test_a_confirmation_says_how_when_and_to_how_many(
    writer, chair, li, outcome, agencies, agency_user
):
    briefing = published(by=writer, approver=chair, subgroup=li, outcome=outcome)
    cascade = briefing.cascades.get(agency=agencies[0])
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError):
        services.cascade_confirm(
            cascade=cascade, by=agency_user, cascaded_on=tomorrow, method="email", staff_reached=3
        )
    with pytest.raises(ValidationError):
        services.cascade_confirm(
            cascade=cascade,
            by=agency_user,
            cascaded_on=timezone.localdate(),
            method="other",
            staff_reached=3,
        )
    assert not Cascade.objects.filter(confirmed_at__isnull=False).exists()


def test_no_staff_reached_is_not_a_cascade(writer, chair, li, outcome, agencies, agency_user):
    briefing = published(by=writer, approver=chair, subgroup=li, outcome=outcome)
    cascade = briefing.cascades.get(agency=agencies[0])
    with pytest.raises(ValidationError) as refused:
        services.cascade_confirm(
            cascade=cascade,
            by=agency_user,
            cascaded_on=timezone.localdate(),
            method="email",
            staff_reached=0,
        )
    assert refused.value.message_dict["staff_reached"] == [
        "Give how many staff received the briefing: at least 1. If it has not reached anyone "
        "yet, confirm once it has been cascaded."
    ]
    assert not Cascade.objects.filter(confirmed_at__isnull=False).exists()
    assert selectors.reach_of([briefing.pk])[briefing.pk]["confirmed"] == 0


@pytest.mark.parametrize(
    "decision, refusal",
    [
        ("pending", "is awaiting the Executive's decision"),
        ("not_agreed", "The Executive did not agree the learning outcome"),
    ],
)
def test_a_briefing_is_published_only_as_delivery_of_an_agreed_outcome(
    writer, chair, li, outcome, agencies, decision, refusal
):
    LearningOutcome.objects.filter(pk=outcome.pk).update(
        decision=decision, decided_on=None if decision == "pending" else outcome.decided_on
    )
    outcome.refresh_from_db()
    briefing = draft(by=writer, subgroup=li, outcome=outcome)
    services.briefing_submit(briefing=briefing, by=writer)
    services.briefing_approve(briefing=briefing, by=chair)
    with pytest.raises(ValidationError, match=refusal):
        services.briefing_publish(briefing=briefing, by=writer)
    briefing.refresh_from_db()
    assert briefing.status == Briefing.Status.APPROVED
    assert not DeliveryActivity.objects.exists() and not Cascade.objects.exists()
    assert f"“{outcome.title}”" in services.publish_refusal(briefing)

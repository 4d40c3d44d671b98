"""Every write to briefings and their cascade. Publishing records the outcome's delivery activity
through ``learning.services``; each confirmation keeps that activity's reach in step."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from learning import services as learning_services
from learning.models import DeliveryActivity, LearningOutcome
from sscb.models import Agency
from sscb.reminders import reminders_cancel_for

from . import selectors
from .models import CASCADE_WITHIN, SECTIONS, Briefing, BriefingVersion, Cascade

Status = Briefing.Status
CONTENT = ("title", *(name for name, _ in SECTIONS))


def _save(instance, fields: dict):
    """Validate as a form would (the pseudonym rule included), then save."""
    for name, value in fields.items():
        setattr(instance, name, value)
    instance.full_clean()
    instance.save()
    return instance


def briefing_write(*, by, subgroup, theme=None, review=None, outcome=None, **content) -> Briefing:
    """A new draft, from a theme, a review or an outcome."""
    briefing = Briefing(
        subgroup=subgroup,
        theme=theme,
        review=review,
        written_by=by,
        edited_by=by,
    )
    return _save(briefing, {"outcome": outcome, **content})


@transaction.atomic
def briefing_edit(*, briefing: Briefing, by, outcome=None, **content) -> Briefing:
    """Change a briefing's words or the learning outcome it delivers. Once it has been
    submitted, the words it had are kept as a numbered version, and it goes back to draft: the
    chair approves the briefing as it is, the outcome its publication is recorded against
    included."""
    if briefing.status not in Briefing.EDITABLE:
        raise ValidationError("A published briefing is not changed: write a new one.")
    # The outcome is part of what is approved: publishing records the delivery against it.
    changed = briefing.outcome_id != getattr(outcome, "pk", None) or any(
        getattr(briefing, name) != value for name, value in content.items()
    )
    if changed and briefing.submitted_at is not None:
        previous = Briefing.objects.select_for_update().get(pk=briefing.pk)
        BriefingVersion.objects.create(
            briefing=briefing,
            number=previous.version,
            written_by_id=previous.edited_by_id,
            written_at=previous.updated_at,
            replaced_by=by,
            **{name: getattr(previous, name) for name in CONTENT},
        )
        briefing.version = previous.version + 1
        briefing.status = Status.DRAFT
        briefing.approved_by = None
        briefing.approved_at = None
        briefing.approved_for_chair = False
    if changed:
        briefing.edited_by = by
    return _save(briefing, {"outcome": outcome, **content})


def briefing_submit(*, briefing: Briefing, by) -> Briefing:
    """Send the draft to the owning sub-group's chair for approval."""
    if briefing.status != Status.DRAFT:
        raise ValidationError("Only a draft is submitted for approval.")
    if briefing.outcome_id is None:
        raise ValidationError(
            "Choose the learning outcome this briefing delivers (edit it) before submitting it."
        )
    briefing.submitted_at = timezone.now()
    return _save(briefing, {"status": Status.SUBMITTED, "returned_note": ""})


def briefing_approve(*, briefing: Briefing, by) -> Briefing:
    """The chair's approval of the version submitted (or the Business Unit's, for the chair)."""
    if briefing.status != Status.SUBMITTED:
        raise ValidationError("Only a briefing awaiting approval can be approved.")
    if not selectors.may_approve(by, briefing):
        if briefing.edited_by_id == by.pk:
            raise ValidationError(
                "You wrote this version: the sub-group's chair (or the Business Unit) approves it."
            )
        raise ValidationError("Only the sub-group's chair or the Business Unit approves it.")
    briefing.approved_at = timezone.now()
    briefing.approved_for_chair = briefing.subgroup.chair_id != by.pk
    return _save(briefing, {"status": Status.APPROVED, "approved_by": by})


def briefing_return(*, briefing: Briefing, by, note: str) -> Briefing:
    """The chair sends it back to draft, saying what to change."""
    if briefing.status not in (Status.SUBMITTED, Status.APPROVED):
        raise ValidationError("Only a briefing awaiting approval or approved can be sent back.")
    if not (by.is_business_unit or briefing.subgroup.chair_id == by.pk):
        raise ValidationError("Only the sub-group's chair or the Business Unit sends it back.")
    if not note.strip():
        raise ValidationError({"returned_note": "Say what should change."})
    briefing.approved_at = None
    briefing.approved_for_chair = False
    return _save(
        briefing, {"status": Status.DRAFT, "approved_by": None, "returned_note": note.strip()}
    )


def _words(text: str) -> str:
    """``text`` as compared for a name: its case and spacing aside."""
    return " ".join(text.split()).casefold()


def restricted_review_named(briefing: Briefing) -> str | None:
    """What to take out of ``briefing`` before it is published, or None: the reference or the
    title of a restricted review it draws on (``selectors.restricted_reviews_drawn_on``) that
    its words still name. Everyone reads a published briefing; a restricted review is open
    only to its panel."""
    parts = [("the title", briefing.title), *((h, getattr(briefing, n)) for n, h in SECTIONS)]
    named = []
    for review in selectors.restricted_reviews_drawn_on(briefing):
        for name in (review.reference, review.title):
            where = [part for part, text in parts if name.strip() and _words(name) in _words(text)]
            if where:
                places = ", ".join(w if w == "the title" else f"“{w}”" for w in where)
                named.append(f"“{name}” (in {places})")
    if not named:
        return None
    return (
        "This briefing names a restricted review, open only to its panel, and everyone in the "
        f"partnership reads a published briefing: edit it to take out {' and '.join(named)}, "
        "and write “a review” instead."
    )


def publish_refusal(briefing: Briefing) -> str | None:
    """Why ``briefing`` cannot be published now, or None: the rule ``briefing_publish`` refuses
    by and its page offers the button by."""
    if briefing.status != Status.APPROVED:
        return "Only an approved briefing is published."
    outcome = briefing.outcome
    # Publishing records the outcome's delivery, which DeliveryActivity.clean refuses before the
    # Executive has agreed the outcome; said here too, in words for a briefing, before the click.
    if outcome.decision == LearningOutcome.Decision.PENDING:
        return (
            f"The learning outcome “{outcome}” is awaiting the Executive's decision: publishing "
            "the briefing records it as the outcome's delivery, so publish it once the "
            "Executive has agreed the outcome."
        )
    if not outcome.is_agreed:
        return (
            f"The Executive did not agree the learning outcome “{outcome}”: edit the briefing "
            "to deliver an outcome the Executive has agreed, then publish it."
        )
    return restricted_review_named(briefing)


@transaction.atomic
def briefing_publish(*, briefing: Briefing, by, on: datetime.date | None = None) -> Briefing:
    """Publish an approved briefing whose outcome the Executive agreed: it becomes a delivery
    activity of its outcome (its reach the agencies' confirmations, none yet) and is sent to
    every active agency, whose leads the next reminder sweep tells
    (``reminders.briefings_to_cascade``)."""
    refusal = publish_refusal(briefing)
    if refusal:
        raise ValidationError(refusal)
    on = on or timezone.localdate()
    activity = learning_services.activity_save(
        outcome=briefing.outcome,
        way=DeliveryActivity.Way.BRIEFING,
        title=briefing.title,
        audience="Practitioners and managers in every partner agency",
        planned_on=on,
        delivered_on=on,
        reach=0,
        notes="A 7-minute briefing; its reach is what agencies confirm they cascaded.",
    )
    briefing.published_by = by
    briefing.activity = activity
    _save(briefing, {"status": Status.PUBLISHED, "published_on": on})
    bulk_create_with_history(
        [
            Cascade(briefing=briefing, agency=agency, sent_on=on, confirm_by=on + CASCADE_WITHIN)
            for agency in Agency.objects.filter(is_active=True).order_by("pk")
        ],
        Cascade,
        default_user=by,
    )
    return briefing


@transaction.atomic
def cascade_confirm(
    *,
    cascade: Cascade,
    by,
    cascaded_on: datetime.date,
    method: str,
    staff_reached: int,
    method_detail: str = "",
) -> Cascade:
    """The agency lead's confirmation (or its correction: the earlier one stays in history);
    the delivery activity's reach becomes the sum of every confirmation again."""
    first = cascade.confirmed_at is None
    cascade.confirmed_by = by
    if first:
        cascade.confirmed_at = timezone.now()
    _save(
        cascade,
        {
            "cascaded_on": cascaded_on,
            "method": method,
            "method_detail": method_detail if method == Cascade.Method.OTHER else "",
            "staff_reached": staff_reached,
        },
    )
    reminders_cancel_for(cascade)
    briefing_reach_sync(briefing_id=cascade.briefing_id)
    return cascade


def briefing_reach_sync(*, briefing_id: int) -> None:
    """A published briefing's delivery activity's reach becomes the sum of its confirmations
    again: after a confirmation, and after the Business Unit changes or removes one in the
    Django admin."""
    briefing = Briefing.objects.select_related("activity").get(pk=briefing_id)
    if briefing.activity is None:  # not published yet: no delivery to count
        return
    reach = selectors.reach_of([briefing.pk]).get(briefing.pk, {"reach": 0})["reach"]
    if briefing.activity.reach != reach:
        learning_services.activity_save(activity=briefing.activity, reach=reach)

"""Case reviews: the register, the decision, the people, publication and the statutory clocks."""

import datetime
import uuid

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from sscb.dates import check_dates, happened_after, not_before, not_future
from sscb.minimise import PSEUDONYM_HELP, validate_pseudonym
from sscb.models import Agency, MinimisedModel, SubGroup, TimeStampedModel

# The order a review's acts happen in (issue 13): each date, how a refusal names it as the
# subject and as the act it follows, and the acts it cannot come before. A date is checked
# against the latest of those that are known, so without a notification a decision is still
# checked against the incident.
EVENT_ORDER = (
    ("incident_known_on", "The date the incident became known", "the incident became known", ()),
    ("notified_on", "The notification date", "the notification", ("incident_known_on",)),
    ("referred_on", "The referral date", "the referral", ("incident_known_on",)),
    (
        "decided_on",
        "The decision date",
        "the decision",
        ("incident_known_on", "notified_on", "referred_on"),
    ),
    (
        "national_panel_told_on",
        "The date the national panel was told",
        "telling the national panel",
        ("decided_on",),
    ),
    ("completed_on", "The completion date", "the completion", ("decided_on", "referred_on")),
    (
        "final_report_sent_on",
        "The date the final report was sent to the Panel",
        "sending the final report to the Panel",
        ("completed_on", "decided_on", "referred_on"),
    ),
    (
        "published_on",
        "The publication date",
        "the publication",
        ("final_report_sent_on", "completed_on", "decided_on", "referred_on"),
    ),
    # A review may close before the national panel is told, or before a report held back by a
    # trial is published; it cannot close before it was completed.
    ("closed_on", "The closing date", "the closure", ("completed_on", "decided_on", "referred_on")),
)
EVENT_NAMES = {field: name for field, _subject, name, _after in EVENT_ORDER}


# The same order in the database, pair by pair (the decision after the referral has its own).
EVENT_PAIRS = [
    (later, earlier)
    for later, _subject, _name, after in EVENT_ORDER
    for earlier in after
    if (later, earlier) != ("decided_on", "referred_on")
]


def event_order_errors(review) -> dict[str, list[str | None]]:
    """Per date field: in the future, or before an act it follows (both dates named)."""
    errors = {}
    for field, subject, _name, after in EVENT_ORDER:
        day = getattr(review, field)
        known = [(getattr(review, earlier), earlier) for earlier in after]
        latest = max(((value, name) for value, name in known if value is not None), default=None)
        errors[field] = [not_future(day, what=subject)]
        if latest:
            errors[field].append(
                not_before(day, latest[0], what=subject, than=EVENT_NAMES[latest[1]])
            )
    return errors


class Review(TimeStampedModel):
    """One case review, of any kind in the Learning and Improvement Framework."""

    names_adults = frozenset({"notified_by"})  # an adult's name, not a child's

    class Kind(models.TextChoices):
        SCR = "scr", "Serious Case Review"
        RAPID_REVIEW = "rapid_review", "Rapid Review"
        LCSPR = "lcspr", "Local Child Safeguarding Practice Review"
        LEARNING_REVIEW = "learning_review", "Learning Review"
        DEEP_DIVE = "deep_dive", "Deep-dive audit of practice"
        CHILD_DEATH = "child_death", "Child Death Review"
        DOMESTIC_HOMICIDE = "dhr", "Domestic Homicide Review"
        NATIONAL = "national", "National research / other boards' reviews"

    class Regime(models.TextChoices):
        WT2015 = "wt2015", "Working Together 2015"
        WT2018 = "wt2018", "Working Together 2018 and later"

    class Stage(models.TextChoices):
        REFERRAL = "referral", "Referral"
        RAPID_REVIEW = "rapid_review", "Rapid review"
        DECISION = "decision", "Decision"
        SCOPING = "scoping", "Scoping and terms of reference"
        REVIEWER_APPOINTED = "reviewer_appointed", "Reviewer appointed"
        CHRONOLOGIES = "chronologies", "Agency chronologies"
        PRACTITIONER_EVENT = "practitioner_event", "Practitioner event"
        FAMILY_INVOLVEMENT = "family_involvement", "Family involvement"
        ANALYSIS = "analysis", "Analysis and draft"
        BOARD_SIGNOFF = "board_signoff", "Board sign-off and written response"
        PUBLISHED = "published", "Published"
        ACTION_PLAN = "action_plan", "Action plan monitoring"
        CLOSED = "closed", "Closed"

    class Decision(models.TextChoices):
        PENDING = "pending", "Not yet decided"
        INITIATE = "initiate", "Initiate the review"
        NOT_INITIATE = "not_initiate", "Do not initiate"

    class AlternativeRoute(models.TextChoices):
        LEARNING_REVIEW = "learning_review", "Learning review"
        DEEP_DIVE = "deep_dive", "Deep-dive audit of practice"
        SINGLE_AGENCY = "single_agency", "Single agency review"
        NO_FURTHER_REVIEW = "none", "No further review: learning shared in other ways"

    class Method(models.TextChoices):
        SYSTEMS = "systems", "Systems approach (e.g. SCIE Learning Together)"
        APPRECIATIVE = "appreciative", "Appreciative inquiry"
        AGENCY_REPORTS = "agency_reports", "Traditional agency-report review"
        HYBRID = "hybrid", "Hybrid approach"
        OTHER = "other", "Another proportionate method"

    class FamilyResponse(models.TextChoices):
        NOT_INVITED = "not_invited", "Not yet invited"
        AWAITING = "awaiting", "Invited, no answer yet"
        ACCEPTED = "accepted", "Agreed to take part"
        DECLINED = "declined", "Declined"
        NOT_APPROPRIATE = "not_appropriate", "Not appropriate to invite (reason recorded)"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reference = models.CharField(
        max_length=30, unique=True, editable=False, help_text="Generated, e.g. LCSPR-2025-003."
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    regime = models.CharField(
        max_length=10,
        choices=Regime.choices,
        default=Regime.WT2018,
        help_text="The statutory guidance whose clocks apply; a 2016 SCR keeps the 2016 rules.",
    )
    regime_reason = models.TextField(
        "why it is recorded outside its regime",
        blank=True,
        help_text="Only when the kind of review did not exist on the referral date (an SCR "
        "after September 2019, a rapid review before 29 June 2018): why it is recorded so.",
    )
    title = models.CharField(max_length=200)
    pseudonym = models.CharField(
        "child or family pseudonym",
        max_length=60,
        blank=True,
        help_text=PSEUDONYM_HELP,
        validators=[validate_pseudonym],
    )
    summary = models.TextField(
        blank=True,
        help_text="What happened and why a review is being considered. Use pseudonyms only.",
    )
    subgroup = models.ForeignKey(
        SubGroup,
        on_delete=models.PROTECT,
        related_name="reviews",
        verbose_name="responsible sub-group",
    )
    is_restricted = models.BooleanField(
        "restricted",
        default=False,
        help_text="Only the Business Unit, the review's panel and its reviewer can open it.",
    )
    stage = models.CharField(max_length=30, choices=Stage.choices, default=Stage.REFERRAL)
    panel_members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="review_panels", blank=True
    )
    source_review = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="follow_on_reviews",
        help_text="The review whose decision led to this one (e.g. the rapid review of an LCSPR).",
    )

    # Key dates
    incident_known_on = models.DateField("incident known on", null=True, blank=True)
    notified_on = models.DateField(
        "notified on",
        null=True,
        blank=True,
        help_text="When Ofsted / the national Panel and the Board were notified.",
    )
    referred_on = models.DateField("referred on", default=datetime.date.today)
    decided_on = models.DateField("decided on", null=True, blank=True)
    national_panel_told_on = models.DateField(
        "national panel told on",
        null=True,
        blank=True,
        help_text="WT2015: when the national panel was told that an SCR is not being initiated.",
    )
    completed_on = models.DateField("completed on", null=True, blank=True)
    published_on = models.DateField("published on", null=True, blank=True)
    closed_on = models.DateField("closed on", null=True, blank=True)

    # Decision
    abuse_or_neglect = models.BooleanField(
        "abuse or neglect of the child is known or suspected", default=False
    )
    child_died = models.BooleanField("the child has died", default=False)
    seriously_harmed = models.BooleanField("the child has been seriously harmed", default=False)
    concern_working_together = models.BooleanField(
        "there is cause for concern about how agencies worked together", default=False
    )
    died_in_custody = models.BooleanField(
        "the child died in custody, on remand, in a YOI, secure training centre or secure "
        "children's home, or detained under the Mental Health Act",
        default=False,
    )
    suspected_suicide = models.BooleanField("the child died by suspected suicide", default=False)
    decision = models.CharField(max_length=20, choices=Decision.choices, default=Decision.PENDING)
    decision_reasons = models.TextField("reasons for the decision", blank=True)
    alternative_route = models.CharField(
        "alternative route",
        max_length=20,
        choices=AlternativeRoute.choices,
        blank=True,
        help_text="What happens instead when the review is not initiated.",
    )

    # Proportionality
    method = models.CharField("review method", max_length=20, choices=Method.choices, blank=True)
    method_rationale = models.TextField(
        "why the method is proportionate",
        blank=True,
        help_text="Why this approach fits the scale and complexity of the case.",
    )

    # People
    lead_reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_reviews",
        verbose_name="independent lead reviewer",
    )
    independence_declared_on = models.DateField(
        "independence declared on",
        null=True,
        blank=True,
        help_text="When the reviewer declared they are independent of the case and of the "
        "agencies whose actions are reviewed.",
    )
    independence_statement = models.TextField("independence declaration", blank=True)
    practitioners_invited_on = models.DateField("practitioners invited on", null=True, blank=True)
    practitioner_event_on = models.DateField("practitioner event on", null=True, blank=True)
    practitioner_involvement = models.TextField(
        "how practitioners were involved",
        blank=True,
        help_text="Who took part and how they were invited to contribute without fear of blame.",
    )
    family_invited_on = models.DateField("family invited on", null=True, blank=True)
    family_response = models.CharField(
        "family's response",
        max_length=20,
        choices=FamilyResponse.choices,
        default=FamilyResponse.NOT_INVITED,
    )
    family_contribution = models.TextField("how the family contributed", blank=True)
    family_expectations = models.TextField("how the family's expectations were managed", blank=True)
    surviving_children = models.TextField(
        "surviving children",
        blank=True,
        help_text="Whether there are surviving children and how they were invited to "
        "contribute. Pseudonyms only.",
    )

    # Publication
    published_where = models.CharField("published where", max_length=300, blank=True)
    board_response = models.TextField("Board's written response", blank=True)
    planned_publication_on = models.DateField(
        "planned publication date",
        null=True,
        blank=True,
        help_text="The final report goes to the national Panel and the Secretary of State at "
        "least 7 working days before (WT2018 and later).",
    )
    final_report_sent_on = models.DateField(
        "final report sent to the Panel and the Secretary of State on", null=True, blank=True
    )
    publication_window_ends_on = models.DateField(
        "on the website until at least",
        null=True,
        blank=True,
        help_text="The end of the minimum 12-month publication window.",
    )
    not_published_reason = models.TextField("reason for not publishing", blank=True)

    # The exchange with the national Panel and Ofsted (issue 18): the dates the clocks count
    # from and to are those above (notified_on, decided_on for a rapid review, the final report's).
    notification_reference = models.CharField(
        "notification reference",
        max_length=60,
        blank=True,
        help_text="The reference the serious incident notification was given.",
    )
    notified_by = models.CharField(
        "notification sent by",
        max_length=200,
        blank=True,
        help_text="Who sent it, e.g. “Director of Children's Services”.",
    )
    panel_responded_on = models.DateField("the Panel responded on", null=True, blank=True)
    panel_response = models.TextField(
        "Panel's response", blank=True, help_text="What the national Panel said."
    )
    panel_publication_view = models.CharField(
        "the Panel's view on publication",
        max_length=20,
        choices=[
            ("publish", "Publish in full"),
            ("publish_redacted", "Publish with redactions"),
            ("not_publish", "Do not publish"),
        ],
        blank=True,
    )

    # The case file (issue 18): once the chronology is closed no agency adds to or changes it.
    chronology_closed_on = models.DateField("chronology closed on", null=True, blank=True)

    # The panel decides who may open a restricted review: its changes are kept too.
    history = HistoricalRecords(excluded_fields=["updated_at"], m2m_fields=["panel_members"])

    class Meta:
        ordering = ["-referred_on", "-reference"]
        constraints = [
            models.CheckConstraint(
                condition=Q(decision="pending") | Q(decided_on__isnull=False),
                name="reviews_review_decision_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(decision="not_initiate") | ~Q(alternative_route=""),
                name="reviews_review_not_initiated_has_alternative",
            ),
            models.CheckConstraint(
                condition=Q(decided_on__isnull=True) | Q(decided_on__gte=F("referred_on")),
                name="reviews_review_decided_after_referral",
            ),
            *[
                models.CheckConstraint(
                    condition=Q(**{f"{later}__isnull": True})
                    | Q(**{f"{earlier}__isnull": True})
                    | Q(**{f"{later}__gte": F(earlier)}),
                    name=f"reviews_review_{later[:-3]}_after_{earlier[:-3]}",
                )
                for later, earlier in EVENT_PAIRS
            ],
            models.CheckConstraint(
                condition=Q(independence_declared_on__isnull=True) | Q(lead_reviewer__isnull=False),
                name="reviews_review_declaration_needs_reviewer",
            ),
            models.CheckConstraint(
                condition=Q(published_on__isnull=True) | Q(not_published_reason=""),
                name="reviews_review_published_or_reason",
            ),
        ]
        indexes = [
            # The register list: filtered by stage and kind, newest first.
            models.Index(fields=["stage", "kind"], name="reviews_review_stage_kind_idx"),
            # The financial-year filter on the register and the dashboard.
            models.Index(fields=["referred_on"], name="reviews_review_referred_idx"),
            # The home page's reviews waiting for a decision, longest referred first.
            models.Index(
                fields=["referred_on"],
                condition=Q(stage="decision", decision="pending"),
                name="reviews_review_awaiting_idx",
            ),
            # The restricted reviews closed to a reader (reviews.selectors._closed_to), gathered
            # without reading every review: 2.9 to 0.3 ms at scale 1 in each list that asks.
            models.Index(
                fields=["id", "lead_reviewer"],
                condition=Q(is_restricted=True),
                name="reviews_review_restricted_idx",
            ),
        ]

    def __str__(self):
        return f"{self.reference} {self.title}"

    def clean(self):
        errors = {}
        if self.decision != self.Decision.PENDING and not self.decided_on:
            errors["decided_on"] = "Give the date the decision was made."
        if self.decision == self.Decision.NOT_INITIATE and not self.alternative_route:
            errors["alternative_route"] = (
                "When the review is not initiated, record what will happen instead."
            )
        if self.independence_declared_on and not self.lead_reviewer_id:
            errors["independence_declared_on"] = (
                "Appoint the lead reviewer before recording their independence declaration."
            )
        if self.published_on and self.not_published_reason:
            errors["not_published_reason"] = (
                "The review has a publication date; remove it or the reason for not publishing."
            )
        if errors:
            raise ValidationError(errors)
        check_dates(**event_order_errors(self), **self._involvement_order())

    def _involvement_order(self) -> dict:
        """The people's part comes after the review was referred: a declaration, an invitation
        that has happened, and the practitioners' event no earlier than their invitation."""
        subjects = {
            "independence_declared_on": "The date of the independence declaration",
            "practitioners_invited_on": "The date practitioners were invited",
            "practitioner_event_on": "The date of the practitioner event",
            "family_invited_on": "The date the family was invited",
        }
        referral = self.referred_on
        checks = {
            name: [not_before(getattr(self, name), referral, what=what, than="the referral")]
            for name, what in subjects.items()
        }
        # Things that have happened, recorded after the day (an event may be planned ahead).
        for name in ("independence_declared_on", "practitioners_invited_on", "family_invited_on"):
            checks[name].append(not_future(getattr(self, name), what=subjects[name]))
        checks["practitioner_event_on"].append(
            not_before(
                self.practitioner_event_on,
                self.practitioners_invited_on,
                what=subjects["practitioner_event_on"],
                than="the day practitioners were invited",
            )
        )
        return checks

    @property
    def is_open(self):
        return self.stage != self.Stage.CLOSED

    @property
    def decision_may_change(self):
        """Whether the decision may be recorded or corrected (``lifecycle.decision_may_change``:
        a kind that decides, open, or a rapid review, whose corrections reach its LCSPR)."""
        from .lifecycle import decision_may_change  # the lifecycle reads this model

        return decision_may_change(self)

    @property
    def has_declared_independence(self):
        return bool(self.lead_reviewer_id and self.independence_declared_on)

    def open_clocks(self):
        """Open clocks, from the prefetched ``clocks`` when the caller loaded them."""
        return [clock for clock in self.clocks.all() if clock.met_on is None]


class ReviewStageChange(MinimisedModel):
    """One move of a review from one stage to the next: who, the day it happened, when it was
    recorded and why."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.CharField(max_length=30, choices=Review.Stage.choices, blank=True)
    to_stage = models.CharField(max_length=30, choices=Review.Stage.choices)
    moved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    happened_on = models.DateField(
        "moved on",
        default=timezone.localdate,
        help_text="The day the move happened; earlier than today when it is recorded late.",
    )
    moved_at = models.DateTimeField("recorded at", default=timezone.now)
    note = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["happened_on", "moved_at", "pk"]
        indexes = [
            # The detail page's timeline and the date of the move before the next one.
            models.Index(
                fields=["review", "happened_on", "moved_at"], name="reviews_stagechange_day_idx"
            ),
        ]

    def __str__(self):
        return f"{self.review.reference}: {self.from_stage or 'new'} → {self.to_stage}"

    def clean(self):
        check_dates(happened_on=not_future(self.happened_on, what="The day of the move"))

    @property
    def recorded_late(self) -> bool:
        return self.happened_on != timezone.localdate(self.moved_at)


class ReviewAct(MinimisedModel):
    """A dated act on a review that is not a stage move: a decision, telling the national panel,
    a publication, closing or reopening the chronology. The day it happened and when it was
    recorded are kept apart."""

    class Kind(models.TextChoices):
        DECISION = "decision", "Decision recorded"
        PANEL_TOLD = "panel_told", "National panel told the SCR is not initiated"
        PUBLICATION = "publication", "Report published"
        CHRONOLOGY_CLOSED = "chronology_closed", "Chronology closed"
        CHRONOLOGY_REOPENED = "chronology_reopened", "Chronology reopened"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="acts")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    happened_on = models.DateField("happened on")
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    summary = models.CharField(max_length=400, blank=True)
    # Where the act was decided, when a meeting decided it (learning.meetings): the words the
    # timeline shows ("decided at the Case Review Panel, 12 March 2026, item 4") and the minutes.
    minutes_label = models.CharField("decided at", max_length=200, blank=True, editable=False)
    minutes_url = models.CharField("minutes", max_length=300, blank=True, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["happened_on", "recorded_at", "pk"]
        indexes = [
            # The detail page's timeline: a review's acts in order.
            models.Index(fields=["review", "happened_on"], name="reviews_act_review_day_idx"),
        ]

    def __str__(self):
        return f"{self.review.reference}: {self.get_kind_display()} {self.happened_on}"

    @property
    def recorded_late(self) -> bool:
        return self.happened_on != timezone.localdate(self.recorded_at)

    @property
    def timeline_words(self) -> str:
        """What the act was, as the timeline says it after the date ("decision recorded",
        "national panel told the SCR is not initiated"): its label's first letter lowered,
        never an abbreviation's."""
        label = self.get_kind_display()
        return label[:1].lower() + label[1:]


class ReviewAgency(TimeStampedModel):
    """An agency involved in a review: when its chronology and report were asked for and came."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="agencies")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="reviews")
    chronology_requested_on = models.DateField(null=True, blank=True)
    chronology_received_on = models.DateField(null=True, blank=True)
    report_requested_on = models.DateField(
        "report requested on", null=True, blank=True, help_text="Agency report or IMR."
    )
    report_received_on = models.DateField(null=True, blank=True)
    notes = models.CharField(max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["agency__name"]
        verbose_name_plural = "agencies involved"
        constraints = [
            models.UniqueConstraint(
                fields=["review", "agency"], name="reviews_reviewagency_once_per_review"
            ),
            models.CheckConstraint(
                condition=Q(chronology_received_on__isnull=True)
                | Q(chronology_requested_on__isnull=False),
                name="reviews_reviewagency_chronology_requested_first",
            ),
            models.CheckConstraint(
                condition=Q(report_received_on__isnull=True) | Q(report_requested_on__isnull=False),
                name="reviews_reviewagency_report_requested_first",
            ),
        ]

    def __str__(self):
        return f"{self.agency} in {self.review.reference}"

    def clean(self):
        errors = {}
        if self.chronology_received_on and not self.chronology_requested_on:
            errors["chronology_requested_on"] = (
                "Give the date the chronology was asked for before the date it arrived."
            )
        if self.report_received_on and not self.report_requested_on:
            errors["report_requested_on"] = (
                "Give the date the report was asked for before the date it arrived."
            )
        if errors:
            raise ValidationError(errors)
        check_dates(**self._asked_and_arrived("chronology"), **self._asked_and_arrived("report"))

    def _case_began(self) -> tuple[datetime.date | None, str]:
        """The first day anything could be asked of the agency, and its name: the review's
        referral, or the referral of the review it arose from, whose requests it carries on
        (``services._agencies_carried``)."""
        if not self.review_id:
            return None, ""
        review = self.review
        source = review.source_review if review.source_review_id else None
        if source is not None and source.referred_on < review.referred_on:
            return source.referred_on, "the referral of the review it arose from"
        return review.referred_on, "the referral"

    def _asked_and_arrived(self, document: str) -> dict:
        """The agency's ``document`` was asked for on a day that has come, not before the case
        began, and arrived after."""
        requested = getattr(self, f"{document}_requested_on")
        began, than = self._case_began()
        what = f"The date the {document} was asked for"
        return {
            f"{document}_requested_on": [
                not_future(requested, what=what),
                not_before(requested, began, what=what, than=than),
            ],
            f"{document}_received_on": happened_after(
                getattr(self, f"{document}_received_on"),
                requested,
                what=f"The date the {document} arrived",
                than="the date it was asked for",
            ),
        }


class ParallelProcess(TimeStampedModel):
    """A process running alongside the review (a trial, an inquest) that may pause its clock."""

    class Kind(models.TextChoices):
        CRIMINAL = "criminal", "Police investigation / CPS / criminal trial"
        CORONER = "coroner", "Coroner's inquest"
        DHR = "dhr", "Domestic Homicide Review"
        ADULT_REVIEW = "adult_review", "Safeguarding Adult Review"
        DISCIPLINARY = "disciplinary", "Agency disciplinary or complaint process"
        OTHER = "other", "Other"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="parallel_processes")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    description = models.CharField(max_length=300, blank=True)
    started_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    holds_clock = models.BooleanField(
        "holds the review's clocks",
        default=False,
        help_text="Pauses the review's statutory clocks from the day it started; they restart "
        "the day it ended.",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["started_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True)
                | Q(started_on__isnull=True)
                | Q(ended_on__gte=F("started_on")),
                name="reviews_parallelprocess_ends_after_start",
            )
        ]

    def __str__(self):
        return self.get_kind_display()

    def clean(self):
        if self.started_on and self.ended_on and self.ended_on < self.started_on:
            raise ValidationError({"ended_on": "The end cannot be before the start."})
        # A process may be listed ahead of its start (a trial date set), but has ended only on a
        # day that has come, whether or not it holds the clocks.
        ended = not_future(self.ended_on, what="The day it ended")
        if ended:
            restart = ": the clocks restart then" if self.holds_clock else ""
            raise ValidationError(
                {"ended_on": f"{ended} Give the day it ended once it has ended{restart}."}
            )
        if not self.holds_clock:
            return
        if not self.started_on:
            raise ValidationError(
                {"started_on": "Give the day it started: the clocks are paused from that day."}
            )
        if self.started_on > timezone.localdate():
            raise ValidationError(
                {"started_on": "A process can hold the clocks only once it has started."}
            )


class ReviewClock(TimeStampedModel):
    """One statutory clock of a review, computed by services from DESIGN.md's table."""

    class Kind(models.TextChoices):
        NOTIFICATION = "notification", "Notify Ofsted / the national Panel and the Board"
        SCR_DECISION = "scr_decision", "Decide whether to initiate an SCR"
        PANEL_NOT_INITIATED = "panel_not_initiated", "Tell the national panel: SCR not initiated"
        SCR_COMPLETION = "scr_completion", "Complete the SCR"
        RAPID_REVIEW = "rapid_review", "Send the rapid review to the national Panel"
        LCSPR_PUBLICATION = "lcspr_publication", "Publish the LCSPR"
        FINAL_REPORT = (
            "final_report",
            "Send the final report to the Panel and the Secretary of State",
        )

    class State(models.TextChoices):
        """DESIGN.md "Clock state"; a met clock says whether it was met in time."""

        GREEN = "green", "On track"
        AMBER = "amber", "Due soon"
        RED = "red", "Past due"
        MET_ON_TIME = "met_on_time", "Met on time"
        MET_LATE = "met_late", "Met late"
        # The review closed before the clock was met: it is no longer chased or counted.
        NOT_MET_CLOSED = "not_met_closed", "Not met"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="clocks")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    regime = models.CharField(max_length=10, choices=Review.Regime.choices)
    started_on = models.DateField()
    due_on = models.DateField(help_text="Moves later by the time the clock was paused.")
    amber_on = models.DateField(help_text="From this day 20% or less of the allowed time is left.")
    paused_on = models.DateField(null=True, blank=True)
    pause_reason = models.CharField(max_length=300, blank=True)
    paused_days = models.PositiveIntegerField(default=0)
    met_on = models.DateField(null=True, blank=True)
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["started_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["review", "kind"], name="reviews_reviewclock_once"),
            models.CheckConstraint(
                condition=Q(due_on__gte=F("started_on")), name="reviews_reviewclock_due_after"
            ),
            models.CheckConstraint(
                condition=Q(paused_on__isnull=True) | ~Q(pause_reason=""),
                name="reviews_reviewclock_pause_has_reason",
            ),
        ]
        indexes = [
            # "Clocks at risk": open clocks by due date (list filter, home page, reminders).
            models.Index(fields=["met_on", "due_on"], name="reviews_clock_open_due_idx"),
        ]

    def __str__(self):
        return f"{self.review.reference}: {self.get_kind_display()}"

    def clean(self):
        if self.paused_on and not self.pause_reason:
            raise ValidationError({"pause_reason": "Say why the clock is paused."})

    @property
    def is_open(self):
        return self.met_on is None

    @property
    def held_by(self):
        """The parallel process holding this clock, if one is: from its pauses, read with it on
        the review's page (the process's end date restarts it, not a hand)."""
        open_pauses = (pause for pause in self.pauses.all() if pause.resumed_on is None)
        return next((pause.process for pause in open_pauses if pause.process_id), None)

    @property
    def review_closed(self) -> bool:
        """Whether its review has closed (read from the review loaded with the clock, as every
        page that lists clocks does). A clock not met then no longer runs: it is not chased,
        paused or counted past due (``reviews.selectors.clock_counted``)."""
        try:
            review = self.review
        except ObjectDoesNotExist:  # a clock not yet given its review
            return False
        return review.stage == Review.Stage.CLOSED

    @property
    def is_running(self):
        """Not met, on a review still open: what may be paused, resumed and chased."""
        return self.is_open and not self.review_closed

    @property
    def is_paused(self):
        return self.paused_on is not None

    def reference_day(self, today=None):
        """A paused clock is read as it stood when it was paused."""
        return self.paused_on or today or timezone.localdate()

    def state_on(self, today=None):
        if self.met_on is not None:
            return self.State.MET_ON_TIME if self.met_on <= self.due_on else self.State.MET_LATE
        if self.review_closed:
            return self.State.NOT_MET_CLOSED
        day = self.reference_day(today)
        if day > self.due_on:
            return self.State.RED
        if day >= self.amber_on:
            return self.State.AMBER
        return self.State.GREEN

    @property
    def state(self):
        return self.state_on()

    @property
    def state_label(self):
        return self.State(self.state).label

    @property
    def counts_working_days(self) -> bool:
        """Whether the clock counts working days (its rule's unit, ``reviews.clocks``)."""
        from .clocks import counts_working_days  # the rules read this model

        return counts_working_days(self)

    @property
    def days_left(self):
        """Days to the due date (negative past it) in the clock's own unit: working days for
        a working-day clock (the notification, the rapid review), calendar days otherwise."""
        from .clocks import days_left  # the rules read this model

        return days_left(self, self.reference_day())

    @property
    def days_overdue(self):
        return -self.days_left

    @property
    def days_words(self) -> str:
        """How long an open clock has left, or how far past due it is, in its own unit ("3
        working days left"); that its closed review left it unmet, and when it closed."""
        if self.is_open and self.review_closed:
            closed_on = self.review.closed_on
            return (
                f"the review closed on {closed_on:%-d %b %Y}" if closed_on else "the review closed"
            )
        days = self.days_left
        unit = "working day" if self.counts_working_days else "day"
        if days == 0:
            return "due today"
        count = abs(days)
        words = f"{count} {unit}{'' if count == 1 else 's'}"
        return f"{words} past due" if days < 0 else f"{words} left"

    @property
    def not_to_be_published(self) -> bool:
        """An LCSPR's six months to publication, ended by the Board's decision not to publish
        (the day its full report went to the Panel and the Secretary of State): shown so, not
        as met. Read from the review loaded with the clock."""
        if self.kind != self.Kind.LCSPR_PUBLICATION or self.met_on is None:
            return False
        try:
            review = self.review
        except ObjectDoesNotExist:
            return False
        return bool(review.not_published_reason.strip()) and not review.published_on

    @property
    def met_in_time(self):
        return self.state == self.State.MET_ON_TIME


class ClockPause(MinimisedModel):
    """One pause of a clock, kept so the timeline shows every pause and its reason."""

    clock = models.ForeignKey(ReviewClock, on_delete=models.CASCADE, related_name="pauses")
    process = models.ForeignKey(
        ParallelProcess,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="clock_pauses",
        help_text="The parallel process holding the clock; empty for a pause made by hand.",
    )
    paused_on = models.DateField()
    resumed_on = models.DateField(null=True, blank=True)
    reason = models.CharField(max_length=300)
    # Empty when a parallel process holds the clock: its history says who recorded it.
    paused_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resumed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["paused_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(resumed_on__isnull=True) | Q(resumed_on__gte=F("paused_on")),
                name="reviews_clockpause_resumed_after_pause",
            )
        ]

    def __str__(self):
        return f"{self.clock} paused {self.paused_on}"


# ------------------------------------------------------------------------ the case file (issue 18)


class ChronologyEntry(TimeStampedModel):
    """One agency's entry in the review's multi-agency chronology: what happened, when, and
    where the agency's record of it is. Free text about a child: pseudonyms only."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="chronology")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    happened_on = models.DateField("date")
    what_happened = models.TextField(
        "what happened",
        help_text="What the agency knew or did on that day. Use pseudonyms only.",
    )
    source = models.CharField(
        max_length=200,
        help_text="Where the agency's record of it is, e.g. “GP record”, “strategy discussion "
        "minutes”.",
    )
    is_key_episode = models.BooleanField(
        "key practice episode",
        default=False,
        help_text="A moment the review looks at closely.",
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["happened_on", "pk"]
        verbose_name_plural = "chronology entries"
        indexes = [
            # The merged chronology: a review's entries by date, filtered by agency.
            models.Index(fields=["review", "happened_on"], name="reviews_chronology_day_idx"),
        ]

    def __str__(self):
        return f"{self.review.reference}: {self.happened_on} {self.agency}"

    def clean(self):
        check_dates(happened_on=not_future(self.happened_on, what="The date of the entry"))


class TermsOfReference(MinimisedModel):
    """One version of the review's terms of reference; a change is a new version, never an edit."""

    names_adults = frozenset({"agreed_by"})  # an adult's name, not a child's

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="terms_versions")
    version = models.PositiveIntegerField(editable=False)
    scope_from = models.DateField("scope period from")
    scope_to = models.DateField("scope period to")
    lines_of_enquiry = models.TextField(
        "key lines of enquiry", help_text="One line of enquiry a line. Use pseudonyms only."
    )
    agreed_by = models.CharField(
        "agreed by",
        max_length=200,
        blank=True,
        help_text="Who agreed these terms, e.g. “Case Review Panel”. Empty while in draft.",
    )
    agreed_on = models.DateField("agreed on", null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-version"]
        verbose_name_plural = "terms of reference"
        constraints = [
            models.UniqueConstraint(
                fields=["review", "version"], name="reviews_termsofreference_version_once"
            ),
            models.CheckConstraint(
                condition=Q(scope_to__gte=F("scope_from")),
                name="reviews_termsofreference_scope_in_order",
            ),
            models.CheckConstraint(
                condition=Q(agreed_on__isnull=True) | ~Q(agreed_by=""),
                name="reviews_termsofreference_agreed_by_someone",
            ),
        ]

    def __str__(self):
        return f"{self.review.reference}: terms of reference v{self.version}"

    def clean(self):
        errors = {}
        if self.scope_from and self.scope_to and self.scope_to < self.scope_from:
            errors["scope_to"] = "The end of the scope period cannot be before its start."
        if self.agreed_on and not self.agreed_by.strip():
            errors["agreed_by"] = "Say who agreed the terms of reference."
        if errors:
            raise ValidationError(errors)
        check_dates(
            # The scope is the part of the child's life the review looks at: it has happened.
            scope_to=not_future(self.scope_to, what="The end of the scope period"),
            agreed_on=[
                *happened_after(
                    self.agreed_on,
                    self.review.referred_on if self.review_id else None,
                    what="The day they were agreed",
                    than="the referral",
                ),
                self._after_earlier_agreement(),
            ],
        )

    def _after_earlier_agreement(self) -> str | None:
        """A version is agreed no earlier than the latest agreed version before it."""
        if not (self.agreed_on and self.review_id):
            return None
        earlier = TermsOfReference.objects.filter(
            review_id=self.review_id, agreed_on__isnull=False
        ).exclude(pk=self.pk)
        if self.version:
            earlier = earlier.filter(version__lt=self.version)
        latest = earlier.order_by("-agreed_on", "-version").first()
        return latest and not_before(
            self.agreed_on,
            latest.agreed_on,
            what="The day they were agreed",
            than=f"the day version {latest.version} was agreed",
        )

    @property
    def lines(self) -> list[str]:
        return [line.strip() for line in self.lines_of_enquiry.splitlines() if line.strip()]


class ReviewTeamMember(TimeStampedModel):
    """A person on the review's team, in one role; leaving the team is recorded, not deleted."""

    class Role(models.TextChoices):
        CHAIR = "chair", "Chair"
        AGENCY_REPRESENTATIVE = "agency_representative", "Agency representative"
        REVIEWER = "reviewer", "Reviewer"
        BUSINESS_UNIT_SUPPORT = "business_unit_support", "Business Unit support"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="team")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=30, choices=Role.choices)
    agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The agency an agency representative speaks for.",
    )
    independence_reason = models.TextField(
        "why the reviewer is accepted although employed by an agency under review",
        blank=True,
    )
    joined_on = models.DateField(default=timezone.localdate)
    left_on = models.DateField(null=True, blank=True)
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["role", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(role="agency_representative") | Q(agency__isnull=False),
                name="reviews_reviewteammember_representative_has_agency",
            ),
        ]
        indexes = [
            # The team list and the reviewer's home: a person's current places on teams.
            models.Index(fields=["person", "left_on"], name="reviews_team_person_idx"),
        ]

    def __str__(self):
        return f"{self.person} ({self.get_role_display()}) on {self.review.reference}"

    def clean(self):
        super().clean()
        if self.role == self.Role.AGENCY_REPRESENTATIVE and not self.agency_id:
            raise ValidationError({"agency": "Choose the agency this representative speaks for."})
        check_dates(
            joined_on=not_future(self.joined_on, what="The day they joined the team"),
            left_on=[
                not_future(self.left_on, what="The day they left the team"),
                not_before(
                    self.left_on,
                    self.joined_on,
                    what="The day they left the team",
                    than="the day they joined",
                ),
            ],
        )
        # One place in each role while on the team: leaving is recorded, then they may rejoin.
        if self.left_on is None and self.review_id and self.person_id and self.role:
            same = ReviewTeamMember.objects.filter(
                review_id=self.review_id,
                person_id=self.person_id,
                role=self.role,
                left_on__isnull=True,
            )
            if same.exclude(pk=self.pk).exists():
                raise ValidationError({"person": "This person already has that role on the team."})


class CaseDocument(TimeStampedModel):
    """A document of the review (an agency report, a draft or the final report, the Board's
    response), kept in versions; drafts are for the reviewer, the panel and the Business Unit."""

    class Kind(models.TextChoices):
        AGENCY_REPORT = "agency_report", "Agency report (IMR)"
        DRAFT_REPORT = "draft_report", "Draft report"
        FINAL_REPORT = "final_report", "Final report"
        BOARD_RESPONSE = "board_response", "The Board's written response"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(max_length=200)
    agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The agency whose report this is (agency reports only).",
    )
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["kind", "title", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="agency_report") | Q(agency__isnull=False),
                name="reviews_casedocument_agency_report_has_agency",
            ),
        ]

    def __str__(self):
        return f"{self.review.reference}: {self.title}"


class DocumentVersion(TimeStampedModel):
    """One uploaded version of a case document, stored under a random name."""

    document = models.ForeignKey(CaseDocument, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField(editable=False)
    file = models.FileField(upload_to="casefile/%Y/%m/")
    name = models.CharField(max_length=200, help_text="The file's name as uploaded.")
    note = models.CharField("what changed", max_length=300, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "version"], name="reviews_documentversion_once"
            ),
        ]

    def __str__(self):
        return f"{self.document.title} v{self.version}"


# ------------------------------------------------------------------ child death reviews (issue 20)
# What CDOP records of each death (the national child death review dataset), held beside the
# review of kind "child_death". The categories and age bands are reference data, loaded by
# migration 0013 and edited in the admin; never a child's name, date of birth or NHS number.


class DeathCategory(TimeStampedModel):
    """A category of death as CDOP assigns it at the end of its review.

    Source: HM Government, "Child Death Review: Statutory and Operational Guidance (England)",
    October 2018, and the National Child Mortality Database (NCMD) analysis form (Form C),
    "Category of death" — ten categories, the death assigned to the one that best describes it.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    number = models.PositiveSmallIntegerField(unique=True, help_text="Its number in the guidance.")
    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(blank=True, help_text="What the category covers.")
    is_active = models.BooleanField(default=True, help_text="Untick to retire a category.")
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["number"]
        verbose_name_plural = "categories of death"

    def __str__(self):
        return f"{self.number}. {self.name}"


class AgeBand(TimeStampedModel):
    """An age band for a child's death, as the NCMD and CDOP annual reports count deaths: a band
    is all the product holds of a child's age."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    position = models.PositiveSmallIntegerField(unique=True, help_text="Its place in the list.")
    label = models.CharField(max_length=60, unique=True)
    is_active = models.BooleanField(default=True, help_text="Untick to retire a band.")
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["position"]

    def __str__(self):
        return self.label


def _day(dated: tuple) -> datetime.date:
    """The date of a (date, what happened) pair: the first of equal dates is the one named."""
    return dated[0]


class ChildDeathDetails(TimeStampedModel):
    """What CDOP records of one child's death: the notification, the panel meeting that reviewed
    it, the category, modifiable factors, expected or not, the age band and the NCMD reference."""

    class ModifiableFactors(models.TextChoices):
        YES = "yes", "Modifiable factors identified"
        NO = "no", "No modifiable factors identified"
        INSUFFICIENT = "insufficient", "Insufficient information"

    class Expectedness(models.TextChoices):
        EXPECTED = "expected", "Expected"
        UNEXPECTED = "unexpected", "Unexpected"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    review = models.OneToOneField(Review, on_delete=models.CASCADE, related_name="child_death")
    notified_on = models.DateField(
        "death notified on",
        null=True,
        blank=True,
        help_text="When the child death review partners were notified of the death.",
    )
    # A string reference: the meetings app sits above reviews and is never imported here.
    meeting = models.ForeignKey(
        "meetings.Meeting",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="CDOP review meeting",
        help_text="The Child Death Overview Panel meeting that reviewed the death.",
    )
    category = models.ForeignKey(
        DeathCategory,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deaths",
        verbose_name="category of death",
        help_text="Assigned by the panel when it reviews the death.",
    )
    modifiable_factors = models.CharField(
        "modifiable factors",
        max_length=12,
        choices=ModifiableFactors.choices,
        blank=True,
        help_text="Whether the panel identified factors which, by means of a locally or "
        "nationally achievable intervention, could be modified to reduce the risk of future "
        "child deaths.",
    )
    expectedness = models.CharField(
        "expected or unexpected", max_length=10, choices=Expectedness.choices, blank=True
    )
    age_band = models.ForeignKey(
        AgeBand,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deaths",
        verbose_name="age band",
        help_text="The child's age at death, as a band only.",
    )
    ncmd_reference = models.CharField(
        "National Child Mortality Database reference",
        max_length=40,
        blank=True,
        help_text="The case's reference in the NCMD (the product does not connect to it).",
    )
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = "child death details"
        verbose_name_plural = "child death details"
        indexes = [
            # The CDOP annual report: deaths reviewed by category (and the other counts).
            models.Index(fields=["category"], name="reviews_death_category_idx"),
        ]

    def __str__(self):
        return f"{self.review.reference}: child death details"

    def _meeting_order(self) -> list[str | None]:
        """The panel reviews a death once it has been told of it and once the meeting has been
        held: not before the death was notified, the review referred or the death known."""
        held_on = self.meeting.held_on
        review = self.review if self.review_id else None
        known = [
            (review and review.incident_known_on, "the day the death became known"),
            (self.notified_on, "the date the death was notified"),
            (review and review.referred_on, "the review's referral"),
        ]
        latest = max(((day, name) for day, name in known if day), key=_day, default=None)
        return [
            not_future(held_on, what="The CDOP review meeting"),
            latest
            and not_before(held_on, latest[0], what="The CDOP review meeting", than=latest[1]),
        ]

    @property
    def panel_has_reviewed(self) -> bool:
        """Whether the record holds what a child death review needs to close: the panel
        meeting that reviewed the death, and the category it gave."""
        return bool(self.meeting_id and self.category_id)

    def clean(self):
        if self.review_id and self.review.kind != Review.Kind.CHILD_DEATH:
            raise ValidationError("Only a child death review holds CDOP's record of a death.")
        closed = self.review_id and self.review.stage == Review.Stage.CLOSED
        if closed and not self.panel_has_reviewed:
            # It closed once the panel had reviewed the death (reviews.lifecycle): what the
            # panel recorded stays, corrected but never emptied.
            kept = (
                "The child death review is closed: the panel's review of the death stays "
                "recorded. Correct it rather than remove it."
            )
            missing = {"meeting": self.meeting_id, "category": self.category_id}
            check_dates(**{name: kept for name, value in missing.items() if not value})
        if self.meeting_id and self.meeting.body.code != SubGroup.Code.CDOP:
            raise ValidationError(
                {"meeting": "Choose a meeting of the Child Death Overview Panel."}
            )
        # What only the panel decides waits for the meeting that reviewed the death.
        decided = {"category": self.category_id, "modifiable_factors": self.modifiable_factors}
        check_dates(
            meeting=self._meeting_order() if self.meeting_id else None,
            notified_on=[
                not_future(self.notified_on, what="The notification date"),
                self.review_id
                and not_before(
                    self.review.referred_on,
                    self.notified_on,
                    what="The review's referral date",
                    than="the date the death was notified",
                ),
            ],
            **{
                name: "The panel decides this when it reviews the death: choose the panel "
                "meeting that reviewed it first."
                for name, value in decided.items()
                if value and not self.meeting_id
            },
        )

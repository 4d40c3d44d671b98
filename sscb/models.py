"""The Board itself: its people, partner agencies, sub-groups and strategic priorities."""

import logging
import re
import uuid

from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from simple_history.models import HistoricalRecords

from .dates import financial_year_of, validate_plausible_date
from .minimise import free_text_errors

logger = logging.getLogger(__name__)

# Django's own words when a form field refuses it (ProhibitNullCharactersValidator).
NUL_REFUSED = "Null characters are not allowed."
# Characters that end a line (or move along it) in a one-line field's text.
LINE_BREAKS = re.compile(r"[ \t]*[\r\n\t\v\f\x1c-\x1e\x85\u2028\u2029]+[ \t]*")
# What a person is told when a rule of the database's refuses values that nothing else did.
UNEXPLAINED_RULE = (
    "These values cannot be saved together: check the dates and numbers, and ask the Business "
    "Unit if it still will not save."
)


class MinimisedModel(models.Model):
    """Free text refuses what looks like a child's identifier (sscb/minimise.py) wherever the
    record is validated: ModelForms, the admin, and services that call ``full_clean()``.

    ``minimise_exempt`` names text fields the rule does not apply to; non-editable fields and
    fields with choices are never checked. ``names_adults`` names fields that hold an adult's
    name (a trainer, a head teacher): they refuse every other identifier. ``names_places``
    names fields that hold a venue (a training room, where a meeting meets): they take a street
    address and a postcode, never a family's, and refuse every other identifier.
    """

    minimise_exempt: frozenset = frozenset()
    names_adults: frozenset = frozenset()
    names_places: frozenset = frozenset()

    class Meta:
        abstract = True

    def clean_fields(self, exclude=None):
        errors = {}
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        # Text that did not come through a form field (a service's argument, an upload) is
        # refused as a form refuses it, rather than failing in the database.
        # So are dates no record needs (sscb.dates.EARLIEST to LATEST).
        for field in self._meta.concrete_fields:
            value = getattr(self, field.attname)
            if field.name in (exclude or ()) or field.name in errors:
                continue
            if isinstance(value, str) and "\x00" in value:
                errors[field.name] = [NUL_REFUSED]
            elif isinstance(field, models.CharField) and isinstance(value, str):
                # A one-line field (a title, a name) pasted with a line break or a tab keeps
                # its words on one line: such a title would break an email's subject.
                one_line = LINE_BREAKS.sub(" ", value).strip()
                if one_line != value:
                    setattr(self, field.attname, one_line)
            try:
                validate_plausible_date(value)
            except ValidationError as error:
                errors[field.name] = error.messages
        for name, messages in free_text_errors(self, exclude=exclude).items():
            if name not in errors:
                errors[name] = messages
        if errors:
            raise ValidationError(errors)

    def validate_constraints(self, exclude=None):
        """A rule the database keeps is explained by ``clean()`` or a field's validators first;
        one that is not never shows its name ("Constraint “…” is violated") to a person."""
        try:
            super().validate_constraints(exclude=exclude)
        except ValidationError as error:
            named = {c.name for c in self._meta.constraints}
            plain = [
                UNEXPLAINED_RULE if any(f"“{name}”" in message for name in named) else message
                for message in error.messages
            ]
            if plain != error.messages:
                logger.warning("%s: a constraint refused it with no message of its own", self)
                raise ValidationError(plain) from error
            raise


# The most people one activity, cascade, session or survey can count: a figure beyond it is a
# slip of the keyboard, and would swamp the Board's totals of reach.
MOST_PEOPLE = 100_000
at_most_people = MaxValueValidator(
    MOST_PEOPLE, f"Give the number of people, at most {MOST_PEOPLE:,}."
)


class TimeStampedModel(MinimisedModel):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class Agency(TimeStampedModel):
    """A partner agency or school whose practice the Board reviews and assures."""

    class Kind(models.TextChoices):
        POLICE = "police", "Police"
        CHILDRENS_SOCIAL_CARE = "csc", "Children's social care"
        HEALTH = "health", "Health (ICB / NHS trust)"
        EDUCATION = "education", "Education (local authority)"
        SCHOOL = "school", "School or college"
        PROBATION = "probation", "Probation"
        YOUTH_JUSTICE = "youth_justice", "Youth justice"
        LOCAL_AUTHORITY = "local_authority", "Local authority (other)"
        VOLUNTARY = "voluntary", "Voluntary and community sector"
        OTHER = "other", "Other"

    name = models.CharField(max_length=200, unique=True)
    short_name = models.CharField(max_length=40, blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    is_active = models.BooleanField(
        default=True, help_text="Untick to archive an agency that no longer exists."
    )
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"

    def __str__(self):
        return self.name

    @property
    def label(self):
        return self.short_name or self.name


class UserManager(DjangoUserManager):
    def create_superuser(self, username, email=None, password=None, **extra_fields):
        """``manage.py createsuperuser`` makes the first Business Unit officer: the role, not
        Django's superuser flag, is what opens the admin and every record."""
        extra_fields.setdefault("role", User.Role.BUSINESS_UNIT)
        # The command checks each answer alone; the account's own rules (an address held once,
        # no child's identifier in a name) are checked here, so a clash is a sentence the
        # command prints, not a database error.
        self.model(username=username, email=self.normalize_email(email), **extra_fields).full_clean(
            exclude=["password"]
        )
        return super().create_superuser(username, email, password, **extra_fields)


class User(MinimisedModel, AbstractUser):
    """A person who uses the tracker; their role decides what they see.

    Their names and job title name an adult, so they may hold a name but refuse a child's
    identifier (``MinimisedModel``): every history line they made shows them.
    """

    minimise_exempt = frozenset({"username", "password"})
    names_adults = frozenset({"first_name", "last_name", "job_title"})
    # What ``createsuperuser`` asks for beside the username: the first officer is named on every
    # history line and panel they appear in, and reached by email.
    REQUIRED_FIELDS = ["email", "first_name", "last_name"]

    class Role(models.TextChoices):
        BUSINESS_UNIT = "business_unit", "Business Unit officer"
        SUBGROUP_MEMBER = "subgroup_member", "Sub-group member"
        EXECUTIVE = "executive", "Board executive member"
        AGENCY_LEAD = "agency_lead", "Partner agency lead"
        INDEPENDENT_REVIEWER = "independent_reviewer", "Independent reviewer"

    role = models.CharField(max_length=30, choices=Role.choices, default=Role.SUBGROUP_MEMBER)
    agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="people",
        help_text="The agency this person works for; required for partner agency leads.",
    )
    job_title = models.CharField(max_length=120, blank=True)
    email_reminders = models.BooleanField(
        "send me reminder emails",
        default=True,
        help_text="Escalations to sub-group chairs and the Business Unit are always sent.",
    )
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    objects = UserManager()

    class Meta:
        ordering = ["first_name", "last_name", "username"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(role="agency_lead") | Q(agency__isnull=False),
                name="sscb_user_agency_lead_has_agency",
            ),
            # An address is one person's: their reset links, welcome and reminders reach only
            # them (the admin's forms name the other account first: sscb.admin.PersonFormRules).
            models.UniqueConstraint(
                Lower("email"),
                condition=~Q(email=""),
                name="sscb_user_email_once",
                violation_error_message="Another account has this email address already.",
            ),
        ]

    def __str__(self):
        return self.get_full_name() or self.username

    def clean(self):
        super().clean()
        if self.role == self.Role.AGENCY_LEAD and not self.agency_id:
            raise ValidationError({"agency": "A partner agency lead must belong to an agency."})
        if self.pk and not (self.is_active and self.is_business_unit):
            # Only an active Business Unit officer opens the admin, where people are changed:
            # without one, nobody could ever put anything right again.
            officers = User._default_manager.filter(role=self.Role.BUSINESS_UNIT, is_active=True)
            if list(officers.values_list("pk", flat=True)[:2]) == [self.pk]:
                field = "is_active" if not self.is_active else "role"
                raise ValidationError(
                    {
                        field: f"{self} is the only active Business Unit officer, and only one "
                        "opens this admin: make someone else a Business Unit officer first."
                    }
                )

    # The Business Unit may do everything (DESIGN.md "Who uses it"), so its officers need no
    # per-model permissions, nor staff status to open the admin (sscb.apps). Nobody else has
    # any: what a person may do follows from their role, never from Django's superuser flag,
    # groups or permissions, which a person's page does not offer.
    def has_perm(self, perm, obj=None):
        return self.is_active and self.is_business_unit

    def has_module_perms(self, app_label):
        return self.is_active and self.is_business_unit

    @property
    def is_business_unit(self):
        return self.role == self.Role.BUSINESS_UNIT

    @property
    def is_executive(self):
        return self.role == self.Role.EXECUTIVE

    @property
    def is_agency_lead(self):
        return self.role == self.Role.AGENCY_LEAD

    @property
    def is_independent_reviewer(self):
        return self.role == self.Role.INDEPENDENT_REVIEWER

    @property
    def is_subgroup_member(self):
        return self.role == self.Role.SUBGROUP_MEMBER


class SubGroup(TimeStampedModel):
    """A sub-group of the Board, which owns a strand of the learning and improvement work."""

    class Code(models.TextChoices):
        LEARNING_IMPROVEMENT = "li", "Learning and Improvement"
        QUALITY_ASSURANCE = "qap", "Quality Assurance and Performance"
        TRAINING = "training", "Training"
        CASE_REVIEW_PANEL = "crp", "Case Review Panel"
        CDOP = "cdop", "Child Death Overview Panel"
        EXECUTIVE = "executive", "Executive"
        # The Board itself meets too (learning.meetings): a body with members, chair and quorum.
        BOARD = "board", "Safeguarding Children Board"

    # The bodies the product knows (their agendas are proposed from what is due for them); a
    # body the Business Unit adds has none, and its agendas are built by hand.
    code = models.CharField(
        max_length=20,
        choices=Code.choices,
        unique=True,
        null=True,
        blank=True,
        help_text="Which of the partnership's standing bodies this is; empty for a body the "
        "Business Unit adds (a task and finish group, say).",
    )
    name = models.CharField(max_length=120, unique=True)
    purpose = models.TextField(blank=True)
    chair = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="chaired_subgroups"
    )
    members = models.ManyToManyField(
        User, through="SubGroupMembership", related_name="subgroups", blank=True
    )
    quorum = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="How many members must be present for a meeting to decide; blank if none set.",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if self.chair_id and not self.chair.is_active:
            chosen = SubGroup.objects.filter(pk=self.pk).values_list("chair_id", flat=True)
            if not self.pk or chosen.first() != self.chair_id:
                raise ValidationError(
                    {
                        "chair": f"{self.chair}'s account is inactive: choose someone who is "
                        "still with the partnership."
                    }
                )
        if self.quorum and self.pk:
            members = self.memberships.count()
            if self.quorum > members:
                raise ValidationError(
                    {
                        "quorum": f"The quorum cannot be more than the body's {members} "
                        "members: it could never be met. Add members first, or lower the quorum."
                    }
                )


class SubGroupMembership(TimeStampedModel):
    subgroup = models.ForeignKey(SubGroup, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text="The agency this member represents on the sub-group, if any.",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["subgroup", "user"]
        constraints = [
            models.UniqueConstraint(
                fields=["subgroup", "user"], name="sscb_subgroupmembership_once_per_group"
            )
        ]

    def __str__(self):
        return f"{self.user} in {self.subgroup}"


# A financial year is given by the calendar year it starts in, between 1900 and 2100 as every
# date is (sscb.dates.validate_plausible_date).
YEAR_IN_RANGE = [
    MinValueValidator(1900, "Give a year from 1900 to 2100."),
    MaxValueValidator(2100, "Give a year from 1900 to 2100."),
]


class StrategicPriorityQuerySet(models.QuerySet):
    def offered(self, day=None):
        """The priorities a learning theme may be weighed against now (``day``, today if not
        given): active, and not ended before the financial year ``day`` falls in. One that has
        ended stays on the themes that name it (``sscb.forms.keep_links``)."""
        year = financial_year_of(day or timezone.localdate())
        return self.filter(Q(end_year__isnull=True) | Q(end_year__gte=year), is_active=True)


class StrategicPriority(TimeStampedModel):
    """One of the Board's strategic priorities, against which learning themes are weighed."""

    title = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    start_year = models.PositiveSmallIntegerField(
        validators=YEAR_IN_RANGE,
        help_text="First financial year the priority runs for, e.g. 2025 for 2025/26.",
    )
    end_year = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=YEAR_IN_RANGE,
        help_text="Last financial year, if the priority has an end.",
    )
    order = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)
    history = HistoricalRecords()

    objects = StrategicPriorityQuerySet.as_manager()

    class Meta:
        ordering = ["order", "title"]
        verbose_name_plural = "strategic priorities"
        constraints = [
            models.CheckConstraint(
                condition=Q(end_year__isnull=True) | Q(end_year__gte=models.F("start_year")),
                name="sscb_strategicpriority_ends_after_start",
            )
        ]

    def __str__(self):
        return self.title

    def clean(self):
        if self.end_year is not None and self.start_year and self.end_year < self.start_year:
            raise ValidationError({"end_year": "The last year cannot be before the first year."})


class Reminder(models.Model):
    """One reminder to one person about one item, planned once and claimed before it is sent.

    ``key`` is unique: re-running a sweep plans nothing new and sends nothing twice. A changed
    due date or owner gives a new key; the old reminder, if still pending, is cancelled. A
    notice of what was newly asked is keyed by the day it was asked (its ``due_on``), so a new
    due date does not tell its owner again.
    """

    class Kind(models.TextChoices):
        ACTION_DUE_SOON = "action_due_soon", "Action due soon"
        ACTION_OVERDUE = "action_overdue", "Action overdue"
        ACTION_FOLLOW_UP = "action_follow_up", "Action follow-up due"
        OUTCOME_FOLLOW_UP = "outcome_follow_up", "Learning outcome follow-up due"
        EVIDENCE_DUE_SOON = "evidence_due_soon", "Evidence due soon"
        EVIDENCE_OVERDUE = "evidence_overdue", "Evidence overdue"
        CLOCK_NEAR = "clock_near", "Statutory deadline near"
        CLOCK_OVERDUE = "clock_overdue", "Statutory deadline passed"
        RETURN_DUE_SOON = "return_due_soon", "Audit return due soon"
        RETURN_OVERDUE = "return_overdue", "Audit return overdue"
        PAPERS_DUE = "papers_due", "Meeting papers due"
        MINUTES_TO_APPROVE = "minutes_approve", "Minutes to approve"
        PERFORMANCE_DUE_SOON = "performance_due_soon", "Quarterly performance values due soon"
        PERFORMANCE_OVERDUE = "performance_overdue", "Quarterly performance values overdue"
        BRIEFING_TO_CASCADE = "briefing_cascade", "Briefing to cascade to your staff"
        CASCADE_NOT_CONFIRMED = "cascade_overdue", "Briefing cascade not confirmed"
        TRAINING_FOLLOW_UP = "training_follow_up", "Training follow-up questionnaire"
        # What was newly asked of someone, told once in their next digest (sscb.reminders:
        # reminder_asked), dated the day it was asked rather than due.
        ACTION_ASKED = "action_asked", "Action newly given"
        EVIDENCE_ASKED = "evidence_asked", "Evidence newly requested"
        PAPERS_ASKED = "papers_asked", "Meeting papers newly asked for"
        RETURN_ASKED = "return_asked", "Audit return newly opened"

    class Level(models.IntegerChoices):
        OWNER = 0, "Owner"
        CHAIR = 1, "Escalated to the sub-group chair"
        BUSINESS_UNIT = 2, "Escalated to the Business Unit"

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for the next sweep"
        CLAIMED = "claimed", "Being sent"
        SENT = "sent", "Sent"
        NOT_EMAILED = "not_emailed", "Recorded, not emailed (email off)"
        # Not "email off": the person cannot be emailed at all (the sources send such a
        # person's reminders on to someone who can; this is one planned before they left).
        UNREACHABLE = (
            "unreachable",
            "Recorded, not emailed (account inactive or no email address)",
        )
        CANCELLED = "cancelled", "Cancelled (item changed or done)"

    key = models.CharField(max_length=200, unique=True)
    recipient = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="reminders", null=True, blank=True
    )
    # Someone with no account (a practitioner on a training register, their manager): the
    # address the reminder went to, instead of a person.
    email = models.EmailField(blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    level = models.PositiveSmallIntegerField(choices=Level.choices, default=Level.OWNER)
    subject_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    subject_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("subject_type", "subject_id")
    title = models.CharField(max_length=300, help_text="The item, as the email names it.")
    url = models.CharField(max_length=300, help_text="Where the item is, within the site.")
    due_on = models.DateField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    planned_at = models.DateTimeField(auto_now_add=True)
    claim_token = models.CharField(max_length=40, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # No HistoricalRecords: a reminder is itself the record of what was sent to whom and when,
    # and sweeps write them in bulk.

    class Meta:
        ordering = ["-planned_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(recipient__isnull=False, email="")
                | (Q(recipient__isnull=True) & ~Q(email="")),
                name="sscb_reminder_one_recipient",
            )
        ]
        indexes = [
            # Each item's page: the reminders about it.
            models.Index(fields=["subject_type", "subject_id"], name="sscb_reminder_subject"),
            # The sweep: pending reminders to claim, and stale claims to release.
            models.Index(fields=["status", "claimed_at"], name="sscb_reminder_status"),
            # "My reminders": a person's reminders, newest first, in the list's whole order (a
            # sweep plans many at one moment: without the key, all of them were read and sorted).
            models.Index(fields=["recipient", "-planned_at", "id"], name="sscb_reminder_recipient"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.title} → {self.recipient or self.email}"


class ReminderSweep(models.Model):
    """One run of the reminder sweep: the next sweep reads only what fell due since then."""

    day = models.DateField(help_text="The day the sweep ran for.")
    token = models.CharField(max_length=40, unique=True)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    planned = models.PositiveIntegerField(default=0)
    sent = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-started_at"]
        indexes = [
            # The next sweep: the latest finished sweep before its day.
            models.Index(fields=["day", "finished_at"], name="sscb_remindersweep_day"),
        ]

    def __str__(self):
        return f"Sweep for {self.day}"


class AccessLogQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("The access log is append-only: entries are never changed.")


class AccessLogEntry(models.Model):
    """Who opened, downloaded or exported what, when and from where; append-only.

    ``record`` names the record by its reference (never a child's name). Entries are written
    by ``sscb.access_log.access_log_record`` and removed only by the retention purge.
    """

    class Action(models.TextChoices):
        VIEW = "view", "Viewed"
        DOWNLOAD = "download", "Downloaded a file"
        EXPORT = "export", "Exported"
        RESTRICTION_CHANGED = "restriction_changed", "Changed the restriction"
        PANEL_CHANGED = "panel_changed", "Changed the panel"

    user = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    username = models.CharField(max_length=150, help_text="Kept if the account is removed.")
    action = models.CharField(max_length=20, choices=Action.choices)
    content_type = models.ForeignKey(
        ContentType,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="record type",
    )
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    record = models.CharField(max_length=200, help_text="The record's reference.")
    detail = models.CharField(max_length=300, blank=True, help_text="E.g. the new value.")
    path = models.CharField(max_length=500, blank=True)
    ip_address = models.GenericIPAddressField("address", null=True, blank=True)
    at = models.DateTimeField(default=timezone.now)

    objects = AccessLogQuerySet.as_manager()
    # No HistoricalRecords: the log is itself the record, and it is never changed.

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = "access log entry"
        verbose_name_plural = "access log"
        indexes = [
            # "Who has opened this" on a record's page: its latest entries.
            models.Index(fields=["content_type", "object_id", "-at"], name="sscb_accesslog_record"),
            # The admin filtered by person: one person's entries, newest first.
            models.Index(fields=["user", "-at"], name="sscb_accesslog_user"),
            # The admin's date filter and the retention purge: entries older than a moment.
            models.Index(fields=["at"], name="sscb_accesslog_at"),
        ]

    def __str__(self):
        return f"{self.username} {self.get_action_display().lower()} {self.record}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TypeError("The access log is append-only: entries are never changed.")
        super().save(*args, **kwargs)


# Retention and disposal (sscb/retention.py) ------------------------------------------------------


def disposable_kinds():
    """The kinds of record the domain apps register as disposable (``@disposable``)."""
    from .retention import kind_choices

    return kind_choices()


def disposal_events():
    """The events a retention period may be counted from, as the domain apps register them."""
    from .retention import event_choices

    return event_choices()


# The longest period a retention rule may give: longer than any guidance keeps a partnership's
# records, and a date that far back still exists (5,000 years stopped every disposal listing).
RETENTION_YEARS_UP_TO = 100


class RetentionRule(TimeStampedModel):
    """One line of the retention schedule: how long a kind of record is kept, from which event.

    Held as data so that the Business Unit changes it in the admin (with history); the defaults
    are installed by a migration and documented, with their sources, in README.md.
    """

    kind = models.CharField("record kind", max_length=30, choices=disposable_kinds)
    years = models.PositiveSmallIntegerField(
        default=0,
        validators=[MaxValueValidator(RETENTION_YEARS_UP_TO)],
        help_text=f"At most {RETENTION_YEARS_UP_TO}.",
    )
    months = models.PositiveSmallIntegerField(
        default=0,
        validators=[MaxValueValidator(11)],
        help_text="0 to 11, beside the years: 18 months is 1 year and 6 months.",
    )
    counted_from = models.CharField(
        max_length=30,
        choices=disposal_events,
        help_text="The event the period runs from; it must be one of the record kind's events.",
    )
    source = models.CharField(
        max_length=300,
        help_text="Where the period comes from: the guidance it follows, or “local policy”.",
    )
    notes = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["kind"]
        constraints = [
            models.UniqueConstraint(fields=["kind"], name="sscb_retentionrule_once_per_kind"),
            models.CheckConstraint(
                condition=Q(years__gt=0) | Q(months__gt=0), name="sscb_retentionrule_has_period"
            ),
            models.CheckConstraint(
                condition=Q(years__lte=RETENTION_YEARS_UP_TO, months__lte=11),
                name="sscb_retentionrule_period_plausible",
            ),
        ]

    def __str__(self):
        return (
            f"{self.get_kind_display()}: {self.period_label} from {self.get_counted_from_display()}"
        )

    def clean(self):
        super().clean()
        from .retention import events_of

        errors = {}
        if not self.years and not self.months:
            errors["years"] = "Give a period of at least one month."
        if self.kind and self.counted_from and self.counted_from not in events_of(self.kind):
            errors["counted_from"] = (
                f"{self.get_kind_display()} can be counted from: "
                + "; ".join(events_of(self.kind).values())
                + "."
            )
        if errors:
            raise ValidationError(errors)

    @property
    def total_months(self) -> int:
        return self.years * 12 + self.months

    @property
    def period_label(self) -> str:
        parts = []
        if self.years:
            parts.append(f"{self.years} year{'s' if self.years != 1 else ''}")
        if self.months:
            parts.append(f"{self.months} month{'s' if self.months != 1 else ''}")
        return " ".join(parts)


class DisposalCandidate(models.Model):
    """A record the monthly sweep found due for disposal, waiting for the Business Unit.

    Rows rather than a list recomputed on each visit: the sweep tells the Business Unit once about
    each newly due record (``notified_at``, claimed before the email is sent), and the page reads
    one small table. No content: a reference, a link and dates. The disposal service checks again
    that the record is due, so a stale row can never dispose of anything.
    """

    kind = models.CharField("record kind", max_length=30, choices=disposable_kinds)
    object_id = models.PositiveBigIntegerField()
    reference = models.CharField(max_length=100)
    url = models.CharField(max_length=300, blank=True)
    counted_from_on = models.DateField(help_text="The day of the event the period runs from.")
    due_on = models.DateField(help_text="The first day the record could be disposed of.")
    listed_at = models.DateTimeField(default=timezone.now)
    notified_at = models.DateTimeField(null=True, blank=True)
    notice_token = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["due_on", "kind", "pk"]
        verbose_name = "record due for disposal"
        verbose_name_plural = "records due for disposal"
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "object_id"], name="sscb_disposalcandidate_once"
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.reference}"


class DisposalRecordQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("The disposal log is append-only: entries are never changed.")

    def delete(self):
        raise TypeError("The disposal log is append-only: entries are never deleted.")


class DisposalRecord(models.Model):
    """Who disposed of which record, when and under which rule; append-only and without content.

    ``reference`` is the record's reference (never a title, a pseudonym or a file name), so
    the Board can always say what was disposed of and that it was done by a person.
    """

    kind = models.CharField("record kind", max_length=30, choices=disposable_kinds)
    object_id = models.PositiveBigIntegerField()
    reference = models.CharField(max_length=100)
    rule = models.CharField(max_length=200, help_text="The rule that applied, as it then read.")
    counted_from_on = models.DateField()
    disposed_on = models.DateField()
    disposed_at = models.DateTimeField(default=timezone.now)
    disposed_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    username = models.CharField(max_length=150, help_text="Kept if the account is removed.")

    objects = DisposalRecordQuerySet.as_manager()
    # No HistoricalRecords: the log is itself the record, and it is never changed.

    class Meta:
        ordering = ["-disposed_at", "-pk"]
        verbose_name = "disposal"
        verbose_name_plural = "disposal log"
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="sscb_disposalrecord_once")
        ]
        indexes = [
            # The admin's list and date filter: newest disposals first.
            models.Index(fields=["-disposed_at"], name="sscb_disposalrecord_at"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.reference} disposed of by {self.username}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TypeError("The disposal log is append-only: entries are never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("The disposal log is append-only: entries are never deleted.")

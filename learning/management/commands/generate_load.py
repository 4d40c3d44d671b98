"""Bulk synthetic data for benchmarks: a large partnership over a decade, no personal data.

At ``--scale 1``: 20,000 reviews and audits, 200,000 findings, 2,000 themes and 2,000
outcomes, 500,000 actions, 100,000 evidence records and 1,000,000 reminders, written with bulk
inserts (PostgreSQL COPY where available), never one save per row.
"""

import datetime
import io
import random
import time
import uuid

from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from audits.models import Audit
from learning.models import (
    Action,
    AssuranceEvidence,
    DeliveryActivity,
    Finding,
    LearningOutcome,
    PracticeCheck,
    PriorityTheme,
)
from reviews.models import Review, ReviewClock
from sscb import figures_cache
from sscb.models import Agency, Reminder, StrategicPriority, SubGroup, SubGroupMembership, User

AT_SCALE_1 = {
    "reviews": 16_000,
    "audits": 4_000,
    "themes": 2_000,
    "outcomes": 2_000,
    "findings": 200_000,
    "actions": 500_000,
    "evidence": 100_000,
    "reminders": 1_000_000,
}
CHUNK = 20_000
PREFIX = "LOAD"


def _copy(model, objects, fields=None):
    """Insert model instances in bulk: COPY on PostgreSQL, bulk_create elsewhere."""
    objects = list(objects)
    if not objects:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create(objects, batch_size=2000)
        return
    columns = [
        f
        for f in model._meta.concrete_fields
        if not (f.primary_key and getattr(objects[0], f.attname) is None)
    ]
    if fields:
        columns = [f for f in columns if f.name in fields or f.attname in fields]
    for obj in objects:
        for field in columns:
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                setattr(obj, field.attname, field.pre_save(obj, add=True))
    # The synthetic data holds no tabs, newlines or backslashes, so no escaping is needed.
    attnames = [field.attname for field in columns]
    buffer = io.StringIO()
    for obj in objects:
        buffer.write("\t".join([_copy_text(getattr(obj, name)) for name in attnames]) + "\n")
    buffer.seek(0)
    with connection.cursor() as cursor:
        cursor.cursor.copy_from(
            buffer, model._meta.db_table, columns=[f.column for f in columns], null="\\N"
        )


def _copy_text(value) -> str:
    """A value in COPY's text format."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, datetime.date):  # dates, and aware datetimes with their offset
        return value.isoformat()
    return str(value)


def _chunks(total, size=CHUNK):
    start = 0
    while start < total:
        yield start, min(start + size, total)
        start += size


class Command(BaseCommand):
    help = (
        "Bulk-create coherent synthetic data for benchmarks (no personal data). "
        "--scale 1 makes 20,000 reviews and audits, 500,000 actions and 1,000,000 reminders; "
        "fractional scales for quick runs. Refuses to run twice on the same database."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=0.01)
        parser.add_argument("--seed", type=int, default=2016)

    def handle(self, *args, scale, seed, **options):
        if scale <= 0 or scale > 5:
            raise CommandError("Give a scale between 0 (exclusive) and 5, e.g. --scale 0.1.")
        if Review.objects.filter(reference__startswith=PREFIX).exists():
            raise CommandError("Load data is already here; use a fresh database.")
        self.random = random.Random(seed)
        self.counts = {k: max(2, int(v * scale)) for k, v in AT_SCALE_1.items()}
        self.today = timezone.localdate()
        started = time.monotonic()
        with transaction.atomic():
            self.reference_data()
            for step in (
                self.reviews,
                self.audits,
                self.themes,
                self.findings,
                self.actions,
                self.evidence,
                self.reminders,
            ):
                t0 = time.monotonic()
                made = step()
                self.stdout.write(
                    f"  {step.__name__:<10} {made:>10,} rows in {time.monotonic() - t0:6.1f} s"
                )
        if connection.vendor == "postgresql":
            # As autovacuum would in time: statistics for the planner, and the visibility map
            # that lets index-only scans skip the table.
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
        figures_cache.bump()  # bulk inserts send no signal: kept figures are counted again
        self.stdout.write(
            self.style.SUCCESS(f"Generated scale {scale} in {time.monotonic() - started:.1f} s")
        )

    # Helpers -----------------------------------------------------------------------------------

    def day(self, years_back=10):
        return self.today - datetime.timedelta(days=self.random.randint(0, 365 * years_back))

    def pick(self, items):
        return items[self.random.randrange(len(items))]

    def reference_data(self):
        rnd = self.random
        self.subgroups = {}
        for code, label in SubGroup.Code.choices:
            self.subgroups[code], _ = SubGroup.objects.get_or_create(
                code=code, defaults={"name": label}
            )
        kinds = [k for k in Agency.Kind.values if k != Agency.Kind.SCHOOL]
        agencies = [
            Agency(
                name=f"{PREFIX} agency {i:03d}", short_name=f"LA{i:03d}", kind=kinds[i % len(kinds)]
            )
            for i in range(40)
        ] + [
            Agency(
                name=f"{PREFIX} school {i:03d}", short_name=f"LS{i:03d}", kind=Agency.Kind.SCHOOL
            )
            for i in range(60)
        ]
        Agency.objects.bulk_create(agencies)
        self.agencies = list(
            Agency.objects.filter(name__startswith=PREFIX).values_list("pk", flat=True)
        )
        users = []
        for role, count in (
            (User.Role.BUSINESS_UNIT, 3),
            (User.Role.SUBGROUP_MEMBER, 60),
            (User.Role.EXECUTIVE, 6),
            (User.Role.INDEPENDENT_REVIEWER, 20),
        ):
            users += [
                User(username=f"load-{role}-{i}", role=role, email=f"load-{role}-{i}@example.org")
                for i in range(count)
            ]
        users += [
            User(
                username=f"load-lead-{agency}",
                role=User.Role.AGENCY_LEAD,
                agency_id=agency,
                email=f"load-lead-{agency}@example.org",
            )
            for agency in self.agencies
        ]
        for user in users:
            user.set_unusable_password()
        User.objects.bulk_create(users)
        people = dict(
            User.objects.filter(username__startswith="load-").values_list("username", "pk")
        )
        self.members = [pk for name, pk in people.items() if "subgroup_member" in name]
        self.reviewers = [pk for name, pk in people.items() if "independent_reviewer" in name]
        self.leads = [pk for name, pk in people.items() if name.startswith("load-lead-")]
        SubGroupMembership.objects.bulk_create(
            SubGroupMembership(subgroup=group, user_id=member)
            for i, member in enumerate(self.members)
            for group in list(self.subgroups.values())[i % 6 : i % 6 + 2]
        )
        for i, group in enumerate(self.subgroups.values()):
            group.chair_id = self.members[i]
            group.save(update_fields=["chair"])
        StrategicPriority.objects.bulk_create(
            StrategicPriority(title=f"{PREFIX} priority {i}", start_year=2016 + i)
            for i in range(10)
        )
        self.priorities = list(
            StrategicPriority.objects.filter(title__startswith=PREFIX).values_list("pk", flat=True)
        )
        del rnd

    # Steps -------------------------------------------------------------------------------------

    def reviews(self):
        rnd = self.random
        kinds = Review.Kind.values
        stages = Review.Stage.values
        groups = [self.subgroups[c].pk for c in ("li", "crp", "cdop")]
        total = self.counts["reviews"]
        for start, end in _chunks(total):
            batch = []
            for i in range(start, end):
                referred = self.day()
                kind = kinds[i % len(kinds)]
                decided = referred + datetime.timedelta(days=rnd.randint(5, 40))
                stage = self.pick(stages)
                batch.append(
                    Review(
                        uuid=uuid.uuid4(),
                        reference=f"{PREFIX}-{kind.upper()}-{i:06d}",
                        kind=kind,
                        regime="wt2015" if referred.year < 2019 else "wt2018",
                        title=f"Synthetic review {i}",
                        pseudonym=f"Child {chr(65 + i % 26)}",
                        subgroup_id=groups[i % 3],
                        is_restricted=i % 10 == 0,
                        stage=stage,
                        referred_on=referred,
                        decided_on=decided if stage not in ("referral", "decision") else None,
                        completed_on=decided + datetime.timedelta(days=150)
                        if stage in ("published", "monitoring", "closed")
                        else None,
                        published_on=decided + datetime.timedelta(days=180)
                        if stage in ("published", "monitoring", "closed")
                        else None,
                        lead_reviewer_id=self.pick(self.reviewers) if i % 3 == 0 else None,
                    )
                )
            _copy(Review, batch)
        ids = list(
            Review.objects.filter(reference__startswith=PREFIX).values_list(
                "pk", "kind", "referred_on", "is_restricted"
            )
        )
        self.review_ids = [row[0] for row in ids]
        clocks, panel = [], []
        for pk, kind, referred, restricted in ids:
            if kind in ("scr", "rapid_review", "lcspr"):
                due = referred + datetime.timedelta(days=rnd.choice([21, 30, 180]))
                clocks.append(
                    ReviewClock(
                        review_id=pk,
                        kind={
                            "scr": "scr_completion",
                            "rapid_review": "rapid_review",
                            "lcspr": "lcspr_publication",
                        }[kind],
                        regime="wt2015" if referred.year < 2019 else "wt2018",
                        started_on=referred,
                        due_on=due,
                        amber_on=due - datetime.timedelta(days=5),
                        met_on=due - datetime.timedelta(days=2)
                        if referred < self.today - datetime.timedelta(days=400)
                        else None,
                    )
                )
            if restricted:
                panel.append(
                    Review.panel_members.through(review_id=pk, user_id=self.pick(self.members))
                )
        _copy(ReviewClock, clocks)
        Review.panel_members.through.objects.bulk_create(panel, batch_size=5000)
        return total + len(clocks)

    def audits(self):
        kinds = Audit.Kind.values
        qap = self.subgroups["qap"].pk
        total = self.counts["audits"]
        batch = []
        for i in range(total):
            start = self.day()
            batch.append(
                Audit(
                    reference=f"{PREFIX}-AUD-{i:06d}",
                    kind=kinds[i % len(kinds)],
                    title=f"Synthetic audit {i}",
                    lead_subgroup_id=qap,
                    reports_to_id=qap,
                    scope="Synthetic scope.",
                    period_start=start,
                    period_end=start + datetime.timedelta(days=90),
                    stage=self.pick(Audit.Stage.values),
                )
            )
        _copy(Audit, batch)
        self.audit_ids = list(
            Audit.objects.filter(reference__startswith=PREFIX).values_list("pk", flat=True)
        )
        return total

    def themes(self):
        rnd = self.random
        li = self.subgroups["li"].pk
        _copy(
            PriorityTheme,
            [
                PriorityTheme(
                    uuid=uuid.uuid4(),
                    title=f"{PREFIX} theme {i}",
                    subgroup_id=li,
                    status=self.pick(PriorityTheme.Status.values),
                )
                for i in range(self.counts["themes"])
            ],
        )
        self.theme_ids = list(
            PriorityTheme.objects.filter(title__startswith=PREFIX).values_list("pk", flat=True)
        )
        PriorityTheme.priorities.through.objects.bulk_create(
            [
                PriorityTheme.priorities.through(
                    prioritytheme_id=theme, strategicpriority_id=self.pick(self.priorities)
                )
                for theme in self.theme_ids
            ],
            batch_size=5000,
        )
        outcomes = []
        for i in range(self.counts["outcomes"]):
            decided = self.day()
            agreed = i % 4 != 0
            outcomes.append(
                LearningOutcome(
                    uuid=uuid.uuid4(),
                    theme_id=self.theme_ids[i % len(self.theme_ids)],
                    title=f"{PREFIX} outcome {i}",
                    schedule="Synthetic schedule.",
                    impact_measure="Synthetic measure.",
                    decision="agreed" if agreed else "pending",
                    decided_on=decided if agreed else None,
                    follow_up_on=decided + datetime.timedelta(days=rnd.randint(90, 400)),
                )
            )
        _copy(LearningOutcome, outcomes)
        self.outcome_ids = list(
            LearningOutcome.objects.filter(title__startswith=PREFIX).values_list("pk", flat=True)
        )
        activities, checks = [], []
        for i, outcome in enumerate(self.outcome_ids):
            for j in range(2):
                planned = self.day()
                delivered = planned if (i + j) % 3 else None
                activities.append(
                    DeliveryActivity(
                        outcome_id=outcome,
                        way=self.pick(DeliveryActivity.Way.values),
                        title=f"Activity {i}.{j}",
                        planned_on=planned,
                        delivered_on=delivered,
                        reach=rnd.randint(10, 400) if delivered else None,
                    )
                )
                checked = self.day() if (i + j) % 2 else None
                checks.append(
                    PracticeCheck(
                        outcome_id=outcome,
                        way=self.pick(PracticeCheck.Way.values),
                        agency_id=self.pick(self.agencies),
                        checked_on=checked,
                        result=self.pick(["improved", "partly", "no_change"])
                        if checked
                        else "pending",
                    )
                )
        _copy(DeliveryActivity, activities)
        _copy(PracticeCheck, checks)
        return len(self.theme_ids) + len(self.outcome_ids) + len(activities) + len(checks)

    def findings(self):
        total = self.counts["findings"]
        li = self.subgroups["li"].pk
        through = Finding.agencies.through
        made = 0
        for start, end in _chunks(total):
            batch = []
            for i in range(start, end):
                from_review = i % 5 != 0
                batch.append(
                    Finding(
                        uuid=uuid.uuid4(),
                        title=f"Synthetic finding {i}",
                        detail="Synthetic detail.",
                        source="learning_review" if from_review else "qa",
                        nature="strength" if i % 7 == 0 else "improvement",
                        review_id=self.pick(self.review_ids) if from_review else None,
                        audit_id=None if from_review else self.pick(self.audit_ids),
                        theme_id=self.pick(self.theme_ids) if i % 5 < 3 else None,
                        subgroup_id=li,
                        identified_on=self.day(),
                    )
                )
            _copy(Finding, batch)
            made += len(batch)
        last = Finding.objects.order_by("-pk").values_list("pk", flat=True)[:total]
        links = [through(finding_id=pk, agency_id=self.pick(self.agencies)) for pk in last]
        _copy(through, links)
        return made + len(links)

    def actions(self):
        rnd = self.random
        total = self.counts["actions"]
        li = self.subgroups["li"].pk
        numbers = {}
        made = 0
        # An outcome's plan as a chair reads it (``Action.plan_label``): its place in the year.
        outcome_labels = {
            pk: f"LO-{self.today.year}-{n}" for n, pk in enumerate(self.outcome_ids, start=1)
        }
        for start, end in _chunks(total):
            batch = []
            for i in range(start, end):
                source = i % 10
                if source < 7:
                    source_id, plan, fk = self.pick(self.review_ids), "review", "review_id"
                elif source < 9:
                    source_id, plan, fk = self.pick(self.audit_ids), "audit", "audit_id"
                else:
                    source_id, plan, fk = self.pick(self.outcome_ids), "outcome", "outcome_id"
                key = f"{plan}:{source_id}"
                numbers[key] = numbers.get(key, 0) + 1
                due = self.today + datetime.timedelta(days=rnd.randint(-3 * 365, 180))
                status = self.pick(
                    ["open", "in_progress", "complete", "signed_off", "open", "in_progress"]
                )
                done = status in ("complete", "signed_off")
                completed = (
                    min(due + datetime.timedelta(days=rnd.randint(-30, 20)), self.today)
                    if done
                    else None
                )
                batch.append(
                    Action(
                        uuid=uuid.uuid4(),
                        plan=key,
                        number=numbers[key],
                        plan_label=outcome_labels.get(source_id, "") if plan == "outcome" else "",
                        title=f"Synthetic action {i}",
                        owner_agency_id=self.pick(self.agencies),
                        subgroup_id=li,
                        due_on=due,
                        status=status,
                        at_risk=i % 13 == 0,
                        completed_on=completed,
                        signed_off_by_id=self.members[0] if status == "signed_off" else None,
                        signed_off_on=completed if status == "signed_off" else None,
                        follow_up_on=completed + datetime.timedelta(days=90)
                        if status == "signed_off"
                        else None,
                        **{fk: source_id},
                    )
                )
            _copy(Action, batch)
            made += len(batch)
        return made

    def evidence(self):
        rnd = self.random
        total = self.counts["evidence"]
        made = 0
        for start, end in _chunks(total):
            batch = []
            for i in range(start, end):
                requested = self.day()
                received = (
                    requested + datetime.timedelta(days=rnd.randint(5, 60)) if i % 4 else None
                )
                judgement = (
                    self.pick(["assured", "partly", "not_assured", "pending"])
                    if received
                    else "pending"
                )
                batch.append(
                    AssuranceEvidence(
                        uuid=uuid.uuid4(),
                        outcome_id=self.pick(self.outcome_ids),
                        way=self.pick(AssuranceEvidence.Way.values),
                        agency_id=self.pick(self.agencies),
                        title=f"Synthetic evidence {i}",
                        requested_on=requested,
                        due_on=requested + datetime.timedelta(days=30),
                        received_on=received,
                        judgement=judgement,
                        judged_by_id=self.members[1] if judgement != "pending" else None,
                        judged_on=received if judgement != "pending" else None,
                    )
                )
            _copy(AssuranceEvidence, batch)
            made += len(batch)
        return made

    def reminders(self):
        total = self.counts["reminders"]
        action_type = ContentType.objects.get_for_model(Action).pk
        action_ids = list(
            Action.objects.filter(title__startswith="Synthetic").values_list("pk", flat=True)
        )
        kinds = [Reminder.Kind.ACTION_DUE_SOON, Reminder.Kind.ACTION_OVERDUE]
        now = timezone.now()
        made = 0
        for start, end in _chunks(total):
            batch = []
            for i in range(start, end):
                due = self.day(3)
                batch.append(
                    Reminder(
                        key=f"{PREFIX}:{i}",
                        recipient_id=self.leads[i % len(self.leads)],
                        kind=kinds[i % 2],
                        level=i % 3,
                        subject_type_id=action_type,
                        subject_id=action_ids[i % len(action_ids)],
                        title=f"Synthetic action {i % len(action_ids)}",
                        url="/learning/actions/",
                        due_on=due,
                        status=Reminder.Status.SENT,
                        planned_at=now,
                        sent_at=now,
                    )
                )
            _copy(Reminder, batch)
            made += len(batch)
        return made

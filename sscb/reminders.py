"""Reminders: planned from what is due, claimed before sending, sent once as a digest per person.

Each app registers a *source* (``@reminder_source``): a function ``(today, policy)`` that yields
``Candidate`` rows for everything that needs a reminder today — "due on or before today and not
yet sent", never "due today", so a day without a sweep loses nothing. A sweep then:

1. plans: inserts the candidates not planned before, already claimed under this sweep's token
   (INSERT ... ON CONFLICT DO NOTHING on the unique ``key``: idempotent, and two sweeps at once
   never both insert a key), and cancels pending reminders whose item changed or was completed
   (not a catch-up for an earlier day: it leaves them, unclaimed, to the next sweep for today);
2. claims: a conditional UPDATE takes over rows left pending by a failed send or a dead sweep;
3. sends one digest email per person with everything claimed for them, and marks the rows sent.

Someone with no account (a practitioner on a training register, their manager) is reminded at
an email address instead (``Candidate.email``), one digest per address in the same way. An item
whose link carries a secret (a one-use questionnaire link, kept only as a hash) registers a
``reminder_link`` for its kind: the link is made as the email is sent, never stored in the row,
and is kept only if the email goes (a send that fails rolls it back).

What is newly asked of someone (an action given to them, evidence or a paper asked of them, a
return opened for their agency) is told in their next digest, once, before any reminder falls
due: its source plans a reminder of a kind registered with ``reminder_asked``, dated the day it
was asked (``asked_of`` reads it from the item's history), so its key is the same on every
sweep and a new owner gets a new one.
"""

import datetime
import hashlib
import logging
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMultiAlternatives
from django.db import connection, transaction
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.utils import timezone
from psycopg2.extras import execute_values

from .models import Reminder, ReminderSweep, User

logger = logging.getLogger(__name__)

BATCH = 5000
# A digest lists at most this many items; the rest are on the person's reminders page.
DIGEST_LIMIT = 100
# A claim older than this belongs to a sweep that died: release it for the next one.
STALE_CLAIM = datetime.timedelta(hours=1)
# What was asked of someone on the sweep's day or this many days before is told to them (once:
# its key): a week of days without a sweep loses nothing, and the first sweep after this notice
# was added, or ever, tells only the last week's, not every open item. Older news is left to
# the due-soon reminder.
ASKED_WITHIN = datetime.timedelta(days=7)


@dataclass(frozen=True)
class Policy:
    """When reminders start and escalate (from settings), and what the last sweep covered.

    ``since`` is the day of the last completed sweep before today and ``changed_since`` the
    moment it started. A source then only needs the items whose reminders fall due in
    ``(since, today]`` and the items changed since that sweep: a daily sweep reads a day's worth
    of rows, and a missed day widens the window instead of losing anything. With no earlier
    sweep, everything due is read.
    """

    due_soon_days: int
    chair_after_days: int
    business_unit_after_days: int
    since: datetime.date | None = None
    changed_since: datetime.datetime | None = None

    @classmethod
    def from_settings(cls, since=None, changed_since=None):
        return cls(
            due_soon_days=settings.REMINDER_DUE_SOON_DAYS,
            chair_after_days=settings.REMINDER_ESCALATE_TO_CHAIR_DAYS,
            business_unit_after_days=settings.REMINDER_ESCALATE_TO_BUSINESS_UNIT_DAYS,
            since=since,
            changed_since=changed_since,
        )

    @property
    def overdue_offsets(self) -> list[int]:
        """Days after the due date on which an overdue item is reminded, level by level."""
        return [1, self.chair_after_days, self.business_unit_after_days]

    def falls_due(self, field: str, offsets: Iterable[int], today: datetime.date) -> Q:
        """Rows for which ``field + offset`` is in ``(since, today]`` for some offset."""
        if self.since is None:
            return Q()
        window = Q(pk__in=[])
        for offset in offsets:
            shift = datetime.timedelta(days=offset)
            window |= Q(**{f"{field}__gt": self.since - shift, f"{field}__lte": today - shift})
        return window

    def changed(self, field: str = "updated_at") -> Q:
        """Rows changed since the last sweep started (new owner, new date, new item)."""
        if self.since is None or self.changed_since is None:
            return Q()
        return Q(**{f"{field}__gte": self.changed_since})

    def asked(self, today: datetime.date, field: str = "updated_at") -> Q:
        """Items that may have been newly asked of someone (``asked_of`` says when): changed
        on ``today`` or in the ``ASKED_WITHIN`` before. Not only since the last sweep: a sweep
        for an earlier day (``--date``) leaves what was asked after that day for the next,
        which must still find it."""
        first_day = today - ASKED_WITHIN
        start = timezone.make_aware(datetime.datetime.combine(first_day, datetime.time.min))
        return Q(**{f"{field}__gte": start})

    def window(self, today, *due: tuple[str, Iterable[int]], changed="updated_at") -> Q:
        """What a source must read today: items falling due in the window, or changed."""
        if self.since is None:
            return Q()
        query = self.changed(changed)
        for field, offsets in due:
            query |= self.falls_due(field, offsets, today)
        return query

    def levels(self, days_overdue: int) -> list[int]:
        """Escalation levels reached by an item this many days overdue."""
        levels = [Reminder.Level.OWNER]
        if days_overdue >= self.chair_after_days:
            levels.append(Reminder.Level.CHAIR)
        if days_overdue >= self.business_unit_after_days:
            levels.append(Reminder.Level.BUSINESS_UNIT)
        return levels


@dataclass(frozen=True)
class Candidate:
    kind: str
    subject_type_id: int
    subject_id: int
    recipient_id: int | None
    due_on: datetime.date
    title: str
    url: str
    level: int = Reminder.Level.OWNER
    email: str = ""  # for someone with no account: recipient_id is None
    # The day the item came back to be done again (an action sent back or reopened): its
    # reminders are new keys, so it is chased again from its first level. None: its first round.
    round_on: datetime.date | None = None

    @property
    def key(self) -> str:
        to = self.recipient_id
        if to is None:
            # An address, hashed: the key is short, and the same address is the same person.
            to = "e" + hashlib.sha256(self.email.strip().lower().encode()).hexdigest()[:24]
        # A first round keeps the key it always had: what was sent is not sent again.
        again = f":r{self.round_on.isoformat()}" if self.round_on else ""
        return (
            f"{self.kind}:{self.subject_type_id}:{self.subject_id}:{self.due_on.isoformat()}"
            f":{self.level}:{to}{again}"
        )


_sources: list[Callable[[datetime.date, Policy], Iterable[Candidate]]] = []


def reminder_source(func):
    """Register ``func(today, policy) -> Iterable[Candidate]`` with the sweep."""
    if func not in _sources:
        _sources.append(func)
    return func


_links: dict[str, Callable[[Reminder], str]] = {}


def reminder_link(kind: str):
    """Register ``func(reminder) -> path``: the link an emailed reminder of ``kind`` carries,
    made as it is sent (a one-use link whose secret may not be stored in the reminder row)."""

    def register(func):
        _links[kind] = func
        return func

    return register


_masks: dict[str, Callable[[User, list[int]], dict[int, str]]] = {}


def reminder_mask(*kinds: str):
    """Register ``func(user, subject_ids) -> {subject_id: title}`` for reminders of ``kinds``:
    the items ``user`` may not open (by that record's own ``*_visible_to`` rule), each with the
    words its reminder says instead. Every reminder is read through it where it meets its
    reader, in the email as it is sent and on the reminders page as it is shown
    (``reminders_as_seen_by``), so neither names a record to someone who may not open it now,
    whoever the reminder was planned for and however long ago."""

    def register(func):
        for kind in kinds:
            _masks[kind] = func
        return func

    return register


_headings: dict[str, Callable[[User | None], str]] = {}


def reminder_heading(kind: str):
    """Register ``func(reader) -> str``: what reminders of ``kind`` are listed under for this
    reader, where the kind's own name would not fit everyone it reaches."""

    def register(func):
        _headings[kind] = func
        return func

    return register


_dated: dict[str, str] = {}


def reminder_dated(kind: str, word: str):
    """Reminders of ``kind`` carry a date that is not a due date: show it after ``word``
    ("circulated") instead of "due"."""
    _dated[kind] = word


_skips: list[Callable[[datetime.date], str]] = []


def reminder_catch_up_skip(func):
    """Register ``func(day) -> str``: for a sweep run for an earlier day (a catch-up), what it
    left unsent because it closed since (a follow-up whose link would have expired), in words
    for its summary; "" for nothing."""
    if func not in _skips:
        _skips.append(func)
    return func


def catch_up_skipped(day: datetime.date) -> list[str]:
    """What a catch-up sweep for ``day`` left unsent, one line per kind that left any."""
    return [line for line in (func(day) for func in _skips) if line]


_asked: set[str] = set()
# What a newly asked item is listed under: to the person asked, and to whoever it went on to
# because that person cannot be told (the line says why).
ASKED_OF_YOU = "Newly asked of you"
ASKED_PASSED_ON = "Newly asked, passed on to you"
_ASKED_HEADINGS = (ASKED_OF_YOU, ASKED_PASSED_ON)


def reminder_asked(*kinds: str) -> None:
    """Reminders of ``kinds`` tell someone what was newly asked of them: listed first in their
    digest, under ``ASKED_OF_YOU``, counted as new in its opening line, and dated the day it was
    asked."""
    for kind in kinds:
        _asked.add(kind)
        reminder_dated(kind, "asked")


def reminders_as_seen_by(reader, reminders) -> list[Reminder]:
    """``reminders`` to ``reader`` as they may read them now: an item they may not open (each
    kind's ``reminder_mask``) is named as its rule says and carries no link. Changes nothing
    stored, so access granted later shows the item again. One query per kind of item on the
    list (a fixed number), whatever its length."""
    reminders = list(reminders)
    hidden = {}
    if reader is not None and not (reader.is_active and reader.is_business_unit):
        subjects = defaultdict(set)
        for reminder in reminders:
            if reminder.kind in _masks:
                subjects[_masks[reminder.kind]].add(reminder.subject_id)
        for rule, ids in subjects.items():
            hidden[rule] = rule(reader, sorted(ids))
    for reminder in reminders:
        rule = _masks.get(reminder.kind)
        masked = hidden[rule].get(reminder.subject_id) if rule in hidden else None
        if masked is not None:
            reminder.title, reminder.url = masked[:300], ""
        _word(reminder, reader)
    return reminders


def reminders_worded(reminders) -> list[Reminder]:
    """``reminders`` (their recipients loaded) with the heading and date word each gives its
    recipient, for an item's page, read by someone who may open the item."""
    reminders = list(reminders)
    for reminder in reminders:
        _word(reminder, reminder.recipient, to_reader=False)
    return reminders


def _word(reminder, recipient, to_reader=True) -> None:
    heading = _headings.get(reminder.kind)
    if reminder.kind in _asked and to_reader:
        owner = reminder.level == Reminder.Level.OWNER
        reminder.heading = ASKED_OF_YOU if owner else ASKED_PASSED_ON
    else:
        # On an item's page, beside whom it went to, a newly asked item reads as its kind.
        reminder.heading = heading(recipient) if heading else reminder.get_kind_display()
    reminder.dated = _dated.get(reminder.kind, "due")


def content_type_id(model) -> int:
    return ContentType.objects.get_for_model(model).pk


def business_unit_ids() -> list[int]:
    return list(
        User.objects.filter(is_active=True, role=User.Role.BUSINESS_UNIT).values_list(
            "pk", flat=True
        )
    )


def agency_lead_ids() -> dict[int, list[int]]:
    """Active partner agency leads of agencies not archived, by agency id."""
    leads = defaultdict(list)
    for pk, agency_id in User.objects.filter(
        is_active=True, role=User.Role.AGENCY_LEAD, agency__is_active=True
    ).values_list("pk", "agency_id"):
        leads[agency_id].append(pk)
    return leads


# Why a reminder did not go to the person it was for, said in the title of the one that did.
INACTIVE = "{} has an inactive account"
NO_ADDRESS = "{} has no email address"
MAY_NOT_OPEN = "{} may not open it"


def closed_to(people: Iterable[int | None], records, visible_to) -> dict[int, set[int]]:
    """For each of ``people`` (chairs, presenters: a handful), which of ``records`` (a queryset)
    they may not open by the records' own rule ``visible_to(user)``, where any: a reminder goes
    only to someone its link opens for. One query a person; the Business Unit opens everything."""
    closed = {}
    for person in User.objects.filter(pk__in={pk for pk in people if pk}, is_active=True):
        if person.is_business_unit:
            continue
        hidden = set(
            records.exclude(pk__in=visible_to(person).values("pk")).values_list("pk", flat=True)
        )
        if hidden:
            closed[person.pk] = hidden
    return closed


def closed_for(closed: dict[int, set[int]], pk) -> set[int]:
    """Of the people in ``closed`` (``closed_to``), those who may not open the record ``pk``."""
    return {person for person, pks in closed.items() if pk in pks}


@dataclass(frozen=True)
class Reach:
    """Whom a sweep's reminders can reach, read once per source: the Business Unit, and why
    anyone else cannot be emailed (an account that is inactive or has no email address).

    A reminder goes only to someone it can reach and whose link opens for them: otherwise it
    goes on (``escalate``), and says why, rather than being recorded for nobody to read.
    """

    business_unit: tuple[int, ...]
    unreachable: dict[int, str]

    @classmethod
    def load(cls) -> "Reach":
        unreachable = {
            pk: NO_ADDRESS if is_active else INACTIVE
            for pk, is_active in User.objects.filter(Q(is_active=False) | Q(email="")).values_list(
                "pk", "is_active"
            )
        }
        return cls(tuple(business_unit_ids()), unreachable)

    def reachable(self, people: Iterable[int | None], closed=()) -> list[int]:
        return [pk for pk in people if pk and pk not in self.unreachable and pk not in closed]

    def why_not(self, who: str, people: list[int], closed=()) -> str:
        """Why none of ``people`` (``who``: "its owner") is sent it, in a few words."""
        if len(people) > 1:
            return f"none of {who}s can be emailed"
        [pk] = people
        return (MAY_NOT_OPEN if pk in closed else self.unreachable.get(pk, INACTIVE)).format(who)

    def chair_or_business_unit(
        self, chair_id: int | None, closed=(), after: str = ""
    ) -> tuple[list[int], str]:
        """Who takes what goes to a chair, and why: the chair, or, with no chair or one who
        cannot be emailed or may not open the item, the Business Unit (escalations to chairs
        are always sent, so never to nobody). ``after`` says why it came to the chair at all."""
        chair = self.chair_missed(chair_id, closed)
        if not chair:
            return [chair_id], f" ({after}: sent to the chair instead)" if after else ""
        reasons = f"{after}, and {chair}" if after else chair
        return list(self.business_unit), f" ({reasons}: sent to the Business Unit instead)"

    def chair_missed(self, chair_id: int | None, closed=()) -> str:
        """Why what goes to a chair cannot go to this one ("no chair", "its chair may not open
        it"), in a few words; "" when it can."""
        if self.reachable([chair_id], closed):
            return ""
        return self.why_not("its chair", [chair_id], closed) if chair_id else "no chair"


@dataclass(frozen=True)
class Asked:
    """The day an item was asked of whoever holds it now, and who asked (None: no one signed
    in, such as a script)."""

    on: datetime.date
    by: int | None


def _as_is(*values):
    return values


def asked_of(items, fields: tuple[str, ...], today: datetime.date, holder=_as_is) -> dict:
    """Of ``items`` (a queryset, normally filtered by ``Policy.asked``), those asked of their
    holder on ``today`` or in the ``ASKED_WITHIN`` before: {pk: ``Asked``}.

    ``holder(*fields)`` says whom an item is asked of (an owner; with none, an agency). The day
    it was asked is that of the first version in the item's history since its holder last
    changed, so any other edit keeps the day, and a new holder, even a returning one, gets a
    new day. An item with no history (loaded in bulk), or whose holder changed behind the
    services' back (a bulk update, which writes none), has no known day and is left out.
    """
    runs = {}  # pk -> (holder, when, by) of its latest run of versions with one holder
    versions = (
        items.model.history.filter(id__in=items.values("pk"))
        .order_by("id", "history_date", "history_id")
        .values_list("id", "history_date", "history_user_id", *fields)
    )
    for pk, when, by, *values in versions.iterator(chunk_size=2000):
        held = holder(*values)
        if pk not in runs or runs[pk][0] != held:
            runs[pk] = (held, when, by)
    # Asked on or before the sweep's day (not what a sweep for an earlier day has yet to see).
    first_day = today - ASKED_WITHIN
    runs = {
        pk: (held, on, by)
        for pk, (held, when, by) in runs.items()
        if first_day <= (on := timezone.localdate(when)) <= today
    }
    if not runs:
        return {}
    return {
        pk: Asked(runs[pk][1], runs[pk][2])
        for pk, *values in items.filter(pk__in=list(runs)).values_list("pk", *fields)
        if holder(*values) == runs[pk][0]
    }


def told_of(asked: Asked, reached: Iterable[tuple[int, int, str]]) -> Iterator[tuple]:
    """``escalate``'s (level, recipient, why) for a newly asked item, but for whoever asked it
    of themself: they know. Someone it was passed on to is told even if they asked it: the line
    says that whoever they asked cannot be told."""
    return (
        (level, to, why)
        for level, to, why in reached
        if not (to == asked.by and level == Reminder.Level.OWNER)
    )


# What the owner's step does when an item has no owner at all (``escalate``'s ``unowned``).
ESCALATE = "escalate"  # on to the chair (an escalation, always sent), then the Business Unit
CHAIR_OWNS = "chair"  # the chair is its owner (a review with no panel), else the Business Unit
BUSINESS_UNIT_OWNS = "business_unit"  # the Business Unit does it (a school with no lead)


def escalate(
    *,
    owners: Iterable[int],
    chair_id: int | None,
    levels: Iterable[int],
    reach: Reach,
    who: str = "its owner",
    missing: str = "no owner",
    unowned: str = ESCALATE,
    closed: Iterable[int] = (),
) -> Iterator[tuple[int, int, str]]:
    """(level, recipient, why) triples: owners first, then the chair, then the Business Unit.

    Owners who cannot be emailed (inactive, no address) or may not open the item (``closed``)
    are passed over. With none left, the owner's step goes on to the chair as an escalation,
    then to the Business Unit, ``why`` saying so (append it to the title): ``who`` names the
    owners passed over, ``missing`` says what is missing when there were none (unless the
    item's ``unowned`` rule gives it to its chair or the Business Unit as its owner). An
    escalation to a chair who is missing, cannot be emailed or may not open the item goes to
    the Business Unit, saying why. Each person is reminded once per item, at the highest level
    that reaches them: the Business Unit owning a cascade and taking its chair's escalation
    gets one line, not two; its line at its own level still says why the owner's and the
    chair's steps came to it ("no owner named, ..., and no chair").
    """
    owners, closed = list(owners), set(closed)
    reached: dict[int, tuple[int, str]] = {}
    # Why the owner's step reached no owner, and why a step for the chair reached the Business
    # Unit instead: the Business Unit's own line says both, as the lines it replaces did.
    gap = chair_gap = ""
    for level in levels:
        why = ""
        if level == Reminder.Level.OWNER:
            recipients = reach.reachable(owners, closed)
            if not owners and unowned == CHAIR_OWNS:
                recipients, why = reach.chair_or_business_unit(chair_id, closed)
                chair_gap = reach.chair_missed(chair_id, closed)
            elif not owners and unowned == BUSINESS_UNIT_OWNS:
                recipients = list(reach.business_unit)
            elif not recipients:
                level = Reminder.Level.CHAIR
                gap = reach.why_not(who, owners, closed) if owners else missing
                recipients, why = reach.chair_or_business_unit(chair_id, closed, gap)
                chair_gap = reach.chair_missed(chair_id, closed)
        elif level == Reminder.Level.CHAIR:
            recipients, why = reach.chair_or_business_unit(chair_id, closed)
            chair_gap = reach.chair_missed(chair_id, closed)
        else:
            reasons = ", and ".join(reason for reason in (gap, chair_gap) if reason)
            recipients, why = reach.business_unit, f" ({reasons})" if reasons else ""
        for recipient in recipients:
            # The first reason at a level stays: it says most (the owner's, then the chair's).
            if recipient not in reached or reached[recipient][0] < level:
                reached[recipient] = (level, why)
    for recipient, (level, why) in reached.items():
        yield level, recipient, why


# The sweep ---------------------------------------------------------------------------------------


def _candidates(today, policy) -> Iterator[Candidate]:
    for source in _sources:
        yield from source(today, policy)


_INSERT_COLUMNS = (
    "key",
    "kind",
    "level",
    "recipient_id",
    "email",
    "subject_type_id",
    "subject_id",
    "title",
    "url",
    "due_on",
    "status",
    "claim_token",
    "claimed_at",
    "planned_at",
)


def _insert_claimed(batch: list[Candidate], token: str, now) -> int:
    """Insert the batch's reminders already claimed by this sweep; skip keys that exist.

    One INSERT ... ON CONFLICT DO NOTHING per batch: a key planned by an earlier (or a
    concurrent) sweep is never inserted twice, and what this sweep inserts only it can send.
    """
    claimed = Reminder.Status.CLAIMED.value
    if connection.vendor == "postgresql":
        # Plain tuples straight to the driver: at a million rows, model instances cost minutes.
        values = [
            (
                c.key,
                c.kind,
                c.level,
                c.recipient_id,
                c.email,
                c.subject_type_id,
                c.subject_id,
                c.title[:300],
                c.url,
                c.due_on,
                claimed,
                token,
                now,
                now,
            )
            for c in batch
        ]
        # The table and column names are constants of this module, never input.
        sql = (
            f"INSERT INTO {Reminder._meta.db_table} ({', '.join(_INSERT_COLUMNS)}) "  # noqa: S608
            "VALUES %s ON CONFLICT (key) DO NOTHING"
        )
        with connection.cursor() as cursor:
            execute_values(cursor.cursor, sql, values, page_size=len(values))
            return cursor.cursor.rowcount
    rows = [
        Reminder(
            key=c.key,
            kind=c.kind,
            level=c.level,
            recipient_id=c.recipient_id,
            email=c.email,
            subject_type_id=c.subject_type_id,
            subject_id=c.subject_id,
            title=c.title[:300],
            url=c.url,
            due_on=c.due_on,
            status=claimed,
            claim_token=token,
            claimed_at=now,
            planned_at=now,
        )
        for c in batch
    ]
    before = Reminder.objects.filter(claim_token=token).count()
    Reminder.objects.bulk_create(rows, ignore_conflicts=True)
    return Reminder.objects.filter(claim_token=token).count() - before


def reminders_plan(*, today: datetime.date, token: str, policy: Policy | None = None) -> dict:
    """Insert what is newly due (claimed by ``token``) and cancel pending rows that went stale.

    Streams the candidates in batches, holding in memory only one batch and the keys of the
    reminders still pending from an earlier sweep (normally none). A sweep for a day before one
    already swept cancels nothing: it returns the pending rows it did not plan as ``left``.
    """
    policy = policy or Policy.from_settings()
    now = timezone.now()
    pending = dict(Reminder.objects.filter(status=Reminder.Status.PENDING).values_list("key", "pk"))
    batch, seen_in_batch = [], set()
    planned = 0
    for candidate in _candidates(today, policy):
        key = candidate.key
        if key in pending:
            del pending[key]  # still wanted: the claim step will pick it up
            continue
        if key in seen_in_batch:
            continue
        seen_in_batch.add(key)
        batch.append(candidate)
        if len(batch) >= BATCH:
            planned += _insert_claimed(batch, token, now)
            batch, seen_in_batch = [], set()
    if batch:
        planned += _insert_claimed(batch, token, now)
    if ReminderSweep.objects.filter(day__gt=today).exists():
        # A sweep for an earlier day (a catch-up) after one for a later day: what is left
        # pending may have fallen due after its day (an overdue reminder planned the day after
        # the due date), so it cannot tell a reminder that went stale from one it could not yet
        # plan. It cancels none and leaves them to the next sweep for today (``reminders_claim``'s
        # ``leave``); cancelled, their keys would never be planned again.
        return {"planned": planned, "cancelled": 0, "left": list(pending.values())}
    # What is left pending belongs to an item that changed (owner, date) or was completed.
    cancelled = Reminder.objects.filter(
        pk__in=list(pending.values()), status=Reminder.Status.PENDING
    ).update(status=Reminder.Status.CANCELLED)
    return {"planned": planned, "cancelled": cancelled, "left": []}


def reminders_cancel_for(subject) -> int:
    """Cancel what is still pending about an item that was completed or changed."""
    return Reminder.objects.filter(
        subject_type=ContentType.objects.get_for_model(subject),
        subject_id=subject.pk,
        status=Reminder.Status.PENDING,
    ).update(status=Reminder.Status.CANCELLED)


def reminders_claim(*, token: str, leave: Iterable[int] = ()) -> int:
    """Claim the reminders left pending (a failed send, a sweep that died) for this sweep, but
    those it ``leave``s (``reminders_plan``'s "left": a catch-up's, for a later sweep)."""
    now = timezone.now()
    Reminder.objects.filter(
        status=Reminder.Status.CLAIMED, claimed_at__lt=now - STALE_CLAIM
    ).update(status=Reminder.Status.PENDING, claim_token="")
    return (
        Reminder.objects.filter(status=Reminder.Status.PENDING)
        .exclude(pk__in=list(leave))
        .update(status=Reminder.Status.CLAIMED, claim_token=token, claimed_at=now)
    )


def _with_links(items):
    """Each item with the link its email carries (made now where its kind makes one)."""
    for item in items:
        if item.kind in _links:
            item.url = _links[item.kind](item)
    return items


def _digest(recipient, items, count, escalated, address="", asked=0) -> EmailMultiAlternatives:
    by_heading = defaultdict(list)
    for item in items:
        by_heading[item.heading].append(item)
    context = {
        "recipient": recipient,
        # What is newly asked first, then the rest by heading.
        "groups": sorted(
            by_heading.items(), key=lambda group: (group[0] not in _ASKED_HEADINGS, group[0])
        ),
        "count": count,
        "more": count - len(items),
        "site_url": settings.SITE_URL,
        "board_name": settings.BOARD_NAME,
        "escalated": escalated,
        "asked": asked,
    }
    template = "sscb/email/digest_address" if address else "sscb/email/digest"
    if asked == count:
        subject = f"{settings.BOARD_NAME}: {count} new item{'' if count == 1 else 's'} asked of you"
    else:
        subject = (
            f"{settings.BOARD_NAME}: {count} item{'' if count == 1 else 's'} "
            f"need{'s' if count == 1 else ''} your attention"
        )
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"{template}.txt", context),
        to=[address or recipient.email],
    )
    message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    return message


def _send_claimed(to_send, now, *, reader=None, address="", email_connection=None) -> int:
    """Send one digest of the claimed rows ``to_send`` to ``reader`` (or, for someone with no
    account, to ``address``), each row as they may read it (``reminders_as_seen_by``), and mark
    them sent. Returns how many were sent.

    On failure the rows are released for the next try (a retry of this sweep, or the next
    sweep), and the error is raised again for the sweep to report.
    """
    summary = to_send.aggregate(
        count=Count("pk"),
        escalated=Count("pk", filter=Q(level__gt=Reminder.Level.OWNER)),
        # Newly asked of the reader themself: one passed on to them is counted as escalated.
        asked=Count("pk", filter=Q(kind__in=_asked, level=Reminder.Level.OWNER)),
    )
    if not summary["count"]:
        return 0
    try:
        items = list(to_send.order_by("due_on", "pk")[:DIGEST_LIMIT])
        # A link made for this email (a one-use questionnaire link) is kept only if the email
        # goes: it is made in a savepoint that a failed send rolls back, so nobody is counted as
        # sent what never reached them, and a retry does not leave another link each time.
        made_here = any(item.kind in _links for item in items)
        with transaction.atomic() if made_here else nullcontext():
            items = reminders_as_seen_by(reader, _with_links(items))
            message = _digest(
                reader, items, summary["count"], summary["escalated"], address, summary["asked"]
            )
            message.connection = email_connection
            message.send()
    except Exception:
        logger.exception(
            "Reminder digest to %s failed; kept for the next try",
            f"user {reader.pk}" if reader else "an address without an account",
        )
        to_send.update(status=Reminder.Status.PENDING, claim_token="")
        raise
    return to_send.update(status=Reminder.Status.SENT, sent_at=now)


def _record_quiet(recipient, to_send, now) -> int:
    """Record, without emailing, what ``recipient`` is not to be emailed: everything, if they
    cannot be (sources send nothing new to them, but a reminder may have been planned before
    they left or lost their address); owner-level reminders, if they turned their own reminder
    emails off (escalations to chairs always go). Returns how many."""
    if not (recipient.is_active and recipient.email):
        return to_send.update(status=Reminder.Status.UNREACHABLE, sent_at=now)
    if not recipient.email_reminders:
        return to_send.filter(level=Reminder.Level.OWNER).update(
            status=Reminder.Status.NOT_EMAILED, sent_at=now
        )
    return 0


def reminders_send(*, token: str, email_connection=None) -> dict:
    """Send one digest per person (or address) for the reminders this sweep claimed.

    A digest that fails (the mail server down or refusing) does not stop the others: its
    reminders are released, ``failed`` counts it and ``error`` holds the first failure, for
    the sweep to raise.
    """
    claimed = Reminder.objects.filter(claim_token=token, status=Reminder.Status.CLAIMED)
    result = {"emails": 0, "sent": 0, "not_emailed": 0, "failed": 0, "error": None}
    recipient_ids = claimed.values_list("recipient_id", flat=True).distinct().order_by()
    addresses = claimed.filter(recipient__isnull=True).values_list("email", flat=True).distinct()
    digests = [
        ({"reader": recipient}, claimed.filter(recipient=recipient))
        for recipient in User.objects.filter(pk__in=list(recipient_ids)).order_by("pk")
    ] + [
        ({"address": address}, claimed.filter(recipient__isnull=True, email=address))
        for address in sorted(addresses.order_by())
    ]
    for to, to_send in digests:
        now = timezone.now()
        if "reader" in to:
            result["not_emailed"] += _record_quiet(to["reader"], to_send, now)
        try:
            sent = _send_claimed(to_send, now, email_connection=email_connection, **to)
        except Exception as error:  # noqa: BLE001 - released by _send_claimed; raised later
            result["failed"] += 1
            result["error"] = result["error"] or error
            continue
        result["emails"] += bool(sent)
        result["sent"] += sent
    return result


def reminders_sweep(*, today: datetime.date | None = None, email_connection=None) -> dict:
    """Plan, claim and send: the daily job, and what ``manage.py send_reminders`` runs.

    ``email_connection`` defaults to the configured email backend. A day after today is
    refused: its reminders would be sent as if due, and recorded as sent before their day.
    If a digest could not be sent, its reminders are kept for the next try, the sweep is not
    recorded as finished (the next one reads from the last that finished, so nothing falls out
    of its window), and the first error is raised, for the Celery task to retry.
    """
    now_day = timezone.localdate()
    today = today or now_day
    if today > now_day:
        raise ValueError(
            f"Reminders cannot be swept for {today:%-d %B %Y}: it is after today, "
            f"{now_day:%-d %B %Y}."
        )
    token = uuid.uuid4().hex
    last = (
        ReminderSweep.objects.filter(finished_at__isnull=False, day__lt=today)
        .order_by("-day", "-started_at")
        .first()
    )
    policy = (
        Policy.from_settings(since=last.day, changed_since=last.started_at)
        if last
        else Policy.from_settings()
    )
    sweep = ReminderSweep.objects.create(day=today, token=token)
    with transaction.atomic():
        result = reminders_plan(today=today, token=token, policy=policy)
    left = result.pop("left")
    result["left_pending"] = len(left)
    result["released"] = reminders_claim(token=token, leave=left)
    result |= reminders_send(token=token, email_connection=email_connection)
    error = result.pop("error")
    result["token"] = token
    ReminderSweep.objects.filter(pk=sweep.pk).update(
        finished_at=None if error else timezone.now(),
        planned=result["planned"],
        sent=result["sent"],
    )
    logger.info("Reminder sweep for %s (since %s): %s", today, policy.since, result)
    if error:
        raise error
    return result

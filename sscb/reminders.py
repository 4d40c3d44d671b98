"""Reminders: planned from what is due, claimed before sending, sent once as a digest per person.

Each app registers a *source* (``@reminder_source``): a function ``(today, policy)`` that yields
``Candidate`` rows for everything that needs a reminder today — "due on or before today and not
yet sent", never "due today", so a day without a sweep loses nothing. A sweep then:

1. plans: inserts the candidates not planned before, already claimed under this sweep's token
   (INSERT ... ON CONFLICT DO NOTHING on the unique ``key``: idempotent, and two sweeps at once
   never both insert a key), and cancels pending reminders whose item changed or was completed;
2. claims: a conditional UPDATE takes over rows left pending by a failed send or a dead sweep;
3. sends one digest email per person with everything claimed for them, and marks the rows sent.

Someone with no account (a practitioner on a training register, their manager) is reminded at
an email address instead (``Candidate.email``), one digest per address in the same way. An item
whose link carries a secret (a one-use questionnaire link, kept only as a hash) registers a
``reminder_link`` for its kind: the link is made as the email is sent, never stored in the row.
"""

import datetime
import hashlib
import logging
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
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

    @property
    def key(self) -> str:
        to = self.recipient_id
        if to is None:
            # An address, hashed: the key is short, and the same address is the same person.
            to = "e" + hashlib.sha256(self.email.strip().lower().encode()).hexdigest()[:24]
        return (
            f"{self.kind}:{self.subject_type_id}:{self.subject_id}:{self.due_on.isoformat()}"
            f":{self.level}:{to}"
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
    words its reminder says instead. Every reminder goes through it as it is sent
    (``_mask_for``), so neither an email nor the reminders page names a record to someone who
    may not open it, whoever the reminder was planned for and however long ago."""

    def register(func):
        for kind in kinds:
            _masks[kind] = func
        return func

    return register


def content_type_id(model) -> int:
    return ContentType.objects.get_for_model(model).pk


def business_unit_ids() -> list[int]:
    return list(
        User.objects.filter(is_active=True, role=User.Role.BUSINESS_UNIT).values_list(
            "pk", flat=True
        )
    )


def active_user_ids(ids: Iterable[int | None]) -> set[int]:
    """Of these people, those whose accounts are active (one query; chairs are few)."""
    ids = {pk for pk in ids if pk}
    if not ids:
        return set()
    return set(User.objects.filter(pk__in=ids, is_active=True).values_list("pk", flat=True))


def active_chair_ids() -> set[int]:
    """The people chairing a body whose accounts are active: an inactive chair is no chair."""
    return set(
        User.objects.filter(is_active=True, chaired_subgroups__isnull=False)
        .values_list("pk", flat=True)
        .distinct()
    )


def agency_lead_ids() -> dict[int, list[int]]:
    """Active partner agency leads, by agency id."""
    leads = defaultdict(list)
    for pk, agency_id in User.objects.filter(
        is_active=True, role=User.Role.AGENCY_LEAD
    ).values_list("pk", "agency_id"):
        leads[agency_id].append(pk)
    return leads


NO_CHAIR = " (no chair: sent to the Business Unit instead)"
CHAIR_INACTIVE = " (its chair's account is inactive: sent to the Business Unit instead)"


def chair_or_business_unit(
    chair_id: int | None, active_chairs: set[int], business_unit: Iterable[int]
) -> tuple[list[int], str]:
    """Who takes what goes to a chair, and why: the chair, or, with no chair or an inactive one,
    the Business Unit (escalations to chairs are always sent, so never to nobody)."""
    if chair_id and chair_id in active_chairs:
        return [chair_id], ""
    return list(business_unit), CHAIR_INACTIVE if chair_id else NO_CHAIR


def escalate(
    *,
    owners: Iterable[int],
    chair_id: int | None,
    business_unit: Iterable[int],
    levels: Iterable[int],
    active_chairs: set[int],
) -> Iterator[tuple[int, int, str]]:
    """(level, recipient, why) triples: owners first, then the chair, then the Business Unit.

    An escalation to a chair who is missing or inactive goes to the Business Unit, ``why``
    saying so (append it to the title); otherwise ``why`` is empty. Each person is reminded
    once per item, at the highest level that reaches them: the Business Unit owning a cascade
    and taking its chair's escalation gets one line, not two.
    """
    reached: dict[int, tuple[int, str]] = {}
    for level in levels:
        why = ""
        if level == Reminder.Level.OWNER:
            recipients = owners
        elif level == Reminder.Level.CHAIR:
            recipients, why = chair_or_business_unit(chair_id, active_chairs, business_unit)
        else:
            recipients = business_unit
        for recipient in recipients:
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
    reminders still pending from an earlier sweep (normally none).
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
    # What is left pending belongs to an item that changed (owner, date) or was completed.
    cancelled = Reminder.objects.filter(
        pk__in=list(pending.values()), status=Reminder.Status.PENDING
    ).update(status=Reminder.Status.CANCELLED)
    return {"planned": planned, "cancelled": cancelled}


def reminders_cancel_for(subject) -> int:
    """Cancel what is still pending about an item that was completed or changed."""
    return Reminder.objects.filter(
        subject_type=ContentType.objects.get_for_model(subject),
        subject_id=subject.pk,
        status=Reminder.Status.PENDING,
    ).update(status=Reminder.Status.CANCELLED)


def reminders_claim(*, token: str) -> int:
    """Claim the reminders left pending (a failed send, a sweep that died) for this sweep."""
    now = timezone.now()
    Reminder.objects.filter(
        status=Reminder.Status.CLAIMED, claimed_at__lt=now - STALE_CLAIM
    ).update(status=Reminder.Status.PENDING, claim_token="")
    return Reminder.objects.filter(status=Reminder.Status.PENDING).update(
        status=Reminder.Status.CLAIMED, claim_token=token, claimed_at=now
    )


def _with_links(items):
    """Each item with the link its email carries (made now where its kind makes one)."""
    for item in items:
        if item.kind in _links:
            item.url = _links[item.kind](item)
    return items


def _digest(recipient, items, count, escalated, address="") -> EmailMultiAlternatives:
    by_kind = defaultdict(list)
    for item in items:
        by_kind[item.get_kind_display()].append(item)
    context = {
        "recipient": recipient,
        "groups": sorted(by_kind.items()),
        "count": count,
        "more": count - len(items),
        "site_url": settings.SITE_URL,
        "board_name": settings.BOARD_NAME,
        "escalated": escalated,
    }
    template = "sscb/email/digest_address" if address else "sscb/email/digest"
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


def _send_claimed(to_send, now, make_message, who, email_connection=None) -> int:
    """Send one digest of the claimed rows ``to_send`` and mark them sent; on failure release
    them for the next sweep. Returns how many were sent."""
    summary = to_send.aggregate(
        count=Count("pk"), escalated=Count("pk", filter=Q(level__gt=Reminder.Level.OWNER))
    )
    if not summary["count"]:
        return 0
    try:
        items = _with_links(list(to_send.order_by("due_on", "pk")[:DIGEST_LIMIT]))
        message = make_message(items, summary["count"], summary["escalated"] > 0)
        message.connection = email_connection
        message.send()
    except Exception:  # noqa: BLE001 - release the claim so that the next sweep tries again
        logger.exception("Reminder digest to %s failed; the next sweep retries", who)
        to_send.update(status=Reminder.Status.PENDING, claim_token="")
        return 0
    return to_send.update(status=Reminder.Status.SENT, sent_at=now)


def _mask_for(recipient, reminders) -> int:
    """Retitle the ``reminders`` about items ``recipient`` may not open now, as each item's own
    rule says (``reminder_mask``): the one place a reminder's words meet its reader, before the
    row is emailed or shown on their reminders page. Returns how many were retitled."""
    if recipient.is_active and recipient.is_business_unit:
        return 0  # the Business Unit opens every record
    rows = list(
        reminders.filter(kind__in=list(_masks)).values_list("pk", "kind", "subject_id", "title")
    )
    subjects = defaultdict(set)
    for _, kind, subject_id, _ in rows:
        subjects[_masks[kind]].add(subject_id)
    hidden = {}
    for rule, ids in subjects.items():
        hidden[rule] = rule(recipient, sorted(ids))
    retitled = defaultdict(list)
    for pk, kind, subject_id, title in rows:
        masked = hidden[_masks[kind]].get(subject_id)
        if masked is not None and masked[:300] != title:
            retitled[masked[:300]].append(pk)
    for title, pks in retitled.items():
        Reminder.objects.filter(pk__in=pks).update(title=title)
    return sum(len(pks) for pks in retitled.values())


def _send_one(recipient, token, email_connection=None) -> tuple[int, int]:
    """Send one person their digest of what this sweep claimed for them: (sent, not emailed)."""
    to_send = Reminder.objects.filter(
        claim_token=token, recipient=recipient, status=Reminder.Status.CLAIMED
    )
    _mask_for(recipient, to_send)
    now = timezone.now()
    # A person may turn their own reminders off; escalations to chairs always go.
    if not (recipient.is_active and recipient.email):
        quiet = to_send
    elif not recipient.email_reminders:
        quiet = to_send.filter(level=Reminder.Level.OWNER)
    else:
        quiet = to_send.none()
    not_emailed = quiet.update(status=Reminder.Status.NOT_EMAILED, sent_at=now)
    sent = _send_claimed(
        to_send,
        now,
        lambda items, count, escalated: _digest(recipient, items, count, escalated),
        f"user {recipient.pk}",
        email_connection,
    )
    return sent, not_emailed


def _send_to_address(address, token, email_connection=None) -> int:
    """Send someone with no account their digest, at the address the reminders name."""
    to_send = Reminder.objects.filter(
        claim_token=token, recipient__isnull=True, email=address, status=Reminder.Status.CLAIMED
    )
    return _send_claimed(
        to_send,
        timezone.now(),
        lambda items, count, escalated: _digest(None, items, count, escalated, address=address),
        "an address without an account",
        email_connection,
    )


def reminders_send(*, token: str, email_connection=None) -> dict:
    """Send one digest per person for the reminders this sweep claimed."""
    recipient_ids = (
        Reminder.objects.filter(claim_token=token, status=Reminder.Status.CLAIMED)
        .values_list("recipient_id", flat=True)
        .distinct()
        .order_by()
    )
    emails = sent = not_emailed = 0
    for recipient in User.objects.filter(pk__in=list(recipient_ids)).order_by("pk"):
        sent_now, quiet = _send_one(recipient, token, email_connection)
        emails += bool(sent_now)
        sent += sent_now
        not_emailed += quiet
    addresses = (
        Reminder.objects.filter(
            claim_token=token, status=Reminder.Status.CLAIMED, recipient__isnull=True
        )
        .values_list("email", flat=True)
        .distinct()
        .order_by()
    )
    for address in sorted(addresses):
        sent_now = _send_to_address(address, token, email_connection)
        emails += bool(sent_now)
        sent += sent_now
    return {"emails": emails, "sent": sent, "not_emailed": not_emailed}


def reminders_sweep(*, today: datetime.date | None = None, email_connection=None) -> dict:
    """Plan, claim and send: the daily job, and what ``manage.py send_reminders`` runs.

    ``email_connection`` defaults to the configured email backend.
    """
    today = today or timezone.localdate()
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
    result["released"] = reminders_claim(token=token)
    result |= reminders_send(token=token, email_connection=email_connection)
    result["token"] = token
    ReminderSweep.objects.filter(pk=sweep.pk).update(
        finished_at=timezone.now(), planned=result["planned"], sent=result["sent"]
    )
    logger.info("Reminder sweep for %s (since %s): %s", today, policy.since, result)
    return result

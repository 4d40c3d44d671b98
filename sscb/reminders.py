"""Reminders: planned from what is due, claimed before sending, sent once as a digest per person.

Each app registers a *source* (``@reminder_source``): a function ``(today, policy)`` that yields
``Candidate`` rows for everything that needs a reminder today — "due on or before today and not
yet sent", never "due today", so a day without a sweep loses nothing. A sweep then:

1. plans: inserts the candidates it has not seen (the unique ``key`` makes this idempotent) and
   cancels pending reminders whose item changed (new owner, new due date) or was completed;
2. claims: a conditional UPDATE moves pending rows to claimed under this sweep's token, so two
   sweeps running at once never claim the same row;
3. sends one digest email per person with everything claimed for them, and marks each row sent.
"""

import datetime
import logging
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from .models import Reminder, User

logger = logging.getLogger(__name__)

BATCH = 2000
# A claim older than this belongs to a sweep that died: release it for the next one.
STALE_CLAIM = datetime.timedelta(hours=1)


@dataclass(frozen=True)
class Policy:
    """When reminders start and when they escalate, from settings."""

    due_soon_days: int
    chair_after_days: int
    business_unit_after_days: int

    @classmethod
    def from_settings(cls):
        return cls(
            due_soon_days=settings.REMINDER_DUE_SOON_DAYS,
            chair_after_days=settings.REMINDER_ESCALATE_TO_CHAIR_DAYS,
            business_unit_after_days=settings.REMINDER_ESCALATE_TO_BUSINESS_UNIT_DAYS,
        )

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
    recipient_id: int
    due_on: datetime.date
    title: str
    url: str
    level: int = Reminder.Level.OWNER

    @property
    def key(self) -> str:
        return (
            f"{self.kind}:{self.subject_type_id}:{self.subject_id}:{self.due_on.isoformat()}"
            f":{self.level}:{self.recipient_id}"
        )


_sources: list[Callable[[datetime.date, Policy], Iterable[Candidate]]] = []


def reminder_source(func):
    """Register ``func(today, policy) -> Iterable[Candidate]`` with the sweep."""
    if func not in _sources:
        _sources.append(func)
    return func


def content_type_id(model) -> int:
    return ContentType.objects.get_for_model(model).pk


def business_unit_ids() -> list[int]:
    return list(
        User.objects.filter(is_active=True, role=User.Role.BUSINESS_UNIT).values_list(
            "pk", flat=True
        )
    )


def agency_lead_ids() -> dict[int, list[int]]:
    """Active partner agency leads, by agency id."""
    leads = defaultdict(list)
    for pk, agency_id in User.objects.filter(
        is_active=True, role=User.Role.AGENCY_LEAD
    ).values_list("pk", "agency_id"):
        leads[agency_id].append(pk)
    return leads


def escalate(
    *,
    owners: Iterable[int],
    chair_id: int | None,
    business_unit: Iterable[int],
    levels: Iterable[int],
) -> Iterator[tuple[int, int]]:
    """(level, recipient) pairs: owners first, then the chair, then the Business Unit."""
    for level in levels:
        if level == Reminder.Level.OWNER:
            recipients = owners
        elif level == Reminder.Level.CHAIR:
            recipients = [chair_id] if chair_id else []
        else:
            recipients = business_unit
        for recipient in recipients:
            yield level, recipient


# The sweep ---------------------------------------------------------------------------------------


def _candidates(today, policy) -> Iterator[Candidate]:
    for source in _sources:
        yield from source(today, policy)


def reminders_plan(*, today: datetime.date, policy: Policy | None = None) -> dict:
    """Insert new reminders and cancel stale pending ones. Safe to run any number of times."""
    policy = policy or Policy.from_settings()
    keys = set()
    batch = []
    created = 0

    def flush():
        nonlocal created
        existing = set(
            Reminder.objects.filter(key__in=[c.key for c in batch]).values_list("key", flat=True)
        )
        new = [c for c in batch if c.key not in existing]
        Reminder.objects.bulk_create(
            [
                Reminder(
                    key=c.key,
                    kind=c.kind,
                    level=c.level,
                    recipient_id=c.recipient_id,
                    subject_type_id=c.subject_type_id,
                    subject_id=c.subject_id,
                    title=c.title[:300],
                    url=c.url,
                    due_on=c.due_on,
                )
                for c in new
            ],
            ignore_conflicts=True,  # another sweep may have planned the same row meanwhile
        )
        created += len(new)
        batch.clear()

    for candidate in _candidates(today, policy):
        if candidate.key in keys:
            continue
        keys.add(candidate.key)
        batch.append(candidate)
        if len(batch) >= BATCH:
            flush()
    if batch:
        flush()

    stale = [
        pk
        for pk, key in Reminder.objects.filter(status=Reminder.Status.PENDING).values_list(
            "pk", "key"
        )
        if key not in keys
    ]
    cancelled = 0
    for start in range(0, len(stale), BATCH):
        cancelled += Reminder.objects.filter(
            pk__in=stale[start : start + BATCH], status=Reminder.Status.PENDING
        ).update(status=Reminder.Status.CANCELLED)
    return {"planned": created, "cancelled": cancelled}


def reminders_cancel_for(subject) -> int:
    """Cancel what is still pending about an item that was completed or changed."""
    return Reminder.objects.filter(
        subject_type=ContentType.objects.get_for_model(subject),
        subject_id=subject.pk,
        status=Reminder.Status.PENDING,
    ).update(status=Reminder.Status.CANCELLED)


def reminders_claim(*, token: str) -> int:
    """Claim every pending reminder for this sweep; a row claimed elsewhere is not touched."""
    now = timezone.now()
    Reminder.objects.filter(
        status=Reminder.Status.CLAIMED, claimed_at__lt=now - STALE_CLAIM
    ).update(status=Reminder.Status.PENDING, claim_token="")
    return Reminder.objects.filter(status=Reminder.Status.PENDING).update(
        status=Reminder.Status.CLAIMED, claim_token=token, claimed_at=now
    )


def _digest(recipient, reminders) -> EmailMultiAlternatives:
    by_kind = defaultdict(list)
    for reminder in reminders:
        by_kind[reminder.get_kind_display()].append(reminder)
    context = {
        "recipient": recipient,
        "groups": sorted(by_kind.items()),
        "count": len(reminders),
        "site_url": settings.SITE_URL,
        "board_name": settings.BOARD_NAME,
        "escalated": any(r.level > Reminder.Level.OWNER for r in reminders),
    }
    subject = (
        f"{settings.BOARD_NAME}: {len(reminders)} item"
        f"{'' if len(reminders) == 1 else 's'} need{'s' if len(reminders) == 1 else ''} "
        "your attention"
    )
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("sscb/email/digest.txt", context),
        to=[recipient.email],
    )
    message.attach_alternative(render_to_string("sscb/email/digest.html", context), "text/html")
    return message


def reminders_send(*, token: str) -> dict:
    """Send one digest per person for the reminders this sweep claimed."""
    claimed = (
        Reminder.objects.filter(status=Reminder.Status.CLAIMED, claim_token=token)
        .select_related("recipient")
        .order_by("recipient_id", "due_on", "pk")
    )
    per_person = defaultdict(list)
    for reminder in claimed.iterator(chunk_size=BATCH):
        per_person[reminder.recipient_id].append(reminder)
    emails = not_emailed = 0
    sent_ids = []
    for reminders in per_person.values():
        recipient = reminders[0].recipient
        # A person may turn their own reminders off; escalations to chairs always go.
        to_send = [
            r
            for r in reminders
            if recipient.email
            and recipient.is_active
            and (recipient.email_reminders or r.level > Reminder.Level.OWNER)
        ]
        quiet = [r.pk for r in reminders if r not in to_send]
        if quiet:
            not_emailed += Reminder.objects.filter(pk__in=quiet, claim_token=token).update(
                status=Reminder.Status.NOT_EMAILED, sent_at=timezone.now()
            )
        if not to_send:
            continue
        try:
            _digest(recipient, to_send).send()
        except Exception:  # noqa: BLE001 - release the claim so the next sweep tries again
            logger.exception("Reminder digest to %s failed; will retry", recipient.pk)
            Reminder.objects.filter(pk__in=[r.pk for r in to_send], claim_token=token).update(
                status=Reminder.Status.PENDING, claim_token=""
            )
            continue
        Reminder.objects.filter(pk__in=[r.pk for r in to_send], claim_token=token).update(
            status=Reminder.Status.SENT, sent_at=timezone.now()
        )
        emails += 1
        sent_ids.extend(r.pk for r in to_send)
    return {
        "emails": emails,
        "sent": len(sent_ids),
        "sent_ids": sent_ids,
        "not_emailed": not_emailed,
    }


def reminders_sweep(*, today: datetime.date | None = None) -> dict:
    """Plan, claim and send: the daily job, and what ``manage.py send_reminders`` runs."""
    today = today or timezone.localdate()
    with transaction.atomic():
        result = reminders_plan(today=today)
    token = uuid.uuid4().hex
    result["claimed"] = reminders_claim(token=token)
    result |= reminders_send(token=token)
    logger.info("Reminder sweep for %s: %s", today, result)
    return result

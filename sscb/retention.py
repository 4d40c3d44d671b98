"""Retention and disposal: the schedule's registry, the monthly sweep, and disposal itself.

Each domain app registers the kinds of record it can dispose of (``@disposable("review")`` in
its ``retention.py``, imported from its AppConfig.ready), so that the project never imports the
domain apps. A registered kind says which records are eligible and from which events a period
may be counted (``due``), how to name and link a record without its content (``reference``,
``url``), and how to empty it (``dispose``, using the helpers below).

The schedule itself is data (``RetentionRule``, edited by the Business Unit in the admin). Once a
month the sweep lists the records that have fallen due as ``DisposalCandidate`` rows and tells the
Business Unit about the new ones, once. Nothing is disposed of until an officer confirms it on the
*Due for disposal* page; ``record_dispose`` then checks again that the record is due, empties it,
and writes a ``DisposalRecord`` (who, what, when; no content).

Disposal empties, it does not delete: references, kinds, statuses, choices and dates stay, so
past years' dashboard and annual-report figures do not change. Free text and pseudonyms become
"[disposed on <date>]", files are removed from storage, and the record's history rows go.
"""

import calendar
import datetime
import logging
import uuid
from collections import Counter
from collections.abc import Iterable
from functools import partial

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, models, transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from .attention import Attention, attention_provider
from .minimise import disposal_marker
from .models import DisposalCandidate, DisposalRecord, Reminder, RetentionRule, User

logger = logging.getLogger(__name__)

BATCH = 1000


# The registry ------------------------------------------------------------------------------------


class Disposable:
    """What a domain app registers for one kind of record it can dispose of."""

    kind: str = ""
    label: str = ""
    # Event code -> label; codes are unique across kinds ("review_closed", "action_closed").
    events: dict[str, str] = {}

    def due(self, event: str, cutoff: datetime.date, today: datetime.date) -> QuerySet:
        """The records eligible for disposal whose ``event`` happened on or before ``cutoff``,
        each annotated with ``event_on`` (a date)."""
        raise NotImplementedError

    def reference(self, record) -> str:
        """The record's reference: never its title, a pseudonym or a file name."""
        raise NotImplementedError

    def url(self, record) -> str:
        return ""

    def dispose(self, record, *, marker: str) -> None:
        """Empty the record and its child rows (``empty_rows``, ``remove_files``)."""
        raise NotImplementedError


_registry: dict[str, Disposable] = {}


def disposable(kind: str):
    """Register a ``Disposable`` subclass as the disposal rules of ``kind``."""

    def register(cls):
        cls.kind = kind
        _registry[kind] = cls()
        return cls

    return register


def registered(kind: str) -> Disposable | None:
    return _registry.get(kind)


def kind_choices() -> list[tuple[str, str]]:
    return sorted(((kind, item.label) for kind, item in _registry.items()), key=lambda c: c[1])


def event_choices() -> list[tuple[str, str]]:
    events = {}
    for item in _registry.values():
        events |= item.events
    return sorted(events.items(), key=lambda c: c[1])


def events_of(kind: str) -> dict[str, str]:
    item = _registry.get(kind)
    return dict(item.events) if item else {}


# Dates ---------------------------------------------------------------------------------------


def add_months(day: datetime.date, months: int) -> datetime.date:
    """``day`` moved by ``months`` (negative for earlier); the 31st becomes the month's last day."""
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    month += 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def cutoff_for(rule: RetentionRule, today: datetime.date) -> datetime.date:
    """Records whose event is on or before this day have been kept for the rule's period."""
    return add_months(today, -rule.total_months)


def rule_text(rule: RetentionRule) -> str:
    return f"{rule.period_label} from {rule.get_counted_from_display()}"


# Helpers the domain apps' dispose() use ---------------------------------------------------------


def free_text_fields(model) -> list[models.Field]:
    """Text a person typed: editable Char/Text fields without choices. References and keys the
    app generates are not editable, so they stay."""
    return [
        field
        for field in model._meta.concrete_fields
        if isinstance(field, (models.CharField, models.TextField))
        and field.editable
        and not field.choices
        and not field.primary_key
    ]


def empty_rows(queryset: QuerySet, marker: str, *, keep: Iterable[str] = ()) -> list[int]:
    """Replace every non-empty free-text field of these rows with ``marker`` (one UPDATE per
    field, no history row, ``updated_at`` untouched), then purge their history and the copies of
    their titles in reminders and the admin's log. Returns the rows' ids."""
    model = queryset.model
    pks = list(queryset.values_list("pk", flat=True))
    if not pks:
        return []
    rows = model._default_manager.filter(pk__in=pks)
    for field in free_text_fields(model):
        if field.name in keep:
            continue
        value = marker[: field.max_length] if field.max_length else marker
        filled = ~Q(**{field.name: ""}) & Q(**{f"{field.name}__isnull": False})
        rows.filter(filled).update(**{field.attname: value})
    forget(model, pks, marker)
    return pks


def remove_files(queryset: QuerySet, marker: str, *, field: str = "file") -> int:
    """Delete these rows and, once the transaction commits, their files from storage."""
    model = queryset.model
    rows = list(queryset)
    for row in rows:
        stored = getattr(row, field)
        if stored and stored.name:
            transaction.on_commit(partial(_delete_file, stored.storage, stored.name), robust=True)
    pks = [row.pk for row in rows]
    model._default_manager.filter(pk__in=pks).delete()
    forget(model, pks, marker)
    return len(rows)


def _delete_file(storage, name):
    storage.delete(name)


def forget(model, pks: list[int], marker: str) -> None:
    """Purge the history of these rows (tracked many-to-many rows too), and replace the titles
    that reminders and the admin's log copied from them."""
    history = getattr(model, "history", None)
    if history is not None:
        history_model = history.model
        past = history_model._default_manager.filter(**{f"{model._meta.pk.attname}__in": pks})
        for m2m_field in getattr(history_model, "_history_m2m_fields", []):
            HistoricalRecords.m2m_models[m2m_field]._default_manager.filter(
                history__in=past.values("history_id")
            ).delete()
        past.delete()
    content_type = ContentType.objects.get_for_model(model)
    Reminder.objects.filter(subject_type=content_type, subject_id__in=pks).update(title=marker)
    LogEntry.objects.filter(
        content_type=content_type, object_id__in=[str(pk) for pk in pks]
    ).update(object_repr=marker)


# The monthly sweep ----------------------------------------------------------------------------


def _disposed(kind: str):
    return DisposalRecord.objects.filter(kind=kind).values("object_id")


def due_records(rule: RetentionRule, today: datetime.date) -> QuerySet | None:
    """The records of ``rule``'s kind that are due today and not yet disposed of."""
    item = registered(rule.kind)
    if item is None or rule.counted_from not in item.events:
        return None
    records = item.due(rule.counted_from, cutoff_for(rule, today), today)
    return records.exclude(pk__in=_disposed(rule.kind))


def disposal_candidates_list(*, today: datetime.date | None = None) -> dict:
    """List what has fallen due: add rows for newly due records, drop rows no longer due (a
    record reopened, a rule lengthened or removed). Running it twice adds nothing."""
    today = today or timezone.localdate()
    listed = withdrawn = 0
    kinds_with_rules = set()
    for rule in RetentionRule.objects.all():
        records = due_records(rule, today)
        if records is None:
            continue
        kinds_with_rules.add(rule.kind)
        item = registered(rule.kind)
        listed_ids = set(
            DisposalCandidate.objects.filter(kind=rule.kind).values_list("object_id", flat=True)
        )
        due_ids, new = set(), []
        for record in records.iterator(chunk_size=BATCH):
            due_ids.add(record.pk)
            if record.pk in listed_ids:
                continue
            new.append(
                DisposalCandidate(
                    kind=rule.kind,
                    object_id=record.pk,
                    reference=item.reference(record)[:100],
                    url=item.url(record)[:300],
                    counted_from_on=record.event_on,
                    due_on=add_months(record.event_on, rule.total_months),
                )
            )
        # Two sweeps at once: the unique (kind, object_id) lets only one row in.
        DisposalCandidate.objects.bulk_create(new, batch_size=BATCH, ignore_conflicts=True)
        listed += len(new)
        stale = sorted(listed_ids - due_ids)
        for start in range(0, len(stale), BATCH):
            withdrawn += DisposalCandidate.objects.filter(
                kind=rule.kind, object_id__in=stale[start : start + BATCH]
            ).delete()[0]
    withdrawn += DisposalCandidate.objects.exclude(kind__in=kinds_with_rules).delete()[0]
    return {"listed": listed, "withdrawn": withdrawn}


def business_unit_emails() -> list[str]:
    return list(
        User.objects.filter(is_active=True, role=User.Role.BUSINESS_UNIT)
        .exclude(email="")
        .values_list("email", flat=True)
    )


def disposal_notify(*, now: datetime.datetime | None = None) -> int:
    """Tell the Business Unit, in one email, about records listed since the last notice.

    The rows are claimed by a conditional UPDATE before sending, so two sweeps never both tell
    about a record; if sending fails they are released for the next attempt (the task retries).
    The email names no record: only how many of each kind, and where to review them.
    """
    now = now or timezone.now()
    token = uuid.uuid4().hex
    claimed = DisposalCandidate.objects.filter(notified_at__isnull=True).update(
        notified_at=now, notice_token=token
    )
    if not claimed:
        return 0
    recipients = business_unit_emails()
    if not recipients:
        return claimed  # the home page still shows them
    kinds = dict(kind_choices())
    counts = Counter(
        DisposalCandidate.objects.filter(notice_token=token).values_list("kind", flat=True)
    )
    lines = [f"- {kinds.get(kind, kind)}: {n}" for kind, n in sorted(counts.items())]
    body = (
        f"{claimed} record{'s have' if claimed != 1 else ' has'} fallen due for disposal under "
        "the retention schedule since the last notice:\n\n"
        + "\n".join(lines)
        + "\n\nNothing is disposed of until a Business Unit officer confirms it. Review them "
        f"at {settings.SITE_URL}{reverse('retention:due')}\n"
    )
    try:
        send_mail(
            subject=f"{settings.BOARD_NAME}: {claimed} record{'s' if claimed != 1 else ''} "
            "due for disposal",
            message=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=recipients,
        )
    except Exception:
        DisposalCandidate.objects.filter(notice_token=token).update(
            notified_at=None, notice_token=""
        )
        raise
    return claimed


def retention_sweep(*, today: datetime.date | None = None) -> dict:
    """The monthly sweep: list what has fallen due, then tell the Business Unit what is new."""
    result = disposal_candidates_list(today=today)
    result["notified"] = disposal_notify()
    return result


# Disposal -------------------------------------------------------------------------------------


class DisposalRefused(ValidationError):
    """The record may not be disposed of (not due, no rule, already disposed of)."""


def record_dispose(
    *, kind: str, object_id: int, by: User, today: datetime.date | None = None
) -> DisposalRecord:
    """Dispose of one record that is due, confirmed by a Business Unit officer."""
    if not by.is_business_unit:
        raise PermissionDenied
    today = today or timezone.localdate()
    item = registered(kind)
    rule = RetentionRule.objects.filter(kind=kind).first()
    if item is None or rule is None:
        raise DisposalRefused("The retention schedule has no rule for this kind of record.")
    records = due_records(rule, today)
    if records is None:
        raise DisposalRefused("The rule for this kind of record counts from an unknown event.")
    with transaction.atomic():
        record = records.filter(pk=object_id).first()
        if record is None:
            if DisposalRecord.objects.filter(kind=kind, object_id=object_id).exists():
                raise DisposalRefused("This record has already been disposed of.")
            raise DisposalRefused(
                f"This record is not due for disposal: the schedule keeps it for {rule_text(rule)}."
            )
        try:
            with transaction.atomic():
                log = DisposalRecord.objects.create(
                    kind=kind,
                    object_id=record.pk,
                    reference=item.reference(record)[:100],
                    rule=rule_text(rule)[:200],
                    counted_from_on=record.event_on,
                    disposed_on=today,
                    disposed_by=by,
                    username=by.get_username(),
                )
        except IntegrityError as error:
            raise DisposalRefused("This record has already been disposed of.") from error
        item.dispose(record, marker=disposal_marker(today))
        DisposalCandidate.objects.filter(kind=kind, object_id=record.pk).delete()
    logger.info("Disposed of %s %s (by %s)", kind, log.reference, log.username)
    return log


def candidates_dispose(
    *, candidate_ids: Iterable[int], by: User, today: datetime.date | None = None
) -> tuple[list[DisposalRecord], list[tuple[DisposalCandidate, str]]]:
    """Dispose of the listed records chosen, each on its own; returns (done, refused)."""
    if not by.is_business_unit:
        raise PermissionDenied
    done, refused = [], []
    for candidate in DisposalCandidate.objects.filter(pk__in=list(candidate_ids)):
        try:
            done.append(
                record_dispose(
                    kind=candidate.kind, object_id=candidate.object_id, by=by, today=today
                )
            )
        except DisposalRefused as error:
            refused.append((candidate, " ".join(error.messages)))
    return done, refused


# Reading ---------------------------------------------------------------------------------------


def retention_schedule() -> list[dict]:
    """Each registered kind with its rule (or none): for the page's explanation."""
    rules = {rule.kind: rule for rule in RetentionRule.objects.all()}
    return [
        {"kind": kind, "label": label, "rule": rules.get(kind)} for kind, label in kind_choices()
    ]


@attention_provider
def disposals_due(user):
    """For the Business Unit: records the retention schedule says have been kept long enough."""
    if not user.is_business_unit:
        return []
    waiting = DisposalCandidate.objects.count()
    if not waiting:
        return []
    return [
        Attention(
            title=f"{waiting} record{'s' if waiting != 1 else ''} due for disposal",
            detail="The retention schedule says these have been kept long enough. Check each "
            "and confirm its disposal.",
            url=reverse("retention:due"),
            level="warning",
        )
    ]

"""A record's history in the admin, read in a fixed number of queries (issue 15).

django-simple-history's history page asks the database again for each row it lists: the record
as it was is named afresh ("Review RR-2026-001" reads the review's relations), and each
many-to-many field (a review's panel members, a finding's agencies) is read twice for each
change, to compare it with the one before. A review changed 15 times took 32 queries. Every
admin with a history in this project comes from here.
"""

import itertools
from collections import defaultdict

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import ForeignKey
from simple_history import utils
from simple_history.admin import SimpleHistoryAdmin
from simple_history.models import DeletedObject, ModelChange, ModelDelta


class HistoryAdmin(SimpleHistoryAdmin):
    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        """simple-history's changes between each row and the one before, with the page's
        many-to-many rows read in one query a field, and each row's record named from what
        the page has read."""
        records, shared = list(historical_records), {}
        for record in records:
            record.history_object = _as_it_was(record, shared)
        m2m = {field.name for field in records[0]._history_m2m_fields} if records else set()
        rows = {name: _m2m_rows(self.model, records, name) for name in m2m}
        for newer, older in itertools.pairwise(records):
            delta = newer.diff_against(
                older, excluded_fields=m2m, foreign_keys_are_objs=foreign_keys_are_objs
            )
            changes = list(delta.changes)
            for name in sorted(m2m):
                before, after = rows[name][older.pk], rows[name][newer.pk]
                if [row["ids"] for row in before] != [row["ids"] for row in after]:
                    shown = "objects" if foreign_keys_are_objs else "ids"
                    changes.append(
                        ModelChange(name, [r[shown] for r in before], [r[shown] for r in after])
                    )
            changes.sort(key=lambda change: change.field)
            delta = ModelDelta(changes, [change.field for change in changes], older, newer)
            helper = self.get_historical_record_context_helper(request, newer)
            newer.history_delta_changes = helper.context_for_delta_changes(delta)


def _as_it_was(record, shared):
    """The record as it was, holding the records its history row was read with. A record named
    by several rows (the review of each version of a clock pause) is one object, so naming it
    reads what its own name needs once for the page, not once a row."""
    instance = record.history_object
    for field in instance._meta.concrete_fields:
        forward = field.many_to_one or field.one_to_one
        kept = record._meta.get_field(field.name) if forward else None
        if kept is not None and kept.is_cached(record):
            related = kept.get_cached_value(record)
            if related is not None:
                related = shared.setdefault((type(related), related.pk), related)
                kept.set_cached_value(record, related)
            field.set_cached_value(instance, related)
    return instance


def _m2m_rows(model, records, name):
    """Each history row's rows of the many-to-many field ``name``, in simple-history's order
    (by the related record), as ids and as records: one query for the page."""
    field = model._meta.get_field(name)
    through = getattr(records[0], name).model if records else None
    rows = defaultdict(list)
    if through is None:
        return rows
    compared = [
        f.name
        for f in through._meta.fields
        if f.editable and f.name not in ("id", "m2m_history_id", "history")
    ]
    related = [f for f in compared if isinstance(through._meta.get_field(f), ForeignKey)]
    order = utils.get_m2m_reverse_field_name(field)
    kept = through._default_manager.filter(history__in=[record.pk for record in records])
    for row in kept.select_related(*related).order_by(order):
        rows[row.history_id].append(
            {
                "ids": {f: getattr(row, through._meta.get_field(f).attname) for f in compared},
                "objects": {f: _related(row, through, f) for f in compared},
            }
        )
    return rows


def _related(row, through, name):
    field = through._meta.get_field(name)
    if not isinstance(field, ForeignKey):
        return getattr(row, name)
    try:
        value = getattr(row, name)
    except ObjectDoesNotExist:
        value = None
    return (
        value
        if value is not None
        else DeletedObject(field.related_model, getattr(row, field.attname))
    )

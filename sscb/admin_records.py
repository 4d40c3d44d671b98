"""The admin of every record with a history: what it may change, add and delete (no more than
the tracker's own pages allow), and its history page and its deletion page, each in a number of
queries that does not grow with the rows (issue 15).

The admin is not a second, weaker way to change what the product's services govern: a review's
stage, decision or panel, an action's sign-off, a meeting's status. Each admin declares those in
``governed_fields`` (shown, never changed here) or, where a record is still added here, in
``added_with`` (chosen when it is added, then never changed here: a chronology entry's review, a
meeting's date), says where they are changed (``changed_on``),
whether the product makes the record itself through a service with side effects (``made_on``:
no "Add" here), whether it is the services' record through and through (``read_only``), and
whether it is set-up data that may be deleted (``deletable``): a case record is never deleted
here, but disposed of under *Disposals* when its retention period ends, and history kept till then.

django-simple-history's history page asks the database again for each row it lists: the record
as it was is named afresh ("Review RR-2026-001" reads the review's relations), and each
many-to-many field (a review's panel members, a finding's agencies) is read twice for each
change, to compare it with the one before. A review changed 15 times took 32 queries.

Django's deletion page names every record a deletion would remove, or is blocked by, each with
a query or two: a sub-group's, at scale 0.02, took 11.6 s, 8,845 queries and 1.5 MB; at scale 1,
507 s, a 77 MB page and 2.9 GB. Here it names the first few of each kind and counts the rest.
"""

import itertools
from collections import defaultdict

from django.contrib.admin.utils import NestedObjects, quote, unquote
from django.core.exceptions import (
    FieldDoesNotExist,
    ObjectDoesNotExist,
    PermissionDenied,
    ValidationError,
)
from django.db import router
from django.db.models import PROTECT, ForeignKey
from django.http import Http404
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.text import capfirst
from simple_history import utils
from simple_history.admin import SimpleHistoryAdmin
from simple_history.models import DeletedObject, ModelChange, ModelDelta


def change_url(site, obj) -> str:
    """The page of ``obj`` in the admin ``site``, or "" where it has none."""
    opts = obj._meta
    try:
        return reverse(
            f"{site.name}:{opts.app_label}_{opts.model_name}_change", args=[quote(obj.pk)]
        )
    except NoReverseMatch:
        return ""


# How many records of each kind the deletion page names; the rest are counted.
NAMED_ON_DELETION = 10


class RecordAdmin(SimpleHistoryAdmin):
    # Fields the product's pages change through its services (with their rules, acts and
    # records): shown here, never changed. Inlines of the same model show them read-only too.
    governed_fields: tuple[str, ...] = ()
    # Governed too once the record exists, but chosen when it is added here: what it belongs to
    # (a chronology entry's review, a meeting's body) and what a service moves with side effects
    # (a meeting's date, which the outcomes on its agenda follow).
    added_with: tuple[str, ...] = ()
    # Where they are changed, named on the admin page ("the review's page").
    changed_on: str = ""
    # Where the product makes this record (a service with side effects): no "Add" here.
    made_on: str = ""
    # The services' record through and through (a stage move, a questionnaire): read here.
    read_only: bool = False
    # Set-up data whose deletion loses no case history (what it protects still stops it). Case
    # records stay False: they go only through Disposals (sscb/retention.py).
    deletable: bool = False

    def get_readonly_fields(self, request, obj=None):
        shown = list(super().get_readonly_fields(request, obj))
        governed = self._governed(obj)
        if self.read_only:
            fields = self.model._meta.get_fields()
            governed = [f.name for f in fields if f.concrete and f.editable and not f.auto_created]
        return shown + [name for name in governed if name not in shown]

    def _governed(self, obj=None) -> tuple[str, ...]:
        """The fields shown, not changed, on ``obj``'s page (None: the page that adds one)."""
        return self.governed_fields + (self.added_with if obj is not None else ())

    def has_add_permission(self, request):
        return not (self.made_on or self.read_only) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return not self.read_only and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self.deletable and super().has_delete_permission(request, obj)

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        note = self.product_note(obj)
        if note and fieldsets:
            name, options = fieldsets[0]
            described = " ".join(filter(None, [options.get("description"), note]))
            fieldsets[0] = (name, {**options, "description": described})
        return fieldsets

    def product_note(self, obj=None) -> str:
        """What this page does not change, and where it is changed instead."""
        where = f" ({self.changed_on})" if self.changed_on else ""
        if self.read_only:
            return f"Kept by the tracker's own pages{where}: read here, not changed."
        if obj is None or not self._governed(obj):
            return ""
        labels = ", ".join(self._label(name) for name in self._governed(obj))
        return (
            f"Shown, not changed, here: {labels}. They change only on the tracker's own "
            f"pages{where}, which apply its rules and record each step."
        )

    def _label(self, name):
        try:
            return str(self.model._meta.get_field(name).verbose_name)
        except FieldDoesNotExist:
            return name.replace("_", " ")

    def changelist_view(self, request, extra_context=None):
        if self.made_on:
            made = f"Added on {self.made_on}, not here."
            extra_context = {"subtitle": made, **(extra_context or {})}
        return super().changelist_view(request, extra_context)

    # Reverting to a version would rewrite a record's lifecycle (a review's stage back, with no
    # stage move recorded) past every rule: its versions are read, never restored.

    def revert_disabled(self, request, obj=None):
        return True

    def history_view(self, request, object_id, extra_context=None):
        self._refuse_address_of_no_record(object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied("A record is not reverted to an earlier version.")
        self._refuse_address_of_no_record(object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)

    def _refuse_address_of_no_record(self, object_id):
        """An address no record can have ("abc" for a number) is not found, as the change page
        finds nothing there (django-simple-history's pages filtered by it and failed)."""
        try:
            self.model._meta.pk.to_python(unquote(object_id))
        except ValidationError as error:
            raise Http404 from error

    def get_deleted_objects(self, objs, request):
        """Django's (what would be deleted, how many of each kind, the kinds this person may not
        delete, what keeps it from being deleted), naming at most NAMED_ON_DELETION records of
        each kind. What protects the records themselves (a sub-group's findings) is counted
        first, without reading it all: if anything does, nothing is deleted, and nothing more
        needs to be read."""
        try:
            model = type(objs[0])  # objs: the record, or the records chosen in a list
        except IndexError:
            return [], {}, set(), []
        protected = _protecting(model, objs)
        if protected:
            deleted = {}
        else:
            collector = NestedObjects(using=router.db_for_write(model), origin=objs)
            collector.collect(objs)
            deleted = {kind: _first(rows) for kind, rows in collector.model_objs.items()}
            deeper = defaultdict(list)  # what protects a record the deletion would remove
            for obj in collector.protected:
                deeper[type(obj)].append(obj)
            protected = {kind: _first(rows) for kind, rows in deeper.items()}
        site = self.admin_site
        # Only what the deletion would remove: what protects the record is named as such (a
        # sub-group's findings), not as a kind this person may not delete.
        perms_needed = {
            kind._meta.verbose_name
            for kind in deleted
            if site.is_registered(kind)
            and not site.get_model_admin(kind).has_delete_permission(request)
        }
        counts = {kind._meta.verbose_name_plural: total for kind, (_, total) in deleted.items()}
        return self._named(deleted), counts, perms_needed, self._named(protected)

    def _named(self, by_kind):
        lines = []
        for kind, (first, total) in by_kind.items():
            lines += [self._name(row) for row in first]
            if total > len(first):
                more = total - len(first)
                lines.append(f"… and {more:,} more {kind._meta.verbose_name_plural}")
        return lines

    def _name(self, obj):
        """As Django names a record on this page: its kind, and a link to it where it has one."""
        kind = capfirst(obj._meta.verbose_name)
        url = change_url(self.admin_site, obj)
        return format_html('{}: <a href="{}">{}</a>', kind, url, obj) if url else f"{kind}: {obj}"

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        """simple-history's changes between each row and the one before, with the page's
        many-to-many rows read in one query a field, and each row's record named from what
        the page has read."""
        records, shared = list(historical_records), {}
        for record in records:
            record.history_object = _as_it_was(record, shared)
        m2m = {field.name for field in records[0]._history_m2m_fields} if records else set()
        rows = {name: _m2m_rows(self.model, records, name) for name in m2m}
        shown = "objects" if foreign_keys_are_objs else "ids"
        for newer, older in itertools.pairwise(records):
            delta = newer.diff_against(
                older, excluded_fields=m2m, foreign_keys_are_objs=foreign_keys_are_objs
            )
            changes = list(delta.changes)
            for name in sorted(m2m):
                before, after = rows[name][older.pk], rows[name][newer.pk]
                if [row["ids"] for row in before] != [row["ids"] for row in after]:
                    changes.append(
                        ModelChange(name, [r[shown] for r in before], [r[shown] for r in after])
                    )
            changes.sort(key=lambda change: change.field)
            delta = ModelDelta(changes, [change.field for change in changes], older, newer)
            helper = self.get_historical_record_context_helper(request, newer)
            newer.history_delta_changes = helper.context_for_delta_changes(delta)


def _first(rows):
    """(the first NAMED_ON_DELETION of ``rows`` by key, how many there are)."""
    return sorted(rows, key=lambda row: row.pk)[:NAMED_ON_DELETION], len(rows)


def _protects(relation) -> bool:
    """Whether records linked to a record by ``relation`` keep it from being deleted: a foreign
    key that PROTECTs it, and a plain many-to-many link (an agency a finding names). Django
    would delete the link and leave the record naming nothing, its history "None" where the
    agency was; a link with a model of its own (a sub-group's memberships) says for itself."""
    if relation.many_to_many:
        return relation.through._meta.auto_created
    return relation.on_delete is PROTECT


def is_protected(obj) -> bool:
    """Whether anything keeps ``obj`` from being deleted: records that name it, or link to it."""
    return bool(_protecting(type(obj), [obj]))


def _protecting(model, objs):
    """{kind: (the first few, how many)} of the records whose relation protects ``objs`` from
    deletion, read a few at a time and counted, not read whole."""
    found = {}
    for relation in model._meta.related_objects:
        if not _protects(relation):
            continue
        rows = relation.related_model._base_manager.filter(**{f"{relation.field.name}__in": objs})
        if relation.many_to_many:  # a record linked to two of ``objs`` is one record
            rows = rows.distinct()
        rows = rows.order_by("pk")
        first = list(rows[: NAMED_ON_DELETION + 1])
        if first:
            total = rows.count() if len(first) > NAMED_ON_DELETION else len(first)
            earlier, before = found.get(relation.related_model, ([], 0))
            named = {row.pk for row in earlier}  # two relations may name the same record
            first = earlier + [row for row in first if row.pk not in named]
            found[relation.related_model] = (first[:NAMED_ON_DELETION], before + total)
    return found


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
    through = getattr(records[0], name).model  # the history of the field's rows
    compared = [
        f.name
        for f in through._meta.fields
        if f.editable and f.name not in ("id", "m2m_history_id", "history")
    ]
    related = [f for f in compared if isinstance(through._meta.get_field(f), ForeignKey)]
    order = utils.get_m2m_reverse_field_name(field)
    kept = through._default_manager.filter(history__in=[record.pk for record in records])
    rows = defaultdict(list)
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

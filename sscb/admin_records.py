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

django-simple-history's history page asked the database again for each row it listed (a review
changed 15 times took 32 queries), and said what changed in stored codes ("in_progress"), naming
an empty link "Deleted user (pk=None)". Here the History page says what changed as the record's
own page in the tracker does (``sscb.history``), in a fixed number of queries, and shows beside
a record's versions those of the records that make up part of it (``history_parts``: a person's
sub-group memberships). One save here is one version, its many-to-many links included.

Django's deletion page names every record a deletion would remove, or is blocked by, each with
a query or two: a sub-group's, at scale 0.02, took 11.6 s, 8,845 queries and 1.5 MB; at scale 1,
507 s, a 77 MB page and 2.9 GB. Here it names the first few of each kind and counts the rest.
"""

from collections import defaultdict

from django.contrib.admin.utils import NestedObjects, quote, unquote
from django.contrib.admin.views.main import PAGE_VAR
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import router
from django.db.models import PROTECT
from django.http import Http404
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.text import capfirst
from simple_history.admin import SimpleHistoryAdmin

from .history import Part, history_of, kept_fields, record_versions, versions_of


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
    # The History page's table: what changed in words (history_view).
    object_history_list_template = "admin/record_history_list.html"

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

    def history_parts(self, obj) -> list[Part]:
        """Versions of other records that ``obj``'s History shows among its own: a person's
        sub-group memberships, which decide what they may open."""
        return []

    def history_view(self, request, object_id, extra_context=None):
        """The record's versions, and its parts' (``history_parts``), the newest first, each
        with what changed in the words of the record's own page in the tracker
        (``sscb.history``): "status In progress → Complete", a date as "16 Dec 2026", "none"
        where a link was empty. simple-history's page showed the stored codes, and named an
        empty link "Deleted user (pk=None)". A fixed number of queries, whatever the rows."""
        self._refuse_address_of_no_record(object_id)
        request.current_app = self.admin_site.name
        opts = self.model._meta
        key = opts.pk.to_python(unquote(object_id))
        versions = versions_of(self.model).filter(**{opts.pk.attname: key})
        versions = versions.select_related("history_user")
        obj = self.get_queryset(request).filter(pk=key).first()
        if obj is None:  # deleted: as it last was
            newest = versions.order_by("-history_date", "-history_id").first()
            if newest is None:
                raise Http404
            obj = newest.instance
        if not self.has_view_history_or_change_history_permission(request, obj):
            raise PermissionDenied
        parts = self.history_parts(obj)
        total = versions.count() + sum(part.versions.count() for part in parts)
        per_page = self.history_list_per_page
        paginator = Paginator(range(total), per_page)
        page_obj = paginator.get_page(request.GET.get(PAGE_VAR))
        shown = page_obj.number * per_page
        newest = history_of(versions, kept_fields(self.model), parts, shown=shown, steady=True)
        history = newest[(page_obj.number - 1) * per_page :]
        for version, _changes in history:
            version.as_it_was = self._version_url(version)
        user_opts = get_user_model()._meta
        context = {
            "title": self.history_view_title(request, obj),
            "object_history_list_template": self.object_history_list_template,
            "page_obj": page_obj,
            "page_range": paginator.get_elided_page_range(page_obj.number),
            "page_var": PAGE_VAR,
            "pagination_required": paginator.count > per_page,
            "module_name": capfirst(opts.verbose_name_plural),
            "object": obj,
            "opts": opts,
            "app_label": opts.app_label,
            "admin_user_view": (
                f"{self.admin_site.name}:{user_opts.app_label}_{user_opts.model_name}_change"
            ),
            "revert_disabled": self.revert_disabled(request, obj),
            "history": history,
        }
        context.update(self.admin_site.each_context(request))
        context.update(extra_context or {})
        return self.render_history_view(request, self.object_history_template, context)

    def _version_url(self, version) -> str:
        """The page of the record as ``version`` has it, or "" where it has none."""
        opts = version.instance_type._meta
        try:
            return reverse(
                f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_simple_history",
                args=[quote(getattr(version, opts.pk.attname)), version.history_id],
            )
        except NoReverseMatch:
            return ""

    # One save here is one version. The form saves the record, then its links (a finding's
    # agencies), and simple-history made a version of each ("saved it unchanged", then the
    # agencies; two more where links were both added and removed). Here the record's version
    # is made once, when both are saved.

    def save_model(self, request, obj, form, change):
        if _keeps_links(type(obj)):
            obj.skip_history_when_saving = True
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        obj = form.instance
        if not hasattr(obj, "skip_history_when_saving"):
            return super().save_related(request, form, formsets, change)
        try:
            form.save_m2m()
        finally:
            del obj.skip_history_when_saving
        record_versions([obj], added=not change)
        for formset in formsets:  # as Django's save_related, after form.save_m2m()
            self.save_formset(request, form, formset, change=change)


def _keeps_links(model) -> bool:
    """Whether ``model``'s history keeps a many-to-many field (a finding's agencies)."""
    versions = versions_of(model)
    return bool(versions is not None and versions.model._history_m2m_fields)


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

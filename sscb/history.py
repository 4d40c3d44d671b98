"""History that simple-history does not keep by itself: every change to a case record is in its
history (README, "History"), including changes the database makes for Django.

- **A record deleted changes the records that named it.** Django empties a ``SET_NULL`` link
  (an action's finding, a finding's theme) with one ``UPDATE``, and removes the rows of a
  many-to-many field (an agenda item's actions arising) without the signals simple-history
  listens for. ``connect()`` notes, before a deletion, which tracked records name what is
  deleted, and after it gives each one that remains a new version: what it is now, with its
  links, by the person deleting, saying what kind of record was deleted.
- **A many-to-many field whose history starts later** (``record_links_in_newest_versions``, for
  migrations): each record's newest version is given the links it has now, so the first change
  afterwards shows only what changed.
- **What changed in each version**, for a page that shows a record's history to the people who
  work on it (``versions_with_changes``: an action's page).
"""

from collections import defaultdict
from dataclasses import dataclass

from django.apps import apps as installed
from django.db import models
from django.db.models import Max, OuterRef, Subquery
from django.db.models.signals import post_delete, pre_delete

# Links Django empties itself when the record they name is deleted.
EMPTIED = (models.SET_NULL, models.SET_DEFAULT)


def _history_of(model):
    """The manager of ``model``'s versions (its ``model`` is the historical model), or None if
    it keeps no history."""
    name = getattr(model._meta, "simple_history_manager_attribute", None)
    return getattr(model, name) if name else None


def naming_links(target) -> list[tuple[type, str]]:
    """(tracked model, field) of every link that a deletion of a ``target`` record changes
    without a signal: a ``SET_NULL`` foreign key, or a tracked many-to-many field."""
    links = []
    for model in installed.get_models():
        history = _history_of(model)
        if history is None:
            continue
        for field in model._meta.fields:
            if (
                field.is_relation
                and field.related_model is target
                and field.remote_field.on_delete in EMPTIED
            ):
                links.append((model, field.name))
        for field in history.model._history_m2m_fields:
            if field.related_model is target:
                links.append((model, field.name))
    return links


def _note_records_naming(sender, instance, **kwargs):
    """Before a deletion: which tracked records name ``instance`` (kept on it until after)."""
    instance._history_named_by = [
        (model, list(model._base_manager.filter(**{name: instance}).values_list("pk", flat=True)))
        for model, name in _LINKS[sender]
    ]


def _record_new_versions(sender, instance, **kwargs):
    """After a deletion: a version of each record that named ``instance`` and remains. Its
    reason names the kind deleted, not the record: a disposal removes the record's text, and a
    reason naming it would keep it (``sscb.retention``)."""
    for model, pks in getattr(instance, "_history_named_by", ()):
        remaining = list(model._base_manager.filter(pk__in=pks))
        if remaining:
            record_versions(remaining, reason=f"Linked {sender._meta.verbose_name} deleted")


def record_versions(records, *, reason: str) -> None:
    """A new version of each of ``records`` (one model): its fields and tracked links as they
    are now, by the person making the request (simple-history's middleware)."""
    history = _history_of(type(records[0]))
    versions = {
        version.id: version
        for version in history.bulk_history_create(
            records, update=True, default_change_reason=reason
        )
    }
    for field in history.model._history_m2m_fields:
        kept = getattr(history.model, field.name).model
        source = field.m2m_field_name()
        links = field.remote_field.through._base_manager.filter(**{f"{source}__in": records})
        kept.objects.bulk_create(
            [kept(history=versions[getattr(row, f"{source}_id")], **_values(row)) for row in links]
        )


def _values(row) -> dict:
    return {field.attname: getattr(row, field.attname) for field in row._meta.concrete_fields}


_LINKS: dict[type, list[tuple[type, str]]] = {}


@dataclass(frozen=True)
class Change:
    """One field changed in a version: its label, and what it was and became (None for text,
    which is too long to show twice: "changed the progress")."""

    label: str
    before: str | None = None
    after: str | None = None


def versions_with_changes(versions, fields: list[str], *, shown: int):
    """The newest ``shown`` of ``versions`` (newest first), each with what changed in
    ``fields`` since the version before it. One query for the versions, and one for each kind
    of record a changed link names (most pages: none), whatever the number of versions."""
    read = list(versions[: shown + 1])  # one more: what the oldest shown changed
    if not read:
        return []
    named = [read[0].instance_type._meta.get_field(name) for name in fields]
    links = defaultdict(set)  # related model: the keys changed links name
    changed = [
        (version, _changes(version, before, named, links) if before is not None else [])
        for version, before in zip(read[:shown], [*read[1:], None], strict=False)
    ]
    names = {
        (model, pk): str(record)
        for model, keys in links.items()
        for pk, record in model._base_manager.in_bulk(keys).items()
    }
    return [(version, [change.named(names) for change in changes]) for version, changes in changed]


def _changes(version, before, fields, links) -> list["_Change"]:
    changes = []
    for field in fields:
        old, new = getattr(before, field.attname), getattr(version, field.attname)
        if old == new:
            continue
        if isinstance(field, models.TextField):
            changes.append(_Change(field))
            continue
        if field.is_relation:
            links[field.related_model].update(key for key in (old, new) if key is not None)
        changes.append(_Change(field, old, new))
    return changes


@dataclass(frozen=True)
class _Change:
    field: models.Field
    old: object = None
    new: object = None

    def named(self, names) -> Change:
        label = str(self.field.verbose_name)
        if isinstance(self.field, models.TextField):
            return Change(label)
        return Change(label, self._shown(self.old, names), self._shown(self.new, names))

    def _shown(self, value, names) -> str:
        field = self.field
        if value is None or value == "":
            return "none"
        if field.is_relation:
            return names.get((field.related_model, value), "a record since deleted")
        if field.choices:
            return str(dict(field.flatchoices).get(value, value))
        if isinstance(field, models.BooleanField):
            return "yes" if value else "no"
        if isinstance(field, models.DateField):
            return f"{value.day} {value:%b %Y}"
        return str(value)


def connect() -> None:
    """Called once, from ``SscbConfig.ready()``."""
    for model in installed.get_models():
        links = naming_links(model)
        if links:
            _LINKS[model] = links
            pre_delete.connect(_note_records_naming, sender=model, dispatch_uid="history-named")
            post_delete.connect(_record_new_versions, sender=model, dispatch_uid="history-named")


def record_links_in_newest_versions(apps, app_label: str, model_name: str, field_name: str):
    """For a migration that starts keeping ``field_name``'s history: copy each ``model_name``
    record's current links into its newest version."""
    model = apps.get_model(app_label, model_name)
    field = model._meta.get_field(field_name)
    through = field.remote_field.through
    versions = apps.get_model(app_label, f"Historical{model_name}")
    kept = apps.get_model(app_label, f"Historical{model_name}_{field_name}")
    source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
    newest = (
        versions.objects.filter(id=OuterRef(f"{source}_id"))
        .values("id")
        .annotate(newest=Max("history_id"))
        .values("newest")
    )
    rows = through.objects.annotate(version=Subquery(newest)).filter(version__isnull=False)
    kept.objects.bulk_create(
        [
            kept(
                id=row.pk,
                history_id=row.version,
                **{f"{source}_id": getattr(row, f"{source}_id")},
                **{f"{target}_id": getattr(row, f"{target}_id")},
            )
            for row in rows.iterator(chunk_size=2000)
        ],
        batch_size=2000,
    )

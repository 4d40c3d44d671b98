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
  work on it (``versions_with_changes``: an action's page). A link to a record with a rule of
  its own for who may see it (``Link``: a finding's review, an action's finding) names that
  record only to a reader who may open it, and otherwise says how the link changed ("moved to
  another review"). A version that changed none of the fields a page lists says which others
  changed, never "saved it unchanged" when something did. The admin's History pages say each
  change in the same words (``kept_fields``, ``Change.__str__``: sscb.admin_records).
"""

from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass

from django.apps import apps as installed
from django.db import models
from django.db.models import Max, OuterRef, Subquery
from django.db.models.signals import post_delete, pre_delete
from django.utils import timezone
from simple_history.models import HistoricalRecords

# Links Django empties itself when the record they name is deleted.
EMPTIED = (models.SET_NULL, models.SET_DEFAULT)
# How long a version's reason may be (django-simple-history's history_change_reason).
REASON_LENGTH = 100


def reason_of(text: str | None) -> str | None:
    """``text`` as a version's reason, which holds 100 characters: cut, where it must be, at a
    word's end and marked "…", never mid-word ("…agencies added since it opened: Police, …")."""
    if not text or len(text) <= REASON_LENGTH:
        return text
    return text[: REASON_LENGTH - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"


@contextmanager
def saying(record, reason: str):
    """The versions ``record``'s saves and link changes make within the block give ``reason``
    (what changed, where the fields do not say it)."""
    record._change_reason = reason_of(reason)
    try:
        yield record
    finally:
        del record._change_reason


def versions_of(model):
    """The manager of ``model``'s versions (its ``model`` is the historical model), or None if
    it keeps no history."""
    name = getattr(model._meta, "simple_history_manager_attribute", None)
    return getattr(model, name) if name else None


def _links_by_target() -> dict[type, list[tuple[type, str]]]:
    """For each model, (tracked model, field) of every link that a deletion of one of its
    records changes without a signal: a ``SET_NULL`` foreign key, or a tracked many-to-many
    field. One pass over the models."""
    links = defaultdict(list)
    for model in installed.get_models():
        versions = versions_of(model)
        if versions is None:
            continue
        for field in model._meta.fields:
            if field.is_relation and field.remote_field.on_delete in EMPTIED:
                links[field.related_model].append((model, field.name))
        for field in versions.model._history_m2m_fields:
            links[field.related_model].append((model, field.name))
    return links


_LINKS: dict[type, list[tuple[type, str]]] = {}


def naming_links(target) -> list[tuple[type, str]]:
    """(tracked model, field) of every link that a deletion of a ``target`` record changes
    without a signal (known once ``connect()`` has run)."""
    return _LINKS.get(target, [])


def connect() -> None:
    """Called once, from ``SscbConfig.ready()``."""
    _LINKS.update(_links_by_target())
    for target in _LINKS:
        pre_delete.connect(_note_records_naming, sender=target, dispatch_uid="history-named")
        post_delete.connect(_record_new_versions, sender=target, dispatch_uid="history-named")


def _note_records_naming(sender, instance, **kwargs):
    """Before a deletion: which tracked records name ``instance`` (kept on it until after)."""
    named_by = []
    for model, name in _LINKS[sender]:
        pks = list(model._base_manager.filter(**{name: instance}).values_list("pk", flat=True))
        if pks:
            named_by.append((model, pks))
    instance._history_named_by = named_by


def _record_new_versions(sender, instance, **kwargs):
    """After a deletion: a version of each record that named ``instance`` and remains. Its
    reason names the kind deleted, not the record: a disposal removes the record's text, and a
    reason naming it would keep it (``sscb.retention``)."""
    for model, pks in getattr(instance, "_history_named_by", ()):
        remaining = list(model._base_manager.filter(pk__in=pks))
        if remaining:
            record_versions(remaining, reason=f"Linked {sender._meta.verbose_name} deleted")


def record_versions(records, *, reason: str = "", added: bool = False) -> None:
    """A new version of each of ``records`` (one model): its fields and tracked links as they
    are now, by the person making the request (simple-history's middleware); ``added``: the
    records' first."""
    versions = versions_of(type(records[0]))
    made = {
        version.id: version
        for version in versions.bulk_history_create(
            records, update=not added, default_change_reason=reason
        )
    }
    for field in versions.model._history_m2m_fields:
        kept = HistoricalRecords.m2m_models[field]  # as sscb.retention finds them
        source = field.m2m_field_name()
        links = field.remote_field.through._base_manager.filter(**{f"{source}__in": records})
        kept.objects.bulk_create(
            [kept(history=made[getattr(row, f"{source}_id")], **_values(row)) for row in links]
        )


def _values(row) -> dict:
    return {field.attname: getattr(row, field.attname) for field in row._meta.concrete_fields}


@dataclass(frozen=True)
class Change:
    """One field changed in a version: its label, and what it was and became (None for text
    and addresses, ``SAID_ONLY``: "changed the progress"), or, for a link to a record the
    reader may not open, how it changed in words (``said``: "moved to another review")."""

    label: str
    before: str | None = None
    after: str | None = None
    said: str = ""

    def __str__(self):
        """As a history says it: "status In progress → Complete", "changed the progress"."""
        if self.said:
            return self.said
        if self.after is None:
            return f"changed the {self.label}"
        return f"{self.label} {self.before} → {self.after}"


@dataclass(frozen=True)
class Link:
    """In a history's ``fields``: a link to a record with a rule of its own for who may see it
    (a review, a theme, a finding). The history names the record only if it is among
    ``visible`` (a queryset of those the reader may open), by its ``name`` field (or as it
    prints itself), and otherwise says only how the link changed; with no ``visible``, it never
    names it. One query for each such link that a version shown changed (most pages: none)."""

    field: str
    visible: object = None
    name: str | None = None


def kept_fields(model) -> list[str]:
    """Every field of ``model`` whose history is kept and that a person may change, its tracked
    many-to-many fields included: for a page that shows all of a record's changes (the admin's
    History), not the timestamps Django keeps."""
    versions = versions_of(model).model
    kept = [
        field.name
        for field in versions.tracked_fields
        if not field.primary_key
        and not getattr(field, "auto_now", False)
        and not getattr(field, "auto_now_add", False)
    ]
    return kept + [field.name for field in versions._history_m2m_fields]


# How many of a record's versions its page lists (templates/sscb/_history.html).
HISTORY_SHOWN = 20


def versions_with_changes(versions, fields: list[str], *, shown: int = HISTORY_SHOWN):
    """The newest ``shown`` of ``versions`` (newest first), each with what changed in
    ``fields`` since the version of the same record before it. ``versions`` may hold several
    records' versions (a review's agencies). A many-to-many field in ``fields`` must link to
    records with no visibility rule of their own (agencies), as it names them. One query for
    the versions, one for the versions before them, one for each kind of record a changed link
    names (most pages: none) and one for each many-to-many field, whatever the number of
    versions."""
    return _with_changes(list(_newest(versions, shown)), fields)


@dataclass(frozen=True)
class Part:
    """Versions of records that make up part of another (a review's terms of reference), shown
    in its history under ``label``, with what changed in ``fields``."""

    label: str
    versions: object  # a queryset of one model's versions
    fields: list[str]
    # What tells one such record from another: a field, or a function of the version.
    name: object = None


def history_of(
    record_versions,
    fields: list[str],
    parts=(),
    *,
    shown: int = HISTORY_SHOWN,
    steady: bool = False,
):
    """A record's history with its parts' (``Part``), newest first: the newest ``shown`` of
    all their versions together, each with what changed. A part's version carries its label
    as ``version.part``. Two queries for the record and two for each part, whatever the number
    of versions; ``steady``: even where no version read has one before it (the first), which
    otherwise saves a query."""
    read = [(version, None) for version in _newest(record_versions, shown)]
    for part in parts:
        read += [(version, part.label) for version in _newest(part.versions, shown)]
    read.sort(key=lambda row: (row[0].history_date, row[0].history_id), reverse=True)
    read = read[:shown]
    merged = _with_changes(
        [version for version, label in read if label is None], fields, steady=steady
    )
    for part in parts:
        these = [version for version, label in read if label == part.label]
        for version, changes in _with_changes(these, part.fields, name=part.name, steady=steady):
            version.part = f"{part.label} ({version.named})" if part.name else part.label
            merged.append((version, changes))
    merged.sort(key=lambda row: (row[0].history_date, row[0].history_id), reverse=True)
    return merged


def _newest(versions, shown):
    """The newest ``shown`` of ``versions``, each annotated with the key of the version of the
    same record before it (``before_id``)."""
    before = _before(versions.model)
    return versions.annotate(before_id=before).order_by("-history_date", "-history_id")[:shown]


def _before(model):
    """The key of the version of the same record before each of ``model``'s versions."""
    return Subquery(
        model._base_manager.filter(id=OuterRef("id"), history_id__lt=OuterRef("history_id"))
        .order_by("-history_id")
        .values("history_id")[:1]
    )


def _with_changes(read, fields, *, name=None, steady=False):
    """Each of ``read`` (versions from ``_newest``) with what changed in ``fields`` (names, or
    ``Link``); with a ``name`` (a field, or a function of the version), each version's ``named``
    says which record it is. ``steady``: the versions before are read by a subquery, in a query
    even where none has one."""
    if not read:
        return []
    model = type(read[0])
    if steady:
        read_ids = model._base_manager.filter(history_id__in=[v.history_id for v in read])
        keys = read_ids.annotate(before_id=_before(model)).values("before_id")
        previous = {v.history_id: v for v in model._base_manager.filter(history_id__in=keys)}
    else:
        previous = model._base_manager.in_bulk(
            [version.before_id for version in read if version.before_id is not None]
        )
    meta = read[0].instance_type._meta
    links = {field.field: field for field in fields if isinstance(field, Link)}
    compared = [meta.get_field(getattr(field, "field", field)) for field in fields]
    linked = [field for field in compared if field.many_to_many]
    compared = [field for field in compared if not field.many_to_many]
    diffs = [
        (
            version,
            _differences(version, previous[version.before_id], compared)
            if version.before_id in previous
            else [],
        )
        for version in read
    ]
    keys = defaultdict(set)  # related model (or Link field): the keys that changed links name
    for _version, differences in diffs:
        for field, old, new in differences:
            if field.is_relation:
                where = field.name if field.name in links else field.related_model
                keys[where].update(key for key in (old, new) if key is not None)
    naming = meta.get_field(name) if isinstance(name, str) else None
    if naming is not None and naming.is_relation:
        keys[naming.related_model].update(getattr(version, naming.attname) for version in read)
    names = {}
    for where, wanted in keys.items():
        names |= {(where, pk): shown for pk, shown in _names(where, wanted, links)}
    for version in read if name else ():
        version.named = (
            _shown(naming, getattr(version, naming.attname), names) if naming else name(version)
        )
    shown = [
        (
            version,
            [
                _link_change(field, old, new, names)
                if field.name in links
                else field_change(field, old, new, names)
                for field, old, new in differences
            ],
        )
        for version, differences in diffs
    ]
    for field in linked:
        _add_link_changes(shown, field)
    _add_other_changes(shown, previous, meta, {*compared, *linked})
    return shown


def _names(where, wanted, links):
    """(key, name) of the ``wanted`` records a changed link names: for a ``Link``'s field, those
    the reader may open; for any other link, every one (records with no rule of their own)."""
    if not isinstance(where, str):
        return [(pk, str(record)) for pk, record in where._base_manager.in_bulk(wanted).items()]
    link = links[where]
    if link.visible is None:
        return []
    visible = link.visible.filter(pk__in=wanted)
    if link.name:
        return [(pk, str(value)) for pk, value in visible.values_list("pk", link.name)]
    return [(record.pk, str(record)) for record in visible]


def _add_other_changes(shown, previous, meta, listed) -> None:
    """To each of ``shown`` that changed none of the ``listed`` fields and gives no reason, which
    of the record's other fields changed: said, never shown (a page lists what it means to show;
    a link may name a record the reader may not open). None: it was saved unchanged. The
    timestamps Django keeps are not changes."""
    kept = {field.name for field in type(shown[0][0])._meta.fields} if shown else set()
    others = [
        field
        for field in meta.concrete_fields
        if field.name in kept
        and field not in listed
        and not field.primary_key
        and not getattr(field, "auto_now", False)
        and not getattr(field, "auto_now_add", False)
    ]
    for version, changes in shown:
        if changes or version.history_change_reason or version.before_id not in previous:
            continue
        for field, _old, _new in _differences(version, previous[version.before_id], others):
            changes.append(Change(_label(field)))


def _add_link_changes(shown, field) -> None:
    """Add to each of ``shown`` what changed in ``field``, a tracked many-to-many field whose
    records have no visibility rule of their own (a finding's agencies, a theme's strategic
    priorities): each version keeps its links as they were then. One query."""
    target = field.m2m_reverse_field_name()
    wanted = {version.history_id for version, _changes in shown}
    wanted |= {version.before_id for version, _changes in shown} - {None}
    linked = defaultdict(list)
    kept = HistoricalRecords.m2m_models[field].objects.filter(history_id__in=wanted)
    for row in kept.select_related(target):
        linked[row.history_id].append(str(getattr(row, target)))
    for version, changes in shown:
        if version.before_id is None:
            continue
        before, after = sorted(linked[version.before_id]), sorted(linked[version.history_id])
        if before != after:
            label = str(field.verbose_name)
            changes.append(Change(label, ", ".join(before) or "none", ", ".join(after) or "none"))


def _differences(version, before, fields) -> list[tuple]:
    """(field, old value, new value) of each of ``fields`` that differs between the two."""
    return [
        (field, getattr(before, field.attname), getattr(version, field.attname))
        for field in fields
        if getattr(before, field.attname) != getattr(version, field.attname)
    ]


# Said to have changed, not what they held: text too long to show twice, and an address that
# is more than the page shows.
SAID_ONLY = (models.TextField, models.EmailField)


def _label(field) -> str:
    return str(field.verbose_name)


def field_change(field, old, new, names) -> Change:
    """How ``field`` changed from ``old`` to ``new``, in the words every history uses (a record
    page's, the admin's History, a review's terms-of-reference versions)."""
    label = _label(field)
    if isinstance(field, SAID_ONLY):
        return Change(label)
    return Change(label, _shown(field, old, names), _shown(field, new, names))


def _link_change(field, old, new, names) -> Change:
    """What changed in a link to a record with a rule of its own (``Link``): each side named
    where ``names`` holds it (the reader may open it), otherwise how the link changed."""
    label = _label(field)
    before, after = names.get((field.name, old)), names.get((field.name, new))
    if (old is None or before) and (new is None or after):
        return Change(label, before or "none", after or "none")
    if old is None:
        said = f"linked to {_a(label)}"
    elif new is None:
        said = f"no longer linked to its {label}"
    elif before:
        said = f"moved from {label} {before} to another {label}"
    elif after:
        said = f"moved to {label} {after} from another {label}"
    else:
        said = f"moved to another {label}"
    return Change(label, said=said)


def _a(noun: str) -> str:
    return f"{'an' if noun[:1].lower() in 'aeiou' else 'a'} {noun}"


def _shown(field, value, names) -> str:
    if value is None or value == "":
        return "none"
    if field.is_relation:
        return names.get((field.related_model, value), "a record since deleted")
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.BooleanField):
        return "yes" if value else "no"
    if isinstance(field, models.DateTimeField):
        value = timezone.localtime(value)
        return f"{value.day} {value:%b %Y %H:%M}"
    if isinstance(field, models.DateField):
        return f"{value.day} {value:%b %Y}"
    if isinstance(field, models.TimeField):
        return f"{value:%H:%M}"
    return str(value)


def record_links_in_newest_versions(apps, app_label: str, model_name: str, field_name: str):
    """For a migration that starts keeping ``field_name``'s history: copy each ``model_name``
    record's current links into its newest version."""
    model = apps.get_model(app_label, model_name)
    field = model._meta.get_field(field_name)
    through = field.remote_field.through
    versions = apps.get_model(app_label, f"Historical{model_name}")
    kept = apps.get_model(app_label, f"Historical{model_name}_{field_name}")
    source = field.m2m_field_name()
    newest = (
        versions.objects.filter(id=OuterRef(f"{source}_id"))
        .values("id")
        .annotate(newest=Max("history_id"))
        .values("newest")
    )
    rows = through.objects.annotate(version=Subquery(newest)).filter(version__isnull=False)
    kept.objects.bulk_create(
        [kept(history_id=row.version, **_values(row)) for row in rows.iterator(chunk_size=2000)],
        batch_size=2000,
    )

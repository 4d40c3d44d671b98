"""The admin's inline rows, read with the records they name (issue 15).

Django's inlines ask the database once for each row they show: the record an autocomplete box
names ("Sam Patel"), the list of choices in each row's drop-down, and the records a row's own
name mentions. A sub-group with 23 members took 75 queries; a review with its agencies, clocks
and acts 35. Every inline in this project comes from here, so a record's admin page runs the same
queries whether it has two rows or two hundred.
"""

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import flatten
from django.contrib.admin.widgets import (
    AutocompleteMixin,
    AutocompleteSelect,
    ForeignKeyRawIdWidget,
)
from django.forms.models import BaseInlineFormSet
from django.utils.choices import BaseChoiceIterator
from django.utils.text import Truncator

from .admin_records import change_url


class NamedFromRow:
    """A box that names its chosen record from the row it sits in (read with the row), instead
    of asking the database for it. Any other value (a form sent back with an error) is named as
    Django names it."""

    chosen = None

    def chosen_for(self, values):
        shown = [str(value) for value in values if value not in ("", None)]
        if self.chosen is not None and shown == [str(self.chosen.pk)]:
            return self.chosen
        return None


class AutocompleteNamedFromRow(NamedFromRow, AutocompleteSelect):
    def optgroups(self, name, value, attr=None):
        chosen = self.chosen_for(value)
        if chosen is None:
            return super().optgroups(name, value, attr)
        options = [] if self.is_required else [self.create_option(name, "", "", False, 0)]
        label = self.choices.field.label_from_instance(chosen)
        options.append(self.create_option(name, chosen.pk, label, True, len(options)))
        return [(None, options, 0)]


class RawIdNamedFromRow(NamedFromRow, ForeignKeyRawIdWidget):
    def label_and_url_for_value(self, value):
        chosen = self.chosen_for([value])
        if chosen is None:
            return super().label_and_url_for_value(value)
        return Truncator(chosen).words(14), change_url(self.admin_site, chosen)


class ReadOnce(BaseChoiceIterator):
    """A drop-down's choices, read the first time a row shows them and shared by every row
    (each form's copy of the field is this same object)."""

    def __init__(self, choices):
        self.choices = choices
        self.read = None

    def __iter__(self):
        if self.read is None:
            self.read = [(getattr(key, "value", key), label) for key, label in self.choices]
        return iter(self.read)

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self


class RowForm(forms.ModelForm):
    """Gives each box of a row that names a record the record the row already holds."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            widget = getattr(field.widget, "widget", field.widget)  # inside the "+" wrapper
            if isinstance(widget, NamedFromRow):
                relation = self.instance._meta.get_field(name)
                widget.chosen = relation.get_cached_value(self.instance, default=None)


class RowFormSet(BaseInlineFormSet):
    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        if self.instance.pk is not None:
            # Each row's own name may name the record they sit on ("Health — standard 3"):
            # the record the page already read, not one read again for every row.
            setattr(form.instance, self.fk.name, self.instance)
        return form


class RowsReadWithTheirRecords:
    """The rows read with the records they show, in one query; each row named from the record
    the page is about; each drop-down's list read once for all the rows. A row is no easier to
    change than its record on its own page: what the record's own admin (RecordAdmin) keeps
    read-only, or refuses to add, change or delete, the row does too."""

    form = RowForm
    formset = RowFormSet
    # For rows with no admin of their own: what the product's services change.
    governed_fields: tuple[str, ...] = ()

    def _own_admin(self):
        """The admin of the rows' own model, where it has one."""
        return self.admin_site._registry.get(self.model)

    def get_readonly_fields(self, request, obj=None):
        shown = list(super().get_readonly_fields(request, obj))
        own = self._own_admin()
        governed = [*self.governed_fields, *getattr(own, "governed_fields", ())]
        return shown + [name for name in dict.fromkeys(governed) if name not in shown]

    def has_add_permission(self, request, obj=None):
        own = self._own_admin()
        if own is not None and not own.has_add_permission(request):
            return False
        return super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        own = self._own_admin()
        if own is not None and not own.has_change_permission(request):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        own = self._own_admin()
        if own is not None and not own.has_delete_permission(request):
            return False
        return super().has_delete_permission(request, obj)

    def get_queryset(self, request):
        shown = set(flatten(self.fields)) if self.fields else None  # None: every field
        named = [
            field.name
            for field in self.model._meta.concrete_fields
            if field.is_relation
            and (field.many_to_one or field.one_to_one)
            and (shown is None or field.name in shown)
        ]
        return super().get_queryset(request).select_related(*named)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        site, using = self.admin_site, kwargs.get("using")
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = AutocompleteNamedFromRow(db_field, site, using=using)
        elif "widget" not in kwargs and db_field.name in self.raw_id_fields:
            kwargs["widget"] = RawIdNamedFromRow(db_field.remote_field, site, using=using)
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        widget = field.widget
        if (
            isinstance(widget, forms.Select)
            and not isinstance(widget, AutocompleteMixin)
            and not db_field.remote_field.limit_choices_to  # narrowed by each row's form
        ):
            # A drop-down of a short list (sub-groups, frameworks): read once for every row.
            field.choices = ReadOnce(field.choices)
        return field


class TabularInline(RowsReadWithTheirRecords, admin.TabularInline):
    pass


class StackedInline(RowsReadWithTheirRecords, admin.StackedInline):
    pass

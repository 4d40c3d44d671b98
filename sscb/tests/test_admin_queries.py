"""The Django admin stays usable as the records grow (issue 16, item 6): a record among many is
chosen by searching for it (autocomplete) or by its id, never from a list of every row, and no
admin page runs more than ADMIN_MAX_QUERIES queries, however many rows there are."""

import re

import pytest
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.utils import get_deleted_objects
from django.contrib.admin.widgets import ForeignKeyRawIdWidget
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.db.models import F
from django.forms.models import _get_foreign_key
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from simple_history.admin import SimpleHistoryAdmin

from audits.models import Framework, StandardAssessment
from learning.tests.factories import ActionFactory, FindingFactory, OutcomeFactory
from reviews.models import Review
from sscb.admin import USERS_WITH_RECORDS
from sscb.admin_inlines import RawIdNamedFromRow, RowsReadWithTheirRecords
from sscb.admin_records import NAMED_ON_DELETION, RecordAdmin
from sscb.models import StrategicPriority, SubGroup, User
from sscb.tests.factories import AgencyFactory, UserFactory
from sscb.tests.test_access_matrix import URL_NAMES, _admin_model, admin_request
from sscb.tests.world import world_with_admin_rows

pytestmark = pytest.mark.django_db

ADMIN_MAX_QUERIES = 50
# Our apps by label (the last part of each name in settings: "learning.meetings" is "meetings").
PROJECT_APPS = {name.rpartition(".")[2] for name in settings.PROJECT_APPS}
# Tables that stay a few dozen rows at most, so a plain choice list of them is fine.
SMALL_TABLES = {
    SubGroup: "the Board's sub-groups",
    StrategicPriority: "the Board's strategic priorities",
    Framework: "the audit frameworks (Section 11, Section 175)",
    Group: "permission groups",
    Permission: "fixed by the code, and shown in one query",
}
# The admin pages that show records: each model's list, add form, change form and history.
PAGES = ("changelist", "add", "change", "history")


def admin_pages():
    for name in URL_NAMES:
        if name.startswith("admin:"):
            model, action = _admin_model(name.split(":", 1)[1])
            if model is not None and action in PAGES:
                yield name


def url_of(world, name):
    kwargs, _ = admin_request(world, name)
    args = kwargs.pop("args", None)
    return reverse(name, args=args) if args else reverse(name, kwargs=kwargs)


def queries_for(client, url, sql=False):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code in (200, 403), (url, response.status_code)
    if sql:
        # The session is read from the cache or from its table, as the cache has it.
        return [q["sql"] for q in queries.captured_queries if "django_session" not in q["sql"]]
    return len(queries.captured_queries)


def choice_lists(model_admin, model, request):
    """The relations a form of ``model_admin`` offers as a list of every row."""
    shown = set()
    for _, options in model_admin.get_fieldsets(request):
        for line in options["fields"]:
            shown.update(line if isinstance(line, (list, tuple)) else [line])
    searched = {*model_admin.autocomplete_fields, *model_admin.raw_id_fields}
    parent = getattr(model_admin, "fk_name", None) or next(
        (
            field.name
            for field in model._meta.fields
            if getattr(model_admin, "parent_model", None)
            and field.related_model == model_admin.parent_model
        ),
        None,
    )
    for field in model._meta.get_fields():
        if not (field.concrete and field.is_relation and field.editable):
            continue
        if field.name not in shown or field.name in searched or field.name == parent:
            continue
        if field.name in model_admin.get_readonly_fields(request):
            continue
        if field.many_to_many and field.remote_field.through._meta.auto_created is False:
            continue  # edited through its own inline
        yield field


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    with world_with_admin_rows(django_db_blocker, str(tmp_path_factory.mktemp("media"))) as built:
        yield built


@pytest.fixture
def bu_client(client, world):
    client.force_login(world.users["business_unit"])
    return client


def test_a_record_among_many_is_searched_for_not_listed(rf):
    request = rf.get("/admin/")
    request.user = User(role="business_unit", is_staff=True, is_superuser=True)
    listed = []
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in PROJECT_APPS:
            continue
        inlines = [inline(model, admin.site) for inline in model_admin.inlines]
        for form_admin in [model_admin, *inlines]:
            for field in choice_lists(form_admin, form_admin.model, request):
                if field.related_model not in SMALL_TABLES:
                    where = f"{type(form_admin).__name__}.{field.name}"
                    listed.append(f"{where} lists every {field.related_model.__name__}")
    assert not listed, "use autocomplete_fields or raw_id_fields:\n" + "\n".join(listed)


@pytest.mark.parametrize("name", list(admin_pages()))
def test_admin_page_runs_few_queries(name, world, bu_client):
    assert queries_for(bu_client, url_of(world, name)) <= ADMIN_MAX_QUERIES


# The forms with the most relations: an action's (its add page ran 552 queries on the demo
# data), a finding's, a learning outcome's with its inlines, a Section 11 return's.
FORMS = [
    "admin:learning_action_add",
    "admin:learning_action_change",
    "admin:learning_finding_add",
    "admin:learning_learningoutcome_change",
    "admin:audits_selfassessment_change",
]


def test_admin_forms_run_no_more_queries_with_many_rows(world, bu_client):
    for name in FORMS:  # once first, so that the content-type cache is filled
        queries_for(bu_client, url_of(world, name))
    before = {name: queries_for(bu_client, url_of(world, name), True) for name in FORMS}
    for _ in range(30):
        agency = AgencyFactory()
        UserFactory(agency=agency, role="agency_lead")
        OutcomeFactory(theme=world.themes["own"])
        FindingFactory(review=world.reviews["open_A"], subgroup=world.subgroups["li"])
        ActionFactory(review=world.reviews["open_A"], owner_agency=agency)
    after = {name: queries_for(bu_client, url_of(world, name), True) for name in FORMS}
    for name in FORMS:
        assert len(after[name]) == len(before[name]), (name, after[name])


# Beside the small tables, what an admin list may be narrowed by from a list of every row: the
# partnership's agencies (tens; the way the Business Unit narrows a list most often), and the
# reference lists and audit cycles (one or two a year) that stay short.
LISTED_IN_FILTERS = {
    "Agency": "the partnership's agencies",
    "AuditCycle": "one or two audit cycles a year",
    "DeathCategory": "the national categories of child death",
    "AgeBand": "the age bands the CDOP report counts by",
    "IndicatorSet": "the performance framework's sets of indicators",
}


def test_no_admin_list_is_narrowed_from_a_list_of_every_case_record():
    listed = []
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in PROJECT_APPS:
            continue
        for entry in model_admin.list_filter:
            if not isinstance(entry, str):
                continue  # a filter class of its own (a choice, "in a theme or not")
            field = model
            for part in entry.split("__"):
                field = field._meta.get_field(part)
                field = field.related_model or field
            if not isinstance(field, type):
                continue  # a plain field: its choices, yes or no, or dates
            if field in SMALL_TABLES or field.__name__ in LISTED_IN_FILTERS:
                continue
            listed.append(
                f"{type(model_admin).__name__}.list_filter {entry}: every {field.__name__}"
            )
    assert not listed, "search for these instead:\n" + "\n".join(listed)


def test_the_reminders_list_reads_a_page_of_rows_not_every_row(world, bu_client):
    """Reminders run to millions (2.9 million at scale 1): their list reads its page's rows,
    newest first, by their key. A date hierarchy read every row's due date twice (1 s at scale
    1) and the model's own order, newest planned first, has no index to itself (1.4 s)."""
    sql = queries_for(bu_client, reverse("admin:sscb_reminder_changelist"), sql=True)
    reads = [query for query in sql if '"sscb_reminder"' in query and "COUNT(*)" not in query]
    assert len(reads) == 1, reads
    assert 'ORDER BY "sscb_reminder"."id" DESC' in reads[0]


def project_inlines():
    """(model, its admin, each inline) for the records of our apps edited with rows inline."""
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label in PROJECT_APPS and model_admin.inlines:
            yield model, model_admin, [inline(model, admin.site) for inline in model_admin.inlines]


def test_every_inline_reads_its_rows_with_their_records():
    plain = [
        type(inline).__name__
        for _, _, inlines in project_inlines()
        for inline in inlines
        if not isinstance(inline, RowsReadWithTheirRecords)
    ]
    assert not plain, "inherit from sscb.admin_inlines' TabularInline or StackedInline"


def _unique_together(model):
    together = [set(fields) for fields in model._meta.unique_together]
    together += [set(c.fields) for c in model._meta.constraints if getattr(c, "fields", None)]
    together += [  # a rule on expressions (the email, whatever its capitals)
        {e.name for expression in c.expressions for e in expression.flatten() if isinstance(e, F)}
        for c in model._meta.constraints
        if getattr(c, "expressions", None)
    ]
    return together


def another_row(row, number, parent_field=None, onto=None):
    """A copy of ``row`` (on the record ``onto``), with what must differ made different: a
    public id, and one field of each unique set (a text or number beside it, another choice, or
    a record of its own). None once a choice has no value left."""
    model = type(row)
    copy = model._default_manager.get(pk=row.pk)
    copy.pk = None
    copy._state.adding = True
    if parent_field:
        setattr(copy, parent_field, onto)
    fields = {field.name: field for field in model._meta.concrete_fields}
    different = [field for field in fields.values() if field.unique and not field.primary_key]
    for together in _unique_together(model):
        rest = [fields[name] for name in together if name != parent_field]
        different.append(min(rest, key=lambda field: (field.is_relation, bool(field.choices))))
    for field in different:
        value = getattr(copy, field.attname)
        if field.has_default() and callable(field.default):  # a public id
            value = field.default()
        elif field.choices:
            siblings = model._default_manager.all()
            if parent_field:
                siblings = siblings.filter(**{parent_field: onto})
            used = set(siblings.values_list(field.attname, flat=True))
            left = [key for key, _ in field.flatchoices if key not in used]
            if not left:
                return None
            value = left[0]
        elif field.is_relation:
            value = another_row(getattr(row, field.name), number).pk
        elif isinstance(value, int):
            value += 1000 * number
        else:
            value = f"{number} {value}"[: field.max_length]
        setattr(copy, field.attname, value)
    copy.save()
    return copy


@pytest.mark.parametrize(
    "model", [model for model, _, _ in project_inlines()], ids=lambda model: model.__name__
)
def test_a_record_with_more_rows_inline_runs_no_more_queries(model, world, bu_client):
    """A sub-group with 23 members took 75 queries, a review with its agencies and acts 35, a
    Section 11 return with its answers 56: a query or more for each row."""
    record = model._default_manager.order_by("pk").first()
    opts = model._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[record.pk])
    (inlines,) = [inlines for each, _, inlines in project_inlines() if each is model]
    rows = {}
    for inline in inlines:  # a row in each inline first, so that what is read once is read
        parent = _get_foreign_key(model, inline.model, fk_name=inline.fk_name).name
        on_any = inline.model._default_manager.exclude(**{parent: None}).order_by("pk")
        row = on_any.filter(**{parent: record}).first() or on_any.first()
        assert row, f"the test world needs a {inline.model.__name__} on a {model.__name__}"
        if getattr(row, parent) != record:
            row = another_row(row, 9, parent, onto=record)
        rows[inline.model, parent] = row
    queries_for(bu_client, url)
    before = queries_for(bu_client, url, sql=True)
    for (inline_model, parent), row in rows.items():
        added = [another_row(row, number, parent, onto=record) for number in (1, 2, 3)]
        assert added[0], f"no second {inline_model.__name__} could be added"
    after = queries_for(bu_client, url, sql=True)
    assert len(after) == len(before), "\n".join(["before:", *before, "after:", *after])


def project_history_admins():
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label in PROJECT_APPS and isinstance(model_admin, SimpleHistoryAdmin):
            yield model, model_admin


def test_every_history_page_comes_from_sscb_admin_records():
    plain = [
        type(each).__name__
        for _, each in project_history_admins()
        if not isinstance(each, RecordAdmin)
    ]
    assert not plain, "inherit from sscb.admin_records.RecordAdmin"


def history_url(model, record):
    opts = model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_history", args=[record.pk])


@pytest.mark.parametrize(
    "model", [model for model, _ in project_history_admins()], ids=lambda model: model.__name__
)
def test_a_record_changed_more_often_has_a_history_page_of_as_many_queries(model, world, bu_client):
    """A review changed 15 times took 32 queries for its history: its panel members read twice
    for each change, and each row named afresh."""
    record = model._default_manager.order_by("pk").first()
    record.save()  # at least two rows, so that one change is shown
    queries_for(bu_client, history_url(model, record))
    before = queries_for(bu_client, history_url(model, record), sql=True)
    for _ in range(3):
        record.save()
    after = queries_for(bu_client, history_url(model, record), sql=True)
    assert len(after) == len(before), "\n".join(["before:", *before, "after:", *after])


def change_history(page):
    return re.search(r'<table id="change-history".*?</table>', page, re.S).group(0)


def test_a_history_page_says_the_changes_in_the_record_pages_words(world, rf):
    """Every change, many-to-many fields and a person since removed included, in the words of
    the record's own page: a link emptied or removed is never "Deleted user (pk=None)"."""
    review = world.reviews["open_A"]
    someone, gone = UserFactory(first_name="Priya"), UserFactory(first_name="Gone")
    review.panel_members.add(someone, gone)
    review.title = "Renamed"
    review.save()
    review.panel_members.remove(someone)
    review.save()
    gone.delete()
    request = rf.get(history_url(Review, review))
    request.user = world.users["business_unit"]
    model_admin = admin.site._registry[Review]

    def page():
        return change_history(model_admin.history_view(request, str(review.pk)).content.decode())

    ours = page()
    assert "Priya" in ours and "Renamed" in ours
    assert "Deleted" not in ours and "pk=" not in ours


def flattened(nested):
    for item in nested:
        if isinstance(item, list):
            yield from flattened(item)
        else:
            yield str(item)


@pytest.mark.parametrize(
    "model", [model for model, _ in project_history_admins()], ids=lambda model: model.__name__
)
def test_a_deletion_page_says_what_djangos_says(model, world, rf):
    """What would be deleted, how many of each kind, and what keeps a record from being
    deleted, as Django's page says it (on records with ten or fewer of each kind)."""
    request = rf.get("/")
    request.user = world.users["business_unit"]
    model_admin = admin.site._registry[model]
    objs = [model._default_manager.order_by("pk").first()]
    ours = model_admin.get_deleted_objects(objs, request)
    django = get_deleted_objects(objs, request, admin.site)
    if django[3] or ours[3]:  # protected: the page says only what protects it
        assert ours[3]
        # Beside what Django names, the records that link to it (a finding's agencies, a
        # theme's priorities), whose links Django would delete.
        linked = {
            relation.related_model._meta.verbose_name
            for relation in model._meta.related_objects
            if relation.many_to_many
        }
        beside = set(ours[3]) - set(django[3])
        assert all(line.split(":")[0].lower() in linked for line in beside), beside
        # A person who has records is refused too (sscb/admin.py: deactivated, not deleted).
        assert ours[2] - {USERS_WITH_RECORDS} <= django[2]
    else:
        assert sorted(ours[0]) == sorted(flattened(django[0]))
        assert ours[1:] == django[1:]


def test_a_deletion_page_names_a_few_of_each_kind_and_counts_the_rest(world, bu_client):
    """A sub-group's deletion page named every finding, action and review it protects, with a
    query or two each: 11.6 s and 8,845 queries at scale 0.02; at scale 1, 507 s."""
    subgroup = world.subgroups["li"]
    review = world.reviews["open_A"]
    url = reverse("admin:sscb_subgroup_delete", args=[subgroup.pk])

    def add_findings(how_many):
        for _ in range(how_many):
            FindingFactory(review=review, subgroup=subgroup)

    add_findings(12)
    queries_for(bu_client, url)
    before = queries_for(bu_client, url, sql=True)
    add_findings(30)
    after = queries_for(bu_client, url, sql=True)
    assert len(after) == len(before), "\n".join(["before:", *before, "after:", *after])
    page = bu_client.get(url).content.decode()
    shown = subgroup.findings.count()
    assert "Cannot delete sub group" in page
    assert page.count("Finding: <a href=") == NAMED_ON_DELETION
    assert f"… and {shown - NAMED_ON_DELETION:,} more findings" in page


def test_a_record_nothing_protects_is_deleted_as_before(world, bu_client):
    group = SubGroup.objects.create(name="Task and finish: neglect", purpose="Six months.")
    for _ in range(12):
        group.memberships.create(user=UserFactory())
    url = reverse("admin:sscb_subgroup_delete", args=[group.pk])
    page = bu_client.get(url).content.decode()
    assert "Are you sure you want to delete the sub group" in page
    assert "Sub groups: 1" in page and "Sub group memberships: 12" in page
    assert "… and 2 more sub group memberships" in page
    assert bu_client.post(url, {"post": "yes"}).status_code == 302
    assert not SubGroup.objects.filter(pk=group.pk).exists()


def test_records_chosen_in_a_list_are_deleted_as_before(world, bu_client):
    groups = [
        SubGroup.objects.create(name=f"Task and finish {number}", purpose="Six months.")
        for number in (1, 2)
    ]
    for group in groups:
        group.memberships.create(user=UserFactory())
    chosen = {"action": "delete_selected", "_selected_action": [group.pk for group in groups]}
    url = reverse("admin:sscb_subgroup_changelist")
    page = bu_client.post(url, chosen).content.decode()
    assert "Are you sure you want to delete the selected sub groups?" in page
    assert "Sub groups: 2" in page and "Sub group memberships: 2" in page
    assert bu_client.post(url, {**chosen, "post": "yes"}).status_code == 302
    assert not SubGroup.objects.filter(pk__in=[group.pk for group in groups]).exists()


def test_records_chosen_in_a_list_that_something_protects_are_kept(world, bu_client):
    chosen = {"action": "delete_selected", "_selected_action": [world.subgroups["li"].pk]}
    page = bu_client.post(reverse("admin:sscb_subgroup_changelist"), chosen).content.decode()
    assert "would require deleting the following protected related objects" in page
    assert "Finding: <a href=" in page


def test_a_box_named_from_its_row_names_it_as_djangos_box_does(world, bu_client):
    """A Section 11 answer carried forward from last year's is named, and linked, as Django's
    raw-id box names it, without Django's query."""
    answer, earlier = StandardAssessment.objects.order_by("pk")[:2]
    answer.carried_forward_from = earlier
    answer.save()
    relation = StandardAssessment._meta.get_field("carried_forward_from").remote_field
    ours = RawIdNamedFromRow(relation, admin.site)
    # Read as the inline reads it: with what its name needs.
    named_by = ("self_assessment__agency", "standard")
    ours.chosen = StandardAssessment.objects.select_related(*named_by).get(pk=earlier.pk)
    djangos = ForeignKeyRawIdWidget(relation, admin.site)
    with CaptureQueriesContext(connection) as queries:
        named = ours.label_and_url_for_value(earlier.pk)
    assert named == djangos.label_and_url_for_value(earlier.pk) and not queries.captured_queries
    url = reverse("admin:audits_selfassessment_change", args=[answer.self_assessment_id])
    page = bu_client.get(url).content.decode()
    assert f'<a href="{named[1]}">{named[0]}</a>' in page

"""The admin's History pages say what changed in the words of the record's own page, a save
there is one version, a sign-in is none, and a person's History shows the sub-groups they joined,
left and chaired (sscb/admin_records.py, sscb/admin.py, sscb/signin.py)."""

import datetime
import re

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from learning.models import Action, Finding
from learning.tests.factories import ActionFactory, FindingFactory, ThemeFactory
from sscb.history import versions_of
from sscb.models import SubGroup, SubGroupMembership
from sscb.tests.factories import (
    AgencyFactory,
    StrategicPriorityFactory,
    SubGroupFactory,
    SubGroupMembershipFactory,
    UserFactory,
)
from sscb.tests.posting import as_posted
from sscb.tests.test_auth import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def bu(client, bu_user):
    client.force_login(bu_user)
    return client


def admin_url(obj, page):
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{page}", args=[obj.pk])


def history(client, obj) -> str:
    """The History page's table of changes, as text, one row a line."""
    response = client.get(admin_url(obj, "history"))
    assert response.status_code == 200
    table = re.search(r'<table id="change-history".*?</table>', response.content.decode(), re.S)
    rows = re.findall(r"<tr>(.*?)</tr>", table.group(0), re.S)
    return "\n".join(" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in rows)


def post_change(client, obj, **changes):
    """The admin's change form of ``obj`` posted as shown, with ``changes``."""
    shown = client.get(admin_url(obj, "change"))
    formsets = [inline.formset for inline in shown.context["inline_admin_formsets"]]
    data = {**as_posted(shown.context["adminform"].form, formsets=formsets), **changes}
    response = client.post(admin_url(obj, "change"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    return response


# 1. What changed, in words --------------------------------------------------------------------


def test_an_actions_history_says_what_changed_in_words_not_codes(bu):
    agency = AgencyFactory()
    owner = UserFactory(first_name="Chris", last_name="Evans", role="agency_lead", agency=agency)
    action = ActionFactory(
        owner=owner,
        owner_agency=agency,
        status=Action.Status.COMPLETE,
        at_risk=True,
        completed_on=datetime.date(2026, 12, 1),
    )
    action.owner, action.status, action.at_risk = None, Action.Status.IN_PROGRESS, False
    action.completed_on = None
    action.save()

    page = history(bu, action)

    for said in (
        "Owner Chris Evans → none",
        "Status Complete → In progress",
        "At risk yes → no",
        "Completed on 1 Dec 2026 → none",
    ):
        assert said.lower() in page.lower(), page
    assert "Deleted" not in page and "pk=None" not in page and "in_progress" not in page


def test_a_findings_history_names_an_empty_link_none_not_a_deleted_record(bu):
    finding = FindingFactory(review=None, nature=Finding.Nature.STRENGTH)
    finding.review = FindingFactory().review
    finding.save()

    page = history(bu, finding)

    assert f"Review none → {finding.review}".lower() in page.lower(), page
    assert "Deleted" not in page


# 2. One save in the admin is one version --------------------------------------------------------


def test_adding_an_agency_to_a_finding_in_the_admin_is_one_version(bu, bu_user):
    health, police = AgencyFactory(name="NHS Trust"), AgencyFactory(name="West Mercia Police")
    finding = FindingFactory(agencies=[health], recorded_by=bu_user)
    before = finding.history.count()

    post_change(bu, finding, agencies=[health.pk, police.pk])

    assert finding.history.count() == before + 1
    newest = finding.history.first()
    assert {row.agency_id for row in newest.agencies.all()} == {health.pk, police.pk}
    page = history(bu, finding)
    assert "Agencies NHS Trust → NHS Trust, West Mercia Police" in page
    assert "Saved it unchanged" not in page


def test_swapping_agencies_in_the_admin_is_one_version_too(bu, bu_user):
    health, police = AgencyFactory(name="NHS Trust"), AgencyFactory(name="West Mercia Police")
    finding = FindingFactory(agencies=[health], recorded_by=bu_user)
    before = finding.history.count()

    post_change(bu, finding, agencies=[police.pk], title="Renamed finding")

    assert finding.history.count() == before + 1
    assert finding.history.first().title == "Renamed finding"


def test_a_themes_priorities_changed_in_the_admin_are_one_version(bu):
    """Every admin of a record whose links are kept saves them so (RecordAdmin.save_related)."""
    theme = ThemeFactory()
    added = StrategicPriorityFactory(title="Neglect")
    before = theme.history.count()

    post_change(bu, theme, priorities=[*theme.priorities.values_list("pk", flat=True), added.pk])

    assert theme.history.count() == before + 1
    assert "Neglect" in history(bu, theme).splitlines()[1]


def test_a_finding_added_in_the_admin_with_agencies_is_one_version(bu, bu_user):
    health = AgencyFactory(name="NHS Trust")
    review = FindingFactory().review
    data = {
        "title": "Added here",
        "detail": "Practice was recorded well.",
        "source": Finding.Source.LEARNING_REVIEW,
        "nature": Finding.Nature.STRENGTH,
        "review": review.pk,
        "subgroup": review.subgroup_id,
        "identified_on": review.referred_on.isoformat(),
        "recorded_by": bu_user.pk,
        "agencies": [health.pk],
    }
    response = bu.post(reverse("admin:learning_finding_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors

    [version] = Finding.objects.get(title="Added here").history.all()
    assert version.history_type == "+"
    assert [row.agency_id for row in version.agencies.all()] == [health.pk]


def test_no_inline_changes_links_whose_history_is_kept():
    """RecordAdmin makes one version of a record whose links it saves; inlines' records are
    saved by their formsets, which would make two: none shows such a link."""
    shown = []
    for model_admin in admin.site._registry.values():
        for inline in model_admin.inlines:
            versions = versions_of(inline.model)
            if versions is None:
                continue
            kept = {field.name for field in versions.model._history_m2m_fields}
            fields = set(inline.fields or [f.name for f in inline.model._meta.get_fields()])
            shown += [f"{inline.__name__}.{name}" for name in kept & fields]
    assert not shown


# 3. A sign-in is not a version -----------------------------------------------------------------


def test_signing_in_adds_nothing_to_the_persons_history(client, member_user):
    before = member_user.history.count()

    for _ in range(3):
        assert sign_in(type(client)(), "member").status_code == 302

    member_user.refresh_from_db()
    assert member_user.last_login is not None
    assert member_user.history.count() == before


def test_choosing_a_new_password_says_so_in_the_persons_history(client, bu, member_user):
    """Their history keeps no password: the change was an entry that showed nothing."""
    theirs = type(client)()
    theirs.force_login(member_user)
    new = "kettle orbit lantern 42"
    response = theirs.post(
        reverse("account_change_password"),
        {"oldpassword": "safeguarding-demo", "password1": new, "password2": new},
    )
    assert response.status_code == 302

    assert member_user.history.first().history_change_reason == "Chose a new password"
    assert "Chose a new password" in history(bu, member_user).splitlines()[1]


def test_the_business_unit_setting_a_password_says_so_in_the_persons_history(bu, member_user):
    new = "kettle orbit lantern 42"
    page = reverse("admin:auth_user_password_change", args=[member_user.pk])
    response = bu.post(page, {"usable_password": "true", "password1": new, "password2": new})
    assert response.status_code == 302
    assert member_user.history.first().history_change_reason == "Password set by the Business Unit"

    response = bu.post(page, {"usable_password": "false", "unset-password": "1"})
    assert response.status_code == 302
    said = "Password sign-in turned off by the Business Unit"
    assert member_user.history.first().history_change_reason == said
    assert said in history(bu, member_user)


# 4. A person's History shows the sub-groups they joined, left and chaired ---------------------


def test_leaving_a_subgroup_is_in_the_persons_and_the_subgroups_history(bu, bu_user):
    person = UserFactory(first_name="Sam", last_name="Patel")
    membership = SubGroupMembershipFactory(user=person)
    subgroup = membership.subgroup

    response = bu.post(admin_url(membership, "delete"), {"post": "yes"})
    assert response.status_code == 302

    theirs = history(bu, person)
    assert f"Sub-group membership ({subgroup.name}) Added" in theirs, theirs
    assert re.search(rf"Sub-group membership \({subgroup.name}\) Removed {bu_user}", theirs)
    group = history(bu, subgroup)
    assert re.search(rf"Member \({person}\) Removed {bu_user}", group), group


def test_chairing_a_subgroup_is_in_the_persons_history(bu):
    person, other = UserFactory(), UserFactory()
    subgroup = SubGroupFactory(code=SubGroup.Code.LEARNING_IMPROVEMENT)
    subgroup.chair = person
    subgroup.save()
    subgroup.purpose = "Learns from reviews."  # not a change of chair: not theirs
    subgroup.save()
    subgroup.chair = other
    subgroup.save()

    theirs = history(bu, person)

    assert f"Chair none → {person}".lower() in theirs.lower(), theirs
    assert f"Chair {person} → {other}".lower() in theirs.lower(), theirs
    assert theirs.count(f"Chair of a sub-group ({subgroup.name})") == 2


def test_a_persons_history_page_runs_as_many_queries_with_more_memberships(bu):
    person = UserFactory()
    groups = [SubGroupFactory(code=code) for code in list(SubGroup.Code)[:4]]
    SubGroupMembershipFactory(user=person, subgroup=groups[0]).delete()
    person.save()

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert bu.get(admin_url(person, "history")).status_code == 200
        return len(captured.captured_queries)

    queries()
    before = queries()
    for group in groups[1:]:
        SubGroupMembership.objects.create(user=person, subgroup=group).delete()
        person.save()
    assert queries() == before

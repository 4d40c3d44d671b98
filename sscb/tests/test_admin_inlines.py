"""Rows edited inline in the admin (a sub-group's members) still name, save and refuse as
Django's do, now that each row is read with the records it names (sscb/admin_inlines.py)."""

import re

import pytest
from django.urls import reverse

from sscb.models import SubGroupMembership
from sscb.tests.factories import (
    AgencyFactory,
    SubGroupFactory,
    SubGroupMembershipFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def group(client, bu_user):
    client.force_login(bu_user)
    group = SubGroupFactory(name="Case Review Panel", code=None)
    police, health = AgencyFactory(name="Police"), AgencyFactory(name="Health")
    ann = UserFactory(first_name="Ann", last_name="Jones")
    bo = UserFactory(first_name="Bo", last_name="Khan")
    SubGroupMembershipFactory(subgroup=group, user=ann, agency=police)
    SubGroupMembershipFactory(subgroup=group, user=bo, agency=health)
    return group


def chosen(page, box):
    """The label of the option chosen in the select named ``box``."""
    select = re.search(rf'<select name="{box}".*?</select>', page, re.S).group(0)
    return re.search(r"<option[^>]*selected>([^<]*)</option>", select).group(1)


def form(group, **changes):
    rows = group.memberships.order_by("pk")
    data = {
        "name": group.name,
        "purpose": group.purpose,
        "quorum": group.quorum or "",
        "memberships-TOTAL_FORMS": str(len(rows)),
        "memberships-INITIAL_FORMS": str(len(rows)),
    }
    for number, row in enumerate(rows):
        data[f"memberships-{number}-id"] = row.pk
        data[f"memberships-{number}-subgroup"] = group.pk
        data[f"memberships-{number}-user"] = row.user_id
        data[f"memberships-{number}-agency"] = row.agency_id or ""
    return {**data, **changes}


def test_each_row_names_its_member_and_agency(client, group):
    page = client.get(reverse("admin:sscb_subgroup_change", args=[group.pk])).content.decode()
    assert chosen(page, "memberships-0-user") == "Ann Jones"
    assert chosen(page, "memberships-0-agency") == "Police"
    assert chosen(page, "memberships-1-user") == "Bo Khan"
    assert chosen(page, "memberships-1-agency") == "Health"


def test_a_row_changed_is_saved_and_in_its_history(client, group):
    health = group.memberships.get(user__first_name="Bo").agency
    url = reverse("admin:sscb_subgroup_change", args=[group.pk])
    response = client.post(url, form(group, **{"memberships-0-agency": health.pk}))
    assert response.status_code == 302, response.content.decode()[:2000]
    row = group.memberships.get(user__first_name="Ann")
    assert row.agency == health
    assert row.history.first().agency == health


def test_a_row_refused_is_shown_again_as_sent_and_nothing_is_saved(client, group):
    bo = group.memberships.get(user__first_name="Bo").user
    url = reverse("admin:sscb_subgroup_change", args=[group.pk])
    response = client.post(url, form(group, **{"memberships-0-user": bo.pk}))  # Bo twice
    assert response.status_code == 200
    page = response.content.decode()
    assert "Please correct the duplicate data for user" in page
    assert chosen(page, "memberships-0-user") == "Bo Khan"  # as sent, not as stored
    assert SubGroupMembership.objects.filter(subgroup=group, user__first_name="Ann").exists()

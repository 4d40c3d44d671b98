"""An action's owner is chosen from the owning agency's people on every form that names one:
the action form, an action arising at a meeting, and the admin."""

import pytest
from django.urls import reverse

from learning.meetings.tests.factories import ItemFactory, MeetingFactory
from learning.models import Action
from learning.tests.factories import ActionFactory, ReviewFactory
from sscb.tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def council_lead(make_user):
    other = AgencyFactory(name="Shropshire Council", short_name="Council")
    return make_user(role="agency_lead", agency=other, username="councillead")


def test_an_action_arising_offers_partner_agency_people_only(
    client, bu_user, executive_user, reviewer_user, agency_user, council_lead, li
):
    meeting = MeetingFactory(body=li)
    item = ItemFactory(meeting=meeting, review=ReviewFactory(subgroup=li))
    client.force_login(bu_user)
    url = reverse("meetings:action-arising", args=[meeting.uuid, item.uuid])
    response = client.get(url)
    assert set(response.context["form"].fields["owner"].queryset) == {agency_user, council_lead}
    # Each person carries their agency, so that the page offers the chosen agency's only.
    assert f'data-agency="{agency_user.agency_id}"' in response.content.decode()
    assert 'data-owner-of="owner_agency"' in response.content.decode()


def test_the_admin_offers_partner_agency_people_and_refuses_another_agencys(
    client, bu_user, executive_user, agency_user, council_lead
):
    client.force_login(bu_user)
    found = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "learning", "model_name": "action", "field_name": "owner", "term": ""},
    ).json()["results"]
    offered = {row["id"] for row in found}
    assert offered == {str(agency_user.pk), str(council_lead.pk)}  # not the BU or executive
    action = ActionFactory(owner_agency=agency_user.agency)
    form = (
        client.get(reverse("admin:learning_action_change", args=[action.pk]))
        .context["adminform"]
        .form
    )
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None} | {
        "owner": council_lead.pk,
        "attachments-TOTAL_FORMS": 0,
        "attachments-INITIAL_FORMS": 0,
    }
    data["due_on"] = action.due_on.isoformat()
    response = client.post(reverse("admin:learning_action_change", args=[action.pk]), data)
    assert response.status_code == 200
    assert "works for Shropshire Council, not West Mercia Police" in response.content.decode()
    assert Action.objects.get(pk=action.pk).owner is None

"""The dashboard's return figures open the returns they count; "My agency" says what a moderated
return's scores are; and a member not on QAP is told where returns are counted, not to choose a
sub-group they are not offered."""

import datetime
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from audits.models import SelfAssessment, StandardAssessment
from audits.tests.factories import AuditCycleFactory, SelfAssessmentFactory
from sscb.models import SubGroup
from sscb.tests.factories import AgencyFactory, SubGroupFactory, SubGroupMembershipFactory

pytestmark = pytest.mark.django_db


def _text(response):
    assert response.status_code == 200
    return unescape(response.content.decode())


# 6. Each return figure opens exactly the returns it counts -----------------------------------


@pytest.mark.usefixtures("dashboard_day")
def test_the_dashboards_moderated_and_late_returns_open_those_returns(client, executive_user, data):
    cycle = data["cycle"]  # Police submitted, CSC not started and late
    SelfAssessmentFactory(
        cycle=cycle,
        agency=AgencyFactory(name="Shropshire Council", short_name="Council"),
        status=SelfAssessment.Status.MODERATED,
        submitted_at=datetime.datetime(2025, 7, 2, tzinfo=datetime.UTC),
        moderated_at=datetime.datetime(2025, 9, 2, tzinfo=datetime.UTC),
    )
    client.force_login(executive_user)
    response = client.get(reverse("dashboard:index"), {"year": 2025})
    [item] = [i for i in response.context["figures"]["returns"] if i["cycle"] == cycle]
    cycle_url = reverse("audits:cycle", args=[cycle.uuid])
    assert item["moderated"].url == f"{cycle_url}?status=moderated"
    assert item["late"].url == f"{cycle_url}?status=late"
    page = _text(response)
    assert f'<a href="{cycle_url}?status=moderated">1</a> moderated' in page
    assert f'<a href="{cycle_url}?status=late">1</a> late' in page
    # The reminders table's late returns open the late ones too, not the whole cycle.
    assert f'· <a href="{cycle_url}?status=late">{cycle.title}</a>' in page
    for figure, agencies in ((item["moderated"], ["Shropshire Council"]), (item["late"], None)):
        listed = client.get(figure.url).context["returns"]
        assert len(listed) == figure.value
        if agencies:
            assert [r.agency.name for r in listed] == agencies
    assert [r.agency.short_name for r in client.get(item["late"].url).context["returns"]] == ["CSC"]
    # Returned: submitted or moderated, the two the figure counts.
    assert item["returned"].url == f"{cycle_url}?status=returned"
    returned = client.get(item["returned"].url)
    assert sorted(r.agency.name for r in returned.context["returns"]) == sorted(
        r.agency.name for r in cycle.returns.filter(status__in=SelfAssessment.RETURNED)
    )
    assert len(returned.context["returns"]) == item["returned"].value == 2
    assert "returned (submitted or moderated)" in _text(returned)


# 7. "My agency" says how a moderated return's standards were rated ---------------------------


def _moderated_return(agency, scores, title):
    cycle = AuditCycleFactory(title=title)
    moment = timezone.now()
    sa = SelfAssessmentFactory(
        cycle=cycle,
        agency=agency,
        status=SelfAssessment.Status.MODERATED,
        submitted_at=moment,
        moderated_at=moment,
    )
    standards = cycle.framework.standards.order_by("number")
    for standard, score in zip(standards, scores, strict=False):
        StandardAssessment.objects.create(
            self_assessment=sa, standard=standard, self_score=3, moderated_score=score
        )
    return sa


def test_my_agency_does_not_call_partly_met_standards_met(client, agency_user):
    partly = _moderated_return(agency_user.agency, [2, 3, 2, 2, 2, 3, 2, 2], "Section 11 A")
    met = _moderated_return(agency_user.agency, [3, 4, 3], "Section 11 B")
    one_partly = _moderated_return(agency_user.agency, [3, 2], "Section 11 C")
    client.force_login(agency_user)
    response = client.get(reverse("learning:my_agency"))
    steps = {r.uuid: r.next_step for r in response.context["returns"]}
    assert steps[partly.uuid] == (
        "Nothing: moderated, no standard not met; 6 of 8 standards only partly met"
    )
    assert steps[one_partly.uuid] == (
        "Nothing: moderated, no standard not met; 1 of 2 standards only partly met"
    )
    assert steps[met.uuid] == "Nothing: moderated, every standard met"
    page = _text(response)
    assert "6 of 8 standards only partly met" in page
    assert page.count("every standard met") == 1


# 9. A member not on QAP is not told to choose it ---------------------------------------------


def test_a_member_not_on_qap_is_told_who_sees_returns_not_to_choose_qap(client, member_user):
    SubGroupFactory(code=SubGroup.Code.QUALITY_ASSURANCE)
    crp = SubGroupFactory(code=SubGroup.Code.CASE_REVIEW_PANEL)
    training = SubGroupFactory(code=SubGroup.Code.TRAINING)
    for group in (crp, training):
        SubGroupMembershipFactory(subgroup=group, user=member_user)
    crp.chair = member_user
    crp.save()
    client.force_login(member_user)
    response = client.get(reverse("dashboard:index"))
    offered = {group.code for group in response.context["form"].fields["subgroup"].queryset}
    assert offered == {SubGroup.Code.CASE_REVIEW_PANEL, SubGroup.Code.TRAINING}
    page = " ".join(_text(response).split())
    assert "choose that sub-group" not in page
    assert (
        "Section 11 and 175/157 returns are the Quality Assurance and Performance sub-group's "
        f"work (it moderates them), not the {crp.name}'s: they are counted on that sub-group's "
        "dashboard, which its members, the Executive and the Business Unit read." in page
    )

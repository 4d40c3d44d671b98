import re
from html import unescape

import pytest
from django.urls import reverse

from sscb.context_processors import NAVIGATION
from sscb.models import SubGroup
from sscb.tests.factories import (
    AgencyFactory,
    StrategicPriorityFactory,
    SubGroupFactory,
    SubGroupMembershipFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

PAGES = ["home", "partnership"]


@pytest.mark.parametrize("url_name", PAGES)
def test_anonymous_user_is_sent_to_sign_in(client, url_name):
    response = client.get(reverse(url_name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_login_page_is_open_to_everyone(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert "Sign in" in response.content.decode()


@pytest.mark.parametrize(
    "role, phrase",
    [
        ("business_unit", "You run the partnership's learning and improvement work"),
        ("subgroup_member", "You record and move forward the work of your sub-groups"),
        ("executive", "You hold the partnership to account"),
        ("agency_lead", "You answer for your agency"),
        ("independent_reviewer", "You lead an independent review"),
    ],
)
def test_each_role_gets_a_home_page_meant_for_it(client, users_by_role, role, phrase):
    client.force_login(users_by_role[role])
    response = client.get(reverse("home"))
    assert response.status_code == 200
    body = unescape(response.content.decode())
    assert phrase in body
    assert users_by_role[role].get_role_display() in body


def test_business_unit_is_told_about_gaps_in_reference_data(client, bu_user):
    SubGroupFactory(code=SubGroup.Code.CDOP)
    gone = UserFactory(role="subgroup_member", is_active=False)
    SubGroupFactory(code=SubGroup.Code.TRAINING, name="Training", chair=gone)
    SubGroupFactory(code=SubGroup.Code.LEARNING_IMPROVEMENT, chair=UserFactory())
    client.force_login(bu_user)
    body = unescape(client.get(reverse("home")).content.decode())
    assert "2 sub-groups without an active chair" in body
    appoint = body[body.index("Appoint a chair for: ") :].split(".")[0]
    assert set(appoint.removeprefix("Appoint a chair for: ").split(", ")) == {
        "Child Death Overview Panel",
        "Training",
    }
    assert "No strategic priorities recorded" in body
    assert "with no email address" not in body


def test_a_new_partnership_is_told_what_to_set_up_first(client, bu_user):
    """On an empty database: which standing bodies are missing, that no agency is recorded,
    each linked to the admin page that adds it; then which agencies have no lead to reach."""
    SubGroupFactory(code=SubGroup.Code.TRAINING, name="Training")
    client.force_login(bu_user)
    body = unescape(client.get(reverse("home")).content.decode())
    assert "6 standing bodies not set up" in body and "Training," not in body
    assert "Learning and Improvement, Quality Assurance and Performance" in body
    assert "No partner agencies recorded" in body
    assert reverse("admin:sscb_agency_add") in body
    assert reverse("admin:sscb_subgroup_add") in body
    police = AgencyFactory(name="West Mercia Police")
    AgencyFactory(name="Oswestry Primary")
    UserFactory(role="agency_lead", agency=police)
    UserFactory(role="agency_lead", agency=AgencyFactory(name="Archived", is_active=False))
    body = unescape(client.get(reverse("home")).content.decode())
    assert "No partner agencies recorded" not in body
    assert "1 agency without an active lead" in body
    assert "Add a lead (a user with the role Partner agency lead) for: Oswestry Primary." in body


def test_business_unit_is_told_of_a_chair_with_no_email_address(client, bu_user):
    """Their escalations go to the Business Unit (sscb.reminders.Reach): say so, and to whom."""
    silent = UserFactory(first_name="Jo", last_name="Khan", email="")
    SubGroupFactory(code=SubGroup.Code.TRAINING, name="Training", chair=silent)
    client.force_login(bu_user)
    body = unescape(client.get(reverse("home")).content.decode())
    assert "1 chair with no email address" in body
    assert "Their reminders go to the Business Unit until an address is added: " in body
    assert "Jo Khan (Training)." in body


def test_empty_state_says_what_to_do_next(client, member_user):
    client.force_login(member_user)
    body = unescape(client.get(reverse("home")).content.decode())
    assert "Nothing needs your attention right now." in body
    assert "You do not sit on a sub-group." in body


def test_home_lists_the_sub_groups_a_member_sits_on(client, member_user):
    group = SubGroupFactory(code=SubGroup.Code.QUALITY_ASSURANCE, chair=member_user)
    SubGroupMembershipFactory(subgroup=group, user=member_user)
    client.force_login(member_user)
    body = unescape(client.get(reverse("home")).content.decode())
    assert "Quality Assurance and Performance" in body
    assert "(you)" in body


def test_navigation_shows_admin_only_to_staff(client, bu_user, member_user):
    client.force_login(member_user)
    assert 'href="/admin/"' not in client.get(reverse("home")).content.decode()
    client.force_login(bu_user)
    assert 'href="/admin/"' in client.get(reverse("home")).content.decode()


def test_navigation_offers_the_dashboard_exactly_to_those_it_lets_in(client, users_by_role):
    """The link and the page ask one rule: a member who sits on no sub-group is shown no link
    (the page would refuse them); once on a sub-group, they have both."""
    dashboard = reverse("dashboard:index")
    member = users_by_role["subgroup_member"]
    expected = {
        "business_unit": True,
        "executive": True,
        "subgroup_member": False,
        "agency_lead": False,
        "independent_reviewer": False,
    }
    for role, user in users_by_role.items():
        client.force_login(user)
        linked = f'href="{dashboard}"' in client.get(reverse("home")).content.decode()
        opens = client.get(dashboard).status_code == 200
        assert (linked, opens) == (expected[role], expected[role]), role
    SubGroupMembershipFactory(subgroup=SubGroupFactory(), user=member)
    client.force_login(member)
    assert f'href="{dashboard}"' in client.get(reverse("home")).content.decode()
    assert client.get(dashboard).status_code == 200


def _populate(n):
    for code in SubGroup.Code.values:
        group = SubGroupFactory(code=code, chair=UserFactory())
        for _ in range(n):
            SubGroupMembershipFactory(subgroup=group, agency=AgencyFactory())
    StrategicPriorityFactory.create_batch(n)


@pytest.mark.parametrize("url_name", PAGES)
def test_page_runs_the_same_queries_for_2_or_50_rows(
    client, bu_user, count_queries, django_assert_max_num_queries, url_name
):
    client.force_login(bu_user)
    _populate(2)
    small = count_queries(reverse(url_name))
    _populate(48)
    with django_assert_max_num_queries(small):
        response = client.get(reverse(url_name))
    assert response.status_code == 200


def test_partnership_page_lists_every_agency_member_and_priority(client, member_user):
    _populate(3)
    client.force_login(member_user)
    body = client.get(reverse("partnership")).content.decode()
    assert body.count("<tr>") == 1 + 3 * len(SubGroup.Code.values)
    assert body.count("Priority ") == 3


def test_unknown_page_explains_itself_without_a_stack_trace(client, member_user):
    client.force_login(member_user)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "We could not find that page" in response.content.decode()
    assert "Traceback" not in response.content.decode()


def test_every_navigation_link_is_shown_exactly_to_those_its_page_lets_in(client, users_by_role):
    for role, user in users_by_role.items():
        client.force_login(user)
        home = client.get(reverse("home")).content.decode()
        for _label, url_name, _audience in NAVIGATION:
            url = reverse(url_name)
            linked = f'href="{url}"' in home
            opens = client.get(url).status_code == 200
            assert linked == opens, f"{role}: {url} linked {linked}, opens {opens}"


def test_an_agency_lead_has_my_agency_in_the_top_navigation(client, agency_user):
    client.force_login(agency_user)
    page = client.get(reverse("learning:my_agency")).content.decode()
    active = re.findall(r'<a class="nav-link active" href="([^"]+)" aria-current="page">', page)
    assert active == [reverse("learning:my_agency")]  # not "Learning" as well


def test_the_line_after_the_first_few_items_counts_the_rest_in_words():
    from sscb.attention import the_rest

    words = {"one": "review waiting", "many": "reviews waiting", "detail": "", "url": "/r/"}
    assert the_rest(10, 10, level="warning", **words) == []
    [one] = the_rest(10, 11, level="warning", **words)
    assert (one.title, one.url, one.level) == ("1 more review waiting", "/r/", "warning")
    [many] = the_rest(10, 42, level="warning", **words)
    assert many.title == "32 more reviews waiting"


@pytest.mark.parametrize(
    ("listed", "new"),
    [("meetings:list", "meetings:create"), ("training:list", "training:course-new")],
)
def test_before_any_body_is_set_up_the_business_unit_is_told_what_is_needed(
    client, bu_user, member_user, listed, new
):
    """Not "your role does not allow this", said to the Business Unit that sets bodies up."""
    client.force_login(bu_user)
    assert reverse(new) in client.get(reverse(listed)).content.decode()
    response = client.get(reverse(new))
    page = unescape(response.content.decode())
    assert response.status_code == 403
    assert "No standing bodies are set up yet" in page and "Your role does not" not in page
    client.force_login(member_user)
    page = unescape(client.get(reverse(new)).content.decode())
    assert "Your role does not allow this" in page

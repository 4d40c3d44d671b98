"""Who moderates a Section 11 / 175 return is said once, as ``can_moderate`` has it (the
Quality Assurance and Performance sub-group and the Business Unit), and every page that says it
says the same: the form, the message on submitting, the return's page and "My agency"."""

from html import unescape

import pytest
from django.urls import reverse

from audits.selectors import can_moderate

pytestmark = pytest.mark.django_db

WHO = "the Quality Assurance and Performance sub-group or the Business Unit"


def body(response):
    return " ".join(unescape(response.content.decode()).split())


def form_data(self_assessment):
    data = {}
    for answer in self_assessment.answers.select_related("standard"):
        n = answer.standard.number
        data[f"standard-{n}-self_score"] = "3"
        data[f"standard-{n}-narrative"] = f"How we meet standard {n}."
        data[f"standard-{n}-evidence"] = "Policy."
    return data


def test_every_page_names_both_who_may_moderate_a_return(
    client, agency_user, police_return, qap_user, bu_user
):
    assert can_moderate(qap_user) and can_moderate(bu_user)  # who the words name
    client.force_login(agency_user)
    form = body(client.get(reverse("audits:return-edit", args=[police_return.uuid])))
    assert f"goes to {WHO} to moderate" in form
    submitted = client.post(
        reverse("audits:return-submit", args=[police_return.uuid]),
        form_data(police_return),
        follow=True,
    )
    page = body(submitted)
    assert f"Return submitted to the partnership. {WHO[0].upper()}{WHO[1:]} will moderate it." in (
        page
    )
    assert f"the moderated score agreed by {WHO}." in page  # the return's own page
    agency = body(client.get(reverse("learning:my_agency")))
    assert f"Nothing: {WHO} moderates it" in agency
    for said in (form, page, agency):
        assert "Nothing: the Business Unit moderates it" not in said
        assert "Performance sub-group will moderate" not in said

"""Every list's filters read the same way: "All" for no choice, never "---------" or "Unknown"."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

LISTS = [
    "reviews:list",
    "audits:list",
    "learning:findings",
    "learning:outcomes",
    "learning:activities",
    "learning:checks",
    "learning:evidence_list",
    "learning:actions",
]


@pytest.mark.parametrize("name", LISTS)
def test_each_filters_empty_choice_reads_all(client, bu_user, name):
    client.force_login(bu_user)
    page = client.get(reverse(name)).content.decode()
    first_options = re.findall(r"<select[^>]*>\s*<option[^>]*>([^<]*)</option>", page)
    assert first_options, "the list has filters"
    assert set(first_options) == {"All"}
    assert "---------" not in page and ">Unknown<" not in page


def test_a_yes_or_no_filter_reads_all_yes_no_and_filters(client, bu_user):
    client.force_login(bu_user)
    page = client.get(reverse("learning:findings"), {"themed": "false"}).content.decode()
    themed = re.search(r'<select name="themed"[^>]*>(.*?)</select>', page, re.S).group(1)
    assert re.findall(r">([^<]+)</option>", themed) == ["All", "Yes", "No"]
    assert 'value="false" selected' in themed

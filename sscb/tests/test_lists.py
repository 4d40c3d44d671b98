from unittest import mock

import django_filters
import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils.functional import empty
from django.utils.module_loading import import_string

from sscb import figures_cache
from sscb.lists import filtered_page
from sscb.models import Agency
from sscb.tests.factories import AgencyFactory
from sscb.tests.kept import made_then_kept

pytestmark = pytest.mark.django_db


class AgencyFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=[("police", "Police"), ("csc", "Social care")])

    class Meta:
        model = Agency
        fields = ["kind"]


def _page(query):
    request = RequestFactory().get("/", query)
    return filtered_page(request, AgencyFilter, lambda: Agency.objects.order_by("name"), per_page=2)


def test_a_list_page_is_filtered_then_paginated():
    for n in range(3):
        AgencyFactory(name=f"Police {n}", kind="police")
    AgencyFactory(name="Social care", kind="csc")

    context = _page({"kind": "police", "page": "2"})
    assert [agency.name for agency in context["page_obj"]] == ["Police 2"]
    assert context["page_obj"].paginator.count == 3
    assert context["filter"].form["kind"].value() == "police"
    assert context["is_filtered"]


def test_the_page_alone_or_an_empty_filter_does_not_count_as_filtered():
    assert not _page({"page": "2"})["is_filtered"]
    assert not _page({"kind": ""})["is_filtered"]
    # A value the filter cannot use reads as absent: every row, the first page.
    AgencyFactory(kind="police")
    context = _page({"kind": "garbage", "page": "garbage"})
    assert context["page_obj"].number == 1 and context["page_obj"].paginator.count == 1


def test_a_list_counts_no_further_than_it_says_and_its_pages_stop_there(monkeypatch):
    """Past ``COUNTED_UP_TO`` rows the count and the pages stop (issue 15: counting a member's
    500,000 actions took 42 ms), and the page says so."""
    from sscb import lists

    monkeypatch.setattr(lists, "COUNTED_UP_TO", 3)
    for n in range(3):
        AgencyFactory(name=f"Police {n}", kind="police")
    paginator = _page({})["page_obj"].paginator
    assert (paginator.count, paginator.in_all, paginator.num_pages) == (3, "3", 2)
    assert paginator.counted_all
    AgencyFactory(name="Police 3", kind="police")
    AgencyFactory(name="Police 4", kind="police")
    page = _page({"page": "9"})["page_obj"]
    assert (page.paginator.count, page.paginator.in_all) == (4, "more than 3")
    assert not page.paginator.counted_all
    assert page.number == 2 and not page.has_next()
    assert [agency.name for agency in page] == ["Police 2", "Police 3"]


def test_a_page_is_its_keys_in_the_lists_order_then_its_records(django_assert_num_queries):
    """The keys first, then the records with those keys (issue 15: the database stops reading
    the list sooner when it joins nothing): the rows keep the list's order, its annotations and
    its prefetches; a list of values is paged as it is."""
    from django.db.models import F, Prefetch

    from sscb.lists import CountedPaginator
    from sscb.models import User
    from sscb.tests.factories import UserFactory

    # Created out of the list's order, so that records read back by key come in another order
    # on each page unless the page puts them back in its keys' order.
    agencies = {name: AgencyFactory(name=name) for name in ("Alpha", "Delta", "Beta", "Gamma")}
    UserFactory(agency=agencies["Gamma"], username="gamma-lead")
    rows = (
        Agency.objects.annotate(called=F("name"))
        .prefetch_related(Prefetch("people", queryset=User.objects.order_by("username")))
        .order_by("-name")
    )
    with django_assert_num_queries(4):  # count, keys, records, their people
        page = CountedPaginator(rows, 2).get_page(1)
        assert [(agency.called, [u.username for u in agency.people.all()]) for agency in page] == [
            ("Gamma", ["gamma-lead"]),
            ("Delta", []),
        ]
    assert [agency.name for agency in CountedPaginator(rows, 2).get_page(2)] == ["Beta", "Alpha"]
    values = Agency.objects.order_by("name").values_list("name", flat=True)
    assert list(CountedPaginator(values, 3).get_page(2)) == ["Gamma"]


@pytest.mark.parametrize(
    "name, selector",
    [
        ("reviews:list", "reviews.selectors.reviews_for_register"),
        ("learning:findings", "learning.selectors.finding_rows"),
        ("learning:actions", "learning.selectors.action_list"),
    ],
)
def test_a_list_kept_for_its_reader_makes_no_filterset(client, bu_user, name, selector):
    """Given from the kept copy, a list reads only its filters' names, which their class knows
    (issue 15: making the register's filters and their form was half of such a request), and
    never builds its rows' queryset (building an action list's was half of what was left)."""
    client.force_login(bu_user)
    url = reverse(name) + "?q=neglect"
    made_then_kept(client, url)  # the same page, made and kept
    # A spy, not a stand-in: the selector still runs whenever the view calls it.
    with mock.patch(selector, wraps=import_string(selector)) as rows:
        kept = client.get(url).context["filter"]
        assert rows.call_count == 0
        assert kept._wrapped is empty
        assert kept.filter_names == frozenset(kept.filters)  # read, it is made
        assert rows.call_count == 1
    figures_cache.bump()
    assert client.get(url).context["filter"]._wrapped is not empty

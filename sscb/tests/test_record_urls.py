"""A record's link is what ``reverse()`` gives, under any script prefix (sscb/record_urls.py)."""

import uuid

import pytest
from django.urls import NoReverseMatch, reverse, set_script_prefix

from sscb.record_urls import record_url

NAMES = ["learning:finding", "learning:theme", "learning:action", "meetings:detail"]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("prefix", ["/", "/lscb/"])
def test_a_record_url_is_its_reversed_route(name, prefix):
    set_script_prefix(prefix)
    try:
        for public_id in (uuid.uuid4(), uuid.UUID(int=0), uuid.UUID(int=2**128 - 1)):
            assert record_url(name, public_id) == reverse(name, args=[public_id])
            assert record_url(name, public_id).startswith(prefix)
    finally:
        set_script_prefix("/")


def test_a_route_that_is_not_a_record_page_is_refused():
    with pytest.raises(NoReverseMatch):
        record_url("home", uuid.uuid4())

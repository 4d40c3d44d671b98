"""A quarter's value returned, and corrected, is in its indicator's history on its page
(README, "History": every change to a record is kept in its history, its parts' with it)."""

import pytest
from django.urls import reverse

from sscb.tests.reading import history_entries

from .factories import IndicatorFactory, IndicatorSetFactory

pytestmark = pytest.mark.django_db


def test_a_value_returned_and_corrected_is_in_the_indicators_history(client, agency_user):
    indicator = IndicatorFactory(
        indicator_set=IndicatorSetFactory(name="QAP core dataset"), agency=agency_user.agency
    )
    client.force_login(agency_user)
    submit = reverse("performance:submit", args=[indicator.uuid])
    page = reverse("performance:indicator", args=[indicator.uuid])
    returned = {"year": 2025, "quarter": 2, "value": "93.7", "commentary": "Stable."}
    assert client.post(submit, returned).status_code == 302
    entries = history_entries(client.get(page), "indicator-history")
    assert entries[0].endswith(f"{agency_user}: value (Q2 2025/26): recorded it")
    assert client.post(submit, returned | {"value": "91.2"}).status_code == 302
    entries = history_entries(client.get(page), "indicator-history")
    assert entries[0].endswith(
        f"{agency_user}: value (Q2 2025/26): value 93.70 → 91.20 (Corrected)"
    )
    assert entries[-1].endswith("the system: recorded it")  # the indicator itself, set up

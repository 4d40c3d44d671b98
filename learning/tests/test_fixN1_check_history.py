"""A practice check's indicators have their own rule for who may see them: the outcome's history
says that they changed without naming them, never "saved it unchanged" for a change of them."""

import pytest
from django.urls import reverse

from audits.performance.tests.factories import IndicatorFactory
from learning.models import PracticeCheck
from learning.tests.factories import OutcomeFactory, ThemeFactory
from sscb.tests.reading import history_entries

pytestmark = pytest.mark.django_db

CHANGED = "changed the indicators it relies on"


def _check_entries(client, outcome):
    entries = history_entries(client.get(outcome.get_absolute_url()), "outcome-history")
    return [entry for entry in entries if "practice check" in entry]


def test_indicators_chosen_or_changed_are_said_without_naming_them(client, bu_user, agency):
    outcome = OutcomeFactory(theme=ThemeFactory())
    first, second = (
        IndicatorFactory(agency=agency, name=name)
        for name in ("Strategy discussions within a day", "Return interviews offered")
    )
    client.force_login(bu_user)
    form = {"way": PracticeCheck.Way.PERFORMANCE, "agency": agency.pk, "result": "pending"}
    added = client.post(
        reverse("learning:check_new", args=[outcome.uuid]),
        form | {"indicators": [first.pk, second.pk]},
    )
    assert added.status_code == 302
    check = PracticeCheck.objects.get()
    entries = _check_entries(client, outcome)
    assert entries[-1].endswith("recorded it")
    assert not any(entry.endswith("saved it unchanged") for entry in entries)
    # Named to nobody, not even a reader who may see them: one rule for every reader.
    assert not any("Strategy discussions" in entry for entry in entries)

    edited = client.post(
        reverse("learning:check_edit", args=[check.uuid]), form | {"indicators": [first.pk]}
    )
    assert edited.status_code == 302
    now = _check_entries(client, outcome)
    assert now[0].endswith(CHANGED)  # the newest says what the edit changed

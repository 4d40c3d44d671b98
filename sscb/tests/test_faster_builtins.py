"""``|date`` in our templates writes what Django's filter writes (sscb/templatetags/faster.py)."""

import datetime
import zoneinfo

import pytest
from django.template import Context, Engine, engines
from django.utils import translation

DAYS = [datetime.date(2026, month, day) for month in range(1, 13) for day in (1, 9, 28)]
FORMATS = ["j M Y", "j F Y", "D j N", "Y-m-d", "jS \\o\\f F", "", "SHORT_DATE_FORMAT"]


def _both(text, context):
    ours = engines["django"].from_string(text).render(context)
    django = Engine().from_string(text).render(Context(context))  # Django's own filter
    return ours, django


@pytest.mark.parametrize("language", ["en-gb", "cy", "fr"])
def test_a_day_is_written_as_django_writes_it(language):
    text = "".join(f'{{{{ day|date:"{f}" }}}}|' for f in FORMATS) + "{{ day|date }}"
    with translation.override(language):
        for day in DAYS:
            for _ in range(2):  # the second time from what was remembered
                ours, django = _both(text, {"day": day})
                assert ours == django


def test_a_moment_and_anything_else_are_written_as_django_writes_them(settings):
    settings.TIME_ZONE = "Europe/London"
    moment = datetime.datetime(2026, 6, 1, 23, 30, tzinfo=zoneinfo.ZoneInfo("UTC"))
    text = '{{ when|date:"j M Y H:i" }}|{{ none|date:"j M Y" }}|{{ text|date:"j M Y" }}'
    for when in (moment, moment.replace(tzinfo=zoneinfo.ZoneInfo("Asia/Tokyo"))):
        ours, django = _both(text, {"when": when, "none": None, "text": "not a date"})
        assert ours == django
    assert _both('{{ when|date:"j M Y" }}', {"when": moment})[0] == "2 Jun 2026"  # local time


def test_our_templates_use_these_builtins():
    builtins = engines["django"].engine.template_builtins
    assert builtins[-1].filters["date"].__module__ == "sscb.templatetags.faster"
    assert builtins[-1].tags["url"].__module__ == "sscb.templatetags.faster"

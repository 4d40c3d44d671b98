"""Django's own validation messages reach a sub-group chair in plain words that say what to do
(locale/en_GB/LC_MESSAGES/django.po), in forms, model validation and the admin alike."""

import ast
from html import unescape
from pathlib import Path

import django
import pytest
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import translation

from reviews.models import Review
from sscb.models import Agency, SubGroup, SubGroupMembership
from sscb.tests.factories import (
    AgencyFactory,
    SubGroupFactory,
    SubGroupMembershipFactory,
)


def refusal(field, value):
    """The messages ``field`` gives for ``value``, from a form field or an unbound model field."""
    with pytest.raises(ValidationError) as refused:
        if isinstance(field, models.Field):
            field.clean(value, None)
        else:
            field.clean(value)
    return " ".join(refused.value.messages)


def page_text(response):
    """The page's text as a reader sees it: entities decoded, whitespace collapsed."""
    return " ".join(unescape(response.content.decode()).split())


class Colours(forms.Form):
    """Exists only for its choice fields' messages."""

    colour = forms.ChoiceField(choices=[("red", "Red"), ("blue", "Blue")])
    colours = forms.MultipleChoiceField(choices=[("red", "Red"), ("blue", "Blue")])


@pytest.mark.parametrize(
    "field, value, words",
    [
        (
            forms.CharField(max_length=200),
            "x" * 5000,
            "Keep this to 200 characters or fewer (it has 5000).",
        ),
        (forms.CharField(max_length=1), "xy", "Keep this to 1 character or fewer (it has 2)."),
        (models.CharField(max_length=200), "x" * 201, "Keep this to 200 characters or fewer"),
        (forms.CharField(min_length=3), "xy", "Write at least 3 characters (it has 2)."),
        (forms.IntegerField(min_value=0), "-5", "Give a number of 0 or more."),
        (forms.IntegerField(max_value=52), "53", "Give a number of 52 or less."),
        (forms.IntegerField(), "twelve", "Give a whole number."),
        (
            forms.DecimalField(max_digits=10, decimal_places=2),
            "123456789012",
            "Give a number with no more than 10 digits.",
        ),
        (
            forms.DecimalField(max_digits=10, decimal_places=2),
            "1.234",
            "Round this to 2 decimal places.",
        ),
        (
            forms.DecimalField(max_digits=10, decimal_places=2),
            "123456789.5",
            "Give a number with no more than 8 digits before the decimal point.",
        ),
        (
            models.DecimalField(max_digits=10, decimal_places=2),
            "1.234",
            "Round this to 2 decimal places.",
        ),
        (forms.DecimalField(), "a lot", "Give a number, such as 12 or 3.5."),
        (
            forms.URLField(assume_scheme="https"),
            "not a web address",
            "Give a web address starting with https://, such as https://example.org/page.",
        ),
        (models.URLField(), "meet dot example", "Give a web address starting with https://"),
        (
            forms.EmailField(),
            "chair at example",
            "Give an email address, such as name@example.org.",
        ),
        (
            forms.DateField(),
            "31/02/2026",
            "Give a date as day, month and year, for example 25/12/2026.",
        ),
        (forms.TimeField(), "half two", "Give a time in hours and minutes, for example 14:30."),
        (
            forms.DateTimeField(),
            "Christmas",
            "Give a date and time, for example 25/12/2026 14:30.",
        ),
        (Colours.base_fields["colour"], "green", "Choose one of the options shown."),
        (Colours.base_fields["colours"], ["green"], "Choose one of the options shown."),
        (
            forms.FileField(max_length=10),
            SimpleUploadedFile("minutes-of-the-panel.pdf", b"%PDF"),
            "Rename the file to 10 characters or fewer before uploading it (its name has 24).",
        ),
    ],
)
def test_a_refused_value_is_explained_in_plain_words(field, value, words):
    message = refusal(field, value)
    assert words in message
    assert "Ensure" not in message and "Enter a" not in message and "Select a" not in message


def test_a_model_validator_speaks_plainly_too():
    field = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    assert refusal(field, 0) == "Give a number of 1 or more."
    field = models.PositiveSmallIntegerField(validators=[MaxValueValidator(90)])
    assert refusal(field, 91) == "Give a number of 90 or less."


@pytest.mark.parametrize(
    "field, example",
    [
        (forms.DateField(), "25/12/2026"),
        (forms.TimeField(), "14:30"),
        (forms.DateTimeField(), "25/12/2026 14:30"),
    ],
)
def test_the_example_a_message_gives_is_accepted(field, example):
    assert field.clean(example)


@pytest.mark.django_db
def test_a_choice_of_record_no_longer_offered_is_explained():
    field = forms.ModelChoiceField(queryset=SubGroup.objects.all())
    message = refusal(field, "999999")
    assert message == "Choose one of the options shown."


@pytest.mark.django_db
def test_a_name_already_taken_is_explained():
    AgencyFactory(name="West Mercia Police")
    with pytest.raises(ValidationError) as refused:
        Agency(name="West Mercia Police", kind=Agency.Kind.POLICE).validate_unique()
    assert refused.value.messages == ["Another Agency already has this Name. Give a different one."]


@pytest.mark.django_db
def test_a_pair_already_recorded_is_explained():
    membership = SubGroupMembershipFactory()
    twin = SubGroupMembership(subgroup=membership.subgroup, user=membership.user)
    with pytest.raises(ValidationError) as refused:
        twin.validate_constraints()
    assert refused.value.messages == [
        "Another Sub group membership already has the same Subgroup and User. Change one of them."
    ]


@pytest.mark.django_db
def test_the_admin_explains_a_name_already_taken(client, bu_user):
    AgencyFactory(name="West Mercia Police")
    client.force_login(bu_user)
    response = client.post(
        reverse("admin:sscb_agency_add"),
        {"name": "West Mercia Police", "kind": "police", "is_active": "on"},
    )
    page = page_text(response)
    assert response.status_code == 200
    assert "Another Agency already has this Name. Give a different one." in page
    assert "already exists" not in page


@pytest.mark.django_db
def test_the_new_review_page_shows_an_over_long_title_in_plain_words(client, bu_user):
    panel = SubGroupFactory(code=SubGroup.Code.CASE_REVIEW_PANEL)
    client.force_login(bu_user)
    response = client.post(
        reverse("reviews:create"),
        {
            "kind": "scr",
            "title": "x" * 5000,
            "pseudonym": "Child Z",
            "subgroup": panel.pk,
            "referred_on": "2017-06-02",
            "notified_on": "2017-06-02",
        },
    )
    page = page_text(response)
    assert response.status_code == 200
    assert not Review.objects.exists()
    assert "Keep this to 200 characters or fewer (it has 5000)." in page
    assert "Ensure" not in page


def catalogue(path):
    """The entries of a .po file: (msgid, msgid_plural or None) -> [msgstr, ...]."""
    entries, entry, key = {}, None, None

    def done():
        if entry and entry["msgid"]:
            entries[(entry["msgid"], entry.get("msgid_plural"))] = [
                text for name, text in sorted(entry.items()) if name.startswith("msgstr")
            ]

    for line in Path(path).read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line.startswith("msgid "):
            done()
            entry = {}
        if not line or line.startswith("#"):
            continue
        if line.startswith('"'):
            entry[key] += ast.literal_eval(line)
            continue
        key, text = line.split(" ", 1)
        entry[key] = ast.literal_eval(text)
    done()
    return entries


OURS = catalogue(settings.BASE_DIR / "locale" / "en_GB" / "LC_MESSAGES" / "django.po")


def test_the_catalogue_is_for_the_language_the_app_speaks():
    assert settings.USE_I18N
    assert translation.to_locale(settings.LANGUAGE_CODE) == "en_GB"
    assert settings.BASE_DIR / "locale" in settings.LOCALE_PATHS


def test_each_reworded_message_is_one_django_gives():
    """A msgid that differs from Django's by a space or a quote mark would never be used."""
    django_po = Path(django.__file__).parent / "conf" / "locale" / "en" / "LC_MESSAGES"
    assert set(OURS) <= set(catalogue(django_po / "django.po"))


@pytest.mark.parametrize("entry", sorted(OURS), ids=lambda entry: entry[0][:40])
def test_the_compiled_catalogue_says_what_the_po_file_says(entry):
    """The committed django.mo is what the app reads: it must have been compiled after the last
    change to django.po."""
    msgid, plural = entry
    wanted = OURS[entry]
    if plural is None:
        assert translation.gettext(msgid) == wanted[0]
    else:
        assert [translation.ngettext(msgid, plural, n) for n in (1, 2)] == wanted

"""Children's names and identifiers in the forms people write them; professional details that
are not a family's (a body's name, a venue, a service's number) stay accepted."""

import time

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from sscb.minimise import (
    ADDRESS,
    DATE_OF_BIRTH,
    NAME,
    NHS_NUMBER,
    PHONE,
    POSTCODE,
    find_identifiers,
    free_text_errors,
    validate_place,
)
from sscb.models import AccessLogEntry
from sscb.uploads import validate_upload

# (text, the kinds it must be refused as, in the order written)
REFUSED = [
    ("Officers attended; Jayden's mother said he had been missing overnight.", [NAME]),
    ("Child A: Jayden, was found at 14 castle street.", [NAME, ADDRESS]),
    ("Smith, Jayden reported missing; DOB: 3rd Apr '19.", [NAME, DATE_OF_BIRTH]),
    ("Jayden-Smith was seen at home", [NAME]),
    ("Smith, Jayden", [NAME]),
    ("SMITH, Jayden", [NAME]),
    ("SMITH Jayden", [NAME]),
    ("Smith Jayden", [NAME]),
    ("Child A's name is Jayden.", [NAME]),
    ("Child A - Jayden -", [NAME]),
    ("Child A [Jayden]", [NAME]),
    ("Child A/Jayden", [NAME]),
    ("Child A, Jayden,", [NAME]),
    ("Ms Smith, Jayden's mother", [NAME]),
    ("J\u0430yden Smith", [NAME]),  # a Cyrillic "а"
    ("\u0408ayden Sm\u0456th was seen", [NAME]),  # a Cyrillic "Ј" and "і"
    ("Jayden\u2019s mother said", [NAME]),  # Word's apostrophe
    ("14 castle street", [ADDRESS]),
    ("14 CASTLE STREET", [ADDRESS]),
    ("NHS number 943 476 591 9", [NHS_NUMBER]),
    ("NHS 9434 765 919", [NHS_NUMBER]),
    ("DOB03/04/2019", [DATE_OF_BIRTH]),
    ("<b>Jayden</b> Smith", [NAME]),
    ("Jay<span class='x'>den</span> Smith", [NAME]),
    ("&#74;ayden Smith", [NAME]),
    ("Jayden Smith", [NAME]),
    ("Child A (Jayden)", [NAME]),
    ("943 476 5919", [NHS_NUMBER]),
    ("call mum on 07700 900123", [PHONE]),  # a mobile stays refused
    ("ring 01743 123456", [PHONE]),  # and a geographic number
]

ACCEPTED = [
    "Police and Health attended",
    "Mother of Child A said",
    "the Harper Adams University course",
    "Harper Adams University",
    "Thomas Adams School",
    "Lucy Faithfull Foundation",
    "Holly Lodge Children's Home",
    "Thomas Adams School, Lucy Faithfull Foundation and Holly Lodge Children's Home",
    "LCSPR-2026-001",
    "Review LCSPR-2026-001 and SCR-2025-01",
    "Strategy meeting held on 03/04/2019",
    "Panel met on 3 Apr 19",
    "Meeting 12 May 2026 at 10:00",
    "call the MASH on 0345 678 9021",
    "Freephone 0800 123 4567 or 0300 123 4567",
    "Lucy was seen at home",
    "Referred to CAMHS, Jayden was seen",
    "the MASH, Lucy and colleagues",
    "St Thomas's school",
    "seen 3 times in the street",
    "2 children crossed the road",
    "Ella-Rose was seen",
    "Jayden-James was seen",
    "a < b and c > d",
    "<Child A> was seen",
    "Grace Street Surgery",
    "Royal Shrewsbury Hospital",
    "Police, Health and Education agreed",
    "Will Children's Services attend?",
    "NHS England 2024 guidance",
    "NHS 111",
    "ICPC held; Child A, B and C subject to plans",
    "Section 11 and Section 175 returns",
]


@pytest.mark.parametrize("text, kinds", REFUSED)
def test_a_childs_name_or_identifier_is_refused_however_it_is_written(text, kinds):
    assert [kind for kind, _ in find_identifiers(text)] == kinds


@pytest.mark.parametrize("text", ACCEPTED)
def test_ordinary_professional_text_is_accepted(text):
    assert find_identifiers(text) == []


def test_a_long_text_is_read_quickly():
    texts = [
        "Jayden " * 8000,
        "SMITH, " * 8000,
        "Child A: " * 6000,
        "9 " * 25000,
        "14 the " * 8000,
        "<b " * 17000,
        "NHS 9 " * 9000,
        "Practitioners did not hear the voice of Child A. " * 1000,
    ]
    for text in texts:
        started = time.perf_counter()
        find_identifiers(text[:50_000])
        assert time.perf_counter() - started < 5


def test_a_venue_takes_an_address_and_a_postcode_and_nothing_else(monkeypatch):
    from learning.training.models import Session

    monkeypatch.setattr(Session, "names_places", frozenset({"venue"}), raising=False)
    for venue in ("Shirehall, Abbey Foregate, Shrewsbury SY2 6ND", "Training Room 2, 5 Mill Lane"):
        validate_place(venue)
        assert "venue" not in free_text_errors(Session(venue=venue))
    for venue in ("Child A's home, 07700 900123", "Jayden Smith's house"):
        with pytest.raises(ValidationError):
            validate_place(venue)
        assert free_text_errors(Session(venue=venue))["venue"]


def test_a_field_that_is_no_venue_still_refuses_an_address_and_a_postcode():
    from learning.models import Finding

    text = "Moved to 5 Mill Lane, Shrewsbury SY2 6ND"
    assert [kind for kind, _ in find_identifiers(text)] == [ADDRESS, POSTCODE]
    assert free_text_errors(Finding(detail=text))["detail"] == [
        "This looks like a street address (5 Mill Lane). Children and families are named by "
        "pseudonym only: remove it.",
        "This looks like a postcode (SY2 6ND). Children and families are named by pseudonym "
        "only: remove it.",
    ]


# File names ----------------------------------------------------------------------------------

PDF = b"%PDF-1.4 report"


@pytest.mark.parametrize(
    "name",
    [
        "Jayden_Smith_chronology.pdf",
        "Jayden-Smith-chronology.pdf",
        "DOB_03-04-2019.pdf",
        "Baby_Oliver_notes.pdf",
        "Baby_Oliver_Smith_strategy_minutes_DOB_03-04-2019.pdf",
        "JaydenSmithChronology.pdf",
        "Jayden Smith chronology.pdf",
        "NHS_943_476_5919.pdf",
    ],
)
def test_a_file_named_for_a_child_is_refused_however_its_words_are_joined(name):
    with pytest.raises(ValidationError) as refused:
        validate_upload(SimpleUploadedFile(name, PDF))
    assert refused.value.messages[0].startswith("In the file's name: This looks like")
    assert "Rename the file" in refused.value.messages[-1]


@pytest.mark.parametrize(
    "name",
    [
        "SCR-2025-001_minutes.pdf",
        "LCSPR-2026-001_report_v2.1.pdf",
        "Section_11_return_2025-26.pdf",
        "Audit_report_2025-06-01.pdf",
        "MASH_report_Q1.pdf",
        "Police-chronology.pdf",
    ],
)
def test_an_ordinary_file_name_is_accepted(name):
    assert validate_upload(SimpleUploadedFile(name, PDF))[0] == name


# The access log ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_access_log_keeps_the_filters_but_not_the_words_searched_for(client, bu_user):
    client.force_login(bu_user)
    query = {"q": "Jayden Smith DOB 03/04/2019 NHS 9434765919", "year": "2025"}
    response = client.get(reverse("learning:actions_csv"), query)
    assert response.status_code == 200
    entry = AccessLogEntry.objects.get()
    assert entry.path == reverse("learning:actions_csv") + "?q=[search]&year=2025"
    assert "Jayden" not in entry.path and "9434765919" not in entry.path


@pytest.mark.django_db
def test_the_access_log_keeps_no_identifier_put_in_another_parameter(rf, bu_user):
    from sscb.access_log import logged_path

    request = rf.get("/learning/actions/export.csv", {"agency": "9434765919", "stage": "open"})
    assert logged_path(request) == "/learning/actions/export.csv?agency=[search]&stage=open"
    request = rf.get("/learning/actions/export.csv", {"agency": "Jayden Smith"})
    assert logged_path(request) == "/learning/actions/export.csv?agency=[search]"
    assert logged_path(rf.get("/reviews/")) == "/reviews/"

"""Minimisation: free text and pseudonyms refuse what looks like a child's identifiers."""

import datetime
from html import unescape

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from audits.tests.factories import section_11
from learning import services as learning_services
from learning.models import Finding
from learning.tests.factories import ActionFactory, OutcomeFactory
from reviews import services as review_services
from reviews.models import ClockPause, Review, ReviewStageChange
from reviews.tests.factories import open_review
from sscb.minimise import (
    ADDRESS,
    DATE_OF_BIRTH,
    EMAIL,
    NAME,
    NHS_NUMBER,
    PHONE,
    POSTCODE,
    find_identifiers,
    nhs_number_is_valid,
    validate_free_text,
    validate_pseudonym,
)
from sscb.models import SubGroup
from sscb.tests.factories import SubGroupFactory, SubGroupMembershipFactory

# (text, the kind it must be refused as, or None when it is ordinary text)
FREE_TEXT = [
    # A child's first name beside a pseudonym, or as they are known; a street address
    ("Child A (Jayden) and his sister", NAME),
    ("and his sister, known as Poppy, lived there", NAME),
    # ... after more than one such word, with an age in more ways, a surname in small letters
    ("Mum was known as a baby called Olivia to health visitors", NAME),
    ("the health visitor saw the child known as Poppy twice", NAME),
    ("the child named Olivia was seen", NAME),
    ("Jayden, 4, attended nursery", NAME),
    ("Jayden (aged 4) attended nursery", NAME),
    ("Jayden aged three attended nursery", NAME),
    ("Jayden smith attended nursery", NAME),
    # ... after a capitalised word that is not a given name, as a chronology entry starts
    ("Visited Jayden Smith at home", NAME),
    ("Saw Jayden Smith at school", NAME),
    ("Arrested Liam Brown", NAME),
    ("Visited Jayden Smith, aged 4", NAME),
    ("PC Jones visited Jayden, aged 4, at home", NAME),
    ("visited jayden smith at home", NAME),
    ("Visited Ludlow Primary School", None),
    ("Seen at Royal Shrewsbury Hospital", None),
    ("a child called out for help", None),
    ("the child was seen by 4 agencies, 3 of them weekly", None),
    ("seen on 4, 5 and 6 May", None),
    ("they lived at 14 Castle Street, Ludlow", ADDRESS),
    ("moved to 3a Mill Lane last year", ADDRESS),
    ("Child A (aged 4) and Child B (7)", None),  # an age in brackets is no name
    ("the MASH (Multi-Agency Safeguarding Hub) met on 3 May", None),
    ("2 Early Help workers and 3 Health Visitors", None),
    ("known as the front door", None),
    # NHS numbers: the modulus 11 check digit decides
    ("943 476 5919", NHS_NUMBER),
    ("943-476-5919", NHS_NUMBER),
    ("9434765919", NHS_NUMBER),
    ("NHS no. 401 023 2137 on file", NHS_NUMBER),
    ("NHS 943.476.5919", NHS_NUMBER),  # dotted
    ("Child A's birthday is 3 March 2015", DATE_OF_BIRTH),
    ("Child A, born 03/2015", DATE_OF_BIRTH),
    ("Child A was born in March 2015", DATE_OF_BIRTH),
    ("Reviewed in March 2015", None),  # a month and year alone is ordinary
    ("Sent to jané@exämple.com", EMAIL),  # letters beyond ASCII
    ("Sent to jane＠example.com", EMAIL),  # a full-width at sign
    ("version 1.2.3", None),
    ("943 476 5918", None),  # check digit wrong
    ("1234567890", None),  # check digit would be 10: no NHS number has it
    ("943 476 59190", None),  # eleven digits
    # dates of birth: a date beside a date-of-birth word
    ("DOB 01/02/2015", DATE_OF_BIRTH),
    ("dob: 1.2.15", DATE_OF_BIRTH),
    ("D.O.B. 01-02-2015", DATE_OF_BIRTH),
    ("d.o.b. 2015-02-01", DATE_OF_BIRTH),
    ("born 1 February 2015", DATE_OF_BIRTH),
    ("was born on the 1st of Feb 2015 at home", DATE_OF_BIRTH),
    ("date of birth is 01/02/2015", DATE_OF_BIRTH),
    ("Birthdate: February 1, 2015", DATE_OF_BIRTH),
    ("01/02/2015 (DOB)", DATE_OF_BIRTH),
    ("Strategy meeting held on 01/02/2015", None),
    ("Referred 2025-03-10, decided 2025-04-01", None),
    ("Between 1 April 2024 and 31 March 2025", None),
    ("born in 2015", None),  # a year alone is not a date of birth
    ("A newborn seen at 10 days old", None),
    # postcodes
    ("SY1 1AA", POSTCODE),
    ("SY11AA", POSTCODE),
    ("lives at W1A 0AX now", POSTCODE),
    ("EC1A 1BB", POSTCODE),
    ("M1 1AE", POSTCODE),
    ("SCR-2025-01", None),
    ("LR-2025-003", None),
    ("MATA-2025-001", None),
    ("LCSPR-2025-003", None),
    ("S11", None),
    ("Section 11 and Section 175 returns", None),
    ("WT2018", None),
    ("Q1 2nd quarter", None),
    ("COVID19 lockdown", None),
    # email addresses
    ("jo.bloggs@example.org", EMAIL),
    ("write to mum+school@mail.example.co.uk today", EMAIL),
    ("email the MASH team", None),
    # phone numbers
    ("01743 123456", PHONE),
    ("07700 900123", PHONE),
    ("+44 7700 900123", PHONE),
    ("(01743) 123 456", PHONE),
    ("020 7946 0000", PHONE),
    ("+44 (0)20 7946 0000", PHONE),
    ("0121-496-0000", PHONE),
    ("01743123456", PHONE),
    ("01743 123", None),  # too short
    ("0174 3123", None),  # too short
    ("2015", None),
    ("2019-2020", None),
    ("12 of 40 cases", None),
    ("£12,500", None),
    ("£1,250,000 budget", None),
    ("10:30", None),
    ("09:30-10:30", None),
    ("0-19 service", None),
    ("Working Together 2018, paragraph 4.2", None),
    ("3 of 5 agencies in 2024/25", None),
    ("", None),
    # a child's name: a given name beside a surname, an age, "Baby" or "called"
    ("Jayden Smith was not seen", NAME),
    ("Jayden Smith, 7 weeks, head injury", NAME),
    ("Jayden aged 4", NAME),
    ("Jayden (4) was seen at home", NAME),
    ("Baby Oliver", NAME),
    ("a boy called Jayden", NAME),
    ("Oliver O'Brien", NAME),
    ("Ella-Rose McDonald", NAME),
    ("Child A", None),
    ("Baby A and Sibling B", None),
    ("Lucy was seen at home", None),  # a given name alone could be anyone's
    ("Victoria Park Primary School", None),
    ("Royal Shrewsbury Hospital and Grace Street Surgery", None),
    ("Learning Together", None),
    ("Agreed with a June briefing", None),
    ("Will Children's Services attend?", None),
    ("the Amber clock", None),
    # pasted or typed to slip past: other spaces, invisible characters, capitals, small letters
    ("Records 943\u00a0476\u00a05919", NHS_NUMBER),  # a no-break space, as Word pastes it
    ("943\u2009476\u20095919", NHS_NUMBER),  # a thin space
    ("943\u00ad476\u00ad5919", NHS_NUMBER),  # soft hyphens
    ("943\u200b476\u200b5919", NHS_NUMBER),  # zero-width spaces
    ("943/476/5919", NHS_NUMBER),
    ("9 4 3 4 7 6 5 9 1 9", NHS_NUMBER),
    ("９４３ ４７６ ５９１９", NHS_NUMBER),  # full-width digits
    ("Review for JAYDEN SMITH", NAME),
    ("jayden smith", NAME),
    ("Jay\u200bden Smith", NAME),
    ("Concerns about baby oliver", NAME),
    ("D\u200bOB 03/04/2019", DATE_OF_BIRTH),
    ("Visit at sy1 1aa", POSTCODE),
    ("the MASH TEAM and CSC", None),
    ("NHS ENGLAND guidance", None),
    ("child care and child protection", None),
    ("grace period of 2 weeks", None),
    ("1 2 3 4 5 6 7 8 9 0", None),  # spaced, but no NHS number's check digit
    ("ratings 3 4 5 4 3 2 4 5 3 4 in turn", None),
    ("2025/26 and 2026/27", None),
    # ... with a dash Word puts in, spaces round it, a tab or line break, an underscore, accents
    ("NHS 943\u2013476\u20135919", NHS_NUMBER),  # en dash
    ("NHS 943\u2011476\u20115919", NHS_NUMBER),  # non-breaking hyphen
    ("NHS 943\u2212476\u22125919", NHS_NUMBER),  # minus sign
    ("NHS 943 - 476 - 5919", NHS_NUMBER),
    ("NHS 943 / 476 / 5919", NHS_NUMBER),
    ("NHS:\t943\t476\t5919", NHS_NUMBER),
    ("NHS 943_476_5919", NHS_NUMBER),
    ("lives at SY1  1AA", POSTCODE),
    ("lives at SY1\t1AA", POSTCODE),
    ("lives at SY1\n1AA", POSTCODE),
    ("lives at SY1-1AA", POSTCODE),
    ("lives at sy1  1aa", POSTCODE),
    ("Jayden Sm\u00edth was seen", NAME),
    ("mum jo.smith(at)gmail.com", EMAIL),
    ("mum jo.smith [at] gmail.com", EMAIL),
    ("2019 \u2013 2020 and pages 4 - 6", None),
    ("Caf\u00e9 meeting on 3 May", None),
    ("seen at home. Com", None),
]


@pytest.mark.parametrize("text, kind", FREE_TEXT)
def test_free_text_refuses_identifiers_and_nothing_else(text, kind):
    found = find_identifiers(text)
    if kind is None:
        assert found == []
        validate_free_text(text)
    else:
        assert [k for k, _ in found] == [kind]
        with pytest.raises(ValidationError) as refused:
            validate_free_text(text)
        assert found[0][1] in refused.value.messages[0]


def test_the_message_says_what_was_found_and_why():
    with pytest.raises(ValidationError) as refused:
        validate_free_text("Mother said 943 476 5919")
    assert refused.value.messages == [
        "This looks like an NHS number (943 476 5919). Children and families are named by "
        "pseudonym only: remove it."
    ]


def test_each_identifier_is_reported_once_in_the_order_written():
    assert find_identifiers("Child A DOB 01/02/2015, NHS 943 476 5919, SY1 1AA") == [
        (DATE_OF_BIRTH, "DOB 01/02/2015"),
        (NHS_NUMBER, "943 476 5919"),
        (POSTCODE, "SY1 1AA"),
    ]


def test_nhs_check_digit():
    assert nhs_number_is_valid("9434765919")
    assert not nhs_number_is_valid("9434765918")
    assert not nhs_number_is_valid("943476591")


PSEUDONYMS = [
    ("Child A", True),
    ("Baby W", True),
    ("Young person H", True),
    ("Family B", True),
    ("Sibling 2", True),
    ("Child AB", True),
    ("Children C and D", True),
    ("Child A, B and C", True),
    ("Mother of Child A", True),
    ("Father of Baby W", True),
    ("Sibling group F", True),
    ("Infant K", True),
    ("Case 12", True),
    ("child a", True),
    ("John Smith 01/02/2015", False),
    ("John Smith", False),
    ("Child Smith", False),
    ("Child A 01/02/2015", False),  # any date in a pseudonym reads as a date of birth
    ("Child A 943 476 5919", False),
    ("A", False),
    ("Mr B", False),
    ("[disposed on 2026-12-03]", True),  # what disposal leaves (sscb.retention)
    ("[disposed on 2026-12-03] John", False),
]


@pytest.mark.parametrize("pseudonym, accepted", PSEUDONYMS)
def test_a_pseudonym_must_look_like_one(pseudonym, accepted):
    if accepted:
        validate_pseudonym(pseudonym)
    else:
        with pytest.raises(ValidationError):
            validate_pseudonym(pseudonym)


def test_a_refused_pseudonym_says_why_and_what_is_accepted():
    with pytest.raises(ValidationError) as refused:
        validate_pseudonym("John Smith 01/02/2015")
    first, second = refused.value.messages
    assert first.startswith("This looks like a date of birth (01/02/2015).")
    assert "“John Smith 01/02/2015” does not look like a pseudonym" in second
    assert "Start with Child, Children, Baby, Young person" in second


def test_the_pseudonym_fields_say_what_is_accepted():
    from audits.models import CaseAuditEntry

    for field in (Review._meta.get_field("pseudonym"), CaseAuditEntry._meta.get_field("pseudonym")):
        assert "Child, Children, Baby, Young person" in field.help_text
        assert validate_pseudonym in field.validators


# Through the real pages --------------------------------------------------------------------


def _page(response):
    return " ".join(unescape(response.content.decode()).split())


@pytest.mark.django_db
def test_a_finding_with_a_dob_and_nhs_number_is_refused_and_kept_in_the_form(client, member_user):
    li = SubGroupFactory(code=SubGroup.Code.LEARNING_IMPROVEMENT)
    SubGroupMembershipFactory(subgroup=li, user=member_user)
    client.force_login(member_user)
    title = "Missed appointments DOB 01/02/2015 NHS 943 476 5919"
    response = client.post(
        reverse("learning:finding_new"),
        {
            "title": title,
            "detail": "Practitioners did not hear the voice of Child A.",
            "source": "practitioner",
            "nature": "improvement",
            "subgroup": li.pk,
            "identified_on": "2025-05-01",
        },
    )
    assert response.status_code in (200, 400)
    assert Finding.objects.count() == 0
    page = _page(response)
    assert "This looks like a date of birth (DOB 01/02/2015)." in page
    assert "This looks like an NHS number (943 476 5919)." in page
    assert f'value="{title}"' in page
    assert response.context["form"].errors["title"]


@pytest.mark.django_db
def test_a_review_named_by_name_and_date_is_refused_and_kept_in_the_form(client, member_user):
    crp = SubGroupFactory(code=SubGroup.Code.CASE_REVIEW_PANEL)
    SubGroupMembershipFactory(subgroup=crp, user=member_user)
    client.force_login(member_user)
    response = client.post(
        reverse("reviews:create"),
        {
            "kind": "scr",
            "title": "Death of a toddler",
            "pseudonym": "John Smith 01/02/2015",
            "subgroup": crp.pk,
            "referred_on": "2025-06-02",
        },
    )
    assert response.status_code in (200, 400)
    assert Review.objects.count() == 0
    page = _page(response)
    assert "This looks like a date of birth (01/02/2015)." in page
    assert "does not look like a pseudonym" in page
    assert 'value="John Smith 01/02/2015"' in page
    assert len(response.context["form"].errors["pseudonym"]) == 2


@pytest.mark.django_db
def test_the_admin_refuses_an_identifier_and_keeps_what_was_typed(client, bu_user):
    standard = section_11().standards.get(number=5)  # installed, should a flush have run
    before = standard.guidance
    client.force_login(bu_user)
    guidance = "Ring Child A's mother on 07700 900123 for the training records."
    response = client.post(
        reverse("admin:audits_standard_change", args=[standard.pk]),
        {
            "framework": standard.framework_id,
            "number": 5,
            "title": standard.title,
            "guidance": guidance,
            "evidence_expected": standard.evidence_expected,
        },
    )
    assert response.status_code == 200
    page = _page(response)
    assert "This looks like a phone number (07700 900123)." in page
    assert guidance in page
    standard.refresh_from_db()
    assert standard.guidance == before


# Write paths that do not go through a ModelForm --------------------------------------------


@pytest.mark.django_db
def test_action_progress_refuses_identifiers():
    action = ActionFactory()
    with pytest.raises(ValidationError) as refused:
        learning_services.action_report_progress(
            action=action, progress="Visited at SY1 1AA", at_risk=False
        )
    assert "progress" in refused.value.message_dict
    action.refresh_from_db()
    assert action.progress == ""


@pytest.mark.django_db
def test_the_executive_decision_refuses_identifiers(executive_user):
    outcome = OutcomeFactory()
    with pytest.raises(ValidationError):
        learning_services.outcome_decide(
            outcome=outcome,
            decision="agreed",
            notes="Discussed with mum (jo@example.org)",
            decided_by=executive_user,
        )
    outcome.refresh_from_db()
    assert outcome.decision == "pending"


@pytest.mark.django_db
def test_a_stage_note_and_a_clock_pause_refuse_identifiers(bu_user):
    review = open_review(
        by=bu_user, kind=Review.Kind.SCR, pseudonym="Child A", incident_known_on=None
    )
    moves = ReviewStageChange.objects.count()
    with pytest.raises(ValidationError) as refused:
        review_services.review_move(
            review=review, to_stage=Review.Stage.DECISION, by=bu_user, note="DOB 01/02/2015"
        )
    assert "note" in refused.value.message_dict
    assert ReviewStageChange.objects.count() == moves
    review.refresh_from_db()
    assert review.stage != Review.Stage.DECISION
    clock = review.clocks.get()
    with pytest.raises(ValidationError) as refused:
        review_services.clock_pause(
            clock=clock, by=bu_user, reason="Trial of the father, 01743 123456"
        )
    assert "reason" in refused.value.message_dict
    clock.refresh_from_db()
    assert clock.paused_on is None and not ClockPause.objects.exists()


def test_plain_forms_put_the_message_on_the_field():
    from learning.forms import ProgressForm

    form = ProgressForm(data={"progress": "Seen at home, EC1A 1BB"})
    assert not form.is_valid()
    assert form.errors["progress"] == [
        "This looks like a postcode (EC1A 1BB). Children and families are named by pseudonym "
        "only: remove it."
    ]


def test_a_date_is_fine_without_a_date_of_birth_word():
    validate_free_text(f"Panel met on {datetime.date(2025, 2, 1):%d/%m/%Y}.")


def test_a_field_that_names_an_adult_takes_a_name_and_refuses_every_other_identifier():
    from learning.training.models import Attendee
    from sscb.minimise import free_text_errors

    assert "name" not in free_text_errors(Attendee(name="Jayden Smith"))
    assert free_text_errors(Attendee(name="Jayden Smith 943 476 5919"))["name"] == [
        "This looks like an NHS number (943 476 5919). Children and families are named by "
        "pseudonym only: remove it."
    ]
    assert free_text_errors(Finding(title="Jayden Smith was not seen"))["title"] == [
        "This looks like a person's name (Jayden Smith). Children and families are named by "
        "pseudonym only: remove it."
    ]


@pytest.mark.parametrize(
    ("model", "field"),
    [
        ("sscb.User", "first_name"),
        ("sscb.User", "job_title"),
        ("reviews.Review", "notified_by"),
        ("audits.SelfAssessment", "head_teacher"),
        ("meetings.Attendance", "deputy"),
        ("scrutiny.Inspection", "carried_out_by"),
        ("reviews.TermsOfReference", "agreed_by"),
        ("audits.SelfAssessment", "safeguarding_governor"),
        ("training.Session", "trainer"),
        ("training.Attendee", "name"),
    ],
)
def test_every_field_that_names_an_adult_refuses_a_childs_name_or_pseudonym(model, field):
    """One rule for every ``names_adults`` field (sscb.minimise.validate_adults_name): an
    adult's name passes; a name marked as a child's, or a pseudonym, means a child's record was
    typed in the wrong place."""
    from django.apps import apps

    from sscb.minimise import free_text_errors

    model = apps.get_model(model)
    assert field in model.names_adults
    assert field not in free_text_errors(model(**{field: "Priya Sharma"}))
    assert field not in free_text_errors(model(**{field: "Child Protection Adviser"}))
    assert free_text_errors(model(**{field: "Baby Oliver"}))[field] == [
        "“Baby Oliver” reads as a child's name, and no child is named here: give the adult's "
        "own name."
    ]
    assert "is a pseudonym" in free_text_errors(model(**{field: "Mother of Child A"}))[field][0]
    assert (
        "reads as a child's name"
        in free_text_errors(model(**{field: "Jayden Smith, aged 4"}))[field][0]
    )
    assert "NHS number" in free_text_errors(model(**{field: "Priya Sharma 943 476 5919"}))[field][0]


def test_a_meetings_deputy_refuses_a_childs_name_on_the_field(db):
    from learning.meetings.forms import AttendanceForm
    from sscb.tests.factories import UserFactory

    class Membership:
        user, agency = UserFactory(), None

    member = Membership()
    form = AttendanceForm(
        {f"status_{member.user.pk}": "apologies", f"deputy_{member.user.pk}": "Baby Oliver"},
        members=[member],
        recorded={},
    )
    assert form.errors == {
        f"deputy_{member.user.pk}": [
            "“Baby Oliver” reads as a child's name, and no child is named here: give the "
            "adult's own name."
        ]
    }

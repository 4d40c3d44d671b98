"""Demo training: the neglect module delivered seven weeks ago (its register by agency, answers
before, straight after and at the 6–8-week follow-up), a themed event last fortnight, and a
session next month with its bookings. Practitioners are staff with invented names."""

import datetime

from django.utils import timezone

from learning.models import LearningOutcome
from sscb.models import Agency, SubGroup

from . import services
from .models import Course, Questionnaire
from .selectors import link_for_token

Stage = Questionnaire.Stage
PEOPLE = [
    ("Police", "Sam Patel", "attended"),
    ("Police", "Jo Khan", "attended"),
    ("Police", "Lee Wong", "did_not_attend"),
    ("CSC", "Alex Morgan", "attended"),
    ("CSC", "Priya Shah", "attended"),
    ("CSC", "Tom Hughes", "attended"),
    ("ICB", "Ruth Evans", "attended"),
    ("SaTH", "Dan Price", "did_not_attend"),
    ("Education", "Megan Lloyd", "attended"),
    ("Meole Brace", "Chris Bennett", "attended"),
]
# Confidence in each learning point (1–5) before, straight after and at the follow-up, and
# whether practice changed, for the people who answered.
ANSWERS = {
    "Sam Patel": ([2, 2, 3], [4, 4, 4], [4, 5, 4], "yes"),
    "Jo Khan": ([3, 2, 2], [4, 5, 4], [4, 4, 4], "partly"),
    "Alex Morgan": ([2, 3, 3], [5, 4, 4], [5, 4, 5], "yes"),
    "Priya Shah": ([1, 2, 2], [4, 4, 3], None, None),
    "Ruth Evans": ([3, 3, 2], [4, 4, 4], [3, 4, 3], "partly"),
    "Megan Lloyd": ([2, 2, 2], [3, 4, 4], [4, 4, 4], "yes"),
}
DIFFERENTLY = "Read the whole chronology before the visit and write down what Child A says."
EXAMPLE = (
    "Used a chronology to name cumulative harm at a strategy discussion (agreed with my manager)."
)


def _email(name, agency):
    first, last = name.lower().split()
    return f"{first}.{last}@{agency.short_name.lower().replace(' ', '')}.example"


def load():
    if Course.objects.exists():
        return
    today = timezone.localdate()
    training = SubGroup.objects.get(code=SubGroup.Code.TRAINING)
    agencies = {agency.short_name: agency for agency in Agency.objects.all()}
    neglect = LearningOutcome.objects.get(title__startswith="Practitioners read the history")
    module = services.course_save(
        title="Neglect: chronologies and cumulative harm (core module)",
        kind="core_training",
        subgroup=training,
        summary="A day's core multi-agency module for practitioners working with families where "
        "neglect is a concern.",
        learning_points="Building a chronology from every agency's records\n"
        "Naming cumulative harm in a referral or assessment\n"
        "Escalating when a plan is not changing the child's day",
        outcomes=[neglect],
    )

    def days(n):
        return today + datetime.timedelta(days=n)

    def moment(n, hour=17):
        return timezone.make_aware(datetime.datetime.combine(days(n), datetime.time(hour)))

    def book(session, short, name, status="booked"):
        agency = agencies[short]
        return services.attendee_add(
            session=session,
            agency=agency,
            name=name,
            email=_email(name, agency),
            manager_email=f"safeguarding.lead@{agency.short_name.lower().replace(' ', '')}.example",
            status=status,
        )

    # Seven weeks ago: delivered, its follow-up window open now.
    past = services.session_save(
        course=module,
        held_on=days(-49),
        trainer="Dana Reid, Training sub-group",
        venue="Shirehall, Shrewsbury (Council Chamber)",
        places=16,
    )
    people = {name: book(past, short, name, status) for short, name, status in PEOPLE}

    def answered(stages):
        for name, (before, after, later, changed) in ANSWERS.items():
            attendee = people[name]
            for stage, ratings, on, text in (
                (Stage.BASELINE, before, -52, {}),
                (Stage.IMMEDIATE, after, -49, {"doing_differently": DIFFERENTLY}),
                (
                    Stage.FOLLOW_UP,
                    later,
                    -5,
                    {"practice_changed": changed, "practice_example": EXAMPLE},
                ),
            ):
                if ratings is None or stage not in stages:
                    continue
                questionnaire = Questionnaire.objects.create(attendee=attendee, stage=stage)
                # Answered through its link, as the email's reader would, on the day it was.
                token = services.link_issue(questionnaire=questionnaire, sent_to=attendee.email)
                services.questionnaire_answer(
                    link=link_for_token(token), ratings=ratings, at=moment(on), **text
                )

    # The baseline before the session is recorded as delivered (it closes then), the rest after.
    answered({Stage.BASELINE})
    services.session_deliver(session=past)
    answered({Stage.IMMEDIATE, Stage.FOLLOW_UP})

    # Next month: booked, the baseline still to send.
    upcoming = services.session_save(
        course=module,
        held_on=days(30),
        trainer="Dana Reid, Training sub-group",
        venue="Online (Microsoft Teams link sent with the booking)",
        places=40,
    )
    for short, name in (("Police", "Kim Ellis"), ("CSC", "Hannah Webb"), ("YJS", "Owen Clarke")):
        book(upcoming, short, name)

"""Demo briefings: a 7-minute briefing on cumulative harm in neglect, published three weeks ago
and cascaded by three agencies (its reach on the dashboard is what they confirmed), and a
briefing on the voice of the child awaiting the chair's approval, with an earlier version kept."""

import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone

from learning.demo import NEGLECT_THEME
from learning.models import PriorityTheme
from sscb.models import Agency

from . import services
from .models import Briefing

NEGLECT = {
    "title": "Seeing cumulative harm: a 7-minute briefing on chronic neglect",
    "what_happened": (
        "Child A and Child B lived with chronic neglect for four years. Each agency saw single "
        "incidents (missed health appointments, poor school attendance, a cold and dirty home) "
        "and responded to each one. Nobody put the history together, and the children's lived "
        "experience was not seen until Child B was admitted to hospital."
    ),
    "why_it_matters": (
        "Neglect is the most common reason for a child protection plan. Its harm is cumulative: "
        "each incident may look small, but together they shape a child's development. Three "
        "reviews in two years found the same gap."
    ),
    "what_to_do": (
        "Read the chronology before you act on a new concern.\n"
        "Use the graded care profile to describe the child's daily life.\n"
        "Ask: what is this like for the child, day after day?\n"
        "Escalate when help offered has not changed the child's experience."
    ),
    "questions": (
        "Which of your families has had three or more low-level referrals this year?\n"
        "When did you last read a family's full history before a visit?\n"
        "What stops you escalating a case that is 'stuck'?"
    ),
    "further_reading": (
        "Partnership neglect strategy and graded care profile guidance.\n"
        "Working Together to Safeguard Children 2023, chapter 3.\n"
        "Ofsted: In the child's time (2014)."
    ),
}

VOICE = {
    "title": "Hearing the child: what children told us",
    "what_happened": (
        "In a learning review, Child C told three professionals that they were frightened at "
        "home. Each recorded that the child was 'quiet' rather than what the child said."
    ),
    "why_it_matters": "A child's own words are the best evidence of their daily life.",
    "what_to_do": "Write down what the child said, in their words, and what you did about it.",
    "questions": "When did you last record a child's exact words?",
    "further_reading": "",
}


def load():
    if Briefing.objects.exists():
        return
    today = timezone.localdate()

    def days(n):
        return today + datetime.timedelta(days=n)

    users = {user.username: user for user in get_user_model().objects.all()}
    admin, member, lead = users["admin"], users["member"], users["agency"]
    neglect = PriorityTheme.objects.get(title=NEGLECT_THEME)
    outcome = neglect.outcomes.order_by("pk").first()

    # Written by the L&I chair, so the Business Unit approves it on the chair's behalf.
    briefing = services.briefing_write(
        by=member, subgroup=neglect.subgroup, theme=neglect, outcome=outcome, **NEGLECT
    )
    services.briefing_submit(briefing=briefing, by=member)
    services.briefing_approve(briefing=briefing, by=admin)
    services.briefing_publish(briefing=briefing, by=admin, on=days(-21))
    agencies = {agency.short_name: agency for agency in Agency.objects.all()}
    for short_name, by, on, method, staff in (
        ("Police", lead, days(-14), "team_meeting", 46),
        ("CSC", admin, days(-10), "supervision", 38),
        ("SaTH", admin, days(-7), "email", 120),
    ):
        if short_name in agencies:
            services.cascade_confirm(
                cascade=briefing.cascades.get(agency=agencies[short_name]),
                by=by,
                cascaded_on=on,
                method=method,
                staff_reached=staff,
            )

    # Awaiting approval, reworded once after the chair's comments (version 1 kept).
    voice = PriorityTheme.objects.filter(title__startswith="Hearing").first()
    if voice is None:
        return
    draft = services.briefing_write(
        by=admin, subgroup=voice.subgroup, theme=voice, outcome=voice.outcomes.first(), **VOICE
    )
    services.briefing_submit(briefing=draft, by=admin)
    services.briefing_return(
        briefing=draft, by=member, note="Add what to do when a child will not talk to you."
    )
    services.briefing_edit(
        briefing=draft,
        by=admin,
        outcome=draft.outcome,
        **VOICE
        | {
            "what_to_do": VOICE["what_to_do"]
            + "\nIf a child will not talk to you, say so, and say what you saw."
        },
    )
    services.briefing_submit(briefing=draft, by=admin)

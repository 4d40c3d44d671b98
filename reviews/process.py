"""Plain-language leaflets for families and practitioners: how each kind of review goes, step by
step. The steps are the stages the product moves a review through (``reviews.lifecycle``) and the
time limits are its statutory clocks (``reviews.clocks``), so a leaflet cannot drift from what the
product does; only the words for each step are written here. No leaflet names a case.
"""

from dataclasses import dataclass

from django.utils import timezone

from . import clocks, lifecycle
from .models import Review, ReviewClock

K = Review.Kind
S = Review.Stage

# What each kind of review is, in words a child of 11 could read.
KINDS = {
    K.SCR: "A serious case review looked at what happened when a child died or was badly hurt "
    "and abuse or neglect was known or thought likely. These reviews were used until 2019.",
    K.RAPID_REVIEW: "A rapid review is a quick look at what happened when a child died or was "
    "badly hurt. It helps us decide if a bigger review is needed.",
    K.LCSPR: "A child safeguarding practice review looks closely at what happened to a child. "
    "It asks how the people who help children worked together, and what we can learn.",
    K.LEARNING_REVIEW: "A learning review looks at one child's story to learn how we can work "
    "better. It can also look at work that went very well, so that others can do the same.",
    K.DEEP_DIVE: "A deep dive looks at a few children's records on one theme. It helps us see "
    "what is going well and what needs to change.",
    K.CHILD_DEATH: "Every time a child dies, a panel looks at what happened. It asks if "
    "anything could be done to keep other children safe.",
    K.DOMESTIC_HOMICIDE: "When someone is killed by a partner or a family member, a review "
    "looks at what happened. We use what it finds to help children in the home.",
    K.NATIONAL: "Sometimes we read what other areas or the country have learned from their "
    "reviews. We then decide what to change here.",
}

# Each step: what happens; what it means for the family; what it means for people at work.
STAGES = {
    S.REFERRAL: (
        "We are told about what happened",
        "Someone tells the partnership what happened to the child. We write it down.",
        "Nothing is asked of you yet. We will tell you what happens next.",
        "You may be asked what you know. Tell us what you saw and what you did.",
    ),
    S.RAPID_REVIEW: (
        "A quick first look",
        "The people who worked with the child share what they know. We look at it together.",
        "We will tell you that this is happening.",
        "Your team sends a short note of what it knew and did.",
    ),
    S.DECISION: (
        "We decide what kind of review is needed",
        "A panel reads what we know. It decides if a full review is needed, and says why.",
        "We will tell you what we decided and why.",
        "We will tell your team what we decided.",
    ),
    S.SCOPING: (
        "We plan the review",
        "We write down what the review will look at, over what time, and the main questions.",
        "We will ask what you want the review to look at.",
        "Your team helps us choose the questions.",
    ),
    S.REVIEWER_APPOINTED: (
        "A reviewer is chosen",
        "A reviewer leads the work. They do not work for any of the teams being looked at.",
        "You can meet the reviewer if you want to.",
        "You will meet the reviewer. Their job is to learn, not to blame.",
    ),
    S.CHRONOLOGIES: (
        "Each team shares what happened, and when",
        "Each team that knew the child writes down what it knew and did, day by day. We put "
        "these lists together in date order.",
        "This helps us see the whole story.",
        "Your team sends its list. Only your team and the review team see it.",
    ),
    S.PRACTITIONER_EVENT: (
        "People who worked with the child meet",
        "The people who knew the child talk about what happened and why. The aim is to learn, "
        "not to blame.",
        "What you told us helps this talk.",
        "You are asked to come and speak freely. You will not be blamed for what went wrong.",
    ),
    S.FAMILY_INVOLVEMENT: (
        "We talk with the family",
        "The reviewer asks the family what they think. Brothers and sisters can also have a say.",
        "You can choose to take part, and how. You can say no. You can bring someone with you.",
        "You may be asked to help the family take part.",
    ),
    S.ANALYSIS: (
        "The reviewer writes the report",
        "The reviewer puts it all together. They say what went well, what did not, and why.",
        "We will tell you what the report says before it is shared.",
        "You can check the parts about your work before the report is done.",
    ),
    S.BOARD_SIGNOFF: (
        "The partnership agrees the report",
        "The leaders of the partnership read the report. They write down what they will do.",
        "We will tell you what they have agreed.",
        "Your leaders say what your team will change.",
    ),
    S.PUBLISHED: (
        "The report is shared",
        "The report is put on our website for at least a year. It does not use the child's "
        "real name.",
        "We will tell you before the report is shared.",
        "Your team reads the report and shares what it learned.",
    ),
    S.ACTION_PLAN: (
        "We check that things change",
        "Each team does what it said it would do. We check that the change lasts.",
        "You can ask us what has changed.",
        "Your team shows us what it has changed and how it knows.",
    ),
    S.CLOSED: (
        "The review ends",
        "We close the review when the work is done.",
        "You can still ask us about it.",
        "Keep using what you learned.",
    ),
}

# The reviewer's step where a review may go on without one (``lifecycle.reviewer_optional``: a
# learning review's "possible" independent reviewer).
REVIEWER_MAY_BE_CHOSEN = (
    "A reviewer may be chosen",
    "Sometimes a reviewer from outside leads the work. They do not work for any of the teams "
    "being looked at. Other times, the partnership leads the review itself.",
    "If there is a reviewer, you can meet them if you want to.",
    "If there is a reviewer, you will meet them. Their job is to learn, not to blame.",
)

R = Review.Regime

# Each statutory clock, in plain words, and the time it allows said simply. Under Working
# Together 2015 (serious case reviews) the notification went to Ofsted and the Board (the LSCB),
# not to the national Panel, which began in June 2018: ``BY_REGIME`` has those words.
CLOCKS = {
    ReviewClock.Kind.NOTIFICATION: "We tell the national Panel what happened",
    ReviewClock.Kind.SCR_DECISION: "We decide if a serious case review is needed",
    ReviewClock.Kind.PANEL_NOT_INITIATED: "We tell the national panel if we do not do a review",
    ReviewClock.Kind.SCR_COMPLETION: "The review is finished",
    ReviewClock.Kind.RAPID_REVIEW: "The quick first look is done and sent to the national Panel",
    ReviewClock.Kind.LCSPR_PUBLICATION: "The report is shared",
    ReviewClock.Kind.FINAL_REPORT: "We send the report to the national Panel and the government",
}
PLAIN_FROM = {
    "the incident becoming known": "after we first hear what happened",
    "notification": "after we tell the national Panel",
    "the decision not to initiate": "after we decide",
    "the decision to initiate": "after we decide to do the review",
    "publication": "before the report is shared",
}
# Where a regime's words differ from those above: (clocks, counted from).
BY_REGIME = {
    R.WT2015: (
        {ReviewClock.Kind.NOTIFICATION: "We tell Ofsted and the Board what happened"},
        {"notification": "after we tell Ofsted and the Board"},
    ),
}


@dataclass(frozen=True)
class Step:
    number: int
    heading: str
    what: str
    family: str
    practitioners: str


@dataclass(frozen=True)
class TimeLimit:
    what: str
    within: str


def steps_for(kind: str) -> list[Step]:
    """The stages a review of ``kind`` goes through, in the order the product moves it."""
    words = STAGES
    if lifecycle.reviewer_optional(kind):
        words = STAGES | {S.REVIEWER_APPOINTED: REVIEWER_MAY_BE_CHOSEN}
    return [
        Step(number, *words[stage])
        for number, stage in enumerate(lifecycle.stages_for(kind), start=1)
    ]


def time_limits_for(kind: str) -> list[TimeLimit]:
    """The statutory clocks of a review of ``kind`` started today."""
    review = Review(kind=kind, regime=clocks.regime_for(kind, timezone.localdate()))
    own_clocks, own_from = BY_REGIME.get(review.regime, ({}, {}))
    words, plain_from = CLOCKS | own_clocks, PLAIN_FROM | own_from
    return [
        TimeLimit(
            words[rule.kind],
            f"{'at least ' if rule.before else 'within '}{rule.allowance} "
            f"{plain_from.get(rule.counted_from, rule.counted_from)}",
        )
        for rule in clocks.rules_for(review)
    ]


def leaflet(kind: str) -> dict:
    return {
        "kind": kind,
        "name": Review.Kind(kind).label,
        "about": KINDS[kind],
        "steps": steps_for(kind),
        "time_limits": time_limits_for(kind),
    }


def leaflets() -> list[dict]:
    return [
        {"kind": kind, "name": label, "about": KINDS[kind]} for kind, label in Review.Kind.choices
    ]

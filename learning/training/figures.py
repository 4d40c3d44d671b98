"""Training's figures, each counted in SQL in a fixed number of queries and each shown as the
link to its records: attendance and did-not-attend rates by agency, and the evaluation's
responses, confidence before and after, and reported change in practice."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Avg, Count, Q, QuerySet

from learning.dashboard.figure import Figure, link, percent
from learning.models import PracticeCheck
from sscb.rounding import round_half_up

from .models import Attendee, Questionnaire, Rating

Stage = Questionnaire.Stage
Change = Questionnaire.Change


def practice_result(yes: int, partly: int, no: int) -> str:
    """A training evaluation's result from its follow-up answers: improved when more than half
    say practice has changed, some improvement when any say it has (or partly), no change when
    all say no; not yet known without an answer."""
    answers = yes + partly + no
    if not answers:
        return PracticeCheck.Result.PENDING
    if 2 * yes > answers:
        return PracticeCheck.Result.IMPROVED
    if yes + partly:
        return PracticeCheck.Result.PARTLY
    return PracticeCheck.Result.NO_CHANGE


def attendance_by_agency(attendees: QuerySet, **params) -> list[dict]:
    """Of the places booked on delivered sessions, by agency: how many attended and did not
    attend, and the rates (one grouped query). ``params`` go into every figure's link."""
    rows = (
        attendees.filter(session__delivered_on__isnull=False)
        .values("agency_id", "agency__name")
        .annotate(
            booked=Count("pk"),
            attended=Count("pk", filter=Q(status=Attendee.Status.ATTENDED)),
            missed=Count("pk", filter=Q(status=Attendee.Status.DID_NOT_ATTEND)),
        )
        .order_by("agency__name")
    )

    def figure(value, agency, status=""):
        return Figure(
            value,
            link("training:attendees", agency=agency, status=status, delivered="true", **params),
        )

    return [
        {
            "agency": row["agency__name"],
            "booked": figure(row["booked"], row["agency_id"]),
            "attended": figure(row["attended"], row["agency_id"], Attendee.Status.ATTENDED),
            "missed": figure(row["missed"], row["agency_id"], Attendee.Status.DID_NOT_ATTEND),
            "attended_percent": percent(row["attended"], row["booked"]),
            "missed_percent": percent(row["missed"], row["booked"]),
        }
        for row in rows
    ]


@dataclass
class Evaluation:
    """The answers of one group (a session, an agency, an outcome) at the three stages."""

    baseline: int = 0
    after: int = 0
    follow_up: int = 0
    # The mean confidence at each stage as answered, unrounded: each is shown to one place
    # (``confidence_*``), and the change is the difference of these, rounded once (rounding
    # each mean first would move the change by up to 0.1).
    mean_before: float | None = None
    mean_after: float | None = None
    mean_follow_up: float | None = None
    yes: int = 0
    partly: int = 0
    no: int = 0

    @property
    def responses(self) -> int:
        return self.baseline + self.after + self.follow_up

    @property
    def confidence_before(self) -> float | None:
        return _one_place(self.mean_before)

    @property
    def confidence_after(self) -> float | None:
        return _one_place(self.mean_after)

    @property
    def confidence_follow_up(self) -> float | None:
        return _one_place(self.mean_follow_up)

    @property
    def confidence_change(self) -> float | None:
        """Straight after less before, of the means as answered, to one place."""
        if self.mean_before is None or self.mean_after is None:
            return None
        # In decimals, as the means read: 2.55 less 1 is 1.55 (1.6), not 1.5499... (1.5).
        return _one_place(_decimal(self.mean_after) - _decimal(self.mean_before))

    @property
    def changed_percent(self) -> int | None:
        return percent(self.yes + self.partly, self.yes + self.partly + self.no)

    @property
    def result(self) -> str:
        return practice_result(self.yes, self.partly, self.no)


def _one_place(value):
    return round_half_up(value, 1)


def _decimal(value) -> Decimal:
    return Decimal(repr(float(value)))


# The answers the evaluation counts: those of attendees who attended, so that "before" and
# "after" are the same people; before a session is recorded as delivered (nobody's attendance
# known yet), those of everyone booked on it. Someone who did not attend is never counted.
COUNTED = Q(answered_at__isnull=False) & (
    Q(attendee__status=Attendee.Status.ATTENDED)
    | Q(attendee__status=Attendee.Status.BOOKED, attendee__session__delivered_on__isnull=True)
)


def evaluation_by(questionnaires: QuerySet, by: str | None = None) -> dict:
    """{group: Evaluation} for the answers ``COUNTED`` among ``questionnaires``, grouped by the
    field path ``by`` (from a questionnaire), or {None: Evaluation} for all of them: two grouped
    queries."""
    answered = questionnaires.filter(COUNTED)
    counted = {
        "baseline": Count("pk", filter=Q(stage=Stage.BASELINE)),
        "after": Count("pk", filter=Q(stage=Stage.IMMEDIATE)),
        "follow_up": Count("pk", filter=Q(stage=Stage.FOLLOW_UP)),
        "yes": Count("pk", filter=Q(practice_changed=Change.YES)),
        "partly": Count("pk", filter=Q(practice_changed=Change.PARTLY)),
        "no": Count("pk", filter=Q(practice_changed=Change.NO)),
    }
    averaged = {
        "before": Avg("score", filter=Q(questionnaire__stage=Stage.BASELINE)),
        "after": Avg("score", filter=Q(questionnaire__stage=Stage.IMMEDIATE)),
        "follow_up": Avg("score", filter=Q(questionnaire__stage=Stage.FOLLOW_UP)),
    }
    ratings = Rating.objects.filter(questionnaire__in=answered.values("pk"))
    if by:
        counts = answered.values(by).annotate(**counted).order_by()
        means = ratings.values(f"questionnaire__{by}").annotate(**averaged).order_by()
    else:
        counts, means = [answered.aggregate(**counted)], [ratings.aggregate(**averaged)]
    found = {}
    for row in counts:
        found[row.get(by)] = Evaluation(**{name: row[name] for name in counted})
    for row in means:
        evaluation = found.setdefault(row.get(f"questionnaire__{by}"), Evaluation())
        evaluation.mean_before = row["before"]
        evaluation.mean_after = row["after"]
        evaluation.mean_follow_up = row["follow_up"]
    return found


def evaluation_of(questionnaires: QuerySet) -> Evaluation:
    return evaluation_by(questionnaires).get(None, Evaluation())

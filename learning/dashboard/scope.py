"""What a reader of the dashboard reads: a period and the sub-groups in scope (who may read it at
all is ``sscb.access.can_see_dashboard``, which the navigation asks too)."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Case, Q, When
from django.utils import timezone

from learning.training.selectors import checks_of_subgroups, delivery_of_subgroups
from sscb.access import subgroup_ids
from sscb.dates import (
    financial_year_bounds,
    financial_year_label,
    financial_year_of,
    quarter_bounds,
    say,
)
from sscb.models import SubGroup


def sees_every_subgroup(user) -> bool:
    return user.is_business_unit or user.is_executive


def subgroup_choices(user):
    """The sub-groups a reader may pick in the dashboard's filter."""
    groups = SubGroup.objects.order_by("name")
    return groups if sees_every_subgroup(user) else groups.filter(pk__in=subgroup_ids(user))


def default_subgroup(user) -> SubGroup | None:
    """Where a member's dashboard opens: a sub-group they chair, else the first they sit on."""
    chairs_first = Case(When(chair=user, then=0), default=1)
    return subgroup_choices(user).order_by(chairs_first, "name").first()


@dataclass(frozen=True)
class Period:
    """A stretch of the Board's year: a financial year, or one quarter of it (Q1 is April–June)."""

    year: int
    quarter: int | None = None

    @property
    def bounds(self) -> tuple[datetime.date, datetime.date]:
        if self.quarter:
            return quarter_bounds(self.year, self.quarter)
        return financial_year_bounds(self.year)

    @property
    def first(self):
        return self.bounds[0]

    @property
    def last(self):
        return self.bounds[1]

    @property
    def label(self) -> str:
        year = financial_year_label(self.year)
        return f"Quarter {self.quarter} of {year}" if self.quarter else year


@dataclass(frozen=True)
class Scope:
    """What a reader sees: a period, and the sub-groups whose work counts."""

    period: Period
    subgroup: SubGroup | None
    subgroup_ids: frozenset | None  # None: every sub-group
    today: datetime.date

    @property
    def year(self):
        return self.period.year

    def q(self, path: str) -> Q:
        """Records whose sub-group (at ``path``) is in scope."""
        if self.subgroup_ids is None:
            return Q()
        return Q(**{f"{path}__in": self.subgroup_ids})

    def delivered_q(self, path: str = "") -> Q:
        """Delivery activities (at ``path``, empty or ending in "__") whose work is in scope:
        an outcome's delivery counts for the sub-group of its theme, and training also for the
        sub-group that runs the course (``delivery_of_subgroups``)."""
        if self.subgroup_ids is None:
            return Q()
        return delivery_of_subgroups(self.subgroup_ids, path)

    def checked_q(self, path: str = "") -> Q:
        """Practice development checks (at ``path``) whose work is in scope: as ``delivered_q``,
        a training evaluation counts for the sub-group that runs the course too."""
        if self.subgroup_ids is None:
            return Q()
        return checks_of_subgroups(self.subgroup_ids, path)

    @property
    def ended_on(self) -> datetime.date | None:
        """The period's last day once it has ended: a past period's stages are counted as they
        stood then, so a figure the Board has reported does not change as work moves on. None
        while the period runs (counted as they stand today)."""
        last = self.period.last
        return None if last >= self.today else last

    @property
    def stage_when(self) -> str:
        """Which day's stages the figures count, in words beside a table."""
        return (
            "today"
            if self.ended_on is None
            else (
                f"at the {'quarter' if self.period.quarter else 'year'}'s end, {say(self.ended_on)}"
            )
        )

    @property
    def subgroup_param(self):
        return self.subgroup.pk if self.subgroup else None

    def in_period(self, year_filter: str) -> dict:
        """The link parameters of a list's records in the period: its financial year under
        ``year_filter`` (the list's filter of that date) and, in a quarter, the quarter, which
        each list's year filters read (``reviews.filters.FinancialYearFilter``)."""
        return {year_filter: self.period.year, "quarter": self.period.quarter}

    @property
    def includes_returns(self) -> bool:
        """Section 11 / 175 returns are QAP's work (it moderates them)."""
        if self.subgroup_ids is None:
            return True
        return SubGroup.Code.QUALITY_ASSURANCE in self.subgroup_codes

    subgroup_codes: frozenset = field(default_factory=frozenset)

    @property
    def key(self) -> str:
        """Everything that decides what the scope's figures are, for keeping them."""
        ids = "all" if self.subgroup_ids is None else ",".join(map(str, sorted(self.subgroup_ids)))
        return f"{self.period.year}:{self.period.quarter or ''}:{ids}:{self.today.isoformat()}"


def make_scope(user, *, year=None, subgroup=None, quarter=None, today=None) -> Scope:
    """The reader's scope. A sub-group member always reads one of their own sub-groups (by default
    the one they chair); the Business Unit and the Executive read the whole partnership."""
    today = today or timezone.localdate()
    year = year if year is not None else financial_year_of(today)
    if subgroup is None and not sees_every_subgroup(user):
        subgroup = default_subgroup(user)
    if subgroup is not None:
        ids, codes = frozenset([subgroup.pk]), frozenset([subgroup.code])
    else:
        ids, codes = None, frozenset()
    return Scope(Period(year, quarter), subgroup, ids, today, codes)

"""Demo performance framework: QAP's core dataset of indicators an LSCB watches, owned by the
partner agencies, with eight quarters of values (one return still missing for the last quarter
so the scorecard and the police lead's "My agency" show one)."""

import uuid
from decimal import Decimal

from django.contrib.auth import get_user_model
from simple_history.utils import bulk_create_with_history

from sscb.models import Agency

from .models import Indicator, IndicatorSet, IndicatorValue, quarter_index, quarter_of_index
from .selectors import last_ended_quarter

CORE_DATASET = "QAP core dataset"

P, N = Indicator.Unit.PERCENT, Indicator.Unit.COUNT
HIGH, LOW = Indicator.Polarity.HIGHER, Indicator.Polarity.LOWER
# agency short name, name, definition, unit, polarity, target, tolerance, frequency,
# eight quarters of values, oldest first (None: not returned)
INDICATORS = [
    (
        "CSC",
        "Child protection plans lasting 2 years or more",
        "Of the child protection plans that ended in the quarter, the percentage that had lasted "
        "two years or more (Children in Need census definition).",
        P,
        LOW,
        "4",
        "2",
        Indicator.Frequency.QUARTERLY,
        ["3.1", "3.8", "4.6", "5.2", "6.4", "5.9", "5.1", "4.4"],
    ),
    (
        "CSC",
        "Re-referrals to children's social care within 12 months",
        "Referrals in the quarter for a child referred before within the previous 12 months.",
        P,
        LOW,
        "20",
        "3",
        Indicator.Frequency.QUARTERLY,
        ["24.5", "23.8", "22.1", "21.4", "22.9", "21.7", "20.6", "19.8"],
    ),
    (
        "CSC",
        "Child and family assessments completed within 45 working days",
        "Assessments completed in the quarter within 45 working days of the referral.",
        P,
        HIGH,
        "90",
        "5",
        Indicator.Frequency.QUARTERLY,
        ["81.0", "84.5", "86.2", "88.9", "87.4", "90.3", "91.1", "86.0"],
    ),
    (
        "CSC",
        "Children subject to a second or subsequent child protection plan",
        "Children starting a plan in the quarter who had been on a plan before (any time).",
        P,
        LOW,
        "18",
        "4",
        Indicator.Frequency.QUARTERLY,
        ["22.0", "25.3", "23.7", "21.0", "19.6", "18.4", "23.2", "22.8"],
    ),
    (
        "ICB",
        "Initial health assessments for children in care within 20 working days",
        "Initial health assessments completed within 20 working days of the child coming into "
        "care (statutory guidance on promoting the health of looked-after children).",
        P,
        HIGH,
        "90",
        "10",
        Indicator.Frequency.QUARTERLY,
        ["52.0", "61.5", "58.3", "67.0", "72.4", "78.9", "81.6", "84.2"],
    ),
    (
        "Police",
        "Strategy discussions held within 1 working day of the referral",
        "Section 47 strategy discussions with police present within one working day.",
        P,
        HIGH,
        "95",
        "5",
        Indicator.Frequency.QUARTERLY,
        ["88.0", "91.2", "93.5", "94.0", "96.1", "95.4", "97.0", "96.3"],
    ),
    (
        "Police",
        "Domestic abuse incidents with children present shared with schools by 9am",
        "Operation Encompass notifications made to the child's school before the next school day.",
        P,
        HIGH,
        "95",
        "3",
        Indicator.Frequency.QUARTERLY,
        ["90.5", "92.0", "93.1", "94.8", "95.2", "96.0", "94.1", None],
    ),
    (
        "Education",
        "Children missing education",
        "Children of compulsory school age not on a school roll nor receiving suitable education "
        "otherwise, on the last day of the half-year.",
        N,
        LOW,
        "60",
        "15",
        Indicator.Frequency.HALF_YEARLY,
        ["70", "71", "69", "68", "73", "74", "66", "62"],
    ),
    (
        "SaTH",
        "Staff with level 3 safeguarding children training up to date",
        "Clinical staff in roles requiring level 3 (intercollegiate document) whose training is "
        "in date on the last day of the quarter.",
        P,
        HIGH,
        "90",
        "5",
        Indicator.Frequency.QUARTERLY,
        ["78.0", "80.5", "83.2", "85.0", "86.4", "88.1", "89.0", "90.4"],
    ),
]

COMMENTARY = {
    "Child protection plans lasting 2 years or more": (
        "Fewer long plans after the legal gateway review of plans past 18 months; QAP to "
        "sample the longest plans in the next case file audit."
    ),
    "Child and family assessments completed within 45 working days": (
        "Dip this quarter: two team managers' posts vacant at the front door; agency staff "
        "start next month."
    ),
    "Initial health assessments for children in care within 20 working days": (
        "Improving since the paediatric clinic added Saturday sessions; still below target for "
        "children placed out of county."
    ),
}


def load():
    if IndicatorSet.objects.filter(name=CORE_DATASET).exists():
        return
    agencies = {agency.label: agency for agency in Agency.objects.all()}
    users = {user.username: user for user in get_user_model().objects.all()}
    core = IndicatorSet.objects.create(
        name=CORE_DATASET,
        purpose="The measures QAP reads each quarter to see whether practice is improving.",
        return_days=30,
    )
    last = quarter_index(*last_ended_quarter())
    quarters = [quarter_of_index(index) for index in range(last - 7, last + 1)]
    values = []
    for order, (
        short,
        name,
        definition,
        unit,
        polarity,
        target,
        tolerance,
        frequency,
        series,
    ) in enumerate(INDICATORS, start=1):
        indicator = Indicator.objects.create(
            indicator_set=core,
            agency=agencies[short],
            name=name,
            definition=definition,
            unit=unit,
            polarity=polarity,
            target=Decimal(target),
            tolerance=Decimal(tolerance),
            frequency=frequency,
            order=order,
        )
        by = users["agency"] if short == "Police" else users["admin"]
        for (year, quarter), value in zip(quarters, series, strict=True):
            if value is None or not indicator.is_due_in(quarter):
                continue
            latest = (year, quarter) == quarters[-1]
            values.append(
                IndicatorValue(
                    indicator=indicator,
                    year=year,
                    quarter=quarter,
                    value=Decimal(value),
                    commentary=COMMENTARY.get(name, "") if latest else "",
                    submitted_by=by,
                    uuid=uuid.uuid4(),
                )
            )
    bulk_create_with_history(values, IndicatorValue, default_user=users["admin"])

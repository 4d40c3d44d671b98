"""Actions already answering a Section 11 / 175 standard or a learning outcome are given the
plan label a chair reads ("S11-2026/27-Police-8/1", "LO-2026-3/1") instead of a database key."""

from django.db import migrations
from django.utils import timezone

FRAMEWORK_SHORT = {"section_11": "S11", "section_175": "S175"}


def _year_label(year):
    return f"{year}/{(year + 1) % 100:02d}"


def fill(apps, schema_editor):
    Action = apps.get_model("learning", "Action")
    LearningOutcome = apps.get_model("learning", "LearningOutcome")
    standards = Action.objects.filter(standard_assessment__isnull=False).select_related(
        "standard_assessment__standard",
        "standard_assessment__self_assessment__agency",
        "standard_assessment__self_assessment__cycle__framework",
    )
    for action in standards.iterator():
        answer = action.standard_assessment
        cycle = answer.self_assessment.cycle
        agency = answer.self_assessment.agency
        short = FRAMEWORK_SHORT.get(cycle.framework.code, cycle.framework.code)
        label = f"{short}-{_year_label(cycle.financial_year)}-{agency.short_name or agency.name}"
        Action.objects.filter(pk=action.pk).update(
            plan_label=f"{label[:70]}-{answer.standard.number}"
        )
    positions, counted = {}, {}
    for outcome in LearningOutcome.objects.order_by("pk").only("pk", "created_at").iterator():
        year = timezone.localtime(outcome.created_at).year
        counted[year] = counted.get(year, 0) + 1
        positions[outcome.pk] = f"LO-{year}-{counted[year]}"
    outcomes = Action.objects.filter(standard_assessment__isnull=True, outcome__isnull=False)
    for action in outcomes.only("pk", "outcome_id").iterator():
        Action.objects.filter(pk=action.pk).update(plan_label=positions[action.outcome_id])


class Migration(migrations.Migration):
    dependencies = [
        ("learning", "0020_action_plan_label"),
        ("audits", "0008_lead_sub_group_in_words"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]

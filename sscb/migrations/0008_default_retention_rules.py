"""Install the default retention schedule; the Business Unit changes it in the admin.

README.md ("Retention and disposal") lists these rules with their sources. A rule already
present for a kind is left as it is.
"""

from django.db import migrations

IRMS_AUDIT = (
    "IRMS Retention Guidelines (irmswiki.org.uk, Audit Records UK): non-financial audit papers "
    "and action plans, final copy kept for the conclusion of the audit + 6 years (Limitation Act "
    "1980 s.2 and s.5)"
)

DEFAULTS = [
    {
        "kind": "review",
        "years": 15,
        "counted_from": "review_closed",
        "source": "Local policy",
        "notes": "A published report is never listed before the end of its minimum 12-month "
        "window on the website (Working Together; the review's 'on the website until at least' "
        "date).",
    },
    {"kind": "audit", "years": 6, "counted_from": "audit_completed", "source": IRMS_AUDIT},
    {"kind": "action", "years": 6, "counted_from": "action_closed", "source": IRMS_AUDIT},
    {
        "kind": "self_assessment",
        "years": 6,
        "counted_from": "return_submitted",
        "source": "Local policy, following the IRMS rule for non-financial audit papers "
        "(conclusion + 6 years)",
    },
    {"kind": "evidence", "years": 6, "counted_from": "evidence_judged", "source": "Local policy"},
    {"kind": "finding", "years": 6, "counted_from": "finding_recorded", "source": "Local policy"},
]


def install(apps, schema_editor, rules=DEFAULTS):
    RetentionRule = apps.get_model("sscb", "RetentionRule")
    for rule in rules:
        fields = dict(rule)
        RetentionRule.objects.get_or_create(kind=fields.pop("kind"), defaults=fields)


def remove(apps, schema_editor, rules=DEFAULTS):
    apps.get_model("sscb", "RetentionRule").objects.filter(
        kind__in=[rule["kind"] for rule in rules]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("sscb", "0007_retention_schedule")]

    operations = [migrations.RunPython(install, remove)]

"""Put training registers on the retention schedule (README.md, "Retention and disposal"); the
Business Unit changes the rule in the admin. A rule already present is left as it is."""

from functools import partial
from importlib import import_module

from django.db import migrations

first = import_module("sscb.migrations.0008_default_retention_rules")

DEFAULTS = [
    {
        "kind": "training_session",
        "years": 3,
        "counted_from": "session_delivered",
        "source": "Local policy (UK GDPR Art. 5(1)(e), storage limitation): the evaluation ends "
        "6–8 weeks after a session and attendance by agency is reported by financial year, so "
        "the names and addresses are kept for the current and two previous annual reports; "
        "each agency keeps its own staff's training records",
    },
]


class Migration(migrations.Migration):
    dependencies = [("sscb", "0016_reminder_email")]

    operations = [
        migrations.RunPython(
            partial(first.install, rules=DEFAULTS), partial(first.remove, rules=DEFAULTS)
        )
    ]

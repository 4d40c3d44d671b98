"""The migrations that give records with rows a public id (``sscb.public_ids``), run on rows.

Only the migration under test is taken back and run again (``Migration.unapply`` and ``apply``
on the live schema), not every migration after it: going back through the executor took every
later migration of every app with it, and then ran them all again (over a minute and a half).
"""

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

MIGRATION = ("sscb", "0010_agency_public_id")
BEFORE = ("sscb", "0009_monthly_disposal_sweep_schedule")


def _has_public_id() -> bool:
    with connection.cursor() as cursor:
        columns = connection.introspection.get_table_description(cursor, "sscb_agency")
    return "uuid" in {column.name for column in columns}


def _run(backwards=False):
    """``MIGRATION`` back or forward on the live schema; the models as they are before it."""
    loader = MigrationLoader(connection)
    migration = loader.get_migration(*MIGRATION)
    before = loader.project_state(BEFORE, at_end=True)
    with connection.schema_editor(atomic=migration.atomic) as editor:
        if backwards:
            migration.unapply(before.clone(), editor)
        else:
            migration.apply(before.clone(), editor)
    return before.apps


@pytest.mark.django_db(transaction=True)
def test_each_agency_and_its_history_get_the_agencys_own_public_id():
    try:
        apps = _run(backwards=True)
        assert not _has_public_id()
        agency = apps.get_model("sscb", "Agency")
        history = apps.get_model("sscb", "HistoricalAgency")
        now = timezone.now()
        made = [
            agency.objects.create(name=name, kind="police", created_at=now, updated_at=now)
            for name in ("West Mercia Police", "Children's Social Care")
        ]
        fields = {"kind": "police", "created_at": now, "updated_at": now, "history_date": now}
        for row in made:
            for kind in ("+", "~"):
                history.objects.create(id=row.pk, name=row.name, history_type=kind, **fields)
        # The history of an agency no longer there.
        history.objects.create(id=999, name="Gone", history_type="+", **fields)
        history.objects.create(id=999, name="Gone", history_type="-", **fields)

        _run()
        from sscb.models import Agency

        history = Agency.history.model
        ids = dict(Agency.objects.values_list("pk", "uuid"))
        assert len(set(ids.values())) == 2 and None not in ids.values()
        for pk, public_id in ids.items():
            assert set(history.objects.filter(id=pk).values_list("uuid", flat=True)) == {public_id}
        gone = set(history.objects.filter(id=999).values_list("uuid", flat=True))
        assert len(gone) == 1 and not gone & set(ids.values())

        # And back: the column goes, the rows stay.
        apps = _run(backwards=True)
        assert not _has_public_id()
        assert apps.get_model("sscb", "Agency").objects.count() == 2
    finally:
        # The schema whole again for the tests after this one on the same database.
        if not _has_public_id():
            _run()

"""The migrations that give records with rows a public id (``sscb.public_ids``), run on rows."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("sscb", "0009_monthly_disposal_sweep_schedule")]
AFTER = [("sscb", "0010_agency_public_id")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_each_agency_and_its_history_get_the_agencys_own_public_id():
    try:
        apps = _migrate(BEFORE)
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

        apps = _migrate(AFTER)
        agency = apps.get_model("sscb", "Agency")
        history = apps.get_model("sscb", "HistoricalAgency")
        ids = dict(agency.objects.values_list("pk", "uuid"))
        assert len(set(ids.values())) == 2 and None not in ids.values()
        for pk, public_id in ids.items():
            assert set(history.objects.filter(id=pk).values_list("uuid", flat=True)) == {public_id}
        gone = set(history.objects.filter(id=999).values_list("uuid", flat=True))
        assert len(gone) == 1 and not gone & set(ids.values())

        # And back: the column goes, the rows stay.
        apps = _migrate(BEFORE)
        assert apps.get_model("sscb", "Agency").objects.count() == 2
    finally:
        # Every app back to its latest migration (going back to 0009 took later ones with it),
        # so that the tests after this one on the same database find the schema whole.
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

import pytest
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from sscb.models import StrategicPriority, User
from sscb.tests.factories import AgencyFactory, UserFactory

pytestmark = pytest.mark.django_db

# Words that would invite a child's identity into a field.
IDENTIFYING = ("date_of_birth", "dob", "nhs_number", "nhs_no", "birth", "surname", "forename")


def test_no_field_in_any_of_our_apps_asks_for_identifying_data():
    for app_name in settings.PROJECT_APPS:
        for model in apps.get_app_config(app_name.rpartition(".")[2]).get_models():
            if model is User or model._meta.model_name.startswith("historicaluser"):
                continue  # staff accounts, not children
            for field in model._meta.get_fields():
                name = field.name.lower()
                assert not any(word in name for word in IDENTIFYING), f"{model.__name__}.{name}"
                if name in {"name", "first_name", "last_name", "full_name"}:
                    assert not model._meta.model_name.startswith(("child", "family")), model


def test_every_domain_model_keeps_history():
    # Reminders are themselves the log of what was sent, written in bulk by the sweep; the
    # access log is itself a log, and append-only. So is the disposal log; records listed for
    # disposal are the monthly sweep's working list, holding no content. A questionnaire's
    # one-use link is a credential (a token's hash): no copies of it are kept, and its use is
    # recorded on the questionnaire, which keeps history.
    skip = {
        "questionnairelink",
        "historical",
        "reminder",
        "remindersweep",
        "accesslogentry",
        "disposalrecord",
        "disposalcandidate",
    }
    for app_name in settings.PROJECT_APPS:
        for model in apps.get_app_config(app_name.rpartition(".")[2]).get_models():
            name = model._meta.model_name
            if name.startswith(tuple(skip)):
                continue
            assert hasattr(model, "history"), f"{model.__name__} keeps no history"


def test_agency_lead_must_belong_to_an_agency():
    lead = User(username="lead", role=User.Role.AGENCY_LEAD)
    with pytest.raises(ValidationError, match="must belong to an agency"):
        lead.full_clean()
    with pytest.raises(IntegrityError):
        lead.save()


def test_priority_cannot_end_before_it_starts():
    priority = StrategicPriority(title="Neglect", start_year=2025, end_year=2024)
    with pytest.raises(ValidationError, match="cannot be before the first year"):
        priority.full_clean()


def test_history_records_who_changed_an_agency_in_the_admin(client, bu_user):
    agency = AgencyFactory(name="Probation", kind="probation")
    client.force_login(bu_user)
    response = client.post(
        f"/admin/sscb/agency/{agency.pk}/change/",
        {"name": "Probation Service", "short_name": "PS", "kind": "probation", "is_active": "on"},
    )
    assert response.status_code == 302
    latest = agency.history.latest()
    assert latest.name == "Probation Service"
    assert latest.history_user == bu_user
    assert latest.history_type == "~"
    history_page = client.get(f"/admin/sscb/agency/{agency.pk}/history/")
    assert "Probation Service" in history_page.content.decode()


def test_user_history_does_not_keep_password_hashes():
    user = UserFactory()
    recorded = {f.name for f in user.history.model._meta.fields}
    assert "password" not in recorded and "username" in recorded


def test_the_business_unit_reads_reminders_and_sweeps_in_the_admin(client, bu_user):
    from sscb.models import Reminder, ReminderSweep

    client.force_login(bu_user)
    assert client.get("/admin/sscb/reminder/").status_code == 200
    assert client.get("/admin/sscb/remindersweep/").status_code == 200
    assert client.get("/admin/sscb/reminder/add/").status_code == 403
    assert Reminder.objects.count() == ReminderSweep.objects.count() == 0

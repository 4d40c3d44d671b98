import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from learning import selectors
from learning.demo import NEGLECT_THEME
from learning.models import Action, Finding, LoopStage, PriorityTheme
from sscb.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    call_command("load_demo", stdout=io.StringIO())
    call_command("load_demo", stdout=io.StringIO())  # idempotent


def test_demo_tells_the_story_from_reviews_and_an_audit_to_assured_evidence(demo, client):
    neglect = PriorityTheme.objects.get(title=NEGLECT_THEME)  # loaded twice, made once
    assert selectors.theme_loop_stage(neglect) == LoopStage.ASSURED
    sources = set(neglect.findings.values_list("source", flat=True))
    assert {"scr", "learning_review", "qa"} <= sources
    voice = PriorityTheme.objects.get(title__startswith="Hearing")
    assert selectors.theme_loop_stage(voice) == LoopStage.THEMED
    assert Finding.objects.filter(theme__isnull=True).count() == 2
    assert Action.objects.filter(standard_assessment__isnull=False).exists()

    agency = User.objects.get(username="agency")
    client.force_login(agency)
    home = client.get(reverse("home")).content.decode()
    assert "due in the next 14 days" in home
    assert "evidence request" in home
    client.force_login(User.objects.get(username="executive"))
    assert "awaiting an Executive decision" in client.get(reverse("home")).content.decode()
    client.force_login(User.objects.get(username="member"))
    home = client.get(reverse("home")).content.decode()
    assert "due a follow-up check" in home
    assert "reported complete, awaiting sign-off" in home


def test_demo_has_reminders_at_every_escalation_step(demo):
    from sscb.models import Reminder

    levels = set(Reminder.objects.values_list("level", flat=True))
    assert levels == {0, 1, 2}
    kinds = set(Reminder.objects.values_list("kind", flat=True))
    assert {"action_due_soon", "action_overdue", "clock_near", "return_overdue"} <= kinds


def test_each_demo_actions_newest_version_holds_what_the_action_holds(demo):
    """The demo moves some actions' dates into the past: their history starts from those, so a
    change made in the demo reads from the date the action showed ("2 Nov 2026 → ...")."""
    fields = ["due_on", "status", "completed_on", "signed_off_on", "follow_up_on"]
    for action in Action.objects.all():
        newest = action.history.order_by("-history_date", "-history_id").first()
        held = [getattr(action, name) for name in fields]
        assert [getattr(newest, name) for name in fields] == held, action.reference


def test_every_demo_record_keeps_its_models_own_rules(demo):
    """The demo holds only what a person could have entered: no date that has not come yet
    where something happened, no dates in the wrong order (its records are made in places
    without the forms' checks, and some are moved back in time after)."""
    from django.apps import apps
    from django.core.exceptions import ValidationError

    broken = []
    for model in apps.get_models():
        ours = model.__module__.split(".")[0] in {"sscb", "reviews", "audits", "learning"}
        if not ours or model.__name__.startswith("Historical"):
            continue
        for record in model._default_manager.all():
            try:
                record.full_clean(validate_unique=False, validate_constraints=False)
            except ValidationError as error:
                broken.append(f"{model.__name__} {record.pk}: {error.messages}")
    assert broken == []

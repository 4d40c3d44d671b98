import pytest
from django.core.management import CommandError, call_command

from sscb.models import Agency, StrategicPriority, SubGroup, SubGroupMembership, User

pytestmark = pytest.mark.django_db


def _counts():
    return [
        m.objects.count() for m in (Agency, User, SubGroup, SubGroupMembership, StrategicPriority)
    ]


def test_load_demo_is_idempotent_and_creates_one_user_per_role(settings):
    settings.DEBUG = True
    call_command("load_demo")
    first = _counts()
    call_command("load_demo")
    assert _counts() == first
    roles = dict(User.objects.values_list("username", "role"))
    assert roles["admin"] == "business_unit"
    assert roles["member"] == "subgroup_member"
    assert roles["executive"] == "executive"
    assert roles["agency"] == "agency_lead"
    assert roles["reviewer"] == "independent_reviewer"
    member_groups = set(
        SubGroup.objects.filter(memberships__user__username="member").values_list("code", flat=True)
    )
    assert member_groups == {"li", "qap", "training", "crp"}
    assert User.objects.get(username="agency").agency.kind == "police"
    assert all(user.check_password("safeguarding-demo") for user in User.objects.all())


def test_load_demo_refuses_to_run_with_debug_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="only runs with DEBUG on"):
        call_command("load_demo")
    assert User.objects.count() == 0

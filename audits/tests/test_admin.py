import pytest
from django.urls import reverse

from audits.tests.factories import section_11

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "model",
    ["framework", "standard", "audit", "caseauditentry", "auditcycle", "selfassessment"],
)
def test_business_unit_opens_each_audits_admin_page(client, bu_user, cycle, model):
    client.force_login(bu_user)
    assert client.get(reverse(f"admin:audits_{model}_changelist")).status_code == 200


def test_business_unit_edits_a_standards_guidance_in_the_admin(client, bu_user):
    standard = section_11().standards.get(number=5)
    client.force_login(bu_user)
    url = reverse("admin:audits_standard_change", args=[standard.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "framework": standard.framework_id,
            "number": 5,
            "title": standard.title,
            "guidance": "Level 3 training every three years for designated leads.",
            "evidence_expected": standard.evidence_expected,
        },
    )
    assert response.status_code == 302
    standard.refresh_from_db()
    assert standard.guidance == "Level 3 training every three years for designated leads."
    assert standard.history.latest().history_user == bu_user


def test_member_cannot_open_the_admin(client, member_user):
    client.force_login(member_user)
    response = client.get(reverse("admin:audits_framework_changelist"))
    assert response.status_code == 302

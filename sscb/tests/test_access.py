import pytest
from django.core.exceptions import PermissionDenied

from sscb.access import can_work_for_subgroup, require, subgroup_ids
from sscb.models import SubGroup
from sscb.tests.factories import SubGroupFactory, SubGroupMembershipFactory

pytestmark = pytest.mark.django_db


def test_members_and_chairs_work_for_their_sub_groups_only(member_user, make_user, bu_user):
    li = SubGroupFactory(code=SubGroup.Code.LEARNING_IMPROVEMENT)
    qap = SubGroupFactory(code=SubGroup.Code.QUALITY_ASSURANCE, chair=member_user)
    cdop = SubGroupFactory(code=SubGroup.Code.CDOP)
    SubGroupMembershipFactory(subgroup=li, user=member_user)
    assert subgroup_ids(member_user) == {li.pk, qap.pk}
    assert can_work_for_subgroup(member_user, li.pk)
    assert can_work_for_subgroup(member_user, qap.pk)
    assert not can_work_for_subgroup(member_user, cdop.pk)
    assert can_work_for_subgroup(bu_user, cdop.pk)


def test_other_roles_do_not_record_sub_group_work(executive_user, agency_user):
    li = SubGroupFactory(code=SubGroup.Code.LEARNING_IMPROVEMENT)
    SubGroupMembershipFactory(subgroup=li, user=executive_user)
    assert not can_work_for_subgroup(executive_user, li.pk)
    assert not can_work_for_subgroup(agency_user, li.pk)


def test_require_refuses_with_403():
    require(True)
    with pytest.raises(PermissionDenied):
        require(False)

"""Who may do what, shared by every app's access helpers (``get_<thing>_for_user``)."""

import uuid

from django.core.exceptions import PermissionDenied
from django.http import Http404


def _seats(person):
    """How ``person`` (a person, or ``OuterRef("pk")``) sits on sub-groups, as the keys of the
    sub-groups: their memberships, and the sub-groups they chair. The one rule both
    ``subgroup_ids`` and ``sits_on_a_subgroup_sql`` read."""
    from .models import SubGroup, SubGroupMembership

    return (
        SubGroupMembership.objects.filter(user=person).values_list("subgroup_id", flat=True),
        SubGroup.objects.filter(chair=person).values_list("pk", flat=True),
    )


def subgroup_ids(user) -> frozenset[int]:
    """Ids of the sub-groups a person sits on or chairs, cached on the user for the request."""
    cached = getattr(user, "_subgroup_ids", None)
    if cached is None:
        memberships, chaired = _seats(user)
        cached = frozenset(memberships.order_by().union(chaired.order_by()))
        user._subgroup_ids = cached
    return cached


def sits_on_a_subgroup_sql(person):
    """``sits_on_a_subgroup`` as an expression, for ``person`` (``OuterRef("pk")``): two EXISTS,
    which the database plans in less time than an OR across a join."""
    from django.db.models import Exists

    memberships, chaired = _seats(person)
    return Exists(memberships) | Exists(chaired)


def sits_on_a_subgroup(user) -> bool:
    """Whether a person sits on or chairs any sub-group. The signed-in person is read with the
    answer (``sscb.signin.PersonBackend``), so the navigation of a page kept for its reader does
    not ask the database for their sub-groups."""
    known = getattr(user, "sits_on_a_subgroup", None)
    return bool(subgroup_ids(user) if known is None else known)


def can_work_for_subgroup(user, subgroup_id) -> bool:
    """The Business Unit, and members of the sub-group, may record and edit its work."""
    return user.is_business_unit or (user.is_subgroup_member and subgroup_id in subgroup_ids(user))


def can_record_work(user) -> bool:
    """The Business Unit, and members of any sub-group, record the Board's work."""
    return user.is_business_unit or (user.is_subgroup_member and sits_on_a_subgroup(user))


def can_see_my_agency(user) -> bool:
    """A partner agency's lead has a page of what the partnership asks of their agency."""
    return bool(getattr(user, "is_agency_lead", False) and user.agency_id)


def can_see_dashboard(user) -> bool:
    """The Executive and the Business Unit see the whole dashboard; a sub-group member sees their
    sub-groups' figures, so a member who sits on none has none. The navigation asks this too."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_business_unit or user.is_executive:
        return True
    return user.is_subgroup_member and sits_on_a_subgroup(user)


def can_read_scrutiny(user) -> bool:
    """The register of inspections, peer reviews and self-evaluations (learning.scrutiny) is read
    by the Business Unit, the sub-group members and the Board's executive; pages that link to it
    ask this too."""
    return bool(
        getattr(user, "is_authenticated", False)
        and (user.is_business_unit or user.is_subgroup_member or user.is_executive)
    )


class Refused(PermissionDenied):
    """A 403 whose page says why in the words given, where "your role does not allow this"
    would be wrong (``sscb.errors.permission_denied``)."""


def require_a_body(user, bodies) -> None:
    """403 unless ``bodies`` (the standing bodies ``user`` may work for) holds one; before any
    body is set up, the Business Unit, who sets them up, is told that instead."""
    from .models import SubGroup

    if bodies.exists():
        return
    if user.is_business_unit and not SubGroup.objects.exists():
        raise Refused(
            "No standing bodies are set up yet. Add the Board, the Executive and the "
            "sub-groups in the admin, under Sub-groups (each with its Code), then come back."
        )
    raise PermissionDenied


def require(allowed: bool):
    """Raise 403 (a page that says why in plain words) unless ``allowed``."""
    if not allowed:
        raise PermissionDenied


def get_by_public_id(records, public_id: uuid.UUID):
    """The one of ``records`` (a visibility queryset) whose public id is ``public_id``; 404 if
    there is none. Records are named in links by their UUID only, never by their key."""
    if not isinstance(public_id, uuid.UUID):
        raise Http404("No such record")
    try:
        return records.get(uuid=public_id)
    except records.model.DoesNotExist:
        raise Http404("No such record") from None

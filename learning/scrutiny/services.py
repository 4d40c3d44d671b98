"""Every write to the external scrutiny register; a recommendation becomes a finding or an
action through the learning loop's own services."""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max

from learning import services as learning
from learning.models import Action, Finding
from sscb.dates import say
from sscb.history import saying

from .models import Inspection, Recommendation


def _save(instance, fields: dict, many: dict | None = None):
    for name, value in fields.items():
        setattr(instance, name, value)
    instance.full_clean()
    instance.save()
    for name, value in (many or {}).items():
        getattr(instance, name).set(value)
    return instance


def inspection_next_reference(*, kind: str, year: int) -> str:
    prefix = f"{Inspection.PREFIX[kind]}-{year}-"
    taken = Inspection.objects.filter(reference__startswith=prefix).values_list(
        "reference", flat=True
    )
    numbers = [int(ref.rsplit("-", 1)[1]) for ref in taken if ref.rsplit("-", 1)[1].isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1}"


def inspection_save(*, inspection: Inspection | None = None, agencies=(), **fields) -> Inspection:
    """Add an inspection to the register (its reference from its kind and year) or change one."""
    if inspection is not None:
        return _save(inspection, fields, {"agencies": agencies})
    for _attempt in range(5):
        try:
            with transaction.atomic():
                new = Inspection(
                    reference=inspection_next_reference(
                        kind=fields.get("kind") or Inspection.Kind.OTHER,
                        year=(fields.get("started_on") or datetime.date.today()).year,
                    )
                )
                return _save(new, fields, {"agencies": agencies})
        except IntegrityError:
            continue
    raise ValidationError("Could not give the inspection a reference; please try again.")


def recommendation_save(
    *, recommendation: Recommendation | None = None, inspection: Inspection | None = None, **fields
) -> Recommendation:
    """Add a recommendation to an inspection with the next number, or change one."""
    if recommendation is not None:
        return _save(recommendation, fields)
    for _attempt in range(5):
        try:
            with transaction.atomic():
                last = Recommendation.objects.filter(inspection=inspection).aggregate(
                    n=Max("number")
                )["n"]
                return _save(Recommendation(inspection=inspection, number=(last or 0) + 1), fields)
        except IntegrityError:
            continue
    raise ValidationError("Could not number the recommendation; please try again.")


def recommendation_to_finding(*, recommendation: Recommendation, by) -> Finding:
    """The recommendation as a finding (source: inspection / peer review) of the monitoring
    sub-group, about the agency it is addressed to; once."""
    if recommendation.findings.exists():
        raise ValidationError("This recommendation is already a finding.")
    inspection = recommendation.inspection
    finding = learning.finding_save(
        recorded_by=by,
        title=f"{inspection.reference} R{recommendation.number}: {recommendation.headline}"[:200],
        detail=recommendation.text,
        source=Finding.Source.INSPECTION,
        nature=Finding.Nature.IMPROVEMENT,
        recommendation=recommendation,
        subgroup=inspection.subgroup,
        identified_on=inspection.reported_on or inspection.started_on,
        agencies=[recommendation.agency] if recommendation.agency_id else [],
    )
    _made_from(recommendation, "made a finding of it")
    return finding


def recommendation_to_action(
    *, recommendation: Recommendation, owner_agency, due_on: datetime.date
) -> Action:
    """An action answering the recommendation, in the inspection's action plan, monitored by its
    sub-group; a recommendation may need one from each agency it asks something of."""
    inspection = recommendation.inspection
    action = learning.action_create(
        recommendation=recommendation,
        title=f"R{recommendation.number}: {recommendation.headline}"[:250],
        owner_agency=owner_agency,
        subgroup=inspection.subgroup,
        due_on=due_on,
    )
    # Said without the action's reference: each action has its own rule for who may open it.
    _made_from(recommendation, f"raised an action owned by {owner_agency}, due {say(due_on)}")
    return action


def _made_from(recommendation: Recommendation, said: str) -> None:
    """The inspection's history says what was made from its recommendation, and by whom: a
    version of the recommendation giving ``said`` as its reason."""
    with saying(recommendation, said):
        recommendation.save()

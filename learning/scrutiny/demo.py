"""Demo scrutiny register: a joint targeted area inspection on neglect with its recommendations
(one already a finding in a theme, one an action of the police, one not yet either), an ILACS, a
peer review and the partnership's own self-evaluation."""

import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone

from learning.demo import NEGLECT_THEME
from learning.models import PriorityTheme
from sscb.models import Agency, SubGroup

from . import services
from .models import Inspection


def load():
    if Inspection.objects.exists():
        return
    today = timezone.localdate()

    def days_ago(n):
        return today - datetime.timedelta(days=n)

    admin = get_user_model().objects.get(username="admin")
    agencies = {agency.short_name: agency for agency in Agency.objects.all()}
    li = SubGroup.objects.get(code=SubGroup.Code.LEARNING_IMPROVEMENT)
    qap = SubGroup.objects.get(code=SubGroup.Code.QUALITY_ASSURANCE)

    jtai = services.inspection_save(
        kind=Inspection.Kind.JTAI,
        title="JTAI: the multi-agency response to children living with neglect",
        carried_out_by="Ofsted, the Care Quality Commission, HMICFRS and HM Inspectorate of "
        "Probation",
        started_on=days_ago(150),
        reported_on=days_ago(110),
        scope="The multi-agency response to children aged 7 to 15 living with neglect, "
        "including the front door, early help and the quality of strategy discussions.",
        judgement="Not graded: strengths and areas for improvement",
        summary="Leaders know their services well and partnership working at the front door is "
        "strong. Neglect is not always recognised early enough in older children, and "
        "the child's lived experience is not consistently recorded.",
        subgroup=li,
        agencies=[agencies[name] for name in ("Police", "CSC", "ICB", "Education")],
    )
    recommendations = [
        services.recommendation_save(
            inspection=jtai,
            text="Partners should make sure that neglect of older children is recognised and "
            "responded to as early as it is for younger children.",
            agency=None,
        ),
        services.recommendation_save(
            inspection=jtai,
            text="The police should make sure that officers attending incidents record and share "
            "what they see of the home conditions of children present.",
            agency=agencies["Police"],
        ),
        services.recommendation_save(
            inspection=jtai,
            text="Health partners should improve how school nurses contribute to assessments "
            "of neglect.",
            agency=agencies["ICB"],
        ),
    ]
    finding = services.recommendation_to_finding(recommendation=recommendations[0], by=admin)
    theme = PriorityTheme.objects.filter(title=NEGLECT_THEME).first()
    if theme is not None:
        finding.theme = theme
        finding.save(update_fields=["theme"])
    services.recommendation_to_action(
        recommendation=recommendations[1],
        owner_agency=agencies["Police"],
        due_on=today + datetime.timedelta(days=90),
    )

    services.inspection_save(
        kind=Inspection.Kind.ILACS,
        title="Inspection of local authority children's services",
        carried_out_by="Ofsted",
        started_on=days_ago(420),
        reported_on=days_ago(380),
        scope="The local authority's children's services: the experiences and progress of "
        "children who need help and protection, in care and care leavers.",
        judgement="Good",
        subgroup=qap,
        agencies=[agencies["CSC"]],
    )
    services.inspection_save(
        kind=Inspection.Kind.PEER_REVIEW,
        title="Peer review of the multi-agency safeguarding arrangements",
        carried_out_by="A peer team from a neighbouring partnership",
        started_on=days_ago(240),
        scope="How the three safeguarding partners lead the arrangements and use learning "
        "from reviews.",
        subgroup=li,
    )
    self_evaluation = services.inspection_save(
        kind=Inspection.Kind.SELF_EVALUATION,
        title="The partnership's annual self-evaluation",
        carried_out_by="The Business Unit with the sub-group chairs",
        started_on=days_ago(60),
        scope="Each sub-group's work against the Learning and Improvement Framework.",
        judgement="Partly assured",
        subgroup=li,
    )
    services.recommendation_save(
        inspection=self_evaluation,
        text="Evaluate the impact of multi-agency training 6–8 weeks on, with managers.",
        agency=None,
    )

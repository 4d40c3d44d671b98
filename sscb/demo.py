"""Demo data for the Board itself: agencies, sub-groups, priorities and one user per role."""

from django.db import transaction

from .models import Agency, StrategicPriority, SubGroup, SubGroupMembership, User

DEMO_PASSWORD = "safeguarding-demo"

AGENCIES = [
    ("West Mercia Police", "Police", Agency.Kind.POLICE),
    ("Shropshire Council Children's Social Care", "CSC", Agency.Kind.CHILDRENS_SOCIAL_CARE),
    ("NHS Shropshire, Telford and Wrekin ICB", "ICB", Agency.Kind.HEALTH),
    ("Shrewsbury and Telford Hospital NHS Trust", "SaTH", Agency.Kind.HEALTH),
    ("Midlands Partnership University NHS Foundation Trust", "MPFT", Agency.Kind.HEALTH),
    ("Shropshire Council Education Access", "Education", Agency.Kind.EDUCATION),
    ("Probation Service (West Mercia)", "Probation", Agency.Kind.PROBATION),
    ("Shropshire Youth Justice Service", "YJS", Agency.Kind.YOUTH_JUSTICE),
    ("Shropshire Domestic Abuse Service", "SDAS", Agency.Kind.VOLUNTARY),
    ("Meole Brace School", "Meole Brace", Agency.Kind.SCHOOL),
    ("The Priory School", "Priory", Agency.Kind.SCHOOL),
    ("Ludlow Church of England School", "Ludlow CE", Agency.Kind.SCHOOL),
    ("Oswestry Primary School", "Oswestry Primary", Agency.Kind.SCHOOL),
]

SUBGROUPS = [
    (
        SubGroup.Code.LEARNING_IMPROVEMENT,
        "Learning and Improvement sub-group",
        "Collates findings from reviews and audits into priority themes, sets learning outcomes "
        "and checks that they are delivered and make a difference.",
    ),
    (
        SubGroup.Code.QUALITY_ASSURANCE,
        "Quality Assurance and Performance sub-group",
        "Runs multi-agency audits and Section 11 / 175 self-assessments and interrogates "
        "performance data; reports quarterly to the Board.",
    ),
    (
        SubGroup.Code.TRAINING,
        "Training sub-group",
        "Builds learning into the multi-agency training programme and evaluates its impact "
        "on practice.",
    ),
    (
        SubGroup.Code.CASE_REVIEW_PANEL,
        "Case Review Panel",
        "Considers serious incidents, runs rapid reviews and commissions case reviews.",
    ),
    (
        SubGroup.Code.CDOP,
        "Child Death Overview Panel",
        "Reviews the deaths of all children up to 18 and reports annually to the Board.",
    ),
    (
        SubGroup.Code.EXECUTIVE,
        "Board Executive",
        "Agrees learning outcomes and holds partners to account for improvement.",
    ),
    (
        SubGroup.Code.BOARD,
        "Safeguarding Children Board",
        "The partnership's Board: receives the sub-groups' reports and the annual report.",
    ),
]

PRIORITIES = [
    ("Neglect", "Recognising and responding early to neglect, including chronic neglect."),
    (
        "Domestic abuse and its impact on children",
        "Children living with domestic abuse are seen, heard and protected.",
    ),
    (
        "Child exploitation",
        "Criminal and sexual exploitation, missing children and contextual safeguarding.",
    ),
    (
        "Voice of the child",
        "Practitioners hear and record what children tell them, and act on it.",
    ),
    (
        "Safeguarding babies",
        "Pre-birth assessment, safe sleep and the risks to children under one.",
    ),
]

# username, first, last, role, agency short name, job title, sub-group codes, chairs
USERS = [
    ("admin", "Alex", "Morgan", User.Role.BUSINESS_UNIT, None, "Business Unit manager", [], []),
    (
        "member",
        "Sam",
        "Patel",
        User.Role.SUBGROUP_MEMBER,
        "CSC",
        "Head of Quality Assurance, Children's Social Care",
        ["li", "qap", "training", "crp"],
        ["li"],
    ),
    (
        "executive",
        "Jordan",
        "Hughes",
        User.Role.EXECUTIVE,
        "ICB",
        "Designated Nurse for Safeguarding Children",
        ["executive", "board"],
        ["executive"],
    ),
    (
        "agency",
        "Chris",
        "Evans",
        User.Role.AGENCY_LEAD,
        "Police",
        "Detective Inspector, Public Protection Unit",
        [],
        [],
    ),
    (
        "reviewer",
        "Morgan",
        "Clarke",
        User.Role.INDEPENDENT_REVIEWER,
        None,
        "Independent lead reviewer",
        [],
        [],
    ),
    (
        "qapchair",
        "Priya",
        "Shah",
        User.Role.SUBGROUP_MEMBER,
        "SaTH",
        "Named Nurse for Safeguarding Children",
        ["qap", "cdop"],
        ["qap", "cdop"],
    ),
    (
        "trainingchair",
        "Dan",
        "Roberts",
        User.Role.SUBGROUP_MEMBER,
        "Education",
        "Designated Safeguarding Lead adviser",
        ["training", "crp"],
        ["training", "crp"],
    ),
]


@transaction.atomic
def load():
    agencies = {}
    for name, short_name, kind in AGENCIES:
        agency, _ = Agency.objects.update_or_create(
            name=name, defaults={"short_name": short_name, "kind": kind}
        )
        agencies[short_name] = agency

    users = {}
    for username, first, last, role, agency, title, _groups, _chairs in USERS:
        user, created = User.objects.update_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "email": f"{username}@example.org",
                "role": role,
                "agency": agencies.get(agency),
                "job_title": title,
                "is_staff": role == User.Role.BUSINESS_UNIT,
                "is_superuser": role == User.Role.BUSINESS_UNIT,
            },
        )
        if created or not user.check_password(DEMO_PASSWORD):
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        users[username] = user

    subgroups = {}
    for code, name, purpose in SUBGROUPS:
        subgroups[code], _ = SubGroup.objects.update_or_create(
            code=code, defaults={"name": name, "purpose": purpose}
        )
    for username, *_rest, groups, chairs in USERS:
        for code in groups:
            SubGroupMembership.objects.get_or_create(
                subgroup=subgroups[code],
                user=users[username],
                defaults={"agency": users[username].agency},
            )
        for code in chairs:
            SubGroup.objects.filter(pk=subgroups[code].pk).update(chair=users[username])
    # The Business Unit services every sub-group.
    for subgroup in subgroups.values():
        SubGroupMembership.objects.get_or_create(subgroup=subgroup, user=users["admin"])

    for order, (title, description) in enumerate(PRIORITIES, start=1):
        StrategicPriority.objects.update_or_create(
            title=title,
            defaults={"description": description, "start_year": 2024, "order": order},
        )
    return {"agencies": agencies, "users": users, "subgroups": subgroups}

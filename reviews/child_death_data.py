"""The child death review dataset's reference data: the categories of death and the age bands."""

# The ten categories of death of the national child death review dataset. Source: HM Government,
# "Child Death Review: Statutory and Operational Guidance (England)", October 2018, and the
# National Child Mortality Database's analysis form (Form C), "Category of death".
CATEGORIES = [
    (
        1,
        "Deliberately inflicted injury, abuse or neglect",
        "Suffocation, shaking injury, knifing, shooting, poisoning and other means of probable "
        "or definite homicide; also deaths from war, terrorism or other mass violence; includes "
        "severe neglect leading to death.",
    ),
    (
        2,
        "Suicide or deliberate self-inflicted harm",
        "Hanging, shooting, self-poisoning with paracetamol, death by self-asphyxia, jumping "
        "from a height and similar, where the intent is clear or probable.",
    ),
    (
        3,
        "Trauma and other external factors",
        "Isolated head injury, other or multiple trauma, burn injury, drowning, unintentional "
        "self-poisoning and other unintentional injuries, including those related to the "
        "environment or to medical or surgical care.",
    ),
    (
        4,
        "Malignancy",
        "Solid tumours, leukaemias and lymphomas, and malignant proliferative "
        "conditions, even if the final event leading to death was infection or haemorrhage.",
    ),
    (
        5,
        "Acute medical or surgical condition",
        "For example Kawasaki disease, acute "
        "nephritis, intestinal volvulus, diabetic ketoacidosis, acute asthma, intussusception, "
        "appendicitis; sudden unexpected deaths with epilepsy.",
    ),
    (
        6,
        "Chronic medical condition",
        "For example Crohn's disease, liver disease, immune "
        "deficiencies, even if the final event was infection, haemorrhage and similar; includes "
        "cerebral palsy with clear post-perinatal cause.",
    ),
    (
        7,
        "Chromosomal, genetic and congenital anomalies",
        "Trisomies, other chromosomal "
        "disorders, single gene defects, neurodegenerative disease, cystic fibrosis and other "
        "congenital anomalies, including cardiac.",
    ),
    (
        8,
        "Perinatal/neonatal event",
        "Death ultimately related to perinatal events, e.g. "
        "sequelae of prematurity, antepartum and intrapartum anoxia, bronchopulmonary dysplasia, "
        "post-haemorrhagic hydrocephalus, irrespective of age at death.",
    ),
    (
        9,
        "Infection",
        "Any primary infection (i.e. not a complication of one of the above "
        "categories), arising after the first postnatal week or after discharge of a preterm "
        "baby: septicaemia, pneumonia, meningitis, HIV infection and similar.",
    ),
    (
        10,
        "Sudden unexpected, unexplained death",
        "Where the pathological diagnosis is either "
        "sudden infant death syndrome or unascertained, at any age; excludes sudden unexpected "
        "death with epilepsy (category 5).",
    ),
]

# The age bands the NCMD and CDOP annual reports count deaths in (neonatal, post-neonatal,
# then childhood in bands); a child's age is held only as one of these.
AGE_BANDS = [
    (1, "0–27 days (neonatal)"),
    (2, "28–364 days (post-neonatal)"),
    (3, "1–4 years"),
    (4, "5–9 years"),
    (5, "10–14 years"),
    (6, "15–17 years"),
]


def install(category, band):
    """Add the categories and age bands missing (idempotent: one the Business Unit has edited is
    left as it is). The migration calls it, and tests whose database was emptied."""
    for number, name, description in CATEGORIES:
        category.objects.get_or_create(
            number=number, defaults={"name": name, "description": description}
        )
    for position, label in AGE_BANDS:
        band.objects.get_or_create(position=position, defaults={"label": label})

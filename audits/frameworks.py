"""The Section 11 and Section 175/157 frameworks of standards, as first installed.

The data migration installs them; the Business Unit edits them in the admin afterwards. The demo
loader calls ``install`` too, because tests that flush the database remove migrated rows.
"""

SECTION_11 = [
    (
        "Senior management commitment to the importance of safeguarding and promoting "
        "children's welfare",
        "Senior managers and the board (or equivalent) show that safeguarding is a priority: "
        "a named senior lead, safeguarding in the business plan and regular reports to the board.",
        "Business plan and board minutes; name and job description of the senior lead; "
        "safeguarding reports to the board in the last 12 months.",
    ),
    (
        "A clear statement of the agency's responsibilities towards children",
        "The agency's responsibilities towards children are set out in a statement available to "
        "all staff, and to children and families in a form they understand.",
        "The published statement; where staff and the public find it; when it was last reviewed.",
    ),
    (
        "A clear line of accountability for the provision of services designed to safeguard and "
        "promote the welfare of children",
        "Everyone knows who is accountable for safeguarding, up to the chief officer; named and "
        "designated professionals are in post.",
        "Structure chart showing safeguarding accountability; named leads; supervision policy.",
    ),
    (
        "Service development that takes account of the need to safeguard and promote welfare and "
        "is informed, where appropriate, by the views of children and families",
        "New and changed services are planned with safeguarding in mind, and children and "
        "families are asked what they think.",
        "Impact assessments; examples of children's and families' views changing a service.",
    ),
    (
        "Staff training on safeguarding and promoting the welfare of children",
        "All staff have safeguarding training suited to their role, refreshed at the required "
        "intervals, and its effect on practice is checked.",
        "Training needs analysis; completion rates by role and level; training evaluations.",
    ),
    (
        "Safer recruitment procedures including vetting procedures and those for managing "
        "allegations",
        "Recruitment follows safer recruitment practice, DBS checks are made and renewed, and "
        "allegations against staff go to the LADO.",
        "Safer recruitment policy; DBS compliance figures; allegations policy and LADO referrals.",
    ),
    (
        "Effective inter-agency working to safeguard and promote the welfare of children",
        "The agency takes part in multi-agency work: strategy discussions, child protection "
        "conferences, core groups and the partnership's sub-groups.",
        "Attendance at conferences and core groups; partnership sub-group attendance; escalation "
        "policy and its use.",
    ),
    (
        "Information sharing",
        "Staff know when and how to share information to protect a child, and records are "
        "accurate and timely.",
        "Information sharing guidance for staff; sharing agreements; record-keeping audit results.",
    ),
]

SECTION_175 = [
    (
        "Leadership commitment to safeguarding",
        "The head teacher and governing body make safeguarding a whole-school priority, with a "
        "designated safeguarding lead (DSL) and deputy with time to do the role.",
        "Governing body minutes; DSL and deputy named in job descriptions; DSL time allocation.",
    ),
    (
        "Statement of responsibilities",
        "The child protection policy is up to date, published on the website and known to staff, "
        "pupils and parents.",
        "The child protection policy with its review date; where it is published.",
    ),
    (
        "Accountability",
        "Lines of accountability for safeguarding run from every member of staff to the DSL, the "
        "head teacher and the safeguarding governor.",
        "Annual safeguarding report to governors; the safeguarding governor's visits.",
    ),
    (
        "School improvement informed by the views of children and families",
        "Pupils and parents are asked about feeling safe, and their views shape the "
        "school's plans.",
        "Pupil and parent surveys; school council minutes; changes made as a result.",
    ),
    (
        "Training",
        "All staff and governors have safeguarding training at induction and regular updates; "
        "the DSL is trained every two years.",
        "Training log for staff, governors and the DSL; Keeping Children Safe in Education "
        "read-and-understood records.",
    ),
    (
        "Recruitment, vetting and allegations",
        "Safer recruitment, a complete single central record, and allegations managed with the "
        "LADO.",
        "Single central record check; safer recruitment trained panel members; allegations log.",
    ),
    (
        "Multi-agency working",
        "The school refers concerns appropriately, attends conferences and core groups, and "
        "contributes to early help.",
        "Referrals and their outcomes; attendance at conferences; early help assessments led.",
    ),
    (
        "Information sharing and record keeping",
        "Concerns are recorded promptly and accurately, files transfer securely when a pupil "
        "moves, and information is shared when it should be.",
        "Recording system and its audit; file transfer log.",
    ),
    (
        "Wider promotion of safeguarding",
        "The curriculum teaches pupils to keep themselves safe, including online, and the school "
        "covers attendance, children missing education, and anti-bullying.",
        "Curriculum map for relationships education and online safety; attendance and "
        "children-missing-education procedures; anti-bullying policy.",
    ),
]

FRAMEWORKS = [
    (
        "section_11",
        "Section 11 (Children Act 2004)",
        "Self-assessment of an organisation's safeguarding arrangements and practice, "
        "reported to the Board via the Quality Assurance and Performance sub-group.",
        False,
        SECTION_11,
    ),
    (
        "section_175",
        "Section 175/157 (Education Act 2002)",
        "Self-assessment of a school's safeguarding arrangements and practice, reported to the "
        "Board via the Education Assurance Report.",
        True,
        SECTION_175,
    ),
]


def install(Framework, Standard):
    """Create any framework or standard that is missing; never overwrite the admin's edits."""
    for code, name, description, for_schools, standards in FRAMEWORKS:
        framework, _ = Framework.objects.get_or_create(
            code=code,
            defaults={"name": name, "description": description, "for_schools": for_schools},
        )
        for number, (title, guidance, evidence) in enumerate(standards, start=1):
            # get_or_create: edits the Business Unit has made in the admin are kept.
            Standard.objects.get_or_create(
                framework=framework,
                number=number,
                defaults={"title": title, "guidance": guidance, "evidence_expected": evidence},
            )

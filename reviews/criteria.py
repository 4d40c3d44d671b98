"""The SCR criteria (LSCB Regulations 2006 reg. 5, Working Together 2015), as one rule, and the
words the decision pages use to explain it.

Source: regulation 5(1)(e) and (2) of the Local Safeguarding Children Boards Regulations 2006
(SI 2006/90), as Working Together to Safeguard Children 2015 sets it out in chapter 4, "Serious
Case Reviews". WT2015's text is quoted in boards' procedures of the time, e.g.
http://www.sunderlandscb.com/pr_scr_cms.html and the Milton Keynes SCB procedure "Serious Case
Review" (mkscb.procedures.org.uk, "taken from Working Together 2015 Chapter 4"); the CPS's legal
guidance "Serious Case Review" (cps.gov.uk/legal/s_to_u/serious_case_review) quotes reg. 5(2).
"""

from dataclasses import dataclass

SCR_RULE_SOURCE = (
    "Regulation 5(1)(e) and (2) of the Local Safeguarding Children Boards Regulations 2006, as "
    "set out in Working Together to Safeguard Children 2015, chapter 4 (Serious Case Reviews)."
)

# The rule in the regulation's own structure: the concern about working together qualifies
# serious harm only (5(2)(b)(ii)); a death is enough on its own (5(2)(b)(i)).
SCR_RULE = (
    "A serious case is one where abuse or neglect of the child is known or suspected, and "
    "either (i) the child has died, or (ii) the child has been seriously harmed and there is "
    "cause for concern about how the local authority, its Board partners or other relevant "
    "people worked together to safeguard the child (regulation 5(2)).",
    "So the concern about working together belongs to serious harm only. When abuse or neglect "
    "is known or suspected and the child has died, the criteria are met whether or not there "
    "is such a concern.",
    "When serious harm is being considered, Working Together 2015 asks for an SCR unless it is "
    "clear that there are no concerns about how agencies worked together.",
    "Working Together 2015 adds that an SCR should always be carried out when a child dies in "
    "custody, in police custody, on remand or following sentencing, in a Young Offender "
    "Institution, a secure training centre or a secure children's home, or while detained "
    "under the Mental Health Act.",
)

# Where the Board's Learning and Improvement Framework (September 2016, section 2) reads
# differently, and which reading this product follows.
SCR_RULE_DIFFERENCES = (
    "The Board's Learning and Improvement Framework lists the criteria as three conditions "
    "joined by AND: abuse or neglect, AND death or serious harm, AND cause for concern about "
    "working together. Read that way, a death would need the concern too. The regulation does "
    "not ask for it after a death, so this page follows the regulation: a death with abuse or "
    "neglect known or suspected meets the criteria without it.",
    "The Framework lists a death by suspected suicide among the cases always reviewed, whatever "
    "else applies. Working Together 2015 counts a suspected suicide as a death under "
    "regulation 5(2)(b)(i), where abuse or neglect must be known or suspected. The Board's "
    "Framework goes further than the regulation, and this page follows the Framework: a "
    "suspected suicide meets the criteria on its own.",
)


@dataclass(frozen=True)
class CriteriaResult:
    met: bool
    because: str


SCR_RULE_EXPLAINED = {
    "rule": SCR_RULE,
    "differences": SCR_RULE_DIFFERENCES,
    "source": SCR_RULE_SOURCE,
}


def scr_criteria(
    *,
    abuse_or_neglect: bool,
    child_died: bool,
    seriously_harmed: bool,
    concern_working_together: bool,
    died_in_custody: bool,
    suspected_suicide: bool,
) -> CriteriaResult:
    """Whether an SCR must be initiated, and the words that say why (or why not)."""
    reasons = []
    if died_in_custody:
        reasons.append(
            "the child died in custody, on remand, in secure accommodation or detained under "
            "the Mental Health Act (an SCR is always carried out)"
        )
    if suspected_suicide:
        reasons.append("the child died by suspected suicide (an SCR is always carried out)")
    if abuse_or_neglect and child_died:
        reasons.append(
            "abuse or neglect is known or suspected and the child died"
            + (
                ""
                if concern_working_together
                else " (after a death, regulation 5(2)(b)(i) does not ask for concern about how "
                "agencies worked together)"
            )
        )
    if abuse_or_neglect and seriously_harmed and concern_working_together:
        reasons.append(
            "abuse or neglect is known or suspected, the child was seriously harmed and there "
            "is cause for concern about how agencies worked together"
        )
    if reasons:
        return CriteriaResult(True, "Criteria met because " + "; and ".join(reasons) + ".")

    missing = []
    if not abuse_or_neglect:
        missing.append("abuse or neglect is not known or suspected")
    elif not (child_died or seriously_harmed):
        missing.append("the child has neither died nor been seriously harmed")
    elif seriously_harmed and not concern_working_together:
        missing.append(
            "the child was seriously harmed but there is no cause for concern about how "
            "agencies worked together"
        )
    return CriteriaResult(
        False,
        "Criteria not met: "
        + "; ".join(missing)
        + ", and the child did not die in custody or by suspected suicide. "
        "Consider a learning review or a deep-dive audit of practice.",
    )


def serious_child_safeguarding_case(
    *, abuse_or_neglect: bool, child_died: bool, seriously_harmed: bool
) -> CriteriaResult:
    """WT2018+: a serious child safeguarding case, which the rapid review then weighs."""
    if abuse_or_neglect and (child_died or seriously_harmed):
        outcome = "died" if child_died else "was seriously harmed"
        return CriteriaResult(
            True,
            "A serious child safeguarding case because abuse or neglect is known or suspected "
            f"and the child {outcome}. The rapid review decides whether an LCSPR is "
            "appropriate.",
        )
    return CriteriaResult(
        False,
        "Not a serious child safeguarding case: it needs abuse or neglect known or suspected "
        "and the child to have died or been seriously harmed.",
    )

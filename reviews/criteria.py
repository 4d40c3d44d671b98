"""The SCR criteria (LSCB Regulations 2006 reg. 5, Working Together 2015), as one rule."""

from dataclasses import dataclass


@dataclass(frozen=True)
class CriteriaResult:
    met: bool
    because: str


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
        reasons.append("abuse or neglect is known or suspected and the child died")
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

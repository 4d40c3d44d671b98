"""The golden thread on the pages: every action answering a review, an audit, a finding or an
outcome is on the theme page, the review's or audit's thread and the outcome page, in loop order,
and every link of a whole loop can be followed both ways."""

import datetime
import re
from html import unescape

import pytest
from django.urls import reverse

from audits.tests.factories import AuditFactory
from learning import services
from learning.models import Finding, LoopStage
from learning.tests.factories import (
    ActivityFactory,
    CheckFactory,
    EvidenceFactory,
    FindingFactory,
    OutcomeFactory,
    ReviewFactory,
    ThemeFactory,
)
from reviews.tests.factories import ReviewAgencyFactory
from sscb.tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db

D = datetime.date


def links(client, url) -> set[str]:
    response = client.get(url)
    assert response.status_code == 200, url
    return set(re.findall(r'href="([^"]+)"', response.content.decode()))


def action_rows(client, url) -> list[tuple[str, str]]:
    """The actions table of a page: (title, what it answers) per row, in the order shown."""
    text = unescape(client.get(url).content.decode())
    table = text.split('<caption class="visually-hidden">Actions</caption>')[1]
    table = table.split("</table>")[0]
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", table, flags=re.S)[1:]:
        title = re.search(r"</a> ([^<]+)</td>", row).group(1).strip()
        answers = re.search(r'data-testid="action-answers">(.*?)</td>', row, flags=re.S)
        rows.append((title, re.sub(r"<[^>]+>", "", answers.group(1)) if answers else ""))
    return rows


def new_action(title, *, agency, subgroup, **answers):
    return services.action_create(
        title=title,
        owner_agency=agency,
        subgroup=subgroup,
        due_on=datetime.date.today() + datetime.timedelta(days=60),
        **answers,
    )


@pytest.fixture
def loop(bu_user, executive_user, agency):
    """One whole loop: a review and an audit, a finding from each in one theme, an outcome the
    Executive agreed, delivered, checked and assured, and an action answering each link."""
    review = ReviewFactory(title="LR Child A")
    audit = AuditFactory(title="Neglect audit")
    theme = ThemeFactory(title="Hearing the child")
    from_review = FindingFactory(
        review=review, theme=theme, title="Voice not recorded", identified_on=D(2025, 3, 1)
    )
    from_audit = FindingFactory(
        review=None,
        audit=audit,
        source=Finding.Source.QUALITY_ASSURANCE,
        theme=theme,
        title="Plans did not name the child's wishes",
        identified_on=D(2025, 2, 1),
    )
    outcome = OutcomeFactory(theme=theme, title="Every plan records the child's wishes")
    services.outcome_decide(
        outcome=outcome, decision="agreed", notes="Agreed", decided_by=executive_user
    )
    ActivityFactory(outcome=outcome, delivered_on=D(2025, 5, 2), reach=40)
    CheckFactory(outcome=outcome, agency=agency, checked_on=D(2025, 9, 1), result="improved")
    evidence = EvidenceFactory(outcome=outcome, agency=agency, title="Re-audit of 20 plans")
    services.evidence_provide(evidence=evidence, summary="18 of 20 plans name the wishes")
    services.evidence_judge(
        evidence=evidence, judgement="assured", reason="18 of 20", judged_by=bu_user
    )
    other = AgencyFactory(name="Shropshire Community Health")
    answering = [
        ("Review the strategy template", agency, {"review": review}),
        ("Brief on the child's voice", agency, {"review": review, "finding": from_review}),
        # The case the issue found: it answers a review's finding from another plan.
        ("Add wishes to the plan template", other, {"outcome": outcome, "finding": from_review}),
        ("Re-run the audit sample", agency, {"audit": audit}),
        ("Supervision prompts on wishes", other, {"audit": audit, "finding": from_audit}),
        ("Evaluate the module", agency, {"outcome": outcome}),
    ]
    actions = [
        new_action(title, agency=owner, subgroup=theme.subgroup, **answers)
        for title, owner, answers in answering
    ]
    return {
        "review": review,
        "audit": audit,
        "theme": theme,
        "findings": [from_review, from_audit],
        "outcome": outcome,
        "evidence": evidence,
        "actions": actions,
    }


def test_every_action_is_on_the_pages_of_what_it_answers_in_loop_order(client, bu_user, loop):
    """Those answering the source first, then a finding, then an outcome: an action answering
    a finding and an outcome sits with the outcome, the furthest round the loop."""
    client.force_login(bu_user)
    review, audit, outcome = loop["review"], loop["audit"], loop["outcome"]
    wishes = f"Outcome {outcome.title}"

    assert action_rows(client, reverse("learning:thread_review", args=[review.uuid])) == [
        ("Review the strategy template", f"{review.reference} action plan"),
        ("Brief on the child's voice", "Finding Voice not recorded"),
        ("Add wishes to the plan template", wishes),
        ("Evaluate the module", wishes),
    ]
    assert action_rows(client, reverse("learning:thread_audit", args=[audit.uuid])) == [
        ("Re-run the audit sample", f"{audit.reference} action plan"),
        ("Supervision prompts on wishes", "Finding Plans did not name the child's wishes"),
        ("Add wishes to the plan template", wishes),
        ("Evaluate the module", wishes),
    ]
    assert action_rows(client, loop["theme"].get_absolute_url()) == [
        ("Brief on the child's voice", "Finding Voice not recorded"),
        ("Supervision prompts on wishes", "Finding Plans did not name the child's wishes"),
        ("Add wishes to the plan template", wishes),
        ("Evaluate the module", wishes),
    ]
    assert action_rows(client, outcome.get_absolute_url()) == [
        ("Add wishes to the plan template", ""),
        ("Evaluate the module", ""),
    ]


def test_the_pages_of_a_threads_actions_are_slices_of_one_loop_order(
    client, bu_user, loop, monkeypatch
):
    """Loop order is worked out in SQL, so the second page starts where the first stopped, and
    the links between pages go back to the actions."""
    monkeypatch.setattr("learning.selectors.PAGE_SIZE", 3)
    client.force_login(bu_user)
    review, outcome = loop["review"], loop["outcome"]
    url = reverse("learning:thread_review", args=[review.uuid])
    wishes = f"Outcome {outcome.title}"

    assert action_rows(client, url) + action_rows(client, f"{url}?page=2") == [
        ("Review the strategy template", f"{review.reference} action plan"),
        ("Brief on the child's voice", "Finding Voice not recorded"),
        ("Add wishes to the plan template", wishes),
        ("Evaluate the module", wishes),
    ]
    first = unescape(client.get(url).content.decode())
    assert "4 actions, 3 to a page" in first
    assert 'href="?page=2#actions"' in first
    assert 'href="?page=1#actions"' in unescape(client.get(f"{url}?page=2").content.decode())
    # Past the end, the last page; not a number, the first.
    assert action_rows(client, f"{url}?page=9") == [("Evaluate the module", wishes)]
    assert len(action_rows(client, f"{url}?page=x")) == 3


def test_a_whole_loop_can_be_followed_both_ways(client, bu_user, loop):
    client.force_login(bu_user)
    review_thread = reverse("learning:thread_review", args=[loop["review"].uuid])
    audit_thread = reverse("learning:thread_audit", args=[loop["audit"].uuid])
    from_review, from_audit = (f.get_absolute_url() for f in loop["findings"])
    theme = loop["theme"].get_absolute_url()
    outcome = loop["outcome"].get_absolute_url()
    evidence = loop["evidence"].get_absolute_url()
    pairs = [
        (review_thread, from_review),
        (audit_thread, from_audit),
        (from_review, theme),
        (from_audit, theme),
        (theme, outcome),
        (outcome, evidence),
        (review_thread, evidence),
        (audit_thread, evidence),
    ]
    plan_pages = {"review": review_thread, "audit": audit_thread, "outcome": outcome}
    finding_pages = {f.pk: f.get_absolute_url() for f in loop["findings"]}
    for action in loop["actions"]:
        page = action.get_absolute_url()
        pairs.append((page, plan_pages[action.plan.split(":")[0]]))
        if action.finding_id:
            pairs.append((page, finding_pages[action.finding_id]))
    pages = {url: links(client, url) for pair in pairs for url in pair}
    missing = [
        (here, there)
        for one, other in pairs
        for here, there in ((one, other), (other, one))
        if there not in pages[here]
    ]
    assert missing == []
    theme_stage = client.get(theme).content.decode()
    assert f'data-stage="{LoopStage.ASSURED.label}"' in theme_stage


def test_the_thread_names_nothing_the_reader_may_not_open(client, member_user, make_user, loop):
    """A finding from a restricted review, answered by an action on the theme's outcome: off the
    panel, the action is there, as answering the outcome; the finding and review are not."""
    restricted = ReviewFactory(is_restricted=True, reference="SCR-2025-009", title="Child Z")
    hidden = FindingFactory(review=restricted, theme=loop["theme"], title="Unseen finding")
    new_action(
        "Answer the unseen finding",
        agency=AgencyFactory(),
        subgroup=loop["theme"].subgroup,
        outcome=loop["outcome"],
        finding=hidden,
    )
    for_action_only = new_action(
        "Restricted plan's own action",
        agency=AgencyFactory(),
        subgroup=loop["theme"].subgroup,
        review=restricted,
        finding=loop["findings"][0],
    )
    client.force_login(member_user)
    for url in (
        loop["theme"].get_absolute_url(),
        reverse("learning:thread_review", args=[loop["review"].uuid]),
        loop["outcome"].get_absolute_url(),
    ):
        text = unescape(client.get(url).content.decode())
        assert "Unseen finding" not in text and "SCR-2025-009" not in text, url
        assert "Restricted plan's own action" not in text, url
    rows = dict(action_rows(client, loop["theme"].get_absolute_url()))
    assert rows["Answer the unseen finding"] == f"Outcome {loop['outcome'].title}"

    panel = make_user(username="panel", role="subgroup_member")
    restricted.panel_members.add(panel)
    client.force_login(panel)
    rows = dict(action_rows(client, loop["theme"].get_absolute_url()))
    assert rows["Restricted plan's own action"] == "Finding Voice not recorded"
    assert for_action_only.get_absolute_url() in links(client, loop["theme"].get_absolute_url())


def test_an_agency_lead_sees_their_own_actions_with_a_restricted_plan_unnamed(
    client, agency_user, agency, bu_user
):
    involved = ReviewFactory(title="Neglect of a toddler")
    ReviewAgencyFactory(review=involved, agency=agency)
    theme = ThemeFactory()
    about_us = FindingFactory(review=involved, theme=theme, agencies=[agency], title="Ours")
    FindingFactory(review=involved, theme=theme, title="About others")
    restricted = ReviewFactory(is_restricted=True, reference="SCR-2025-010")
    new_action(
        "Our answer", agency=agency, subgroup=theme.subgroup, review=restricted, finding=about_us
    )
    new_action(
        "Their answer",
        agency=AgencyFactory(),
        subgroup=theme.subgroup,
        review=involved,
        finding=about_us,
    )
    client.force_login(agency_user)
    for url in (theme.get_absolute_url(), reverse("learning:thread_review", args=[involved.uuid])):
        text = unescape(client.get(url).content.decode())
        assert "Our answer" in text and "Review not open to you/1" in text, url
        assert "SCR-2025-010" not in text and "Their answer" not in text, url
        assert "About others" not in text, url


def test_an_outcome_card_names_its_newest_evidence_and_how_many_its_page_lists(
    client, bu_user, agency_user, agency, loop
):
    """A card names the newest ten pieces (of those the reader may see) and links to the rest."""
    from learning.selectors import EVIDENCE_ON_A_CARD

    outcome = loop["outcome"]
    for number in range(EVIDENCE_ON_A_CARD + 1):
        EvidenceFactory(outcome=outcome, agency=agency, title=f"Sample {number:02}")
    EvidenceFactory(outcome=outcome, agency=AgencyFactory(), title="Another agency's")
    # So that the agency's lead may follow the thread and see the theme.
    ReviewAgencyFactory(review=loop["review"], agency=agency)
    loop["findings"][0].agencies.add(agency)
    thread = reverse("learning:thread_review", args=[loop["review"].uuid])
    for user, seen in ((bu_user, 13), (agency_user, 12)):
        client.force_login(user)
        for url in (thread, loop["theme"].get_absolute_url()):
            text = unescape(client.get(url).content.decode())
            card = text.split(outcome.title)[1].split('class="card-title"')[0]
            assert card.count("Sample ") + card.count("Another agency's") == EVIDENCE_ON_A_CARD
            assert "Re-audit of 20 plans" not in card  # the oldest is on the outcome's page
            assert f"All {seen} pieces of evidence, on the outcome's page" in card, (user, url)
            assert ("Another agency's" in card) == (user == bu_user)


def test_a_thread_page_is_kept_for_its_reader_and_page_until_a_record_changes(
    client, bu_user, member_user, loop, monkeypatch
):
    """Kept ({% kept_for_reader %}): asked again, the same page in fewer queries;
    the next page, another reader, a changed record or any other query string make it afresh."""
    from sscb.tests.kept import kept_beside_another, main_of

    monkeypatch.setattr("learning.selectors.PAGE_SIZE", 3)
    restricted = ReviewFactory(is_restricted=True, reference="SCR-2025-009")
    new_action(
        "Restricted plan's own action",
        agency=AgencyFactory(),
        subgroup=loop["theme"].subgroup,
        review=restricted,
        finding=loop["findings"][0],
    )
    url = reverse("learning:thread_review", args=[loop["review"].uuid])
    made, afresh, kept, member = kept_beside_another(client, bu_user, member_user, url)
    second, _ = main_of(client, f"{url}?page=2")
    assert second != made and main_of(client, f"{url}?page=2") == (second, kept)
    assert "Restricted plan's own action" in made + second
    for other_query in (f"{url}?page=1&sort=x", f"{url}?page=x"):
        assert main_of(client, other_query)[1] == main_of(client, other_query)[1] == afresh

    seen = main_of(member, url)[0] + main_of(member, f"{url}?page=2")[0]
    assert "Restricted plan's own action" not in seen and "SCR-2025-009" not in seen

    new_action(
        "Added since",
        agency=AgencyFactory(),
        subgroup=loop["theme"].subgroup,
        review=loop["review"],
    )
    assert "Added since" in main_of(client, url)[0] + main_of(client, f"{url}?page=2")[0]


def test_a_thread_opens_the_review_or_audit_it_starts_from(client, bu_user, loop):
    client.force_login(bu_user)
    for kind, opens in (("review", "reviews:detail"), ("audit", "audits:detail")):
        source = loop[kind]
        page = client.get(reverse(f"learning:thread_{kind}", args=[source.uuid])).content
        link = f'href="{reverse(opens, args=[source.uuid])}" data-testid="thread-source"'
        assert link in page.decode()

"""The whole loop walked in Chromium as the demo's people would walk it (issue 16, item 4): a
rapid review, the LCSPR it calls for, a finding, a theme, an outcome, the Executive's decision,
delivery, a practice check, evidence, an action, the agency completing it, sign-off and the
evidence judged assured. Each person moves only by clicking links and buttons from the page
they signed in to; every click (a link, a button, a box ticked) and every form sent is counted,
and the walk must take at most ``MOST_STEPS``. Typing into a field and choosing from a list are
not counted (they are not steps between pages)."""

import datetime
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MOST_STEPS = 45


class Steps:
    """What a person does to get round the loop, counted."""

    def __init__(self):
        self.clicks = 0
        self.submits = 0
        self.loads = 0

    def click(self, locator):
        self.clicks += 1
        locator.click()

    def tick(self, locator):
        self.clicks += 1
        locator.check()

    def submit(self, locator):
        self.submits += 1
        locator.click()

    @property
    def total(self):
        return self.clicks + self.submits

    def __str__(self):
        return (
            f"{self.clicks} clicks + {self.submits} form submits = {self.total} steps "
            f"({self.loads} page loads)"
        )


def walk_the_loop(member, executive, agency, steps: Steps, today: datetime.date, tag: str):
    """``member``, ``executive`` and ``agency`` are each a signed-in person's page, on their
    home page. ``tag`` tells this walk's records from others (the demo has its own)."""
    link = lambda page, name, **kw: page.get_by_role("link", name=name, **kw)  # noqa: E731
    button = lambda page, name, **kw: page.get_by_role("button", name=name, **kw)  # noqa: E731
    m, x, a = member, executive, agency

    # A serious incident: the Case Review Panel opens a rapid review and decides on an LCSPR.
    steps.click(link(m, "Reviews", exact=True))
    steps.click(link(m, "Open a review"))
    m.get_by_label("Kind").select_option("rapid_review")
    m.get_by_label("Title").fill(f"Baby with unexplained bruising {tag}")
    m.get_by_label("Child or family pseudonym").fill("Baby R")
    m.get_by_label("Responsible sub-group").select_option(label="Case Review Panel")
    m.get_by_label("Referred on").fill((today - datetime.timedelta(days=6)).isoformat())
    m.get_by_label("Incident known on").fill((today - datetime.timedelta(days=8)).isoformat())
    m.get_by_label("Notified on").fill((today - datetime.timedelta(days=7)).isoformat())
    steps.submit(button(m, "Open the review"))
    expect(m.get_by_test_id("reference")).to_contain_text("RR-")
    # The rapid review is held, then the Panel decides: the decision is recorded at its stage.
    steps.submit(button(m, "Move to “Rapid review”"))
    steps.submit(button(m, "Move to “Decision”"))
    steps.click(link(m, "Record the decision"))
    steps.tick(m.get_by_label("Abuse or neglect of the child is known or suspected"))
    steps.tick(m.get_by_label("The child has been seriously harmed"))
    m.locator("#id_decision").select_option("initiate")
    m.get_by_label("Reasons for the decision").fill("Serious harm; agencies missed bruising.")
    steps.submit(button(m, "Record the decision"))
    steps.click(link(m, re.compile(r"^LCSPR-")).first)
    expect(m.get_by_test_id("reference")).to_contain_text("LCSPR-")

    # What the LCSPR teaches: a finding, a theme started from it, an outcome for the theme.
    steps.click(link(m, "Record a finding from it"))
    m.get_by_label("Title").fill(f"Bruising in a non-mobile baby not referred {tag}")
    m.get_by_label("Detail").fill("Two professionals saw bruising on Baby R; neither referred.")
    steps.tick(m.get_by_label("West Mercia Police"))
    steps.submit(button(m, "Save"))
    steps.click(link(m, "Start a priority theme from this finding"))
    m.get_by_label("Title").fill(f"Bruising in babies who cannot move {tag}")
    steps.tick(m.get_by_label("Neglect", exact=True))
    steps.submit(button(m, "Save"))
    expect(m.get_by_role("heading", level=1)).to_contain_text("Bruising in babies")
    steps.click(link(m, "Add a learning outcome"))
    m.get_by_label("Title").fill(f"Every bruise on a non-mobile baby is referred {tag}")
    m.get_by_label("Schedule").fill("Protocol relaunch; 7-minute briefing; audit.")
    m.get_by_label("Impact measure").fill("Referrals of bruising in non-mobile babies.")
    steps.submit(button(m, "Save"))

    # The Executive agrees it, from what waits on them at home.
    steps.click(link(x, re.compile("awaiting an Executive decision")))
    steps.click(link(x, f"Every bruise on a non-mobile baby is referred {tag}"))
    steps.tick(x.get_by_label("Agreed", exact=True))
    x.get_by_label("The Executive's discussion").fill("Agreed; the protocol to be relaunched.")
    steps.submit(button(x, "Record the decision"))
    expect(x.get_by_test_id("decision").first).to_have_text("Agreed")

    # Delivery, a practice check and evidence asked of the Police, from the outcome's page.
    steps.click(link(m, "Add a delivery activity"))
    m.get_by_label("Way").select_option("briefing")
    m.get_by_label("Title").fill("7-minute briefing: bruising in babies")
    m.get_by_label("Planned on").fill((today - datetime.timedelta(days=3)).isoformat())
    # Delivered the day the Executive agreed it: never before (learning.models.DeliveryActivity).
    m.get_by_label("Delivered on").fill(today.isoformat())
    m.get_by_label("Reach").fill("180")
    steps.submit(button(m, "Save"))
    steps.click(link(m, "Add a practice check"))
    m.get_by_label("Way").select_option("single_agency_audit")
    m.get_by_label("Agency").select_option(label="West Mercia Police")
    m.get_by_label("Checked on").fill(today.isoformat())
    m.get_by_label("Result").select_option("improved")
    steps.submit(button(m, "Save"))
    steps.click(link(m, "Add or request evidence"))
    m.get_by_label("Way").select_option("agency_report")
    m.get_by_label("Agency").select_option(label="West Mercia Police")
    m.get_by_label("Title").fill(f"Police bruising referrals report {tag}")
    m.get_by_label("Requested on").fill(today.isoformat())
    m.get_by_label("Due on").fill((today + datetime.timedelta(days=30)).isoformat())
    steps.submit(button(m, "Save"))

    # An action for the Police, from the evidence's page: the agency is already chosen and only
    # its people are offered as owner.
    steps.click(link(m, "Add an action for West Mercia Police"))
    m.get_by_label("Title").fill(f"Relaunch the bruising protocol with every officer {tag}")
    m.get_by_label("Description").fill("Briefing at every shift change; protocol on the app.")
    owner = m.get_by_label("Owner", exact=True)
    offered = owner.locator("option:not([hidden])").all_inner_texts()
    assert offered == ["Nobody named yet", "Chris Evans (West Mercia Police)"], offered
    owner.select_option(label="Chris Evans (West Mercia Police)")
    m.get_by_label("Due on").fill((today + datetime.timedelta(days=60)).isoformat())
    steps.submit(button(m, "Save"))
    expect(m.get_by_test_id("action-description")).to_contain_text("Briefing at every shift")
    expect(m.get_by_text("Signed off by")).to_have_count(0)

    # The Police complete the action and send the evidence, from My agency.
    steps.click(link(a, "My agency", exact=True))
    row = a.get_by_test_id("agency-actions").get_by_role("row").filter(has_text=tag)
    steps.click(row.get_by_role("link", name=re.compile("^Report progress")))
    a.get_by_label("Progress").fill("Relaunched at every shift change.")
    a.get_by_label("Completed on (if complete)").fill(today.isoformat())
    a.get_by_label("Evidence of completion").fill("Briefing register: 412 of 430 officers.")
    steps.submit(button(a, "Save progress"))
    expect(a.get_by_test_id("action-status")).to_have_text("Complete")
    steps.click(link(a, "My agency", exact=True))
    row = a.get_by_test_id("agency-evidence").get_by_role("row").filter(has_text=tag)
    steps.click(row.get_by_role("link", name="Send the evidence"))
    a.get_by_label("What the evidence shows").fill("Bruising referrals up from 3 to 11.")
    steps.submit(button(a, "Send the evidence"))

    # The sub-group signs the action off and judges the evidence, from what waits at home.
    steps.click(link(m, "Home", exact=True))
    steps.click(link(m, re.compile("awaiting sign-off")))
    steps.click(m.get_by_role("row").filter(has_text=tag).get_by_role("link").first)
    m.get_by_label("Check the change has lasted on").fill(
        (today + datetime.timedelta(days=180)).isoformat()
    )
    steps.submit(button(m, "Sign off"))
    expect(m.get_by_test_id("action-status")).to_have_text("Signed off")
    expect(m.get_by_role("heading", level=1)).to_contain_text("Action LO")
    expect(
        m.get_by_text(f"Relaunch the bruising protocol with every officer {tag}")
    ).to_be_visible()
    steps.click(link(m, "Home", exact=True))
    steps.click(link(m, re.compile("evidence to judge")))
    steps.click(link(m, f"Police bruising referrals report {tag}"))
    steps.tick(m.get_by_label("Assured", exact=True))
    m.get_by_label("Reason").fill("Referrals nearly quadrupled; the protocol is used.")
    steps.submit(button(m, "Record the judgement"))
    expect(m.get_by_test_id("judgement")).to_contain_text("Assured")
    expect(m.get_by_test_id("loop-stage").first).to_have_attribute("data-stage", "Assured")


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    call_command("load_demo", verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115
    settings.DEBUG = False


def test_the_whole_loop_takes_at_most_45_steps(demo, browser, live_server, browser_login):
    steps = Steps()
    pages = {}
    for username in ("member", "executive", "agency"):
        context = browser.new_context(viewport={"width": 1366, "height": 900})
        page = context.new_page()
        page.set_default_timeout(15_000)
        browser_login(page, username)  # lands on their home page
        page.on("load", lambda _page: setattr(steps, "loads", steps.loads + 1))
        pages[username] = page
    walk_the_loop(
        pages["member"],
        pages["executive"],
        pages["agency"],
        steps,
        datetime.date.today(),
        tag="(walk)",
    )
    print(f"The loop took {steps}")
    assert steps.total <= MOST_STEPS, str(steps)

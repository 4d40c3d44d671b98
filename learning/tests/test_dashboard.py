"""The Board dashboard: every figure against records built here, in two financial years; the
links behind the figures; the filters; who may see it; and a fixed number of queries."""

import datetime
from html import unescape

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape, strip_tags

from learning.dashboard.overview import dashboard_figures, scope_figures
from learning.tests.dashboard_data import clock
from sscb.models import SubGroup
from sscb.tests.factories import SubGroupFactory, SubGroupMembershipFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("dashboard_day")]


def test_review_figures_for_each_year(bu_user, data):
    this_year = dashboard_figures(bu_user, 2025)["reviews"]
    assert {k: f.value for k, f in this_year.items()} == {
        "active": 3,
        "started": 2,
        "completed": 1,
        "published": 1,
        "clock_red": 1,
        "clock_amber": 1,
        # The fixture's clocks are all still open (reviews/tests/test_clock_rules.py counts met).
        "clock_met_on_time": 0,
        "clock_met_late": 0,
    }
    last_year = dashboard_figures(bu_user, 2024)["reviews"]
    assert (last_year["active"].value, last_year["started"].value) == (2, 2)
    assert (last_year["completed"].value, last_year["published"].value) == (1, 0)


def test_reviews_by_kind_and_stage(bu_user, data):
    table = dashboard_figures(bu_user, 2025)["by_kind_and_stage"]
    cells = {
        (row["kind"], label): cell.value
        for row in table["rows"]
        for (_, label), cell in zip(table["stages"], row["cells"], strict=True)
        if cell.value
    }
    assert cells == {
        ("Serious Case Review", "Analysis and draft"): 1,
        ("Learning Review", "Published"): 1,
        ("Child Death Review", "Referral"): 1,
    }
    assert table["total"].value == 3


def test_an_ended_years_reviews_are_counted_at_the_stage_they_held_at_its_end(
    client, bu_user, data
):
    """2024/25's table does not change as its reviews move on: each is counted where its dated
    moves had taken it by 31 March 2025, and each cell lists those (fr #4)."""
    from reviews.models import Review, ReviewStageChange

    scr = Review.objects.get(kind=Review.Kind.SCR)
    for on, was, to in [
        (datetime.date(2024, 7, 1), "referral", "scoping"),
        (datetime.date(2025, 6, 1), "scoping", "analysis"),
    ]:
        ReviewStageChange.objects.create(
            review=scr, from_stage=was, to_stage=to, happened_on=on, moved_by=bu_user
        )
    client.force_login(bu_user)
    for year, stage, when in [
        (2024, "Scoping and terms of reference", "at the year's end, 31 March 2025"),
        (2025, "Analysis and draft", "today"),
    ]:
        table = dashboard_figures(bu_user, year)["by_kind_and_stage"]
        assert table["stage_when"] == when
        [row] = [row for row in table["rows"] if row["kind"] == "Serious Case Review"]
        [(label, cell)] = [
            (label, cell)
            for (_, label), cell in zip(table["stages"], row["cells"], strict=True)
            if cell.value
        ]
        assert (label, cell.value) == (stage, 1)
        assert _count_on(client, cell.url) == 1, cell.url
    page = unescape(client.get(reverse("dashboard:index"), {"year": 2024}).content.decode())
    assert "by kind and their stage at the year's end, 31 March 2025" in page


def test_action_figures_on_time_and_rag_for_each_year(bu_user, data):
    figures = dashboard_figures(bu_user, 2025)
    actions = figures["actions"]
    assert [actions[k].value for k in ("due", "on_time", "late", "overdue", "cancelled")] == [
        7,
        1,
        1,
        1,
        1,
    ]
    assert actions["on_time_percent"] == 33
    by_agency = {
        row["agency"]: [row[k].value for k in ("red", "amber", "green", "total")]
        for row in figures["actions_by_agency"]
    }
    assert by_agency == {"Police": [1, 0, 2, 3], "CSC": [0, 2, 2, 4]}
    # Outstanding today whatever the year: a3 (36 days) and b2 (410 days) overdue, both past
    # the 7 days after which the chair is told and the 28 after which the Business Unit is.
    assert [actions[k].value for k in ("overdue_now", "escalated_chair", "escalated_bu")] == [
        2,
        2,
        2,
    ]
    last_year = dashboard_figures(bu_user, 2024)["actions"]
    assert (last_year["due"].value, last_year["on_time"].value, last_year["overdue"].value) == (
        2,
        1,
        1,
    )
    assert last_year["on_time_percent"] == 50


def test_themes_by_loop_stage(bu_user, data):
    figures = dashboard_figures(bu_user, 2025)
    assert {row["stage"]: row["count"].value for row in figures["themes_by_stage"]} == {
        "Themed": 1,
        "Outcome agreed": 1,
        "Delivered": 1,
        "Practice checked": 1,
        "Assured": 1,
    }
    assert [t.title for t in figures["themes"]][0] == "T5 assured"


def test_an_ended_years_themes_are_counted_at_the_stage_they_had_reached_by_its_end(
    client, bu_user, data
):
    """2024/25's loop does not move on with this year's work: each theme at the stage its dated
    steps had reached by 31 March 2025 (T2 agreed, T4 checked and T5 assured after it), and each
    figure's link lists exactly those themes."""
    figures = dashboard_figures(bu_user, 2024)
    assert {row["stage"]: row["count"].value for row in figures["themes_by_stage"]} == {
        "Themed": 2,
        "Outcome agreed": 0,
        "Delivered": 2,
        "Practice checked": 1,
        "Assured": 0,
    }
    assert [(t.title, t.loop_stage.label) for t in figures["themes"]][0] == (
        "T5 assured",
        "Practice checked",
    )
    client.force_login(bu_user)
    for row in figures["themes_by_stage"]:
        assert "stage_on=2025-03-31" in row["count"].url
        assert _count_on(client, row["count"].url) == row["count"].value, row["count"].url
    page = unescape(client.get(reverse("dashboard:index"), {"year": 2024}).content.decode())
    assert "Themes by the furthest stage reached at the year's end, 31 March 2025" in page
    this_year = unescape(client.get(reverse("dashboard:index"), {"year": 2025}).content.decode())
    assert "Themes by the furthest stage reached today" in this_year


def test_assurance_judgements_by_theme_and_agency_for_each_year(bu_user, data):
    assurance = dashboard_figures(bu_user, 2025)["assurance"]
    assert {k: assurance["totals"][k].value for k in ("assured", "partly", "not_assured")} == {
        "assured": 1,
        "partly": 1,
        "not_assured": 0,
    }
    assert {
        row["label"]: (row["assured"].value, row["partly"].value) for row in assurance["by_theme"]
    } == {"T4 practice checked": (0, 1), "T5 assured": (1, 0)}
    assert {row["label"]: row["total"].value for row in assurance["by_agency"]} == {
        "CSC": 1,
        "Police": 1,
    }
    assert assurance["outstanding"].value == 1
    last_year = dashboard_figures(bu_user, 2024)["assurance"]
    assert last_year["totals"]["not_assured"].value == 1
    assert last_year["totals"]["total"].value == 1


def test_section_11_returns_and_heat_map(bu_user, data):
    figures = dashboard_figures(bu_user, 2025)
    (item,) = figures["returns"]
    assert [item[k].value for k in ("total", "returned", "moderated", "late")] == [2, 1, 0, 1]
    first, second = item["standards"][:2]
    assert first["scores"] == [0, 1, 0, 0]  # moderated "partly met" counts, not self "not met"
    assert second["scores"] == [0, 0, 1, 0]
    assert figures["returns_late"] == 1
    (last_year,) = dashboard_figures(bu_user, 2024)["returns"]
    assert last_year["cycle"].title == "Section 175 audit 2024/25"


def test_sub_group_filter_narrows_every_figure(bu_user, data):
    figures = dashboard_figures(bu_user, 2025, data["crp"])
    assert figures["reviews"]["active"].value == 2  # R1 and R4
    assert figures["actions"]["due"].value == 0
    assert all(row["count"].value == 0 for row in figures["themes_by_stage"])
    assert figures["returns"] == []  # returns are QAP's


def _count_on(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.context["page_obj"].paginator.count


def test_every_figure_links_to_exactly_its_records(client, bu_user, data):
    client.force_login(bu_user)
    figures = dashboard_figures(bu_user, 2025)
    checked = [
        *figures["reviews"].values(),
        *[cell for row in figures["by_kind_and_stage"]["rows"] for cell in row["cells"]],
        *[
            figures["actions"][k]
            for k in ("due", "on_time", "late", "overdue", "cancelled", "overdue_now")
        ],
        figures["actions"]["escalated_chair"],
        figures["actions"]["escalated_bu"],
        *[row[k] for row in figures["actions_by_agency"] for k in ("red", "amber", "green")],
        *[row["count"] for row in figures["themes_by_stage"]],
        *[row[k] for row in figures["assurance"]["by_theme"] for k in ("assured", "partly")],
        *[row["total"] for row in figures["assurance"]["by_agency"]],
        figures["assurance"]["outstanding"],
    ]
    for figure in checked:
        assert _count_on(client, figure.url) == figure.value, figure.url


def test_every_figure_on_the_page_is_its_link(client, bu_user, data):
    """A figure printed in a table cell is the link to its records, not a bare number (``{{ f }}``
    turns the figure into a string before looking for its HTML)."""
    import re

    client.force_login(bu_user)
    html = client.get(reverse("dashboard:index"), {"year": 2025}).content.decode()
    figures = dashboard_figures(bu_user, 2025)
    cell = figures["by_kind_and_stage"]["rows"][0]["cells"]
    shown = next(f for f in cell if f.value)
    assert f'<a href="{escape(shown.url)}">{shown.value}</a>' in html
    agency = figures["actions_by_agency"][0]
    assert f'<td class="rag-cell-red"><a href="{escape(agency["red"].url)}">' in html
    assert not re.findall(r"<td[^>]*>\s*[1-9][0-9]*\s*</td>", html)  # no figure without its link


def test_restricted_review_counts_but_its_list_hides_it(client, executive_user, data):
    client.force_login(executive_user)
    started = dashboard_figures(executive_user, 2025)["reviews"]["started"]
    assert started.value == 2
    assert _count_on(client, started.url) == 1  # the restricted child death review is hidden


@pytest.mark.parametrize("role", ["business_unit", "executive"])
def test_executive_and_business_unit_see_the_dashboard(client, users_by_role, role, data):
    client.force_login(users_by_role[role])
    response = client.get(reverse("dashboard:index"), {"year": 2024})
    assert response.status_code == 200
    body = unescape(response.content.decode())
    assert "Board dashboard" in body and "2024/25" in body
    assert 'data-testid="reviews-started">2<' in body
    assert 'href="/dashboard/"' in body  # in the navigation


@pytest.mark.parametrize("role", ["agency_lead", "independent_reviewer"])
def test_other_roles_are_refused(client, users_by_role, role):
    client.force_login(users_by_role[role])
    assert client.get(reverse("dashboard:index")).status_code == 403
    assert client.get(reverse("dashboard:annual-report")).status_code == 403
    assert client.get(reverse("dashboard:export-csv")).status_code == 403
    assert 'href="/dashboard/"' not in client.get(reverse("home")).content.decode()


def test_anonymous_is_sent_to_sign_in(client):
    for name in ["dashboard:index", "dashboard:annual-report", "dashboard:export-xlsx"]:
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_member_without_a_sub_group_is_refused(client, member_user):
    client.force_login(member_user)
    assert client.get(reverse("dashboard:index")).status_code == 403


def test_member_sees_only_their_sub_groups(client, member_user, data):
    SubGroupMembershipFactory(subgroup=data["li"], user=member_user)
    client.force_login(member_user)
    response = client.get(reverse("dashboard:index"), {"year": 2025})
    assert response.status_code == 200
    scope = response.context["scope"]
    assert scope.subgroup == data["li"]
    assert 'data-testid="reviews-active">1<' in response.content.decode()  # only R2 is L&I's
    assert scope_figures(scope)["returns"] == []
    choices = [str(label) for _, label in response.context["form"].fields["subgroup"].choices]
    assert choices == ["Learning and Improvement"]
    # Asking for another sub-group's figures changes nothing: the default is shown.
    response = client.get(reverse("dashboard:index"), {"year": 2025, "subgroup": data["crp"].pk})
    assert response.context["scope"].subgroup == data["li"]
    assert "Choose one of the options shown." in response.content.decode()


def test_member_dashboard_opens_on_the_sub_group_they_chair(client, member_user, data):
    """Sitting on the Case Review Panel too (first by name), they still open on what they chair."""
    for group in (data["crp"], data["li"]):
        SubGroupMembershipFactory(subgroup=group, user=member_user)
    client.force_login(member_user)

    def opens_on():
        return client.get(reverse("dashboard:index")).context["scope"].subgroup

    assert opens_on() == data["crp"]
    SubGroup.objects.filter(pk=data["li"].pk).update(chair=member_user)
    assert opens_on() == data["li"]


def test_year_filter_on_the_page(client, executive_user, data):
    client.force_login(executive_user)
    body = unescape(client.get(reverse("dashboard:index"), {"year": 2024}).content.decode())
    assert 'data-testid="actions-on-time-percent">50%<' in body
    body = unescape(client.get(reverse("dashboard:index"), {"year": 2025}).content.decode())
    assert 'data-testid="actions-on-time-percent">33%<' in body
    assert 'id="dashboard-charts"' in body  # the charts' data, read by the static script


def test_bad_year_shows_this_year_and_says_so(client, executive_user, data):
    client.force_login(executive_user)
    response = client.get(reverse("dashboard:index"), {"year": "1066"})
    assert response.status_code == 200
    assert response.context["scope"].year == 2025
    assert "Choose one of the options shown." in response.content.decode()


@pytest.mark.parametrize("url_name", ["dashboard:index", "dashboard:annual-report"])
def test_the_filter_is_kept_for_its_reader_and_query_and_reads_no_sub_groups_when_kept(
    client, url_name, executive_user, li_member, data
):
    from sscb.tests.kept import kept_beside_another

    made = {}
    for query in ("year=2024", "year=2025", "year=1066"):
        url = f"{reverse(url_name)}?{query}"
        made[query], _, _, member = kept_beside_another(client, executive_user, li_member, url)
        with CaptureQueriesContext(connection) as kept_sql:
            assert client.get(url).status_code == 200
        # Kept, it reads nothing but the session and the person.
        assert [q["sql"] for q in kept_sql.captured_queries][-1].startswith('SELECT "sscb_user"')
        assert len(kept_sql.captured_queries) <= 2
    assert '<option value="2024" selected>' in made["year=2024"]
    assert '<option value="2025" selected>' in made["year=2025"]
    assert "Choose one of the options shown." in made["year=1066"]
    assert "Choose one of the options shown." not in made["year=2025"]
    # The member's copy offers their own sub-group alone.
    member_main = unescape(member.get(reverse(url_name)).content.decode())
    assert "Learning and Improvement" in member_main and data["crp"].name not in member_main


def test_annual_report_describes_the_year(client, executive_user, data):
    client.force_login(executive_user)
    response = client.get(reverse("dashboard:annual-report"), {"year": 2025})
    assert response.status_code == 200
    body = unescape(response.content.decode())
    assert "annual report section, 2025/26" in body
    assert 'data-testid="annual-started">2<' in body
    assert 'data-testid="annual-published">1<' in body
    assert 'data-testid="annual-delivered">1<' in body
    assert 'data-testid="annual-reach">40<' in body
    assert "100% found practice improved" in body
    assert "Referrals now name the history." in body
    assert "Referrals now name the history." in body
    named = body.split('data-testid="impact-reviews">')[1].split("</ul>")[0]
    assert named.count("<li>") == 1 and data["reviews"][1].title in named
    last = unescape(client.get(reverse("dashboard:annual-report"), {"year": 2024}).content.decode())
    assert 'data-testid="annual-reach">15<' in last
    assert "judged: 0 assured, 0 partly assured and 1 not assured" in strip_tags(last)


def _populate(n):
    """n more records of each kind the dashboard counts."""
    import datetime

    from audits.tests.factories import AuditCycleFactory, SelfAssessmentFactory
    from learning.tests.factories import ActionFactory, ActivityFactory, EvidenceFactory
    from reviews.tests.factories import ReviewFactory
    from sscb.tests.factories import AgencyFactory

    li = SubGroupFactory(code=SubGroup.Code.LEARNING_IMPROVEMENT)
    from audits.models import AuditCycle

    cycle = AuditCycle.objects.filter(financial_year=2025).first() or AuditCycleFactory(
        financial_year=2025
    )
    for i in range(n):
        review = ReviewFactory(subgroup=li, referred_on=datetime.date(2025, 6, 1))
        clock(
            review,
            "notification",
            started=datetime.date(2025, 6, 1),
            amber=datetime.date(2025, 7, 1),
            due=datetime.date(2025, 8, 1),
        )
        agency = AgencyFactory()
        ActionFactory(
            review=review, subgroup=li, owner_agency=agency, due_on=datetime.date(2025, 9, 1)
        )
        theme_evidence = EvidenceFactory(
            outcome__theme__subgroup=li,
            agency=agency,
        )
        ActivityFactory(
            outcome=theme_evidence.outcome, delivered_on=datetime.date(2025, 7, i % 28 + 1), reach=i
        )
        SelfAssessmentFactory(cycle=cycle, agency=agency)


def test_dashboard_runs_the_same_queries_for_2_or_200_records(
    client, executive_user, count_queries, django_assert_max_num_queries
):
    client.force_login(executive_user)
    _populate(2)
    small = count_queries(reverse("dashboard:index") + "?year=2025")
    _populate(198)
    with django_assert_max_num_queries(small):
        response = client.get(reverse("dashboard:index") + "?year=2025")
    assert response.status_code == 200
    assert 'data-testid="actions-due">200<' in response.content.decode()
    assert small <= 26  # 19 (one counts meetings of bodies the reader does not sit on), and
    # five for the impact by learning outcome (issue 19)


def test_impact_by_outcome_shows_the_first_outcomes_and_counts_the_rest(
    executive_user, django_assert_num_queries
):
    """The first ``limit`` outcomes, by theme and title, and how many more there are, without
    building the rest (at scale 1, 1,780 outcomes had something in a year)."""
    from django.db.models.signals import post_init

    from learning.dashboard.outcomes import impact_by_outcome
    from learning.dashboard.scope import make_scope
    from learning.models import LearningOutcome

    _populate(5)
    every = list(LearningOutcome.objects.order_by("theme__title", "title", "pk"))
    scope = make_scope(executive_user, year=2025)
    built = []

    def count(sender, **kwargs):
        built.append(sender)

    post_init.connect(count, sender=LearningOutcome)
    try:
        with django_assert_num_queries(5):
            impact = impact_by_outcome(scope, limit=3)
    finally:
        post_init.disconnect(count, sender=LearningOutcome)
    assert len(built) == 3  # only the outcomes shown are built
    assert [row["outcome"] for row in impact["rows"]] == every[:3]
    assert impact["not_shown"] == len(every) - 3 == 2
    assert impact_by_outcome(scope, limit=25)["not_shown"] == 0


# Kept figures (sscb/figures_cache.py) --------------------------------------------------------


def _parts(client, user, url_name, **params):
    client.force_login(user)
    response = client.get(reverse(url_name), {"year": 2025, **params})
    assert response.status_code == 200
    parts = dict(response.context["parts"])
    assert f"Figures counted at {parts.pop('counted'):%H:%M:%S}" in response.content.decode()
    return parts


@pytest.mark.parametrize("url_name", ["dashboard:index", "dashboard:annual-report"])
def test_readers_of_one_scope_share_kept_figures_that_are_what_each_would_be_shown(
    client, url_name, bu_user, executive_user, li_member, data, count_queries
):
    """Made fresh for each reader (nothing kept), each reader's figures are the same as when
    another reader of the same scope made them first; a reader of another scope gets their own."""
    readers = [(bu_user, {}), (executive_user, {}), (li_member, {}), (bu_user, {"subgroup": ""})]
    with override_settings(FIGURES_CACHE_SECONDS=0):
        fresh = [_parts(client, user, url_name, **params) for user, params in readers]
    kept = [_parts(client, user, url_name, **params) for user, params in readers]
    assert kept == fresh
    assert fresh[0] == fresh[1] != fresh[2]  # the member reads Learning and Improvement only

    client.force_login(executive_user)
    url = f"{reverse(url_name)}?year=2025"
    with override_settings(FIGURES_CACHE_SECONDS=0):
        count_queries(url)  # the first after signing in saves the session
        fresh_queries = count_queries(url)
    assert count_queries(url) == fresh_queries  # made, and kept
    assert count_queries(url) <= fresh_queries - 8  # read from the cache


def test_kept_figures_change_as_soon_as_a_record_does(client, bu_user, data):
    from reviews.tests.factories import ReviewFactory

    before = _parts(client, bu_user, "dashboard:index")["reviews"]
    assert 'data-testid="reviews-started">2<' in before
    assert _parts(client, bu_user, "dashboard:index")["reviews"] == before
    ReviewFactory(referred_on=datetime.date(2025, 9, 1))
    after = _parts(client, bu_user, "dashboard:index")["reviews"]
    assert 'data-testid="reviews-started">3<' in after


@pytest.mark.parametrize("url_name", ["dashboard:index", "dashboard:annual-report"])
@override_settings(FIGURES_MAY_BE_OLD_SECONDS=60)
def test_figures_may_be_a_little_old_while_others_save_but_not_for_one_who_saved(
    client, url_name, bu_user, executive_user, data, monkeypatch
):
    """While records change, the figures for a scope are counted again at most once a minute
    (``FIGURES_MAY_BE_OLD_SECONDS``), and the page says when they were counted; a person who has
    just changed something is given them counted afresh."""
    import time
    from types import SimpleNamespace

    from reviews.tests.factories import ReviewFactory
    from sscb import figures_cache

    def started(user):  # the reviews' figures, which count the reviews started in the year
        return " ".join(strip_tags(_parts(client, user, url_name)["reviews"]).split())

    first = started(executive_user)
    assert started(bu_user) == first
    ReviewFactory(referred_on=datetime.date(2025, 9, 1))  # someone else's change
    assert started(executive_user) == first
    page = client.get(reverse(url_name), {"year": 2025}).content.decode()
    assert "may be up to 60 seconds old (your own changes always show at once)" in page

    client.force_login(bu_user)  # posts a form (refused, but a 200 may have saved something)
    assert client.post(reverse("reviews:create"), {"title": ""}).status_code == 200
    counted_again = started(bu_user)
    assert counted_again != first
    assert started(executive_user) == counted_again  # and everyone after them

    ReviewFactory(referred_on=datetime.date(2025, 9, 2))
    assert started(executive_user) == counted_again
    later = time.time() + 61
    monkeypatch.setattr(
        figures_cache, "time", SimpleNamespace(time=lambda: later, time_ns=time.time_ns)
    )
    assert started(executive_user) not in (first, counted_again)  # a minute on: counted again
    with override_settings(FIGURES_MAY_BE_OLD_SECONDS=0):
        assert started(executive_user) == started(bu_user) != counted_again


@pytest.mark.parametrize("url_name", ["dashboard:index", "dashboard:annual-report"])
def test_what_goes_through_the_readers_visibility_is_kept_for_that_reader_alone(
    client, url_name, bu_user, li_member, li, data
):
    """The meetings and their actions (dashboard), the reviews and evidence named (annual
    report) are kept for their reader, day and scope (sscb/figures_cache.py): asked again, in
    fewer queries; a reader of the same scope who may see less never gets another's copy."""
    from reviews.tests.factories import ReviewFactory
    from sscb.tests.kept import kept_beside_another, main_of

    ReviewFactory(
        reference="SCR-2025-777",
        subgroup=li,
        is_restricted=True,
        referred_on=datetime.date(2025, 5, 1),
        published_on=datetime.date(2025, 9, 1),
    )
    url = f"{reverse(url_name)}?year=2025&subgroup={li.pk}"
    made, _, _, member = kept_beside_another(client, bu_user, li_member, url)
    seen, _ = main_of(member, url)
    if url_name == "dashboard:annual-report":
        assert "SCR-2025-777" in made and "SCR-2025-777" not in seen
    with override_settings(FIGURES_CACHE_SECONDS=0):
        assert main_of(member, url)[0] == seen and main_of(client, url)[0] == made


def test_meeting_figures_say_how_many_meetings_of_other_bodies_they_leave_out(
    client, executive_user
):
    from learning.meetings.models import Meeting
    from learning.meetings.tests.factories import MeetingFactory

    MeetingFactory(held_on=timezone.localdate(), status=Meeting.Status.HELD)
    client.force_login(executive_user)  # sits on no body
    page = client.get(reverse("dashboard:index")).content.decode()
    assert 'data-testid="meetings-held">0<' in page
    assert "1 more meeting was held in the year by bodies you do not sit on" in page


def test_a_choice_not_offered_keeps_the_others_and_says_which_was_not_applied(
    client, bu_user, data
):
    """fr #8: a year not offered beside a sub-group keeps the sub-group, and the page says the
    year was not applied; a missing year keeps the sub-group too."""
    li = SubGroup.objects.get(code=SubGroup.Code.LEARNING_IMPROVEMENT)
    client.force_login(bu_user)
    for query in ({"year": "1990", "subgroup": li.pk}, {"subgroup": li.pk}):
        response = client.get(reverse("dashboard:index"), query)
        assert response.context["scope"].subgroup == li, query
    page = unescape(
        client.get(reverse("dashboard:index"), {"year": "1990", "subgroup": li.pk}).content.decode()
    )
    assert "Not applied, as it is not offered to you: the financial year “1990”." in page

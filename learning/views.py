"""Thin views: an access helper or selector, a form, a service, a page."""

import functools
from collections import defaultdict

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe
from simple_history.models import HistoricalRecords

from audits.performance.selectors import indicators_visible_to, sets_visible_to
from audits.selectors import (
    audits_visible_to,
    can_moderate,
    get_audit_for_user,
    get_self_assessment_for_user,
    get_standard_assessment_for_user,
)
from reviews.models import Review
from reviews.selectors import get_review_for_user, get_review_heading_for_user
from reviews.services import review_record_opening
from sscb import figures_cache
from sscb.access import can_record_work, can_see_my_agency, can_work_for_subgroup, require
from sscb.forms import add_service_errors
from sscb.history import HISTORY_SHOWN, Change, Part, history_of, versions_with_changes
from sscb.lists import PAGE_SIZE, filtered_page, first_rows, page_of, plural
from sscb.pages import form_act_page, form_page
from sscb.params import as_uuid, query_record, query_value
from sscb.record_urls import url_for
from sscb.selectors import access_log_about, reminders_about
from sscb.uploads import clean_filename

from . import exports, forms, selectors, services
from .filters import (
    ActionFilter,
    ActivityFilter,
    EvidenceFilter,
    FindingFilter,
    OutcomeFilter,
    PracticeCheckFilter,
    ThemeFilter,
)
from .models import (
    Action,
    Attachment,
    DeliveryActivity,
    Finding,
    LoopStage,
    PracticeCheck,
    PriorityTheme,
    TrainingEvaluationStage,
    plan_closed_to_actions,
)


def _list_page(request, template, filterset_class, rows, *, counted=None, **context):
    """A list page: the selector's rows (``rows()``), filtered, a page at a time; with
    ``counted()``, how many rows the Board's figures count that this reader may not open."""
    page = filtered_page(request, filterset_class, rows, counted=counted)
    return render(request, template, page | context)


def _form_page(request, form, **page):
    """Render ``form``; on a valid POST call ``save()``, report ``success`` and redirect."""
    return form_page(request, form, template="learning/form.html", **page)


def _require_recorder(request):
    """Only the Business Unit and sub-group members record learning work."""
    require(can_record_work(request.user))


# The loop at a glance -------------------------------------------------------------------------


def index(request):
    """Every priority theme and how far round the learning loop it has come."""
    return _list_page(
        request,
        "learning/index.html",
        ThemeFilter,
        lambda: selectors.theme_list(request.user),
        can_record=can_record_work(request.user),
    )


# Findings --------------------------------------------------------------------------------------


def finding_list(request):
    return _list_page(
        request,
        "learning/finding_list.html",
        FindingFilter,
        lambda: selectors.finding_rows(request.user),
        can_record=can_record_work(request.user),
    )


# What a finding's page says changed in each of its newest versions: its own fields and the
# agencies it concerns, then the review, audit, recommendation and theme it links to (each has its
# own visibility rule: a history names one only to a reader who may open it, and otherwise says
# how the link changed, ``selectors.history_links``).
FINDING_HISTORY_FIELDS = [
    "title",
    "detail",
    "source",
    "nature",
    "subgroup",
    "identified_on",
    "recorded_by",
    "agencies",
]
FINDING_LINKS = ("review", "audit", "recommendation", "theme")


def finding_detail(request, uuid):
    finding = selectors.get_finding_for_user(request.user, uuid)
    stage = selectors.findings_with_loop_stage(Finding.objects.filter(pk=finding.pk)).get()
    # A finding in no theme waits on its own sub-group; one in a theme, on the theme's.
    takes_it = finding.theme.subgroup if finding.theme_id else finding.subgroup
    return render(
        request,
        "learning/finding_detail.html",
        {
            "finding": finding,
            "loop_stage": stage.loop_stage,
            "next_step": selectors.loop_next_step(request.user, stage.loop_stage, takes_it),
            "stages": LoopStage,
            "agencies": list(finding.agencies.all()),
            "actions": list(selectors.action_list(request.user).filter(finding=finding)),
            "can_edit": can_work_for_subgroup(request.user, finding.subgroup_id),
            "history": versions_with_changes(
                finding.history.select_related("history_user"),
                [*FINDING_HISTORY_FIELDS, *selectors.history_links(request.user, *FINDING_LINKS)],
            ),
        },
    )


def finding_edit(request, uuid=None):
    user = request.user
    finding = selectors.get_finding_for_user(user, uuid, write=True) if uuid else None
    if finding is None:
        _require_recorder(request)
    # The review or audit a new finding comes from, as the thread page links here.
    initial = selectors.finding_sources(
        user,
        review=query_value(request, "review", as_uuid),
        audit=query_value(request, "audit", as_uuid),
    )
    # An existing finding may move to another theme (or out of one): Collate adds, this moves.
    form = forms.FindingForm(
        request.POST or None,
        instance=finding,
        initial=initial,
        themes=selectors.themes_visible_to(user) if finding else None,
        **selectors.form_choices(user),
    )
    return _form_page(
        request,
        form,
        title="Edit finding" if finding else "Record a finding",
        purpose="What was learned, where it came from and which agencies it concerns. "
        "Record strengths as well as areas for improvement.",
        back=reverse("learning:findings"),
        save=lambda: _finding_save(finding, user, form.cleaned_data),
        success="Finding saved.",
    )


def _finding_save(finding, user, fields):
    if finding is not None:  # it may have moved to another review: who may see it changes
        return services.finding_save(finding=finding, recorded_by=user, **fields)
    # A new finding adds to what people see, and changes no one's access to anything else.
    with figures_cache.visibility_unchanged(Finding):
        return services.finding_save(recorded_by=user, **fields)


def collate(request):
    """Unthemed findings, what recurs across reviews and audits, and putting them into themes."""
    _require_recorder(request)
    user = request.user
    unthemed = selectors.recurring_findings(user)
    themes = selectors.themes_visible_to(user).exclude(status=PriorityTheme.Status.CLOSED)
    form = forms.CollateForm(request.POST or None, themes=themes, findings=unthemed)
    if request.method == "POST" and form.is_valid():
        theme = form.cleaned_data["theme"]
        require(can_work_for_subgroup(user, theme.subgroup_id))
        try:
            moved = services.theme_collate(theme=theme, findings=form.cleaned_data["findings"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{plural(moved, 'finding')} added to “{theme}”.")
            return redirect(theme.get_absolute_url())
    return render(
        request,
        "learning/collate.html",
        {
            "form": form,
            "unthemed": page_of(request, unthemed, PAGE_SIZE),
            # Asked only when no finding waits for a theme: is there any finding at all?
            "any_findings": lambda: selectors.findings_visible_to(user).exists(),
            "recurring": list(selectors.recurring_by_agency(user)),
        },
        status=400 if request.method == "POST" else 200,
    )


# Themes ----------------------------------------------------------------------------------------


# What a theme's page says changed in each of its newest versions: its own fields and the
# Board's strategic priorities it serves. Where it was agreed is said by the version that
# records it (the meeting's "Decided at ..."), so the minutes' label and address are left out.
THEME_HISTORY_FIELDS = [
    "title",
    "description",
    "subgroup",
    "status",
    "agreed_on",
    "closed_on",
    "priorities",
]


def _theme_page(request, uuid, **bound):
    """The theme's page; ``bound`` holds a refused move, shown again with why."""
    theme = selectors.get_theme_for_user(request.user, uuid)
    context = selectors.theme_detail(request.user, theme, page=request.GET.get("page"))
    can_edit = can_work_for_subgroup(request.user, theme.subgroup_id)
    moves = [PriorityTheme.Status(s) for s in PriorityTheme.TRANSITIONS[theme.status]]
    context |= {
        "stages": LoopStage,
        "loop_stage": theme.loop_stage,
        "next_step": selectors.loop_next_step(request.user, theme.loop_stage, theme.subgroup),
        "can_edit": can_edit,
        # A closed theme takes no new outcome (``services.outcome_save``).
        "can_add_outcome": can_edit and theme.status != PriorityTheme.Status.CLOSED,
        "moves": moves,
        # Said beside "Mark closed": the actions closing leaves open.
        "open_actions": services.theme_open_actions(theme)
        if can_edit and PriorityTheme.Status.CLOSED in moves
        else 0,
        "history": versions_with_changes(
            theme.history.select_related("history_user"), THEME_HISTORY_FIELDS
        ),
        "move_form": bound.get("move_form"),
    }
    return render(request, "learning/theme_detail.html", context)


def theme_detail(request, uuid):
    return _theme_page(request, uuid)


def theme_edit(request, uuid=None):
    user = request.user
    theme = selectors.get_theme_for_user(user, uuid, write=True) if uuid else None
    if theme is None:
        _require_recorder(request)
    unthemed = None if theme else selectors.recurring_findings(user)
    form = forms.ThemeForm(
        request.POST or None,
        instance=theme,
        subgroups=selectors.subgroups_for_work(user),
        unthemed=unthemed,
        # From a finding's page: a new theme starts from that finding, in its sub-group.
        initial=selectors.theme_start(user, query_value(request, "finding", as_uuid))
        if theme is None
        else None,
    )
    return _form_page(
        request,
        form,
        title="Edit theme" if theme else "Propose a priority theme",
        purpose="A priority learning theme collates findings that recur, and is tied to the "
        "Board's strategic priorities so that resources go where they matter most.",
        back=theme.get_absolute_url() if theme else reverse("learning:index"),
        save=lambda: services.theme_save(theme=theme, **form.cleaned_data),
        success="Theme saved.",
    )


@require_POST
def theme_move(request, uuid):
    theme = selectors.get_theme_for_user(request.user, uuid, write=True)
    form = forms.ThemeMoveForm(request.POST)

    def save():
        services.theme_move(theme=theme, to=form.cleaned_data["to"])
        # Closing ends the loop for new work, not for work under way: say what is left.
        return (
            services.theme_open_actions(theme) if theme.status == PriorityTheme.Status.CLOSED else 0
        )

    def still_open(open_actions):
        if not open_actions:
            return ""
        return (
            f"{plural(open_actions, 'action')} of its learning outcomes "
            f"{'is' if open_actions == 1 else 'are'} still open: "
            f"{'it stays' if open_actions == 1 else 'they stay'} in the action tracker "
            "and are still chased, but the outcomes' plans take no new action until the "
            "theme is reopened."
        )

    return form_act_page(
        request,
        theme,
        form,
        save=save,
        success=lambda _: f"The theme is now {theme.get_status_display().lower()}.",
        warning=still_open,
        page=_theme_page,
        form_name="move_form",
    )


# Outcomes --------------------------------------------------------------------------------------


def outcome_list(request):
    return _list_page(
        request,
        "learning/outcome_list.html",
        OutcomeFilter,
        lambda: selectors.outcome_list(request.user),
    )


def activity_list(request):
    """Every delivery activity: training, events, briefings, policy reviews and their reach."""
    return _list_page(
        request,
        "learning/activity_list.html",
        ActivityFilter,
        lambda: selectors.activity_list(request.user),
    )


def check_list(request):
    """Every practice development check, by agency, with its result."""
    return _list_page(
        request,
        "learning/check_list.html",
        PracticeCheckFilter,
        lambda: selectors.check_list(request.user),
    )


# What an outcome's page says changed in each of its newest versions, and in its delivery
# activities', practice checks' and their evaluation stages': their own fields, and the theme the
# outcome belongs to as ``selectors.history_links`` shows it; never the audit or indicators a
# check links to (each has its own visibility rule): a changed audit is said only where nothing
# listed changed ("changed the audit"), changed indicators always, never which
# (``_say_indicator_changes``). Where a decision was taken is said by the version that records
# it, so the minutes' label and address are left out; a check's "from answers" is the system's,
# not a person's, choice.
OUTCOME_HISTORY_FIELDS = [
    "title",
    "schedule",
    "impact_measure",
    "evaluate_on",
    "executive_on",
    "decision",
    "decision_notes",
    "decided_by",
    "decided_on",
    "follow_up_on",
]
OUTCOME_LINKS = ("theme",)
ACTIVITY_HISTORY_FIELDS = [
    "way",
    "title",
    "audience",
    "planned_on",
    "delivered_on",
    "reach",
    "notes",
]
# A check's activity is one of its own outcome's (PracticeCheckForm, and the training register).
CHECK_HISTORY_FIELDS = ["way", "agency", "activity", "checked_on", "result", "summary"]
# Said of a check's version whose indicators changed: never which (as a course's history says it
# "changed the learning outcomes it serves"), as a reader may not see every indicator.
INDICATORS_CHANGED = Change("indicators", said="changed the indicators it relies on")
STAGE_HISTORY_FIELDS = ["due_on", "due_by", "completed_on", "responses", "confidence", "notes"]


def _outcome_history(user, outcome):
    """The outcome's history with its delivery activities', practice checks' and evaluation
    stages', those the reader may see (``outcome`` from ``selectors.outcome_page``, its checks
    loaded). A stage says whose evaluation it belongs to, from the checks already loaded."""
    in_outcome = selectors.checks_visible_to(user).filter(outcome=outcome).values("pk")
    agencies = {check.pk: check.agency.name for check in outcome.checks.all()}
    parts = [
        Part(
            "delivery activity",
            DeliveryActivity.history.filter(
                id__in=selectors.activities_visible_to(user).filter(outcome=outcome).values("pk")
            ).select_related("history_user"),
            ACTIVITY_HISTORY_FIELDS,
            name="title",
        ),
        Part(
            "practice check",
            PracticeCheck.history.filter(id__in=in_outcome).select_related("history_user"),
            CHECK_HISTORY_FIELDS,
            name="agency",
        ),
        Part(
            "training evaluation stage",
            TrainingEvaluationStage.history.filter(
                id__in=selectors.evaluation_stages_visible_to(user)
                .filter(practice_check__in=in_outcome)
                .values("pk")
            ).select_related("history_user"),
            STAGE_HISTORY_FIELDS,
            name=lambda stage: f"{stage.get_stage_display()}, {agencies[stage.practice_check_id]}",
        ),
    ]
    history = history_of(
        outcome.history.select_related("history_user"),
        [*OUTCOME_HISTORY_FIELDS, *selectors.history_links(user, *OUTCOME_LINKS)],
        parts,
    )
    _say_indicator_changes(history)
    return history


def _say_indicator_changes(history) -> None:
    """Add ``INDICATORS_CHANGED`` to each practice check's version in ``history`` whose
    indicators differ from the version before it: never "saved it unchanged" when they changed.
    One query, where a check's change is shown."""
    changed = [
        (version, changes)
        for version, changes in history
        if isinstance(version, PracticeCheck.history.model)
        and version.history_type == "~"
        and version.before_id is not None
    ]
    if not changed:
        return
    wanted = {version.history_id for version, _ in changed}
    wanted |= {version.before_id for version, _ in changed}
    kept = HistoricalRecords.m2m_models[PracticeCheck._meta.get_field("indicators")]
    linked = defaultdict(set)
    for version_id, indicator_id in kept.objects.filter(history_id__in=wanted).values_list(
        "history_id", "indicator_id"
    ):
        linked[version_id].add(indicator_id)
    for version, changes in changed:
        if linked[version.before_id] != linked[version.history_id]:
            changes.append(INDICATORS_CHANGED)


def _outcome_page(request, uuid, **bound):
    """The outcome's page; ``bound`` holds a refused form, shown again with its errors."""
    user = request.user
    outcome = selectors.get_outcome_for_user(user, uuid)
    shown = selectors.outcome_page(user, outcome, page=request.GET.get("page"))
    _name_audits_cited(user, shown.checks.all())
    return render(
        request,
        "learning/outcome_detail.html",
        {
            "outcome": shown,
            "history": _outcome_history(user, shown),
            "theme": outcome.theme,
            "can_edit": can_work_for_subgroup(user, outcome.theme.subgroup_id),
            "can_decide": (user.is_executive or user.is_business_unit),
            # Why "Add an action" is not offered: a closed theme's outcome takes none.
            "closed_to_actions": plan_closed_to_actions(outcome),
            "reminders": reminders_about(outcome),
            "earlier_decisions": selectors.earlier_decisions(outcome),
            "decision_form": bound.get("decision_form") or forms.DatedDecisionForm(),
        },
    )


def outcome_detail(request, uuid):
    return _outcome_page(request, uuid)


def _name_audits_cited(user, checks) -> None:
    """Each check carries ``cited_audit``, the audit it cites if the reader may open it (one
    query for all), or ``audit_not_open`` when it cites one they may not."""
    cited = {check.audit_id for check in checks if check.audit_id}
    audits = {a.pk: a for a in audits_visible_to(user).filter(pk__in=cited)} if cited else {}
    for check in checks:
        check.cited_audit = audits.get(check.audit_id)
        check.audit_not_open = bool(check.audit_id) and check.cited_audit is None


def outcome_edit(request, uuid=None, theme_uuid=None):
    user = request.user
    if uuid:
        outcome = selectors.get_outcome_for_user(user, uuid, write=True)
        theme = outcome.theme
    else:
        outcome = None
        theme = selectors.get_theme_for_user(user, theme_uuid, write=True)
        if theme.status == PriorityTheme.Status.CLOSED:
            # Said before anything is typed, as the service refuses it (``outcome_save``).
            messages.error(
                request,
                f"The theme “{theme}” is closed: reopen it (“Mark active”) before adding a "
                "learning outcome to it.",
            )
            return redirect(theme.get_absolute_url())
    form = forms.OutcomeForm(request.POST or None, instance=outcome)
    return _form_page(
        request,
        form,
        title="Edit learning outcome" if outcome else f"New learning outcome for “{theme}”",
        purpose="The change we want to see, the schedule of activities that will achieve it, "
        "and how and when its impact will be monitored. It then goes to the Executive.",
        back=theme.get_absolute_url(),
        save=lambda: services.outcome_save(outcome=outcome, theme=theme, **form.cleaned_data),
        success="Learning outcome saved.",
    )


@require_POST
def outcome_decide(request, uuid):
    user = request.user
    outcome = selectors.get_outcome_for_user(user, uuid)
    require(user.is_executive or user.is_business_unit)
    form = forms.DatedDecisionForm(request.POST)
    return form_act_page(
        request,
        outcome,
        form,
        save=lambda: services.outcome_decide(outcome=outcome, decided_by=user, **form.cleaned_data),
        success="The Executive's decision is recorded.",
        page=_outcome_page,
        form_name="decision_form",
    )


def _outcome_child_edit(request, *, outcome_uuid, instance, form_class, noun, purpose, save):
    user = request.user
    outcome = (
        instance.outcome
        if instance is not None
        else selectors.get_outcome_for_user(user, outcome_uuid)
    )
    require(can_work_for_subgroup(user, outcome.theme.subgroup_id))
    extra = {}
    if form_class is forms.PracticeCheckForm:
        extra = {
            "outcome": outcome,
            "audits": selectors.form_choices(user)["audits"],
            "indicators": indicators_visible_to(user).order_by("name"),
        }
    elif form_class is forms.EvidenceForm:
        extra = {"scorecards": sets_visible_to(user)}
    form = form_class(request.POST or None, instance=instance, **extra)
    return _form_page(
        request,
        form,
        title=f"Edit {noun}" if instance else f"Add {noun} to “{outcome}”",
        purpose=purpose,
        back=outcome.get_absolute_url(),
        save=lambda: save(outcome, form.cleaned_data),
        success=f"{noun.capitalize()} saved.",
    )


def activity_edit(request, outcome_uuid=None, uuid=None):
    activity = selectors.get_activity_for_user(request.user, uuid) if uuid else None
    briefing = getattr(activity, "briefing", None)
    if briefing is not None:
        # A published briefing's delivery (learning.briefings): its date is its publication and
        # its reach what agencies confirm, so it is not typed in here.
        return redirect(briefing.get_absolute_url())
    return _outcome_child_edit(
        request,
        outcome_uuid=outcome_uuid,
        instance=activity,
        form_class=forms.ActivityForm,
        noun="delivery activity",
        purpose="How the learning reaches practitioners: training, events, briefings, policy "
        "reviews, practice development or commissioned work.",
        save=lambda outcome, data: services.activity_save(
            activity=activity, outcome=outcome, **data
        ),
    )


def check_edit(request, outcome_uuid=None, uuid=None):
    check = selectors.get_check_for_user(request.user, uuid) if uuid else None

    def save(outcome, data):
        data = dict(data)
        baseline_on = data.pop("baseline_on", None)
        return services.practice_check_save(
            check=check, baseline_on=baseline_on, outcome=outcome, **data
        )

    return _outcome_child_edit(
        request,
        outcome_uuid=outcome_uuid,
        instance=check,
        form_class=forms.PracticeCheckForm,
        noun="practice development check",
        purpose="Whether practice is changing within an agency. A training evaluation is "
        "scheduled in three stages: a baseline, straight after, and 6–8 weeks later with the "
        "practitioner's manager.",
        save=save,
    )


def stage_complete(request, uuid):
    stage = selectors.get_evaluation_stage_for_user(request.user, uuid)
    outcome = stage.practice_check.outcome
    require(can_work_for_subgroup(request.user, outcome.theme.subgroup_id))
    form = forms.StageCompleteForm(request.POST or None, instance=stage)
    return _form_page(
        request,
        form,
        title=f"Record: {stage.get_stage_display()}",
        purpose=f"Results of this stage of the evaluation of “{stage.practice_check}”. "
        f"Due {stage.due_on:%d %b %Y}, by {stage.due_by:%d %b %Y} at the latest.",
        back=outcome.get_absolute_url(),
        save=lambda: (
            services.evaluation_stage_complete(
                stage=stage, **form.cleaned_data
            ).practice_check.outcome
        ),
        success="Evaluation stage recorded.",
    )


def evidence_edit(request, outcome_uuid=None, uuid=None):
    evidence = selectors.get_evidence_for_user(request.user, uuid, write=True) if uuid else None
    return _outcome_child_edit(
        request,
        outcome_uuid=outcome_uuid,
        instance=evidence,
        form_class=forms.EvidenceForm,
        noun="assurance evidence",
        purpose="Evidence that practice has improved for children: an agency's assurance "
        "report, performance data, a multi-agency case file audit or service user feedback. "
        "Give a request date and an agency to ask that agency for it.",
        save=lambda outcome, data: services.evidence_save(
            evidence=evidence, outcome=outcome, **data
        ),
    )


# Assurance evidence ----------------------------------------------------------------------------


def evidence_list(request):
    return _list_page(
        request,
        "learning/evidence_list.html",
        EvidenceFilter,
        lambda: selectors.evidence_list(request.user),
    )


# What an evidence's page says changed in each of its newest versions: its own fields, then the
# outcome it assures and the scorecard it cites (each has its own visibility rule:
# ``selectors.history_links`` names only what the reader may open).
EVIDENCE_HISTORY_FIELDS = [
    "way",
    "agency",
    "title",
    "requested_on",
    "due_on",
    "received_on",
    "summary",
    "judgement",
    "judgement_reason",
    "judged_by",
    "judged_on",
    "scorecard_year",
    "scorecard_quarter",
]
EVIDENCE_LINKS = ("outcome", "scorecard")


def _evidence_page(request, uuid, **bound):
    """The evidence's page; ``bound`` holds a refused form, shown again with its errors."""
    user = request.user
    evidence = selectors.get_evidence_for_user(user, uuid)
    context = selectors.thread_back(user, evidence)
    attachments = list(evidence.attachments.select_related("uploaded_by"))
    theme = context["theme"]
    context |= {
        "attachments": attachments,
        "access_log": access_log_about(user, *attachments) if attachments else None,
        "reminders": reminders_about(evidence),
        "history": history_of(
            evidence.history.select_related("history_user"),
            [*EVIDENCE_HISTORY_FIELDS, *selectors.history_links(user, *EVIDENCE_LINKS)],
            [_documents_part(evidence=evidence)],
        ),
        "provide_form": bound.get("provide_form") or forms.ProvideEvidenceForm(evidence=evidence),
        "judge_form": bound.get("judge_form") or forms.JudgeEvidenceForm(),
        "can_provide": selectors.can_provide_evidence(user, evidence),
        "can_judge": _may_judge(user, evidence)
        and evidence.received_on
        and evidence.judgement == "pending",
        # Its sub-group edits it (``evidence_edit``), as it judges it.
        "can_edit": _may_judge(user, evidence),
        # The next record of the loop: an action for the agency, in the outcome's plan.
        "can_add_action": _may_judge(user, evidence) and evidence.agency_id,
        "closed_to_actions": plan_closed_to_actions(evidence.outcome),
        "stages": LoopStage,
        "loop_stage": theme.loop_stage,
        "next_step": selectors.loop_next_step(
            user, theme.loop_stage, evidence.outcome.theme.subgroup
        ),
    }
    return render(request, "learning/evidence_detail.html", context)


def _with_document(document) -> str:
    return f", with the document “{document.name}”" if document else ""


# What a record's history says of the files added to it (an action's or evidence's): who added
# one and when, never the name it was uploaded with, which nobody checked for a child's name
# (as a review's document versions, reviews.history).
DOCUMENT_HISTORY_FIELDS = ["uploaded_by"]


def _documents_part(**parent) -> Part:
    """The files of ``parent`` (``action=`` or ``evidence=``), as a part of its history: they
    are seen by whoever sees it (``selectors.get_attachment_for_user``)."""
    return Part(
        "document",
        Attachment.history.filter(
            **{f"{name}_id": record.pk for name, record in parent.items()}
        ).select_related("history_user"),
        DOCUMENT_HISTORY_FIELDS,
    )


def _may_judge(user, evidence):
    return can_work_for_subgroup(user, evidence.outcome.theme.subgroup_id)


@require_safe
def evidence_detail(request, uuid):
    return _evidence_page(request, uuid)


@require_POST
def evidence_provide(request, uuid):
    """The agency (or the sub-group for it) sends the evidence asked for."""
    user = request.user
    evidence = selectors.get_evidence_for_user(user, uuid)
    require(selectors.can_provide_evidence(user, evidence))
    form = forms.ProvideEvidenceForm(request.POST, request.FILES, evidence=evidence)
    # What it held before, so that the message says what this adds.
    received, summary = evidence.received_on, evidence.summary

    def success(document):
        if received is None:
            return f"Evidence sent{_with_document(document)}."
        added = [f"the document “{document.name}”"] if document else []
        if evidence.summary != summary:
            added.append("a new summary of what it shows")
        return f"Added to the evidence: {' and '.join(added)}."

    return form_act_page(
        request,
        evidence,
        form,
        save=lambda: services.evidence_provide(
            evidence=evidence,
            summary=form.cleaned_data["summary"],
            upload=form.cleaned_data.get("file"),
            uploaded_by=user,
        ),
        success=success,
        page=_evidence_page,
        form_name="provide_form",
    )


@require_POST
def evidence_judge(request, uuid):
    """The sub-group judges the evidence: assured, partly assured or not assured."""
    user = request.user
    evidence = selectors.get_evidence_for_user(user, uuid)
    require(_may_judge(user, evidence))
    form = forms.JudgeEvidenceForm(request.POST)
    return form_act_page(
        request,
        evidence,
        form,
        save=lambda: services.evidence_judge(
            evidence=evidence, judged_by=user, **form.cleaned_data
        ),
        success="Judgement recorded.",
        page=_evidence_page,
        form_name="judge_form",
    )


# Actions ---------------------------------------------------------------------------------------


# The action list names the first standards rated not met with no action yet, and counts the
# rest: an agency's return adds actions for all of its own at once (actions_from_return).
STANDARDS_SHOWN = 10


def action_list(request):
    def detail():
        needing, in_all = first_rows(
            selectors.standards_needing_action(request.user), STANDARDS_SHOWN
        )
        return {
            "standards_needing_action": needing,
            "standards_not_shown": in_all - len(needing),
            "spreadsheet_up_to": exports.SPREADSHEET_ACTIONS_UP_TO,
        }

    return _list_page(
        request,
        "learning/action_list.html",
        ActionFilter,
        lambda: selectors.action_list(request.user),
        counted=selectors.actions_counted,
        detail=detail,  # read only when not kept ({% kept_for_reader %})
    )


def actions_from_return(request, uuid):
    """Actions for every standard a moderated return has not met, in one step, each owned by the
    return's agency and tied to its standard."""
    _require_recorder(request)
    user = request.user
    self_assessment = get_self_assessment_for_user(user, uuid)
    require(self_assessment.is_returned and can_moderate(user))
    answers = selectors.standards_needing_action(user, self_assessment)
    form = forms.ActionsFromReturnForm(
        request.POST or None,
        subgroups=selectors.subgroups_for_work(user),
        people=selectors.action_owners(self_assessment.agency_id),
    )
    if request.method == "POST" and answers and form.is_valid():
        try:
            actions = services.actions_for_standards_not_met(answers=answers, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"{plural(len(actions), 'action')} added for {self_assessment.agency}, one for "
                "each standard not met.",
            )
            return redirect(reverse("audits:return", args=[self_assessment.uuid]))
    context = {"return": self_assessment, "answers": answers, "form": form}
    return render(request, "learning/actions_from_return.html", context)


# What a person who opens "new action" without the plan it joins is told.
NO_PLAN = (
    "An action belongs to a plan: add it from the review, audit, learning outcome or Section 11 "
    "/ 175 standard it answers (“Add an action” on that page)."
)


def _action_source(request):
    """The plan a new action joins, from ?review=, ?audit=, ?standard= or ?outcome=, as its
    fields and its record; ({}, None) when none is named."""
    user = request.user
    if review_uuid := query_record(request, "review", as_uuid):
        review = get_review_for_user(user, review_uuid)
        return {"review": review}, review
    if audit_uuid := query_record(request, "audit", as_uuid):
        audit = get_audit_for_user(user, audit_uuid)
        return {"audit": audit}, audit
    if standard_uuid := query_record(request, "standard", as_uuid):
        standard = get_standard_assessment_for_user(user, standard_uuid)
        return {"standard_assessment": standard}, standard
    if outcome_uuid := query_record(request, "outcome", as_uuid):
        outcome = selectors.get_outcome_for_user(user, outcome_uuid)
        return {"outcome": outcome}, outcome
    return {}, None


def _page_of(source) -> str:
    """The page of the record whose plan a new action would join."""
    if isinstance(source, Review):
        return url_for("reviews:detail", args=[source.uuid])
    return source.get_absolute_url()


def _action_initial(request, source_fields):
    """What a new action starts with: the sub-group that leads its plan's record, and the agency
    to own it: a return's for its standard, or the one a page about an agency (its evidence)
    names with ``?agency=``."""
    initial = {}
    if review := source_fields.get("review"):
        initial["subgroup"] = review.subgroup_id
    if audit := source_fields.get("audit"):
        initial["subgroup"] = audit.lead_subgroup_id
    if outcome := source_fields.get("outcome"):
        initial["subgroup"] = outcome.theme.subgroup_id
    if standard := source_fields.get("standard_assessment"):
        initial["owner_agency"] = standard.self_assessment.agency_id
    elif agency := selectors.active_agency(query_value(request, "agency", as_uuid)):
        initial["owner_agency"] = agency.pk
    return {name: value for name, value in initial.items() if value}


def _plan_with_findings(action, source_fields):
    """The review or audit whose findings an action's form lists, if its plan has one (and the
    person may open it)."""
    if action is not None:
        return None if action.review_hidden else action.review or action.audit
    return source_fields.get("review") or source_fields.get("audit")


def action_edit(request, uuid=None):
    user = request.user
    if uuid:
        action = selectors.get_action_for_user(user, uuid, write=True)
        source_fields, source = {}, action
    else:
        action = None
        _require_recorder(request)
        source_fields, source = _action_source(request)
        if source is None:
            messages.info(request, NO_PLAN)
            return redirect("learning:actions")
        # Said before anything is typed: a plan that takes no new action (a closed review's).
        if refusal := plan_closed_to_actions(source, called=getattr(source, "reference", "")):
            messages.error(request, refusal)
            return redirect(_page_of(source))
    initial = _action_initial(request, source_fields) if action is None else {}
    # Where the owning agency is known, only its people are offered; otherwise each person is
    # marked with their agency and the page offers the chosen agency's (owner_choices.js).
    # A changed agency is checked on save (``Action.clean``).
    known_agency = action.owner_agency_id if action else initial.get("owner_agency")
    form = forms.ActionForm(
        request.POST or None,
        instance=action,
        initial=initial,
        findings=selectors.findings_visible_to(user),
        subgroups=selectors.subgroups_for_work(user),
        people=selectors.action_owners(known_agency if request.method != "POST" else None),
        plan=_plan_with_findings(action, source_fields),
    )

    def save():
        if action is not None:
            return services.action_update(action=action, **form.cleaned_data)
        return services.action_create(**source_fields, **form.cleaned_data)

    return _form_page(
        request,
        form,
        title=f"Edit action {action.reference}" if action else f"New action for {source}",
        purpose="A numbered action: who owns it, when it is due, which sub-group signs it off, "
        "and when to check that the change has lasted.",
        back=reverse("learning:actions"),
        save=save,
        success="Action saved.",
    )


# What an action's page says changed in each of its newest versions: the action's own fields,
# then the plan and finding it answers (each has its own visibility rule:
# ``selectors.history_links`` names only what the reader may open).
ACTION_HISTORY_FIELDS = [
    "title",
    "description",
    "owner_agency",
    "owner",
    "subgroup",
    "due_on",
    "status",
    "at_risk",
    "progress",
    "completed_on",
    "completion_evidence",
    "sent_back_reason",
    "signed_off_by",
    "signed_off_on",
    "follow_up_on",
    "follow_up_result",
    "followed_up_on",
]
ACTION_LINKS = ("review", "audit", "standard_assessment", "recommendation", "outcome", "finding")


def _action_page(request, uuid, **bound):
    """The action's page; ``bound`` holds a refused form, shown again with its errors. Its title
    and all but who has downloaded its files are kept for its reader until a record changes
    (``{% kept_for_reader %}``), never when a refused form is shown again."""
    user = request.user
    key = selectors.get_action_key_for_user(user, uuid)  # who may open it: on every view
    attachments = list(key.attachments.select_related("uploaded_by"))

    @functools.cache  # once for the title and the body
    def detail():
        action = selectors.get_action_for_user(user, uuid)
        can_sign_off = _may_sign_off(user, action)
        # Until it is signed off, its owner may still correct a completion reported.
        can_progress = (
            selectors.can_report_progress(user, action)
            and action.status != Action.Status.SIGNED_OFF
        )
        shown = {
            "progress_form": can_progress,
            "sign_off_form": can_sign_off and action.status == Action.Status.COMPLETE,
            "send_back_form": can_sign_off and action.status == Action.Status.COMPLETE,
            "follow_up_form": can_sign_off
            and action.status == Action.Status.SIGNED_OFF
            and not action.followed_up_on
            and not services.follow_up_waits(action),
        }
        return {
            "action": action,
            "rag": action.rag(timezone.localdate()),
            "attachments": attachments,
            "history": history_of(
                action.history.select_related("history_user"),
                [*ACTION_HISTORY_FIELDS, *selectors.history_links(user, *ACTION_LINKS)],
                [_documents_part(action=action)],
                shown=HISTORY_SHOWN,
            ),
            "reminders": reminders_about(action),
            "return_opens": selectors.return_opens(user, action),
            "progress_form": bound.get("progress_form") or forms.ProgressForm(action=action),
            # The follow-up date the action already holds, to confirm or change.
            "sign_off_form": bound.get("sign_off_form")
            or forms.SignOffForm(initial={"follow_up_on": action.follow_up_on}),
            "send_back_form": bound.get("send_back_form") or forms.SendBackForm(),
            "follow_up_form": bound.get("follow_up_form") or forms.FollowUpForm(),
            "can_progress": shown["progress_form"],
            "can_sign_off": shown["sign_off_form"],
            "can_follow_up": shown["follow_up_form"],
            # Said instead of the form until the day set to check has come.
            "follow_up_waits": services.follow_up_waits(action)
            if action.status == Action.Status.SIGNED_OFF and not action.followed_up_on
            else "",
            # Why a form posted from a page since overtaken (signed off meanwhile) was refused:
            # its card is no longer shown to say it.
            "refused": [
                error
                for name, form in bound.items()
                if not shown[name]
                for error in form.non_field_errors()
            ],
            "can_edit": can_sign_off,
        }

    return render(
        request,
        "learning/action_detail.html",
        {
            "detail": detail,  # read only when not kept
            "access_log": access_log_about(user, *attachments) if attachments else None,
        },
    )


def _may_sign_off(user, action):
    """The sub-group the action reports to signs it off and checks that the change lasted."""
    return can_work_for_subgroup(user, action.subgroup_id)


@require_safe
def action_detail(request, uuid):
    return _action_page(request, uuid)


@require_POST
def action_progress(request, uuid):
    """The owner reports progress, or completion with its evidence."""
    user = request.user
    action = selectors.get_action_for_user(user, uuid)
    require(selectors.can_report_progress(user, action))
    form = forms.ProgressForm(request.POST, request.FILES, action=action)
    was_complete = action.status == Action.Status.COMPLETE
    if not form.is_valid() and form.cleaned_data.get("completed_on"):
        # The action's own date rules too, so that every problem is said in one round.
        try:
            services.action_completion_problems(
                action=action, completed_on=form.cleaned_data["completed_on"]
            )
        except ValidationError as error:
            add_service_errors(form, error)

    def save():
        data = {"at_risk": False} | form.cleaned_data  # no "at risk" once reported complete
        # Progress changes no field that decides who may see the action (or anything else).
        with figures_cache.visibility_unchanged(Action, Attachment):
            return services.action_report_progress(
                action=action, upload=data.pop("file", None), uploaded_by=user, **data
            )

    def success(document):
        if was_complete:
            return f"Completion updated{_with_document(document)}."
        if action.status == Action.Status.COMPLETE:
            return f"Completion reported{_with_document(document)}."
        return f"Progress saved{_with_document(document)}."

    return form_act_page(
        request,
        action,
        form,
        save=save,
        success=success,
        page=_action_page,
        form_name="progress_form",
    )


@require_POST
def action_sign_off(request, uuid):
    """The sub-group signs a completed action off, with a date to check that it lasted."""
    user = request.user
    action = selectors.get_action_for_user(user, uuid)
    require(_may_sign_off(user, action))
    form = forms.SignOffForm(request.POST)
    return form_act_page(
        request,
        action,
        form,
        save=lambda: services.action_sign_off(
            action=action, signed_off_by=user, follow_up_on=form.cleaned_data["follow_up_on"]
        ),
        success="Action signed off.",
        page=_action_page,
        form_name="sign_off_form",
    )


@require_POST
def action_send_back(request, uuid):
    """The sub-group does not sign a reported completion off: back to its owner, saying why."""
    user = request.user
    action = selectors.get_action_for_user(user, uuid)
    require(_may_sign_off(user, action))
    form = forms.SendBackForm(request.POST)
    return form_act_page(
        request,
        action,
        form,
        save=lambda: services.action_send_back(action=action, reason=form.cleaned_data["reason"]),
        success=f"Sent back to {action.owner_agency}: the action is in progress again.",
        page=_action_page,
        form_name="send_back_form",
    )


@require_POST
def action_follow_up(request, uuid):
    """The sub-group records whether the change has lasted."""
    user = request.user
    action = selectors.get_action_for_user(user, uuid)
    require(_may_sign_off(user, action))
    form = forms.FollowUpForm(request.POST)
    return form_act_page(
        request,
        action,
        form,
        save=lambda: services.action_record_follow_up(action=action, **form.cleaned_data),
        success=lambda saved: (
            "Follow-up recorded: the change has lasted."
            if saved.status == Action.Status.SIGNED_OFF
            else f"Follow-up recorded: the change has not lasted, so the action is reopened and "
            f"back with {saved.owner_agency}."
        ),
        page=_action_page,
        form_name="follow_up_form",
    )


def my_agency(request):
    """For a partner agency lead: what the partnership has asked of their agency."""
    user = request.user
    require(can_see_my_agency(user))
    # Kept for this reader until a record changes ({% kept_for_reader %}): a lead's first stop.
    return render(
        request, "learning/my_agency.html", {"detail": lambda: selectors.agency_work(user)}
    )


def attachment_download(request, uuid):
    attachment = selectors.get_attachment_for_user(request.user, uuid)
    services.attachment_record_download(request=request, attachment=attachment)
    # Through the storage (a folder or a bucket), never a public URL; names kept before uploads
    # were cleaned are cleaned here too.
    return FileResponse(
        attachment.file.open("rb"), as_attachment=True, filename=clean_filename(attachment.name)
    )


# The golden thread -----------------------------------------------------------------------------


def _thread(request, source):
    """The golden thread from ``source`` (a review or an audit): its findings, themes, outcomes
    and a page of the actions answering them, kept for this reader and page until a record
    changes (sscb/figures_cache.py): people walk a thread page by page, and back."""
    kind = source._meta.model_name
    page = request.GET.get("page")

    def context():
        thread = selectors.thread_forward(request.user, **{kind: source}, page=page)
        return thread | {"source": source, "source_param": kind}

    opens = url_for(f"{'reviews' if kind == 'review' else 'audits'}:detail", args=[source.uuid])
    return render(
        request,
        "learning/thread.html",
        {"source": source, "source_url": opens, "detail": context},
    )


def thread_review(request, uuid):
    review = get_review_heading_for_user(request.user, uuid)
    review_record_opening(request=request, review=review)
    return _thread(request, review)


def thread_audit(request, uuid):
    return _thread(request, get_audit_for_user(request.user, uuid))

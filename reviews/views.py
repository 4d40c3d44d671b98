"""Review pages: the register, a review's whole story, and the forms that move it on."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from sscb import sending
from sscb.access import can_record_work, require
from sscb.forms import add_service_errors
from sscb.lists import filtered_page
from sscb.selectors import access_log_about

from . import casefile, clocks, lifecycle, selectors, services
from .criteria import SCR_RULE_EXPLAINED, scr_criteria, serious_child_safeguarding_case
from .filters import ReviewFilter
from .forms import (
    ChildDeathForm,
    DecisionForm,
    FinalReportForm,
    InvolvementForm,
    MethodForm,
    MoveForm,
    PanelExchangeForm,
    ParallelProcessFormSet,
    PauseForm,
    PublicationForm,
    ResumeForm,
    ReviewAgencyFormSet,
    ReviewerForm,
    ReviewRegisterForm,
)
from .history import review_history
from .models import ChildDeathDetails, Review


def review_list(request):
    """The register: every review the person may open, filtered and paginated."""
    context = filtered_page(
        request,
        ReviewFilter,
        lambda: selectors.reviews_for_register(request.user),
        counted=selectors.reviews_counted,
    )
    context["can_create"] = can_record_work(request.user)  # who records the work opens reviews
    return render(request, "reviews/review_list.html", context)


def review_create(request):
    require(can_record_work(request.user))
    form = ReviewRegisterForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            review = services.review_create(
                by=request.user,
                panel_members=data.pop("panel_members", ()),
                request=request,
                **data,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Review {review.reference} opened.")
            return redirect("reviews:detail", review.uuid)
    return render(
        request,
        "reviews/review_form.html",
        {
            "form": form,
            "heading": "Open a review",
            "purpose": "Record a referral or a new review in the register; the reference and "
            "the statutory clocks follow from the kind and the dates.",
        },
    )


def review_detail(request, uuid):
    """The whole story of one review on one screen. All but who has opened it is kept for its
    reader until a record changes (``{% kept_for_reader %}``); every opening is logged."""
    review = selectors.get_review_heading_for_user(request.user, uuid)  # who may open it
    services.review_record_opening(request=request, review=review)
    return render(
        request,
        "reviews/review_detail.html",
        {
            "review": review,
            # Read only when not kept: the whole review, found through the same visibility.
            "detail": lambda: _detail(
                request.user, selectors.get_review_for_user(request.user, uuid)
            ),
            "access_log": access_log_about(request.user, review) if review.is_restricted else None,
        },
    )


def _detail(user, review) -> dict:
    context = {"review": review} | selectors.review_page(user, review)
    moves = [
        {"stage": stage, "label": Review.Stage(stage).label, "refusal": None}
        for stage in lifecycle.allowed_moves(review.kind, review.stage)
    ]
    for move in moves:
        move["refusal"] = lifecycle.move_refusal(review, move["stage"])
    for clock in context["clocks"]:
        # What it counts from for this review (from the referral when no notification date is
        # recorded), not only what its rule counts from.
        clock.described = clock.rule.describe_for(review) if clock.rule else ""
    case_file = casefile.case_file_summary(user, review)
    review.reads_case_file = case_file["reads"]  # for the case file's tabs
    for item in context["timeline"]:
        if item["what"] == "act":
            item["summary"] = casefile.act_summary(item["act"], reads_case_file=case_file["reads"])
    return context | {
        "can_edit": selectors.can_edit_review(user, review),
        "decides": lifecycle.decides(review.kind),
        "decision_may_change": lifecycle.decision_may_change(review),
        "scopes": lifecycle.scopes(review.kind),
        "reviewer_optional": lifecycle.reviewer_optional(review.kind),
        "has_reviewer": lifecycle.has_reviewer(review.kind),
        "publishes": lifecycle.publishes(review.kind),
        "clocks_waiting": clocks.waiting(review),
        "moves": moves,
        "stages": [
            {"stage": stage, "label": Review.Stage(stage).label}
            for stage in lifecycle.stages_for(review.kind)
        ],
        "decision_not_yet": lifecycle.decision_refusal(review),
        "criteria": _criteria(review),
        "scr_rule": _scr_rule(review),
        "today": timezone.localdate(),
        "has_clocks": clocks.has_clocks(review.kind),
        "plans_final_report": clocks.plans_final_report(review.kind),
        "pause_form": PauseForm(),
        "resume_form": ResumeForm(),
        "case_file": case_file,
        "panel_exchange": casefile.panel_exchange(review, context["clocks"])
        if review.kind in PANEL_KINDS
        else None,
        "child_death": selectors.child_death_of(user, review),
        "history": review_history(user, review, reads_case_file=case_file["reads"]),
    }


def review_child_death(request, uuid):
    """CDOP's record of a child's death, on its child death review."""
    review = selectors.get_review_for_user(request.user, uuid, write=True)
    if review.kind != Review.Kind.CHILD_DEATH:
        raise Http404("Only a child death review has CDOP's record of a death.")
    details = ChildDeathDetails.objects.filter(review=review).first()
    # A new record knows its review, so the form checks its dates against the review's.
    form = ChildDeathForm(
        request.POST or None, instance=details or ChildDeathDetails(review=review)
    )
    if request.method == "GET":
        services.review_record_opening(request=request, review=review)
    if request.method == "POST" and form.is_valid():
        try:
            services.child_death_record(review=review, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "CDOP's record of the death saved.")
            return redirect("reviews:detail", review.uuid)
    return render(
        request,
        "reviews/review_form.html",
        {
            "form": form,
            "review": review,
            "heading": "CDOP's record of the death",
            "purpose": "What the Child Death Overview Panel records for the national child "
            "death review dataset: the notification, the panel meeting, the category of death, "
            "modifiable factors, whether it was expected, the age band (never a date of birth) "
            "and the National Child Mortality Database reference.",
        },
        status=400 if request.method == "POST" else 200,
    )


# The kinds of review that report to the national Panel (or, under WT2015, Ofsted).
PANEL_KINDS = (Review.Kind.SCR, Review.Kind.RAPID_REVIEW, Review.Kind.LCSPR)


def _scr_rule(review):
    """The SCR rule explained beside an SCR's criteria: the regulation and the seed's reading."""
    return SCR_RULE_EXPLAINED if review.kind == Review.Kind.SCR else None


def _criteria(review):
    flags = {
        "abuse_or_neglect": review.abuse_or_neglect,
        "child_died": review.child_died,
        "seriously_harmed": review.seriously_harmed,
    }
    if review.kind == Review.Kind.SCR:
        return scr_criteria(
            **flags,
            concern_working_together=review.concern_working_together,
            died_in_custody=review.died_in_custody,
            suspected_suicide=review.suspected_suicide,
        )
    if review.kind == Review.Kind.RAPID_REVIEW:
        return serious_child_safeguarding_case(**flags)
    return None


def _register_update(*, review, by, panel_members=None, **fields):
    # panel_members and is_restricted are in the form for the Business Unit only.
    return services.review_update(review=review, by=by, panel_members=panel_members, **fields)


# section name: (form, service, heading, what the page is for)
SECTIONS = {
    "register": (
        ReviewRegisterForm,
        _register_update,
        "Edit the register entry",
        "Change what the review is about, who owns it, who sits on its panel and its first dates.",
    ),
    "decision": (
        DecisionForm,
        services.review_record_decision,
        "Decision",
        "Record the criteria, the decision, its date and reasons, and what happens instead "
        "when the review is not initiated.",
    ),
    "method": (
        MethodForm,
        services.review_update,
        "Review method",
        "Choose the review method and say why it is proportionate to the scale and complexity "
        "of the case.",
    ),
    "reviewer": (
        ReviewerForm,
        services.review_appoint_reviewer,
        "Independent lead reviewer",
        "Appoint the lead reviewer and record their declaration that they are independent of "
        "the case and of the agencies reviewed.",
    ),
    "involvement": (
        InvolvementForm,
        services.review_update,
        "Practitioner and family involvement",
        "Record how practitioners and the family, including surviving children, were invited "
        "to contribute and how their expectations were managed.",
    ),
    "final-report": (
        FinalReportForm,
        services.review_plan_final_report,
        "Final report to the Panel",
        "Record the planned publication date: the final report goes to the national Panel and "
        "the Secretary of State at least 7 working days before it. Record the day it was sent, "
        "once the Board has signed the review off. Once the report is published, the 7 working "
        "days count back from the day it was published.",
    ),
    "panel": (
        PanelExchangeForm,
        casefile.review_record_panel_exchange,
        "The national Panel and Ofsted",
        "Record the serious incident notification (when, its reference, who sent it) and what "
        "the national Panel said: its response, when, and its view on publication.",
    ),
    "publication": (
        PublicationForm,
        services.review_record_publication,
        "Publication",
        "Record when and where the report was published and the Board's written response, or "
        "the reason for not publishing. A report is published once the Board has signed the "
        "review off and, for an LCSPR, once its final report went to the national Panel and the "
        "Secretary of State.",
    ),
}


def review_section(request, uuid, section):
    if section not in SECTIONS:
        raise Http404("No such section")
    review = selectors.get_review_for_user(request.user, uuid, write=True)
    form_class, service, heading, purpose = SECTIONS[section]
    if section == "decision" and not lifecycle.decision_may_change(review):
        messages.info(request, services.decision_stands(review))
        return redirect("reviews:detail", review.uuid)
    not_of_its_kind = _not_of_its_kind(review, section)
    if not_of_its_kind:
        # Nothing is shown or saved: the page says why, and nothing changes.
        messages.info(request, not_of_its_kind)
        return redirect("reviews:detail", review.uuid)
    if section == "decision" and lifecycle.decision_refusal(review):
        messages.info(request, lifecycle.decision_refusal(review))
        return redirect("reviews:detail", review.uuid)
    kwargs = {"user": request.user} if form_class is ReviewRegisterForm else {}
    form = form_class(request.POST or None, instance=review, **kwargs)
    if request.method == "GET":
        services.review_record_opening(request=request, review=review)
    if request.method == "POST" and form.is_valid():
        # The register's service logs a change of restriction or panel with the request.
        extra = {"request": request} if form_class is ReviewRegisterForm else {}
        try:
            service(review=review, by=request.user, **form.cleaned_data, **extra)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{heading} saved.")
            return redirect("reviews:detail", review.uuid)
    return render(
        request,
        "reviews/review_form.html",
        {
            "form": form,
            "review": review,
            "heading": heading,
            "purpose": purpose,
            "scr_rule": _scr_rule(review) if section == "decision" else None,
        },
    )


def _not_of_its_kind(review, section) -> str | None:
    """Why ``review``'s kind has no such section (a rapid review has no publication, nor a child
    death review a lead reviewer); None when it has."""
    if section == "method" and not lifecycle.scopes(review.kind):
        return (
            f"A {review.get_kind_display().lower()} is not scoped: it has no review method to "
            "choose."
        )
    if section == "publication" and not lifecycle.publishes(review.kind):
        return services.no_publication(review)
    if section == "final-report" and not clocks.plans_final_report(review.kind):
        return services.no_final_report(review)
    if section == "reviewer" and not lifecycle.has_reviewer(review.kind):
        return services.no_reviewer(review)
    return None


FORMSETS = {
    "agencies": (
        ReviewAgencyFormSet,
        "Agencies involved",
        "Record the agencies whose practice is reviewed, and when their chronologies and "
        "reports were asked for and received.",
    ),
    "processes": (
        ParallelProcessFormSet,
        "Parallel processes",
        "Record processes running alongside the review (police and CPS, the coroner, a DHR, "
        "an adult review). Tick “holds the review's clocks” for one that holds the review up: its "
        "clocks pause from the day it started and restart the day it ended. The notification "
        "and the rapid review deadlines are never held: the law does not suspend them.",
    ),
}


def review_formset(request, uuid, section):
    if section not in FORMSETS:
        raise Http404("No such section")
    review = selectors.get_review_for_user(request.user, uuid, write=True)
    formset_class, heading, purpose = FORMSETS[section]
    formset = formset_class(request.POST or None, instance=review)
    if request.method == "GET":
        services.review_record_opening(request=request, review=review)
    if request.method == "POST" and formset.is_valid():
        try:
            services.review_related_save(review=review, by=request.user, formset=formset)
        except ValidationError as error:
            # Shown above the rows; the same page may be sent again once put right.
            formset.non_form_errors().extend(error.messages)
            for form in formset.forms:
                sending.not_saved(form)
        else:
            messages.success(request, f"{heading} saved.")
            return redirect("reviews:detail", review.uuid)
    return render(
        request,
        "reviews/review_formset.html",
        {"formset": formset, "review": review, "heading": heading, "purpose": purpose},
    )


@require_POST
def review_move(request, uuid):
    review = selectors.get_review_for_user(request.user, uuid, write=True)
    form = MoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(_form_problems(form)))
        return redirect("reviews:detail", review.uuid)
    try:
        change = services.review_move(
            review=review,
            to_stage=form.cleaned_data["to_stage"],
            by=request.user,
            note=form.cleaned_data["note"],
            on=form.cleaned_data["on"],
        )
    except ValidationError as refusal:
        messages.error(request, " ".join(refusal.messages))
    else:
        on = f" on {change.happened_on:%-d %B %Y}" if change.recorded_late else ""
        messages.success(request, f"Moved to '{change.get_to_stage_display()}'{on}.")
    return redirect("reviews:detail", review.uuid)


def _form_problems(form) -> list[str]:
    """A refused act's form errors, in the words its form gives them (the page redirects, so
    they go in a message)."""
    return [message for messages in form.errors.values() for message in messages]


def _change_clock(request, uuid, clock_uuid, *, form_class, change, done):
    """Pause or resume one of a review's clocks: validate, call the service, say what happened
    (the page redirects, so a refusal is a message: what is wrong with each field)."""
    clock = selectors.get_clock_for_user(request.user, uuid, clock_uuid, write=True)
    review = clock.review
    form = form_class(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(_form_problems(form)))
        return redirect("reviews:detail", review.uuid)
    try:
        change(clock=clock, by=request.user, **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done(clock))
    return redirect("reviews:detail", review.uuid)


@require_POST
def clock_pause(request, uuid, clock_uuid):
    return _change_clock(
        request,
        uuid,
        clock_uuid,
        form_class=PauseForm,
        change=services.clock_pause,
        done=lambda clock: f"Clock paused: {clock.get_kind_display()}.",
    )


@require_POST
def clock_resume(request, uuid, clock_uuid):
    return _change_clock(
        request,
        uuid,
        clock_uuid,
        form_class=ResumeForm,
        change=services.clock_resume,
        done=lambda clock: (
            f"Clock resumed: {clock.get_kind_display()}, now due {clock.due_on:%d %b %Y}."
        ),
    )

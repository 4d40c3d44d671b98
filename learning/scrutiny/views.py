"""External scrutiny pages: the register, one inspection and its recommendations, and the acts
that turn a recommendation into a finding or an action."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from sscb import sending
from sscb.access import require
from sscb.forms import add_service_errors
from sscb.lists import page_of
from sscb.pages import form_page

from . import selectors, services
from .forms import InspectionForm, RecommendationActionForm, RecommendationForm


@require_safe
def inspection_list(request):
    """Every inspection, peer review and self-evaluation, newest first."""
    require(selectors.can_read_register(request.user))
    inspections = selectors.inspection_list(request.user)
    return render(
        request,
        "scrutiny/inspection_list.html",
        {
            "page_obj": page_of(request, inspections, 25),
            "can_keep": selectors.can_keep_register(request.user),
        },
    )


def _action_form(recommendation, data=None, agency_choices=None):
    # Each recommendation's form has its own ids, so that every label names its own field.
    # The agency the recommendation is addressed to owns the action, unless another is chosen.
    return RecommendationActionForm(
        data,
        auto_id=f"id_r{recommendation.number}_%s",
        agency_choices=agency_choices,
        initial={"owner_agency": recommendation.agency_id},
    )


def _inspection_page(request, uuid, refused=None):
    """The inspection's page; ``refused`` (a recommendation's id and its action form) shows a
    refused form again, with why."""
    user = request.user
    inspection = selectors.get_inspection_for_user(user, uuid)
    context = selectors.inspection_page(user, inspection)
    can_act = selectors.can_act_on(user, inspection)
    choices = RecommendationActionForm.agency_choices() if can_act else []
    for recommendation in context["recommendations"]:
        recommendation.action_form = (
            refused[1]
            if refused and refused[0] == recommendation.pk
            else _action_form(recommendation, agency_choices=choices)
        )
    context |= {
        "can_keep": selectors.can_keep_register(user),
        "can_act": can_act,
        "history": selectors.inspection_history(inspection),
    }
    status = 400 if refused else 200
    return render(request, "scrutiny/inspection_detail.html", context, status=status)


@require_safe
def inspection_detail(request, uuid):
    return _inspection_page(request, uuid)


@require_safe
def inspection_thread(request, uuid):
    """The golden thread from an inspection: recommendation → finding or action → … → evidence."""
    user = request.user
    inspection = selectors.get_inspection_for_user(user, uuid)
    page = request.GET.get("page")

    def context():
        return selectors.inspection_thread(user, inspection, page=page) | {"source": inspection}

    # Kept for this reader and page until a record changes, as the other threads are.
    return render(request, "scrutiny/thread.html", {"source": inspection, "detail": context})


def inspection_edit(request, uuid=None):
    user = request.user
    if uuid:
        inspection = selectors.get_inspection_for_user(user, uuid, write=True)
    else:
        require(selectors.can_read_register(user) and selectors.can_keep_register(user))
        inspection = None
    form = InspectionForm(request.POST or None, instance=inspection)

    def save():
        data = dict(form.cleaned_data)
        return services.inspection_save(
            inspection=inspection, agencies=data.pop("agencies", ()), **data
        )

    return form_page(
        request,
        form,
        template="learning/form.html",
        title=f"Edit {inspection.reference}" if inspection else "Add to the scrutiny register",
        purpose="An inspection, peer review or self-evaluation: when it took place, what it "
        "looked at, its judgement, and the sub-group that will monitor the response. Add its "
        "recommendations on its page.",
        back=inspection.get_absolute_url() if inspection else reverse("scrutiny:list"),
        save=save,
        success="Saved to the scrutiny register.",
    )


def recommendation_edit(request, uuid, rec_uuid=None):
    user = request.user
    inspection = selectors.get_inspection_for_user(user, uuid, write=True)
    recommendation = (
        selectors.get_recommendation_for_user(user, uuid, rec_uuid) if rec_uuid else None
    )
    form = RecommendationForm(request.POST or None, instance=recommendation)
    return form_page(
        request,
        form,
        template="learning/form.html",
        title=f"Edit {recommendation}"
        if recommendation
        else f"Add a recommendation to {inspection.reference}",
        purpose="A recommendation or area for improvement as the report words it, and the "
        "agency it is addressed to. It is numbered in the order it is added.",
        back=inspection.get_absolute_url(),
        save=lambda: services.recommendation_save(
            recommendation=recommendation, inspection=inspection, **form.cleaned_data
        ),
        success="Recommendation saved.",
    )


@require_POST
def recommendation_finding(request, uuid, rec_uuid):
    """The recommendation becomes a finding of the monitoring sub-group, in one step."""
    user = request.user
    recommendation = selectors.get_recommendation_for_user(user, uuid, rec_uuid)
    require(selectors.can_act_on(user, recommendation.inspection))
    try:
        finding = services.recommendation_to_finding(recommendation=recommendation, by=user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(recommendation.get_absolute_url())
    messages.success(
        request, f"Recommendation {recommendation.number} is now a finding; edit it if needed."
    )
    return redirect(finding.get_absolute_url())


@require_POST
def recommendation_action(request, uuid, rec_uuid):
    """An action answering the recommendation, in the inspection's action plan, in one step."""
    user = request.user
    recommendation = selectors.get_recommendation_for_user(user, uuid, rec_uuid)
    require(selectors.can_act_on(user, recommendation.inspection))
    form = _action_form(recommendation, request.POST)
    if form.is_valid():
        try:
            action = services.recommendation_to_action(
                recommendation=recommendation, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)  # beside the field it is about, what was typed kept
        else:
            sending.saved(form, action)
            messages.success(
                request,
                f"Action {action.reference} added for recommendation {recommendation.number}.",
            )
            return redirect(recommendation.get_absolute_url())
    return _inspection_page(request, uuid, refused=(recommendation.pk, form))

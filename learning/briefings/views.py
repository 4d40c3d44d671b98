"""Thin views: an access helper or selector, a form, a service, a page."""

from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.text import slugify
from django.views.decorators.http import require_POST, require_safe

from sscb.access import Refused, can_see_my_agency, require
from sscb.lists import page_of
from sscb.pages import act_page, form_act_page, form_page
from sscb.selectors import reminders_about

from . import forms, selectors, services
from .models import CASCADE_WITHIN, Briefing

PAGE_SIZE = 25

# Why a published briefing's edit page is refused, and what to do instead.
PUBLISHED_NOT_CHANGED = (
    "This briefing is published: the agencies have it as it is, so it is not changed. To say "
    "something new, write a new briefing: open its learning outcome and choose “Write a "
    "briefing”."
)


_act = act_page  # a one-button act, back to the record's page


@require_safe
def briefing_list(request):
    """Published briefings for everyone; drafts for their sub-group, its chair and the BU."""
    briefings = selectors.briefing_list(request.user)
    return render(
        request,
        "briefings/briefing_list.html",
        {"page_obj": page_of(request, briefings, PAGE_SIZE)},
    )


def briefing_write(request, kind, uuid):
    """Write a briefing from a theme, a review or an outcome: its words start from the record."""
    user = request.user
    start = selectors.starting_point(user, kind, uuid)
    form = forms.BriefingForm(
        request.POST or None, initial=start["initial"], outcomes=start["outcomes"]
    )
    source, back = start["source"]
    return form_page(
        request,
        form,
        template="learning/form.html",
        title=f"Write a briefing from “{source}”",
        purpose="A 7-minute briefing for practitioners: what happened, why it matters, what to do "
        "differently, questions for team discussion and further reading. Name children and "
        "families by pseudonym only. It starts as a draft that the sub-group's chair approves.",
        back=back,
        save=lambda: services.briefing_write(
            by=user, subgroup=start["subgroup"], **start["records"], **form.cleaned_data
        ),
        success="Briefing saved as a draft.",
    )


def _briefing_page(request, uuid, **bound):
    """The briefing's page; ``bound`` holds a refused form, shown again with its errors and
    what was typed in it."""
    briefing = selectors.get_briefing_for_user(request.user, uuid)
    context = selectors.briefing_page(request.user, briefing)
    context["return_form"] = bound.get("return_form") or forms.ReturnForm()
    # Who approves it: the chair, unless the chair wrote it (``selectors.may_approve``).
    context["chair_wrote_it"] = bool(
        briefing.subgroup.chair_id and briefing.edited_by_id == briefing.subgroup.chair_id
    )
    # Cascades to confirm, each about an agency's cascade the reader may see.
    context["reminders"] = reminders_about(*context["cascades"])
    if briefing.status == Briefing.Status.APPROVED:
        context["cannot_publish"] = services.publish_refusal(briefing)
    elif not briefing.is_published:
        # Said while it is written and approved, not first at the click that publishes it.
        context["names_restricted"] = services.restricted_review_named(briefing)
    return render(request, "briefings/briefing_detail.html", context)


@require_safe
def briefing_detail(request, uuid):
    return _briefing_page(request, uuid)


def briefing_edit(request, uuid):
    user = request.user
    briefing = selectors.get_briefing_for_user(user, uuid, write=True)
    if briefing.status not in Briefing.EDITABLE:
        raise Refused(PUBLISHED_NOT_CHANGED)
    form = forms.BriefingForm(
        request.POST or None,
        initial={name: getattr(briefing, name) for name in forms.BriefingForm.Meta.fields},
        record=briefing,
        outcomes=selectors.outcomes_for(user, briefing),
        outcomes_open=selectors.outcomes_visible_to(user),
    )
    kept = (
        f" The words it has now are kept as version {briefing.version}, and it goes back to "
        "draft, to be submitted for approval again."
        if briefing.submitted_at
        else ""
    )
    return form_page(
        request,
        form,
        template="learning/form.html",
        title=f"Edit the briefing: {briefing}",
        purpose="Change the briefing's words." + kept,
        back=briefing.get_absolute_url(),
        save=lambda: services.briefing_edit(briefing=briefing, by=user, **form.cleaned_data),
        success="Briefing saved.",
    )


@require_POST
def briefing_submit(request, uuid):
    user = request.user
    briefing = selectors.get_briefing_for_user(user, uuid, write=True)
    # Nobody approves words they wrote themselves: a chair's own goes to the Business Unit.
    chair = briefing.subgroup.chair_id
    return _act(
        request,
        briefing,
        lambda: services.briefing_submit(briefing=briefing, by=user),
        "Submitted to the Business Unit for approval: the sub-group's chair wrote it."
        if chair and briefing.edited_by_id == chair
        else "Submitted to the sub-group's chair for approval.",
    )


@require_POST
def briefing_approve(request, uuid):
    user = request.user
    briefing = selectors.get_briefing_for_user(user, uuid)
    require(selectors.may_approve(user, briefing))
    return _act(
        request,
        briefing,
        lambda: services.briefing_approve(briefing=briefing, by=user),
        "Briefing approved: it can now be published.",
    )


@require_POST
def briefing_return(request, uuid):
    user = request.user
    briefing = selectors.get_briefing_for_user(user, uuid)
    require(user.is_business_unit or briefing.subgroup.chair_id == user.pk)
    form = forms.ReturnForm(request.POST)
    form.fields["returned_note"].error_messages["required"] = (
        "Say what should change before sending it back."
    )
    return form_act_page(
        request,
        briefing,
        form,
        save=lambda: services.briefing_return(
            briefing=briefing, by=user, note=form.cleaned_data["returned_note"]
        ),
        success="Sent back to draft with your comments.",
        page=_briefing_page,
        form_name="return_form",
    )


@require_POST
def briefing_publish(request, uuid):
    user = request.user
    briefing = selectors.get_briefing_for_user(user, uuid, write=True)
    return _act(
        request,
        briefing,
        lambda: services.briefing_publish(briefing=briefing, by=user),
        "Published: it is a delivery activity of its outcome, and every agency's lead is sent it "
        f"to cascade within {CASCADE_WITHIN.days} days.",
    )


@require_safe
def briefing_print(request, uuid):
    """The briefing as one printable page (print CSS), which the PDF is made from too."""
    briefing = selectors.get_briefing_for_user(request.user, uuid)
    return render(request, "briefings/briefing_print.html", {"briefing": briefing})


def _print_css() -> str:
    """The printable page's own stylesheet, so that the PDF and the printout look the same."""
    with open(finders.find("briefings/print.css"), encoding="utf-8") as css:
        return css.read()


@require_safe
def briefing_pdf(request, uuid):
    """The same page as a PDF, drawn on the server by WeasyPrint (no browser needed)."""
    from weasyprint import HTML

    briefing = selectors.get_briefing_for_user(request.user, uuid)
    html = render_to_string(
        "briefings/briefing_pdf.html", {"briefing": briefing, "css": _print_css()}, request
    )
    pdf = HTML(string=html).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    # Named as a reader would look for it: its title and version ("...-v2.pdf"), not its key.
    title = slugify(briefing.title)[:80].rstrip("-") or "briefing"
    status = "" if briefing.is_published else "-draft"
    filename = f"{title}-v{briefing.version}{status}.pdf"
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


# My agency: the lead's confirmations ----------------------------------------------------------


@require_safe
def cascade_list(request):
    """For a partner agency lead: briefings sent to their agency, and whether each was cascaded."""
    user = request.user
    require(can_see_my_agency(user))
    cascades = selectors.agency_cascades(user)
    return render(
        request, "briefings/cascade_list.html", {"page_obj": page_of(request, cascades, PAGE_SIZE)}
    )


def cascade_confirm(request, uuid):
    user = request.user
    cascade = selectors.get_cascade_for_user(user, uuid, write=True)
    form = forms.CascadeForm(request.POST or None, instance=cascade)
    return form_page(
        request,
        form,
        template="learning/form.html",
        title=f"Confirm the cascade: {cascade.briefing}",
        purpose=f"When and how {cascade.agency.label} passed this briefing to its staff, and to "
        "how many: the briefing's reach is the sum of every agency's confirmation. "
        + ("You may correct it; the earlier confirmation is kept." if cascade.is_confirmed else ""),
        back=reverse("briefings:cascades"),
        save=lambda: (
            services.cascade_confirm(cascade=cascade, by=user, **form.cleaned_data) and None
        ),
        success="Thank you: the cascade is recorded.",
        briefing=cascade.briefing,
    )

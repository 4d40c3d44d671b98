from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render

from . import selectors
from .attention import attention_for
from .lists import page_of
from .models import User
from .reminders import reminders_as_seen_by

# What each role is here for, and what to do when nothing needs their attention.
ROLE_GUIDANCE = {
    User.Role.BUSINESS_UNIT: (
        "You run the partnership's learning and improvement work: reference data, people, "
        "reviews, audits and the action plans that follow them.",
        "Keep the partnership's sub-groups, agencies and priorities up to date in the admin.",
    ),
    User.Role.SUBGROUP_MEMBER: (
        "You record and move forward the work of your sub-groups: reviews, audits, findings "
        "and the learning that comes from them.",
        "Open your sub-group's work from the navigation above.",
    ),
    User.Role.EXECUTIVE: (
        "You hold the partnership to account: how reviews are progressing, whether learning is "
        "delivered, and whether practice has improved for children.",
        "Learning outcomes waiting for an Executive decision will appear here.",
    ),
    User.Role.AGENCY_LEAD: (
        "You answer for your agency: the actions and evidence requests addressed to it, and its "
        "Section 11 self-assessment (for a school or college, its Section 175 / 157 one).",
        "Actions, evidence requests and audit returns for your agency will appear here.",
    ),
    User.Role.INDEPENDENT_REVIEWER: (
        "You lead an independent review for the partnership.",
        "The review you lead will appear here once the Business Unit has appointed you.",
    ),
}


def home(request):
    """What needs this person's attention, and where their work is."""
    user = request.user
    purpose, next_step = ROLE_GUIDANCE[
        User.Role.BUSINESS_UNIT if user.is_business_unit else user.role
    ]
    context = {
        "purpose": purpose,
        "next_step": next_step,
        # Read only when the page's lists are not kept for this person (sscb.figures_cache).
        "lists": lambda: {
            "attention": attention_for(user),
            "my_subgroups": list(selectors.subgroups_for_user(user)),
        },
    }
    return render(request, "sscb/home.html", context)


def partnership(request):
    """Who is who in the partnership: sub-groups, chairs, members, agencies and priorities."""
    return render(request, "sscb/partnership.html", selectors.partnership_overview())


class ReminderPreferenceForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["email_reminders"]


def my_reminders(request):
    """Everything this person has been reminded about, and their email preference."""
    user = request.user
    form = ReminderPreferenceForm(request.POST if request.method == "POST" else None, instance=user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(
            request,
            "Reminder emails are on."
            if user.email_reminders
            else "Reminder emails are off. Escalations to you as a chair will still be sent.",
        )
        return redirect("reminders")
    page = page_of(request, selectors.reminders_for_user(user), 50)
    # Each read through its item's rule for who may open it now, not as it was when sent.
    page.object_list = reminders_as_seen_by(user, page.object_list)
    return render(request, "sscb/reminders.html", {"form": form, "page_obj": page})

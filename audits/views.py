"""Thin views: call a selector or a service, render."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from sscb.access import require
from sscb.dates import financial_year_of
from sscb.forms import add_service_errors
from sscb.params import page_of
from sscb.selectors import access_log_about, reminders_about

from . import selectors, services
from .filters import AuditFilter
from .forms import (
    AnswerForm,
    AuditCycleForm,
    AuditForm,
    CaseAuditEntryForm,
    ModerationForm,
    SignOffForm,
    StageForm,
)
from .models import Audit, SelfAssessment

# --- audits ---------------------------------------------------------------------------------


def audit_list(request):
    """Audits, self-assessment cycles and, for an agency lead, their own returns."""
    user = request.user
    audits = AuditFilter(request.GET, queryset=selectors.audits_visible_to(user), request=request)
    page = page_of(request, audits.qs, 25)
    context = {
        "filter": audits,
        "page_obj": page,
        "my_returns": selectors.returns_for_agency_lead(user),
        "cycles": list(selectors.cycles_with_progress())
        if selectors.can_see_all_returns(user)
        else [],
        "can_see_cycles": selectors.can_see_all_returns(user),
        "can_create_audit": selectors.can_create_audit(user),
        "can_open_cycle": selectors.can_open_cycle(user),
    }
    return render(request, "audits/audit_list.html", context)


def audit_create(request):
    require(selectors.can_create_audit(request.user))
    form = AuditForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            audit = services.audit_create(**data, by=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Audit {audit.reference} recorded.")
            return redirect("audits:detail", uuid=audit.uuid)
    return render(request, "audits/audit_form.html", {"form": form, "audit": None})


def audit_detail(request, uuid):
    audit = selectors.get_audit_for_user(request.user, uuid)
    can_edit = selectors.can_edit_audit(request.user, audit)
    context = {
        "audit": audit,
        "can_edit": can_edit,
        "stage_form": StageForm(initial={"stage": audit.stage}) if can_edit else None,
        "case_form": CaseAuditEntryForm(audit=audit)
        if can_edit and audit.is_case_file and audit.stage != Audit.Stage.COMPLETE
        else None,
        **selectors.audit_detail(request.user, audit),
    }
    return render(request, "audits/audit_detail.html", context)


def audit_edit(request, uuid):
    audit = selectors.get_audit_for_user(request.user, uuid, write=True)
    form = AuditForm(request.POST or None, instance=audit, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        agencies = data.pop("agencies")
        try:
            # The form has already set the fields on the instance; reload so that a refusal
            # changes nothing.
            fresh = selectors.get_audit_for_user(request.user, uuid, write=True)
            services.audit_update(audit=fresh, agencies=agencies, **data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Audit updated.")
            return redirect("audits:detail", uuid=uuid)
    return render(request, "audits/audit_form.html", {"form": form, "audit": audit})


@require_POST
def audit_stage(request, uuid):
    audit = selectors.get_audit_for_user(request.user, uuid, write=True)
    form = StageForm(request.POST)
    if form.is_valid():
        try:
            services.audit_move_stage(
                audit=audit, stage=form.cleaned_data["stage"], by=request.user
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, f"The audit is now at “{audit.get_stage_display()}”.")
    else:
        messages.error(request, "Choose one of the audit stages.")
    return redirect("audits:detail", uuid=uuid)


def audit_case_add(request, uuid):
    audit = selectors.get_audit_for_user(request.user, uuid, write=True)
    form = CaseAuditEntryForm(request.POST or None, audit=audit)
    if request.method == "POST" and form.is_valid():
        try:
            entry = services.case_audit_entry_add(audit=audit, **form.cleaned_data, by=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{entry.pseudonym} graded for {entry.agency.label}.")
            return redirect("audits:detail", uuid=uuid)
    return render(request, "audits/case_form.html", {"form": form, "audit": audit})


# --- cycles ---------------------------------------------------------------------------------


def cycle_create(request):
    require(selectors.can_open_cycle(request.user))
    today = timezone.localdate()
    form = AuditCycleForm(
        request.POST or None,
        initial={
            "opened_on": today,
            "financial_year": financial_year_of(today),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            cycle = services.audit_cycle_open(**form.cleaned_data, by=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            count = cycle.returns.count()
            messages.success(request, f"{cycle.title} opened: {count} returns sent.")
            return redirect("audits:cycle", uuid=cycle.uuid)
    return render(request, "audits/cycle_form.html", {"form": form})


def cycle_detail(request, uuid):
    cycle = selectors.get_cycle_for_user(request.user, uuid)
    context = {
        "cycle": cycle,
        "progress": selectors.cycle_progress(cycle),
        "returns": selectors.cycle_returns(cycle),
    }
    return render(request, "audits/cycle_detail.html", context)


def heat_map(request, uuid):
    cycle = selectors.get_cycle_for_user(request.user, uuid)
    return render(request, "audits/heat_map.html", {"cycle": cycle, **selectors.heat_map(cycle)})


def agency_history(request, uuid):
    agency = selectors.get_agency_for_history(request.user, uuid)
    returns = selectors.agency_history(agency)
    frameworks = {}
    for self_assessment in returns:
        frameworks.setdefault(self_assessment.cycle.framework, []).append(self_assessment)
    return render(
        request,
        "audits/agency_history.html",
        {"agency": agency, "frameworks": frameworks.items()},
    )


# --- returns --------------------------------------------------------------------------------


def return_detail(request, uuid):
    self_assessment = selectors.get_self_assessment_for_user(request.user, uuid)
    services.self_assessment_record_opening(request=request, self_assessment=self_assessment)
    context = {
        "return": self_assessment,
        "answers": selectors.answers_for(self_assessment),
        "can_fill_in": self_assessment.is_editable
        and selectors.can_fill_in(request.user, self_assessment),
        "can_moderate": self_assessment.is_returned and selectors.can_moderate(request.user),
        "can_send_back": self_assessment.status == SelfAssessment.Status.SUBMITTED
        and selectors.can_moderate(request.user),
        "is_late": self_assessment.is_late(timezone.localdate()),
        "reminders": reminders_about(self_assessment),
        "access_log": access_log_about(request.user, self_assessment),
    }
    return render(request, "audits/return_detail.html", context)


def return_edit(request, uuid):
    self_assessment = selectors.get_self_assessment_for_user(request.user, uuid, write=True)
    if not self_assessment.is_editable:
        messages.info(
            request,
            f"This return was {self_assessment.get_status_display().lower()} and can no longer "
            "be changed.",
        )
        return redirect("audits:return", uuid=uuid)
    if request.method == "GET":
        services.self_assessment_record_opening(request=request, self_assessment=self_assessment)
    answers = selectors.answers_for(self_assessment)
    data = request.POST if request.method == "POST" else None
    forms = [AnswerForm(data, answer=answer) for answer in answers]
    for_schools = self_assessment.cycle.framework.for_schools
    sign_off = (
        SignOffForm(data, instance=self_assessment, prefix="signoff") if for_schools else None
    )
    problems = []
    if request.method == "POST":
        valid = all(form.is_valid() for form in forms) and (sign_off is None or sign_off.is_valid())
        if valid:
            submitting = "submit" in request.POST
            try:
                with transaction.atomic():
                    services.self_assessment_save_draft(
                        self_assessment=self_assessment,
                        answers={form.answer.standard_id: form.cleaned_data for form in forms},
                        sign_off=sign_off.cleaned_data if sign_off else None,
                        by=request.user,
                    )
                    if submitting:
                        services.self_assessment_submit(
                            self_assessment=self_assessment, by=request.user
                        )
            except ValidationError as error:
                problems = list(error.messages)
            else:
                if submitting:
                    messages.success(
                        request,
                        "Return submitted to the partnership. The Quality Assurance and "
                        "Performance sub-group will moderate it.",
                    )
                    return redirect("audits:return", uuid=uuid)
                messages.success(request, "Draft saved. You can come back and finish it later.")
                return redirect("audits:return-edit", uuid=uuid)
        else:
            problems = ["Some answers need correcting: see the messages beside them."]
    context = {
        "return": self_assessment,
        "forms": forms,
        "sign_off": sign_off,
        "problems": problems,
        "is_late": self_assessment.is_late(timezone.localdate()),
    }
    return render(request, "audits/return_form.html", context)


def return_moderate(request, uuid, number):
    answer = selectors.get_answer_for_moderation(request.user, uuid, number)
    self_assessment = answer.self_assessment
    if not self_assessment.is_returned:
        messages.info(request, "This return has not been submitted yet, so it cannot be moderated.")
        return redirect("audits:return", uuid=uuid)
    if request.method == "GET":
        services.self_assessment_record_opening(request=request, self_assessment=self_assessment)
    initial = {
        "moderated_score": answer.moderated_score or answer.self_score,
        "moderation_comment": answer.moderation_comment,
        "challenge_notes": answer.challenge_notes,
    }
    form = ModerationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.standard_assessment_moderate(
                standard_assessment=answer, **form.cleaned_data, by=request.user
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Standard {number} moderated.")
            return redirect("audits:return", uuid=uuid)
    return render(
        request,
        "audits/moderate_form.html",
        {"form": form, "answer": answer, "return": self_assessment},
    )


@require_POST
def return_send_back(request, uuid):
    self_assessment = selectors.get_self_assessment_for_user(request.user, uuid)
    require(selectors.can_moderate(request.user))
    try:
        services.self_assessment_return_to_agency(self_assessment=self_assessment, by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request, f"The return is back with {self_assessment.agency.label} as a draft."
        )
    return redirect("audits:return", uuid=uuid)

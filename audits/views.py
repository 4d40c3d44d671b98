"""Thin views: call a selector or a service, render."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.text import capfirst
from django.views.decorators.http import require_POST, require_safe

from sscb.access import can_record_work, require
from sscb.dates import financial_year_of, say
from sscb.forms import add_service_errors
from sscb.lists import filtered_page, plural
from sscb.pages import form_page
from sscb.params import query_value
from sscb.selectors import access_log_about, reminders_about

from . import selectors, services
from .filters import AuditFilter
from .forms import (
    AnswerForm,
    AuditCycleForm,
    AuditForm,
    CaseAuditEntryForm,
    CycleDeadlineForm,
    ModerationForm,
    SendBackForm,
    SignOffForm,
    StageForm,
)
from .models import Audit, SelfAssessment
from .performance.selectors import can_see_performance

# --- audits ---------------------------------------------------------------------------------


def audit_list(request):
    """Audits, self-assessment cycles and, for an agency lead, their own returns."""
    user = request.user
    context = filtered_page(request, AuditFilter, lambda: selectors.audits_visible_to(user))
    context |= {
        "my_returns": selectors.returns_for_agency_lead(user),
        "cycles": list(selectors.cycles_with_progress())
        if selectors.can_see_all_returns(user)
        else [],
        "can_see_cycles": selectors.can_see_all_returns(user),
        "can_see_performance": can_see_performance(user),
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
    detail = selectors.audit_detail(request.user, audit)
    moves = (
        services.audit_stage_moves(audit=audit, graded_cases=detail["case_total"])
        if can_edit
        else []
    )
    context = {
        "audit": audit,
        "can_edit": can_edit,
        "stage_form": StageForm(moves=moves) if moves else None,
        # What stands between the audit and "Complete", when that is its next stage.
        "to_complete": list(audit.completion_missing(detail["case_total"]).values())
        if can_edit and audit.stage == Audit.Stage.REPORTING
        else [],
        "case_form": CaseAuditEntryForm(audit=audit)
        if can_edit and audit.is_case_file and audit.stage != Audit.Stage.COMPLETE
        else None,
        "history": selectors.audit_history(request.user, audit),
        # Its findings and action plan are the learning loop's, which records them.
        "can_record_work": can_record_work(request.user),
        **detail,
    }
    return render(request, "audits/audit_detail.html", context)


def audit_edit(request, uuid):
    audit = selectors.get_audit_for_user(request.user, uuid, write=True)
    form = AuditForm(request.POST or None, instance=audit, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        agencies = data.pop("agencies")
        del data["kind"]  # shown, not changed: fixed once the audit is recorded
        try:
            # The form has already set the fields on the instance; reload so that a refusal
            # changes nothing.
            fresh = selectors.get_audit_for_user(request.user, uuid, write=True)
            services.audit_update(audit=fresh, agencies=agencies, by=request.user, **data)
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
            audit = services.audit_move_stage(
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
            messages.success(request, f"{cycle.title} opened: {plural(count, 'return')} sent.")
            return redirect("audits:cycle", uuid=cycle.uuid)
    return render(request, "audits/cycle_form.html", {"form": form})


def cycle_detail(request, uuid):
    cycle = selectors.get_cycle_for_user(request.user, uuid)
    status = query_value(
        request,
        "status",
        lambda text: (
            text
            if text in {*SelfAssessment.Status.values, selectors.LATE, selectors.RETURNED_FILTER}
            else None
        ),
    )
    can_send = selectors.can_open_cycle(request.user)
    context = {
        "cycle": cycle,
        "can_change_deadline": can_send,
        # Agencies added since it opened, for the Business Unit to send their returns to.
        "agencies_added": list(services.agencies_added_since(cycle)) if can_send else [],
        "is_closed": cycle.is_closed(timezone.localdate()),
        "deadline_changes": selectors.cycle_deadline_changes(cycle),
        "progress": selectors.cycle_progress(cycle),
        "returns": selectors.cycle_returns(cycle, status=status),
        "status": status,
        "history": selectors.cycle_history(cycle),
    }
    return render(request, "audits/cycle_detail.html", context)


def cycle_deadline(request, uuid):
    """The Business Unit moves a cycle's deadline."""
    user = request.user
    cycle = selectors.get_cycle_for_user(user, uuid)
    require(selectors.can_open_cycle(user))
    form = CycleDeadlineForm(request.POST or None, instance=cycle)
    return form_page(
        request,
        form,
        template="audits/cycle_deadline_form.html",
        title=f"Change the deadline: {cycle.title}",
        purpose=f"The date every return in this cycle is due, now {say(cycle.deadline)}. "
        "Correct a mistake or give agencies more time: the returns' late flags and reminders "
        "follow the new date, and the old one stays in the cycle's history. A day already "
        "gone is refused while it would make returns not yet submitted late at once; a "
        "deadline already passed may still be corrected, its late returns chased afresh from "
        "the new date.",
        back=cycle.get_absolute_url(),
        # The form has already set the date on ``cycle``: the service reads the saved one.
        save=lambda: services.audit_cycle_change_deadline(
            cycle=selectors.get_cycle_for_user(user, uuid),
            deadline=form.cleaned_data["deadline"],
            by=user,
        ),
        success="Deadline changed.",
        cycle=cycle,
    )


@require_POST
def cycle_add_returns(request, uuid):
    """The Business Unit sends a return to each agency added since the cycle opened."""
    cycle = selectors.get_cycle_for_user(request.user, uuid)
    require(selectors.can_open_cycle(request.user))
    try:
        returns = services.audit_cycle_add_returns(cycle=cycle, by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        names = ", ".join(sorted(r.agency.name for r in returns))
        messages.success(request, f"{plural(len(returns), 'return')} sent: {names}.")
    return redirect("audits:cycle", uuid=uuid)


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
    return _return_page(request, self_assessment)


def _return_page(request, self_assessment, *, send_back_form=None, status=200):
    """The return's page; ``send_back_form``, a refused send-back shown again with why (what
    was typed kept), and nothing changed."""
    answers = selectors.answers_for(self_assessment, reader=request.user)
    _link_minutes_open_to(request.user, answers)
    context = {
        "return": self_assessment,
        "answers": answers,
        "not_met_count": sum(bool(answer.needs_action) for answer in answers),
        "can_fill_in": self_assessment.is_editable
        and selectors.can_fill_in(request.user, self_assessment),
        "can_read_answers": selectors.can_read_answers(request.user, self_assessment),
        "can_moderate": self_assessment.is_returned and selectors.can_moderate(request.user),
        "can_send_back": self_assessment.may_go_back and selectors.can_moderate(request.user),
        "is_late": self_assessment.is_late(timezone.localdate()),
        "moderated_by": selectors.MODERATED_BY,
        "reminders": reminders_about(self_assessment),
        "history": selectors.return_history(request.user, self_assessment),
        "access_log": access_log_about(request.user, self_assessment),
        "send_back_form": send_back_form or SendBackForm(),
    }
    return render(request, "audits/return_detail.html", context, status=status)


def _link_minutes_open_to(user, answers) -> None:
    """Each answer's ``minutes_open``: whether ``user`` may open the meeting whose minutes
    moderated it, by the meetings' own rule (``meetings_visible_to``; the meetings app sits
    above audits, so its rule is found by name, never imported). A reader who may not reads
    where it was decided without a link. One query, and none without minutes."""
    meetings = {}
    for answer in answers:
        answer.minutes_open = False
        if answer.minutes_url:
            try:
                match = resolve(answer.minutes_url.partition("#")[0])
            except Resolver404:
                continue
            if match.view_name == "meetings:detail":
                meetings.setdefault(match.kwargs["uuid"], []).append(answer)
    if not meetings:
        return
    meetings_visible_to = import_string("learning.meetings.selectors.meetings_visible_to")
    for meeting in (
        meetings_visible_to(user).filter(uuid__in=list(meetings)).values_list("uuid", flat=True)
    ):
        for answer in meetings[meeting]:
            answer.minutes_open = True


def _return_forms(self_assessment, data=None):
    """The return's answer forms and, for a school, its sign-off form, bound to ``data``."""
    answer_forms = [
        AnswerForm(data, answer=answer) for answer in selectors.answers_for(self_assessment)
    ]
    sign_off = (
        SignOffForm(data, instance=self_assessment, prefix="signoff")
        if self_assessment.cycle.framework.for_schools
        else None
    )
    return answer_forms, sign_off


def _return_form_page(request, self_assessment, answer_forms, sign_off, refused=None):
    """The form for filling in a return; ``refused`` says why what was posted was not
    ``refused.verb`` ("saved", "submitted"), with its ``problems``."""
    context = {
        "return": self_assessment,
        "forms": answer_forms,
        "sign_off": sign_off,
        "refused": refused,
        "is_late": self_assessment.is_late(timezone.localdate()),
        "moderated_by": selectors.MODERATED_BY,
    }
    return render(request, "audits/return_form.html", context)


def _editable_return(request, uuid):
    """The return the person may fill in, and a redirect instead if it may no longer change."""
    self_assessment = selectors.get_self_assessment_for_user(request.user, uuid, write=True)
    if self_assessment.is_editable:
        return self_assessment, None
    messages.info(
        request,
        f"This return was {self_assessment.get_status_display().lower()} and can no longer "
        "be changed.",
    )
    return self_assessment, redirect("audits:return", uuid=uuid)


@require_safe
def return_edit(request, uuid):
    self_assessment, gone = _editable_return(request, uuid)
    if gone:
        return gone
    services.self_assessment_record_opening(request=request, self_assessment=self_assessment)
    return _return_form_page(request, self_assessment, *_return_forms(self_assessment))


def _return_act(request, uuid, *, service, verb, success, then):
    """Save (or submit) the answers posted: ``service`` is called once with them; refused, the
    form again with the reasons, and nothing changed."""
    self_assessment, gone = _editable_return(request, uuid)
    if gone:
        return gone
    answer_forms, sign_off = _return_forms(self_assessment, request.POST)
    # Every form validated, so that each shows its own messages.
    valid = [form.is_valid() for form in [*answer_forms, *filter(None, [sign_off])]]
    if not all(valid):
        problems = ["Some answers need correcting: see the messages beside them."]
    else:
        try:
            service(
                self_assessment=self_assessment,
                answers={form.answer.standard_id: form.cleaned_data for form in answer_forms},
                sign_off=sign_off.cleaned_data if sign_off else None,
                by=request.user,
            )
        except ValidationError as error:
            problems = list(error.messages)
        else:
            messages.success(request, success)
            return redirect(then, uuid=uuid)
    refused = {"verb": verb, "problems": problems}
    return _return_form_page(request, self_assessment, answer_forms, sign_off, refused)


@require_POST
def return_save(request, uuid):
    """The agency saves its answers as a draft, to come back to."""
    return _return_act(
        request,
        uuid,
        service=services.self_assessment_save_draft,
        verb="saved",
        success="Draft saved. You can come back and finish it later.",
        then="audits:return-edit",
    )


@require_POST
def return_submit(request, uuid):
    """The agency submits its answers to the partnership."""
    return _return_act(
        request,
        uuid,
        service=services.self_assessment_submit,
        verb="submitted",
        success=f"Return submitted to the partnership. {capfirst(selectors.MODERATED_BY)} "
        "will moderate it.",
        then="audits:return",
    )


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
    form = ModerationForm(request.POST or None, initial=initial, record=answer)
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
    """QAP or the Business Unit sends a submitted return back to its agency, saying what it
    should change; refused, the return's page again with why, and nothing changed."""
    self_assessment = selectors.get_self_assessment_for_user(request.user, uuid)
    require(selectors.can_moderate(request.user))
    form = SendBackForm(request.POST)
    if form.is_valid():
        try:
            services.self_assessment_return_to_agency(
                self_assessment=self_assessment,
                by=request.user,
                reason=form.cleaned_data["sent_back_reason"],
            )
        except ValidationError as error:
            if not hasattr(error, "error_dict"):
                return _moved_on(request, uuid, error.messages)
            add_service_errors(form, error)
        else:
            messages.success(
                request, f"The return is back with {self_assessment.agency.label} as a draft."
            )
            return redirect("audits:return", uuid=uuid)
    if not self_assessment.may_go_back:
        return _moved_on(request, uuid, [services.ONLY_SUBMITTED_GOES_BACK])
    return _return_page(request, self_assessment, send_back_form=form, status=400)


def _moved_on(request, uuid, problems):
    """A return no longer submitted (moderated, or sent back already) since its page was shown:
    its page as it is now, which offers no send-back, says why."""
    for problem in problems:
        messages.error(request, problem)
    return redirect("audits:return", uuid=uuid)

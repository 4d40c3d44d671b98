"""Thin views: an access helper or selector, a form, a service, a page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from sscb import sending
from sscb.access import require_a_body
from sscb.dates import (
    financial_year_bounds,
    financial_year_choices,
    financial_year_label,
    financial_year_of,
)
from sscb.forms import add_service_errors
from sscb.lists import filtered_page, plural
from sscb.pages import form_page
from sscb.selectors import reminders_about
from sscb.tabular import template_csv

from . import figures, forms, selectors, services
from .filters import AnswerFilter, AttendeeFilter
from .models import Attendee, Questionnaire


def _form_page(request, form, **page):
    return form_page(request, form, template="learning/form.html", **page)


def _act(request, session, act, success):
    """A one-button act: call the service, say what happened or why not, back to the session."""
    try:
        with transaction.atomic():
            done = act()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, success(done) if callable(success) else success)
    return redirect(session.get_absolute_url())


# Courses and sessions -----------------------------------------------------------------------------


@require_safe
def course_list(request):
    """Every course, the sessions coming up, and where to find the registers' figures."""
    user = request.user
    return render(
        request,
        "training/course_list.html",
        {
            "courses": selectors.course_list(user),
            "upcoming": selectors.upcoming_sessions(user),
            # The Business Unit is offered it before any body is set up, and told what is needed.
            "can_add": user.is_business_unit or selectors.subgroups_running_courses(user).exists(),
        },
    )


def _course_form(request, course=None):
    user = request.user
    form = forms.CourseForm(
        request.POST or None,
        instance=course,
        outcomes=selectors.outcomes_for_courses(user),
        subgroups=selectors.subgroups_running_courses(user),
        subgroup=selectors.default_course_subgroup(user),
        points_fixed=selectors.learning_points_fixed(course) if course else None,
    )

    def save():
        data = dict(form.cleaned_data)
        outcomes = data.pop("outcomes")
        return services.course_save(course=course, outcomes=outcomes, **data)

    return _form_page(
        request,
        form,
        title=f"Change {course}" if course else "Add a course",
        purpose="A core multi-agency module, a themed event or commissioned training: the "
        "learning outcomes it serves and its learning points, which attendees rate before, "
        "straight after and 6–8 weeks after each session.",
        back=course.get_absolute_url() if course else "/training/",
        save=save,
        success="Course saved.",
    )


def course_create(request):
    require_a_body(request.user, selectors.subgroups_running_courses(request.user))
    return _course_form(request)


def course_edit(request, uuid):
    return _course_form(request, selectors.get_course_for_user(request.user, uuid, write=True))


@require_safe
def course_detail(request, uuid):
    user = request.user
    course = selectors.get_course_for_user(user, uuid)
    return render(
        request,
        "training/course_detail.html",
        {
            "course": course,
            "outcomes": selectors.course_outcomes(user, course),
            "sessions": selectors.course_sessions(course),
            "can_run": selectors.can_run_course(user, course),
            "history": selectors.course_history(course),
        },
    )


def session_create(request, uuid):
    course = selectors.get_course_for_user(request.user, uuid, write=True)
    form = forms.SessionForm(request.POST or None)
    return _form_page(
        request,
        form,
        title=f"Add a session of {course}",
        purpose="When and where the session is, who trains and how many places it has. It is "
        "at once a planned delivery activity of each learning outcome the course serves.",
        back=course.get_absolute_url(),
        save=lambda: services.session_save(course=course, **form.cleaned_data),
        success="Session added.",
    )


def session_edit(request, uuid):
    session = selectors.get_session_for_user(request.user, uuid, write=True)
    held_on = session.held_on
    form = forms.SessionForm(request.POST or None, instance=session)

    def save():
        saved = services.session_save(session=session, **form.cleaned_data)
        # A session moved: the links already emailed move with it, and the chair is told.
        said = services.open_links_said(saved) if saved.held_on != held_on else None
        if said:
            messages.info(request, said)
        return saved

    return _form_page(
        request,
        form,
        title=f"Change the session of {session.course}",
        purpose="Its date, trainer, venue or link, and places. Questionnaire links already "
        "emailed move with its date.",
        back=session.get_absolute_url(),
        save=save,
        success="Session saved.",
    )


@require_safe
def session_detail(request, uuid):
    """The session: its register by agency (as the reader may see it), attendance rates, and
    its evaluation's figures, each linking to its records."""
    user = request.user
    session = selectors.get_session_for_user(user, uuid)
    register = selectors.register_of(user, session)
    can_run = selectors.can_run_course(user, session.course)
    # Only what can still be emailed today is offered, by the rule the sending follows.
    offer = services.evaluation_offer(session=session) if can_run else None
    rows = selectors.register_rows(register, again=offer.again if offer else ())
    evaluation, not_open = selectors.session_evaluation(user, session)
    # Once delivered, the register is its figures: marked, never back to booked or taken off.
    register_fixed = services.register_fixed(session)
    return render(
        request,
        "training/session_detail.html",
        {
            "session": session,
            "course": session.course,
            "register": rows,
            "progress": selectors.stage_progress(rows) if rows else [],
            "follow_up": services.follow_up_said(session),
            "rates": figures.attendance_by_agency(register, session=session.uuid),
            "evaluation": evaluation,
            "answers_not_open": not_open,
            "answers_link": f"{reverse('training:answers')}?session={session.uuid}&",
            "stages": Questionnaire.Stage,
            "can_run": can_run,
            "statuses": [
                (value, label)
                for value, label in Attendee.Status.choices
                if not (register_fixed and value == Attendee.Status.BOOKED)
            ],
            "register_fixed": register_fixed,
            "send_stages": [(stage, Questionnaire.Stage(stage).label) for stage in offer.send]
            if offer
            else [],
            "not_sent_because": offer.why_not if offer else [],
            "not_deliverable": services.delivery_refusal(session)
            if can_run and not session.delivered_on
            else None,
            "attendance_not_yet": services.attendance_not_yet(session),
            "history": selectors.session_history(user, session),
            # The follow-up questionnaires, each about an attendee the reader may see.
            "reminders": reminders_about(*rows),
        },
    )


@require_POST
def session_deliver(request, uuid):
    session = selectors.get_session_for_user(request.user, uuid, write=True)
    return _act(
        request,
        session,
        lambda: services.session_deliver(session=session),
        "Recorded as delivered: it is now delivered learning for each of its outcomes.",
    )


def _send_act(request, session, send, success):
    """A one-button act that emails a stage's questionnaire: ``send(stage)``."""
    form = forms.SendForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose which questionnaire to send.")
        return redirect(session.get_absolute_url())
    return _act(request, session, lambda: send(form.cleaned_data["stage"]), success)


@require_POST
def evaluation_send(request, uuid):
    session = selectors.get_session_for_user(request.user, uuid, write=True)
    return _send_act(
        request,
        session,
        lambda stage: services.evaluation_send(session=session, stage=stage),
        lambda sent: f"Questionnaire links emailed to {plural(sent, 'attendee')}.",
    )


# Registers --------------------------------------------------------------------------------------


def attendee_add(request, uuid):
    session = selectors.get_session_for_user(request.user, uuid, write=True)
    form = forms.AttendeeForm(request.POST or None)

    def save():
        services.attendee_add(session=session, **form.cleaned_data)
        return session

    return _form_page(
        request,
        form,
        title=f"Add to the register: {session}",
        purpose="A practitioner booked on the session: their name and work email, their agency "
        "and their manager's email (for the 6–8-week follow-up).",
        back=session.get_absolute_url(),
        save=save,
        success="Added to the register.",
    )


@require_POST
def attendee_mark(request, uuid):
    attendee = selectors.get_attendee_for_user(request.user, uuid, write=True)
    form = forms.MarkForm(request.POST)
    session = attendee.session
    if not form.is_valid():
        choose = "attended or did not attend" if services.register_fixed(session) else None
        messages.error(request, f"Choose {choose or 'booked, attended or did not attend'}.")
        return redirect(session.get_absolute_url())
    return _act(
        request,
        session,
        lambda: services.attendee_mark(attendee=attendee, status=form.cleaned_data["status"]),
        f"{attendee.name}: {Attendee.Status(form.cleaned_data['status']).label.lower()}.",
    )


@require_POST
def attendee_remove(request, uuid):
    attendee = selectors.get_attendee_for_user(request.user, uuid, write=True)
    return _act(
        request,
        attendee.session,
        lambda: services.attendee_remove(attendee=attendee),
        f"{attendee.name} is no longer on the register.",
    )


def attendee_edit(request, uuid):
    """Correct a practitioner's name, email, manager's email or agency on a register."""
    attendee = selectors.get_attendee_for_user(request.user, uuid, write=True)
    session = attendee.session
    form = forms.AttendeeEditForm(request.POST or None, instance=attendee)

    def save():
        said = services.attendee_change(attendee=attendee, **form.cleaned_data)
        if said:
            messages.info(request, said)
        return session

    return _form_page(
        request,
        form,
        title=f"Correct {attendee.name}'s details: {session}",
        purpose="Their name, work email, agency and manager's email, as the register keeps "
        "them (its history keeps what they were). Their attendance is marked on the "
        "session's page.",
        back=session.get_absolute_url(),
        save=save,
        success="Details saved.",
    )


@require_POST
def link_resend(request, uuid):
    attendee = selectors.get_attendee_for_user(request.user, uuid, write=True)
    form = forms.ResendForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose which questionnaire to send.")
        return redirect(attendee.session.get_absolute_url())
    return _act(
        request,
        attendee.session,
        lambda: services.link_resend(attendee=attendee, stage=form.cleaned_data["stage"]),
        lambda sent: (
            f"A new link emailed to {attendee.name}"
            + (" and another to their manager." if sent > 1 else ".")
        ),
    )


def register_upload(request, uuid):
    """A register from a CSV or XLSX file: every attendee in it, or none and why."""
    session = selectors.get_session_for_user(request.user, uuid, write=True)
    form = forms.RegisterUploadForm(request.POST or None, request.FILES or None)
    row_errors = []
    if request.method == "POST" and form.is_valid():
        try:
            result = services.register_import(session=session, upload=form.cleaned_data["file"])
        except ValidationError as error:
            add_service_errors(form, error)  # about the file as a whole: it has no rows to show
        else:
            if not result.errors:
                messages.success(
                    request, f"{plural(result.created, 'attendee')} added to the register."
                )
                return redirect(session.get_absolute_url())
            row_errors = result.errors
            sending.not_saved(form)  # nothing was added: the file may be corrected and sent again
    return render(
        request,
        "training/register_upload.html",
        {
            "form": form,
            "session": session,
            "row_errors": row_errors,
            "columns": services.REGISTER_COLUMNS,
        },
        status=400 if request.method == "POST" else 200,
    )


@require_safe
def register_template(request):
    """The register's upload template: its header row and one example row, as CSV."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="register-template.csv"'
    return template_csv(response, services.REGISTER_COLUMNS, services.REGISTER_EXAMPLE)


@require_safe
def attendance_rates(request):
    """Attendance and did-not-attend rates by agency, over the sessions delivered in a financial
    year (``?year=``, by default this one) that the reader may see the register of, as the
    annual report gives them; each figure opens the attendees behind it."""
    years = financial_year_choices()
    asked = request.GET.get("year", "")
    offered = {str(value) for value, _label in years}
    year = int(asked) if asked in offered else financial_year_of(timezone.localdate())
    attendees = selectors.attendees_visible_to(request.user).filter(
        session__delivered_on__range=financial_year_bounds(year)
    )
    return render(
        request,
        "training/rates.html",
        {
            "rates": figures.attendance_by_agency(attendees, year=year),
            "year": year,
            "year_label": financial_year_label(year),
            "years": years,
            "not_offered": asked if asked and asked not in offered else "",
        },
    )


@require_safe
def attendee_list(request):
    """The practitioners on registers, as the figures that link here count them."""
    context = filtered_page(request, AttendeeFilter, lambda: selectors.attendee_list(request.user))
    return render(request, "training/attendee_list.html", context)


@require_safe
def answer_list(request):
    """The evaluation's answers, as the figures that link here count them."""
    context = filtered_page(
        request,
        AnswerFilter,
        lambda: selectors.answer_list(request.user),
        counted=selectors.answers_counted,
    )
    return render(request, "training/answer_list.html", context)


# The questionnaire, reached only by its token --------------------------------------------------


def _questionnaire_page(request, token, link, form, status=200):
    questionnaire = link.questionnaire
    return render(
        request,
        "training/answer.html",
        {
            "token": token,
            "state": selectors.link_state(link),
            "questionnaire": questionnaire,
            "session": questionnaire.attendee.session,
            "form": form,
            "stages": Questionnaire.Stage,
        },
        status=status,
    )


@login_not_required
@require_safe
def answer(request, token):
    """The questionnaire a one-use link opens: no account needed; an unknown token is 404, an
    answered one says so."""
    link = selectors.link_for_token(token)
    form = forms.AnswerForm(questionnaire=link.questionnaire)
    return _questionnaire_page(request, token, link, form)


@login_not_required
@require_POST
def answer_submit(request, token):
    link = selectors.link_for_token(token)
    if selectors.link_state(link) != "open":
        return _questionnaire_page(request, token, link, None, status=400)
    form = forms.AnswerForm(request.POST, questionnaire=link.questionnaire)
    if form.is_valid():
        try:
            services.questionnaire_answer(link=link, ratings=form.ratings, **form.answers)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return render(
                request, "training/answered.html", {"session": link.questionnaire.attendee.session}
            )
    return _questionnaire_page(request, token, link, form, status=400)

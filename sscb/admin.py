import copy
import logging

from allauth.account.models import EmailAddress
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import (
    AdminPasswordChangeForm,
    AdminUserCreationForm,
    UserChangeForm,
)
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db.models import Count, Exists, OuterRef, Q, Subquery

from . import signin
from .admin_inlines import TabularInline
from .admin_records import RecordAdmin, is_protected
from .history import Part, saying, versions_of
from .lists import plural
from .models import (
    AccessLogEntry,
    Agency,
    DisposalRecord,
    Reminder,
    ReminderSweep,
    RetentionRule,
    StrategicPriority,
    SubGroup,
    SubGroupMembership,
    User,
)

ROLE_DECIDES = (
    "What this person may see and do follows from their role and agency (below) and the "
    "sub-groups they sit on (a sub-group's members are set on its page, under Sub-groups): "
    "only a Business Unit officer opens this admin. Untick Active when they leave."
)


logger = logging.getLogger(__name__)


class PersonFormRules:
    """What the forms that add and change a person both check: an email address is one
    person's (a reset link, a reminder or a welcome must reach them and nobody else), and the
    officer saving the form keeps their own access (``officer``, set by ``UserAdmin.get_form``)."""

    officer = None

    def clean_email(self):
        email = (self.cleaned_data.get("email") or "").strip()
        if email:
            other = User.objects.filter(email__iexact=email).exclude(pk=self.instance.pk).first()
            if other is not None:
                raise ValidationError(
                    f"{other} (username {other.username}) already has this email address. "
                    "Each person needs their own, so that their links and reminders reach "
                    "only them: give this person's own address."
                )
        return email

    def clean(self):
        data = super().clean()
        person, officer = self.instance, self.officer
        if person.pk and officer is not None and officer.pk == person.pk:
            if not data.get("is_active", person.is_active):
                self.add_error(
                    "is_active",
                    "You cannot close your own account: ask another Business Unit officer.",
                )
            elif data.get("role", person.role) != User.Role.BUSINESS_UNIT:
                self.add_error(
                    "role",
                    "You cannot take away your own Business Unit role, which opens this admin: "
                    "ask another Business Unit officer.",
                )
        return data


class PersonChangeForm(PersonFormRules, UserChangeForm):
    pass


class PersonPasswordForm(AdminPasswordChangeForm):
    """The Business Unit setting a person's password, or ending password sign-in, says so in
    their history, which keeps no password: otherwise a version showing nothing."""

    def save(self, commit=True):
        said = (
            "Password set by the Business Unit"
            if self.cleaned_data.get("set_usable_password", True)
            else "Password sign-in turned off by the Business Unit"
        )
        with saying(self.user, said):
            return super().save(commit)


class NewPersonForm(PersonFormRules, AdminUserCreationForm):
    """A new account: with a password the Business Unit sets and tells them, or (the usual way)
    none, and an email with a link to choose their own, sent as the account is saved."""

    usable_password = forms.ChoiceField(
        label="Their password",
        required=False,
        initial="false",
        choices={
            "false": "Email them a link to choose their own (needs their email address below)",
            "true": "Set one now and tell them it",
        },
        widget=forms.RadioSelect(attrs={"class": "radiolist"}),
        help_text="The link works once, for a limited time; if it expires, use the action "
        "“Email a link to choose a new password” on the list of users.",
    )

    def clean(self):
        data = super().clean()  # takes usable_password for set_usable_password
        if not data.get("set_usable_password", True) and not (data.get("email") or "").strip():
            self.add_error(
                "email",
                "Give their email address to send the link to, or set a password now.",
            )
        return data


@admin.register(User)
class UserAdmin(DjangoUserAdmin, RecordAdmin):
    list_display = ["username", "get_full_name", "role", "agency", "is_active", "last_login"]
    list_filter = ["role", "agency", "is_active"]
    search_fields = ["username", "first_name", "last_name", "email", "job_title"]
    list_select_related = ["agency"]
    autocomplete_fields = ["agency"]
    # What a person may do follows from their role, agency and sub-groups, never from Django's
    # groups and permissions, nor its staff and superuser flags (sscb.models.User.has_perm,
    # sscb.apps.BusinessUnitAdminSite): none is offered, so the role shown is all a person may
    # do, and no change to access escapes the person's history: their own fields, and the
    # sub-groups they joined, left or chaired (history_parts).
    fieldsets = [
        (name, {"fields": ["is_active"], "description": ROLE_DECIDES})
        if "groups" in options["fields"]
        else (name, options)
        for name, options in DjangoUserAdmin.fieldsets
    ] + [("Role in the partnership", {"fields": ["role", "agency", "job_title"]})]
    filter_horizontal = ()
    add_fieldsets = DjangoUserAdmin.add_fieldsets + (
        (
            "Role in the partnership",
            {"fields": ["first_name", "last_name", "email", "role", "agency", "job_title"]},
        ),
    )
    add_form = NewPersonForm
    form = PersonChangeForm
    change_password_form = PersonPasswordForm
    actions = ["reset_second_factor", "force_password_reset"]
    # A person who leaves is made inactive (*Active* unticked): their account is kept with
    # what they did. Only an account that has nothing to its name (made in error) is deleted.
    deletable = True

    def history_parts(self, obj):
        """Beside a person's own changes (role, agency, active), the sub-groups they joined and
        left, and chaired: what they may open follows from those too (sscb.access), and an
        inspector asks when someone lost access to a sub-group's work."""
        memberships = versions_of(SubGroupMembership).filter(user_id=obj.pk)
        return [
            Part(
                "Sub-group membership",
                memberships.select_related("history_user"),
                ["agency"],
                name="subgroup",
            ),
            Part(
                "Chair of a sub-group",
                _chair_taken_or_left(obj).select_related("history_user"),
                ["chair"],
                name="name",
            ),
        ]

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        # A sub-group's chair and members are chosen from people still with the partnership
        # (the admin's autocomplete says whose field it fills; the list of people does not).
        chooses = request.resolver_match and request.resolver_match.url_name == "autocomplete"
        if (
            chooses
            and (request.GET.get("app_label"), request.GET.get("model_name")) in CHOSEN_ACTIVE
        ):
            queryset = queryset.filter(is_active=True)
        return queryset, may_have_duplicates

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.officer = request.user  # a class made for this request (modelform_factory)
        return form

    def change_view(self, request, object_id, form_url="", extra_context=None):
        person = self.get_object(request, unquote(object_id))
        if person is not None:
            # Before Active is unticked or the role changed: what someone must take over.
            if request.method == "GET" and person.is_active:
                held = _work_left_behind(_leaving(person), lead_of=_lead_of(person), still=False)
                if held:
                    self.message_user(
                        request,
                        f"If {person} leaves (Active unticked), these need someone else first: "
                        + " ".join(held),
                        messages.WARNING,
                    )
            # A person with records is kept (Active unticked), never deleted: no Delete button.
            if _with_records(User.objects.filter(pk=person.pk)).exists():
                extra_context = {**(extra_context or {}), "show_delete": False}
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        before = form.initial
        super().save_model(request, obj, form, change)
        if change and {"role", "agency", "is_active"} & set(form.changed_data):
            was_lead = before.get("role") == User.Role.AGENCY_LEAD and before.get("agency")
            lead_of = Agency.objects.filter(pk=before["agency"]).first() if was_lead else None
            for warning in _work_left_behind(obj, lead_of=lead_of):
                self.message_user(request, warning, messages.WARNING)
        if change and "email" in form.changed_data:
            _address_changed(obj, before=before.get("email") or "")
        if not change and not obj.has_usable_password():
            self._email_links(request, [obj], new=True)

    def _email_links(self, request, people, *, new=False):
        """Emails each of ``people`` a link to choose a password, ending the one they have
        (``new``: the accounts have just been made, with none), and says who was and was not
        emailed. Kept in each person's History (a change reason) and in the admin log."""
        done = "Link to choose a password sent" if new else "Password reset forced"
        outcomes = {outcome: [] for outcome in signin.ForcedReset}
        for user in people:
            reason = f"{done} by {request.user.get_username()}"
            outcome = signin.user_force_password_reset(user=user, reason=reason)
            if outcome is not signin.ForcedReset.NO_ADDRESS:
                self.log_change(request, user, outcome.said(reason))
            outcomes[outcome].append(user.get_username())
        emailed = ", ".join(outcomes[signin.ForcedReset.EMAILED])
        not_emailed = ", ".join(outcomes[signin.ForcedReset.NOT_EMAILED])
        no_address = ", ".join(outcomes[signin.ForcedReset.NO_ADDRESS])
        if emailed:
            said = "Link to choose a password emailed" if new else "Password reset and link emailed"
            self.message_user(request, f"{said}: {emailed}.", messages.SUCCESS)
        if not_emailed:
            said = "Account made" if new else "Password reset"
            self.message_user(
                request,
                f"{said}, but the email with the link could not be sent just now: "
                f"{not_emailed}. They are signed out and their password no longer works; their "
                "history says no link was sent. Use the action “Email a link to choose a new "
                "password” later to email them a link.",
                messages.ERROR,
            )
        if no_address:
            self.message_user(
                request,
                f"Not reset, no email address to send a link to: {no_address}. Add one first.",
                messages.WARNING,
            )

    def get_deleted_objects(self, objs, request):
        deleted, counts, refused, protected = super().get_deleted_objects(objs, request)
        if _with_records(User.objects.filter(pk__in=[user.pk for user in objs])).exists():
            # Django refuses a deletion that names something refused (the list's action too).
            refused = {*refused, USERS_WITH_RECORDS}
        return deleted, counts, refused, protected

    # Both resets are kept in the person's History (a change reason) and in the admin log.

    @admin.action(description="Reset second factor (they set up a new one at next sign-in)")
    def reset_second_factor(self, request, queryset):
        for user in queryset:
            reason = f"Second factor reset by {request.user.get_username()}"
            signin.user_reset_second_factor(user=user, reason=reason)
            self.log_change(request, user, reason)
        self.message_user(
            request,
            f"Second factor reset for {len(queryset)} "
            f"{'person' if len(queryset) == 1 else 'people'}: they will set up a new one when "
            "they next sign in.",
            messages.SUCCESS,
        )

    @admin.action(description="Email a link to choose a new password (signs them out)")
    def force_password_reset(self, request, queryset):
        self._email_links(request, queryset)


def _chair_taken_or_left(person):
    """The versions of sub-groups in which ``person`` became their chair or stopped being it
    (the sub-group's other changes are its own history's)."""
    versions = versions_of(SubGroup)
    before = (
        versions.filter(id=OuterRef("id"), history_id__lt=OuterRef("history_id"))
        .order_by("-history_id")
        .values("chair_id")[:1]
    )
    versions = versions.annotate(chair_before=Subquery(before))
    chairs, chaired = Q(chair_id=person.pk), Q(chair_before=person.pk)
    # A version's first has no chair before it (NULL), which "not chaired" does not match.
    became = chairs & (Q(chair_before__isnull=True) | ~chaired)
    return versions.filter(became | (chaired & ~chairs) | (chairs & Q(history_type="-")))


def _leaving(person):
    """``person`` as they would be with Active unticked (nothing saved)."""
    leaving = copy.copy(person)
    leaving.is_active = False
    return leaving


def _lead_of(person):
    """The agency ``person`` leads, if they are an agency lead."""
    return person.agency if person.is_agency_lead and person.agency_id else None


def _work_left_behind(person, *, lead_of=None, still=True) -> list[str]:
    """What ``person`` holds that their role, agency or closed account no longer lets them
    hold, each in a sentence: reviews not closed that they lead (only an active independent
    reviewer leads one: reviews.forms.ReviewerForm) and open actions they own (only someone the
    action's owner field offers: learning.models.ACTION_OWNER); once they are inactive, the
    sub-groups they chair, the panels of open reviews they sit on and the items they present
    at meetings not yet held; and, if they were the agency ``lead_of``'s only active lead, what
    that agency has waiting. Said before a change (``still`` False, of a person not yet
    changed: ``_leaving``) and after it. Read through the relations those records have to a
    person, since sscb imports no domain app: one query for each kind of thing held."""
    said, still = [], "still " if still else ""
    leaving = not person.is_active
    if leaving:
        chaired = [str(group) for group in person.chaired_subgroups.order_by("name")]
        if chaired:
            said.append(
                f"{person} {still}chairs {_and(chaired)}, and an inactive person chairs "
                "nothing: choose another chair on each sub-group's page (Sub-groups)."
            )
    led = person.led_reviews.exclude(stage=person.led_reviews.model.Stage.CLOSED).count()
    if led and not (person.is_active and person.is_independent_reviewer):
        reviews = "1 review" if led == 1 else f"{led} reviews"
        said.append(
            f"{person} {still}leads {reviews} not yet closed, and only an active independent "
            "reviewer leads a review: choose another lead reviewer on each review's page "
            "(Lead reviewer)."
        )
    if leaving:
        closed = person.review_panels.model.Stage.CLOSED
        panels = person.review_panels.exclude(stage=closed).count()
        if panels:
            said.append(
                f"{person} {still}sits on the panel of {plural(panels, 'review')} not yet "
                "closed: change the panel on each review's page if someone should take their "
                "seat."
            )
        presented = _presenting(person)
        if presented:
            said.append(
                f"{person} {still}presents {plural(presented, 'agenda item')} at meetings not "
                "yet held, and their papers are asked of them: choose another presenter on "
                "each meeting's agenda."
            )
    actions = person.owned_actions.model
    owned = person.owned_actions.filter(status__in=actions.OPEN)
    may_own = actions._meta.get_field("owner").get_limit_choices_to()
    if person.is_active and User.objects.filter(may_own, pk=person.pk).exists():
        owned = owned.exclude(owner_agency_id=person.agency_id)  # works for another (Action.clean)
    owned = owned.count()
    if owned:
        those = "1 open action" if owned == 1 else f"{owned} open actions"
        said.append(
            f"{person} {still}owns {those} that they may no longer own: choose someone else, "
            "or nobody yet, on each action's page (Edit), which saves nothing else on it "
            "until then."
        )
    if lead_of is not None and _left_without_lead(person, lead_of):
        waiting = _agency_open_work(lead_of)
        if waiting:
            said.append(
                f"{person} {'was' if still else 'is'} the only active lead of {lead_of}, which "
                f"has {_and(waiting)}: make someone else its lead (Role and Agency on their "
                "page), so that someone answers for it."
            )
    return said


def _and(phrases: list[str]) -> str:
    """ "a", "a and b", "a, b and c"."""
    return " and ".join(filter(None, [", ".join(phrases[:-1]), phrases[-1]]))


def _presenting(person) -> int:
    """How many items ``person`` presents at meetings still being prepared."""
    items = next(
        (
            relation.related_model
            for relation in User._meta.get_fields(include_hidden=True)
            if relation.is_relation
            and relation.auto_created
            and not relation.concrete
            and relation.related_model._meta.label == "meetings.AgendaItem"
            and relation.field.name == "presenter"
        ),
        None,
    )
    if items is None:
        return 0
    meeting = items._meta.get_field("meeting").related_model
    return items.objects.filter(presenter=person, meeting__status__in=meeting.PREPARING).count()


def _left_without_lead(person, agency) -> bool:
    """Whether ``agency`` has no active lead but ``person`` (as they are now, or would be)."""
    if person.is_active and person.is_agency_lead and person.agency_id == agency.pk:
        return False
    others = agency.people.filter(is_active=True, role=User.Role.AGENCY_LEAD)
    return not others.exclude(pk=person.pk).exists()


def _agency_open_work(agency) -> list[str]:
    """What is waiting on ``agency``, each kind in a phrase ("2 open actions"): open actions,
    evidence asked of it and not yet come, chronologies and reports awaited for reviews not
    closed, and returns not yet submitted. The reminder sources chase each of these from the
    agency's leads. One query for each kind."""
    said = []
    actions = agency.actions.filter(status__in=agency.actions.model.OPEN).count()
    if actions:
        said.append(plural(actions, "open action"))
    evidence = agency.assurance_evidence.filter(
        requested_on__isnull=False, received_on__isnull=True
    ).count()
    if evidence:
        said.append(plural(evidence, "evidence request") + " not yet answered")
    involved = agency.reviews
    closed = involved.model._meta.get_field("review").related_model.Stage.CLOSED
    awaited = involved.exclude(review__stage=closed).aggregate(
        chronologies=Count(
            "pk", filter=Q(chronology_requested_on__isnull=False, chronology_received_on=None)
        ),
        reports=Count("pk", filter=Q(report_requested_on__isnull=False, report_received_on=None)),
    )
    if awaited["chronologies"]:
        said.append(plural(awaited["chronologies"], "chronology", "chronologies") + " awaited")
    if awaited["reports"]:
        said.append(plural(awaited["reports"], "agency report") + " awaited")
    returns = agency.self_assessments.filter(status__in=agency.self_assessments.model.EDITABLE)
    returns = returns.count()
    if returns:
        said.append(plural(returns, "audit return") + " not yet submitted")
    return said


def _address_changed(person, *, before: str) -> None:
    """After the Business Unit changed ``person``'s email address: only the new one reaches
    them. allauth keeps the addresses it has sent a link to (and finds people by them); those
    of this person but the new one, and another person's rows for the new one, are removed.
    The old and the new address are told, so that a change nobody asked for is noticed."""
    now = person.email.strip()
    EmailAddress.objects.filter(
        (Q(user=person) & ~Q(email__iexact=now)) | (Q(email__iexact=now) & ~Q(user=person))
        if now
        else Q(user=person)
    ).delete()
    if before.strip().casefold() == now.casefold():
        return
    board = settings.BOARD_NAME
    said = (
        f"Dear {person},\n\n"
        f"The email address of your {board} account (username {person.username}) has been "
        f"changed by the Business Unit from {before or 'none'} to {now or 'none'}. Links to "
        "choose a password, and reminders, now go to the new address only.\n\n"
        "If you did not ask for this change, tell the Business Unit at once.\n"
    )
    for address in {before.strip(), now} - {""}:
        try:
            send_mail(
                f"{board}: your account's email address has changed",
                said,
                settings.DEFAULT_FROM_EMAIL,
                [address],
            )
        except Exception:  # noqa: BLE001 - the change stands; the notice is a courtesy
            logger.exception("The address change notice for user %s could not be sent", person.pk)


# The admin pages whose choice of a person (an autocomplete) offers active people only.
CHOSEN_ACTIVE = {("sscb", "subgroup"), ("sscb", "subgroupmembership")}


# Named on the deletion page of a person who has records, as a kind that may not be deleted.
USERS_WITH_RECORDS = "users with records (untick Active instead)"


def _with_records(users):
    """Those of ``users`` whom anything names: a sign-in, a reminder, a change they made or a
    version that names them, a sub-group they joined. One query, however many kinds of record."""
    named = Q(last_login__isnull=False)
    for relation in User._meta.get_fields(include_hidden=True):
        if relation.is_relation and relation.auto_created and not relation.concrete:
            rows = relation.related_model._base_manager.filter(
                **{relation.field.name: OuterRef("pk")}
            )
            named |= Q(Exists(rows))
    return users.filter(named)


@admin.register(Agency)
class AgencyAdmin(RecordAdmin):
    list_display = ["name", "short_name", "kind", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "short_name"]
    deletable = True  # an agency anything names, or links to (a finding), is kept by it

    def change_view(self, request, object_id, form_url="", extra_context=None):
        agency = self.get_object(request, unquote(object_id))
        if request.method == "GET" and agency is not None and agency.is_active:
            waiting = _agency_open_work(agency)
            if waiting:
                self.message_user(
                    request,
                    f"{agency} has {_and(waiting)}. If you archive it (Active unticked), "
                    "nobody is reminded of these any more: hand them to another agency, or "
                    "close them, first.",
                    messages.WARNING,
                )
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "is_active" in form.changed_data and not obj.is_active:
            waiting = _agency_open_work(obj)
            if waiting:
                self.message_user(
                    request,
                    f"{obj} is archived, and still has {_and(waiting)}: nobody is reminded "
                    "of these any more. Hand them to another agency or close them.",
                    messages.WARNING,
                )


class SubGroupMembershipInline(TabularInline):
    model = SubGroupMembership
    extra = 1
    autocomplete_fields = ["user", "agency"]


class SubGroupForm(forms.ModelForm):
    def clean_code(self):
        """A standing body's code keeps the records that depend on it working (a CDOP
        meeting's reviews of deaths, the Executive's dates on outcomes, QAP's reports and who
        reads them): once anything names the body, its code is neither changed nor cleared."""
        code, before = self.cleaned_data.get("code"), self.instance.code
        if self.instance.pk and before and code != before and is_protected(self.instance):
            raise ValidationError(
                f"This body's meetings and records depend on its being the "
                f"{SubGroup.Code(before).label}: its code stays as it is. For other work, add "
                "another body."
            )
        return code


@admin.register(SubGroup)
class SubGroupAdmin(RecordAdmin):
    form = SubGroupForm
    list_display = ["name", "code", "chair"]
    list_filter = ["code"]
    search_fields = ["name", "purpose", "chair__first_name", "chair__last_name"]
    list_select_related = ["chair"]
    autocomplete_fields = ["chair"]
    inlines = [SubGroupMembershipInline]
    deletable = True  # a sub-group with findings, reviews or meetings is PROTECTed

    def history_parts(self, obj):
        """Beside the sub-group's own changes (its chair among them), who joined and left."""
        memberships = versions_of(SubGroupMembership).filter(subgroup_id=obj.pk)
        return [Part("Member", memberships.select_related("history_user"), ["agency"], name="user")]


@admin.register(StrategicPriority)
class StrategicPriorityAdmin(RecordAdmin):
    list_display = ["title", "start_year", "end_year", "order", "is_active"]
    list_filter = ["is_active", "start_year"]
    search_fields = ["title", "description"]
    list_editable = ["order"]
    deletable = True  # a priority a theme names is kept by it, as a linked agency is


@admin.register(SubGroupMembership)
class SubGroupMembershipAdmin(RecordAdmin):
    """Memberships on their own too, so that who joined or left when is in the history."""

    list_display = ["user", "subgroup", "agency", "created_at"]
    list_filter = ["subgroup"]
    search_fields = ["user__first_name", "user__last_name", "user__username", "subgroup__name"]
    list_select_related = ["user", "subgroup", "agency"]
    autocomplete_fields = ["user", "agency"]
    deletable = True  # leaving a sub-group


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    """What was sent to whom and when: a record kept by the sweep, read-only here."""

    list_display = ["title", "kind", "level", "recipient", "due_on", "status", "sent_at"]
    # Millions of rows at scale (issue 15): a date hierarchy read every row's due date twice a
    # page (1 s at scale 1), and the model's order (newest planned first) has no index of its
    # own (1.4 s); the newest row first is the newest planned, and reads only the page's rows.
    list_filter = ["status", "kind", "level", "due_on"]
    search_fields = ["title", "recipient__username", "recipient__last_name", "key"]
    list_select_related = ["recipient"]
    ordering = ["-pk"]
    readonly_fields = [f.name for f in Reminder._meta.fields]
    show_full_result_count = False  # no second COUNT(*) of every row on every page

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        # A reminder sent is what the Board can show it told someone; one planned is what
        # keeps the sweep from sending it twice.
        return False


@admin.register(ReminderSweep)
class ReminderSweepAdmin(admin.ModelAdmin):
    list_display = ["day", "started_at", "finished_at", "planned", "sent"]
    readonly_fields = ["day", "token", "started_at", "finished_at", "planned", "sent"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # a day's sweep, claimed so that it runs once


@admin.register(AccessLogEntry)
class AccessLogEntryAdmin(admin.ModelAdmin):
    """The access log: read-only for everyone, the Business Unit included (it may do everything
    else), because an entry that can be changed or deleted proves nothing."""

    list_display = ["at", "username", "action", "content_type", "record", "detail", "ip_address"]
    list_filter = [
        "action",
        ("content_type", admin.RelatedOnlyFieldListFilter),
        "at",
        ("user", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["record", "username"]
    date_hierarchy = "at"
    list_select_related = ["content_type"]
    readonly_fields = [f.name for f in AccessLogEntry._meta.fields]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RetentionRule)
class RetentionRuleAdmin(RecordAdmin):
    """The retention schedule, one rule per kind of record; every change is in its history."""

    list_display = ["kind", "period_label", "counted_from", "source"]
    search_fields = ["source", "notes"]
    deletable = True  # a kind with no rule is kept

    @admin.display(description="kept for")
    def period_label(self, rule):
        return rule.period_label


@admin.register(DisposalRecord)
class DisposalRecordAdmin(admin.ModelAdmin):
    """Who disposed of what and when: read-only for everyone, like the access log."""

    list_display = ["disposed_at", "kind", "reference", "rule", "username"]
    list_filter = ["kind", "disposed_at"]
    search_fields = ["reference", "username"]
    date_hierarchy = "disposed_at"
    readonly_fields = [f.name for f in DisposalRecord._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

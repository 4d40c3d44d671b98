from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q

from . import signin
from .admin_inlines import TabularInline
from .admin_records import RecordAdmin, is_protected
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


class NewPersonForm(AdminUserCreationForm):
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
    # do, and no change to access escapes the person's history (which keeps their own fields,
    # not those links).
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
    actions = ["reset_second_factor", "force_password_reset"]
    # A person who leaves is made inactive (*Active* unticked): their account is kept with
    # what they did. Only an account that has nothing to its name (made in error) is deleted.
    deletable = True

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and {"role", "agency", "is_active"} & set(form.changed_data):
            for warning in _work_left_behind(obj):
                self.message_user(request, warning, messages.WARNING)
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

    def has_delete_permission(self, request, obj=None):
        if obj is not None and _with_records(User.objects.filter(pk=obj.pk)).exists():
            return False
        return super().has_delete_permission(request, obj)

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


def _work_left_behind(person) -> list[str]:
    """What ``person`` still holds that their role, agency or closed account no longer lets them
    hold, each in a sentence: reviews not closed that they lead (only an active independent
    reviewer leads one: reviews.forms.ReviewerForm) and open actions they own (only someone the
    action's owner field offers: learning.models.ACTION_OWNER). Read through the relations
    those records have to a person, since sscb imports no domain app."""
    said = []
    led = person.led_reviews.exclude(stage=person.led_reviews.model.Stage.CLOSED).count()
    if led and not (person.is_active and person.is_independent_reviewer):
        reviews = "1 review" if led == 1 else f"{led} reviews"
        said.append(
            f"{person} still leads {reviews} not yet closed, and only an active independent "
            "reviewer leads a review: choose another lead reviewer on each review's page "
            "(Lead reviewer)."
        )
    actions = person.owned_actions.model
    owned = person.owned_actions.filter(status__in=actions.OPEN)
    may_own = actions._meta.get_field("owner").get_limit_choices_to()
    if User.objects.filter(may_own, pk=person.pk).exists():
        owned = owned.exclude(owner_agency_id=person.agency_id)  # works for another (Action.clean)
    owned = owned.count()
    if owned:
        those = "1 open action" if owned == 1 else f"{owned} open actions"
        said.append(
            f"{person} still owns {those} that they may no longer own: choose someone else, "
            "or nobody yet, on each action's page (Edit), which saves nothing else on it "
            "until then."
        )
    return said


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

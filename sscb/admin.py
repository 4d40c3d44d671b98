from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import Exists, OuterRef, Q

from . import signin
from .admin_inlines import TabularInline
from .admin_records import RecordAdmin
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


@admin.register(User)
class UserAdmin(DjangoUserAdmin, RecordAdmin):
    list_display = ["username", "get_full_name", "role", "agency", "is_active", "last_login"]
    list_filter = ["role", "agency", "is_active", "is_staff"]
    search_fields = ["username", "first_name", "last_name", "email", "job_title"]
    list_select_related = ["agency"]
    autocomplete_fields = ["agency"]
    # What a person may do follows from their role, agency and sub-groups, never from Django's
    # groups and permissions: those are not offered, so no change to access escapes the
    # person's history (which keeps their own fields, not those links).
    fieldsets = [
        (name, {**options, "fields": ["is_active", "is_staff", "is_superuser"]})
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
    actions = ["reset_second_factor", "force_password_reset"]
    # A person who leaves is made inactive (*Active* unticked): their account is kept with
    # what they did. Only an account that has nothing to its name (made in error) is deleted.
    deletable = True

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

    @admin.action(description="Force a password reset (sign them out and email a reset link)")
    def force_password_reset(self, request, queryset):
        done, no_email = [], []
        for user in queryset:
            reason = f"Password reset forced by {request.user.get_username()}; reset link emailed"
            if signin.user_force_password_reset(user=user, reason=reason):
                self.log_change(request, user, reason)
                done.append(user.get_username())
            else:
                no_email.append(user.get_username())
        if done:
            self.message_user(
                request,
                f"Password reset and link emailed: {', '.join(done)}.",
                messages.SUCCESS,
            )
        if no_email:
            self.message_user(
                request,
                f"Not reset, no email address to send a link to: {', '.join(no_email)}. "
                "Add one first.",
                messages.WARNING,
            )


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
    deletable = True  # an agency anything names is PROTECTed


class SubGroupMembershipInline(TabularInline):
    model = SubGroupMembership
    extra = 1
    autocomplete_fields = ["user", "agency"]


@admin.register(SubGroup)
class SubGroupAdmin(RecordAdmin):
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
    deletable = True  # a priority a theme names keeps that theme's link in its history


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

from django.apps import AppConfig
from django.contrib.admin import AdminSite
from django.contrib.admin import apps as admin_apps
from django.contrib.auth.signals import user_logged_in


class SscbConfig(AppConfig):
    name = "sscb"
    verbose_name = "The Board"

    def ready(self):
        # Register the system checks, and the disposals-due item on the home page.
        from . import checks, figures_cache, history, lookups, retention, signin  # noqa: F401

        # Kept figures are dropped when records change.
        figures_cache.connect()
        # A record deleted gives the records that named it a new version (what Django changed).
        history.connect()
        # A sign-in keeps its moment (last_login) without a version in the person's history,
        # in place of Django's receiver (connected by django.contrib.auth, ready before us).
        user_logged_in.disconnect(dispatch_uid="update_last_login")
        user_logged_in.connect(signin.record_sign_in, dispatch_uid="update_last_login")


class BusinessUnitAdminConfig(admin_apps.AdminConfig):
    """The Django admin, opened by every active Business Unit officer (DESIGN.md: the Business
    Unit runs records in the admin), and by nobody else: not only those someone remembered to
    make "staff", and not someone of another role who was once made "staff"."""

    default = False  # named in INSTALLED_APPS; SscbConfig stays this module's default
    default_site = "sscb.apps.BusinessUnitAdminSite"


class BusinessUnitAdminSite(AdminSite):
    def has_permission(self, request):
        # The role decides, as everywhere (README, "Roles and access"): Django's staff and
        # superuser flags open nothing, so they are not offered on a person's page either.
        user = request.user
        return user.is_active and getattr(user, "is_business_unit", False)

from allauth.account import views as account_views
from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from . import views
from .params import admin_reading_bad_values_as_absent

admin.site.site_header = "Safeguarding Partnership — Business Unit administration"
admin.site.site_title = "Business Unit administration"
admin.site.index_title = "Reference data, people and records"
# The admin signs in through the same page, with its second factor, as everyone else.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.admin_view = admin_reading_bad_values_as_absent(admin.site.admin_view)

urlpatterns = [
    path("", views.home, name="home"),
    path("partnership/", views.partnership, name="partnership"),
    path("reminders/", views.my_reminders, name="reminders"),
    path("retention/", include("sscb.retention_urls")),
    # allauth's sign-in, password reset and second-factor pages; "login" and "logout" are the
    # names the rest of the site uses for two of them.
    path("accounts/login/", account_views.login, name="login"),
    path("accounts/logout/", account_views.logout, name="logout"),
    # Email addresses are the Business Unit's to set (password-reset links go to them).
    path("accounts/email/", RedirectView.as_view(pattern_name="mfa_index")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("reviews/", include("reviews.urls")),
    path("how-reviews-work/", include("reviews.public_urls")),
    path("audits/performance/", include("audits.performance.urls")),
    path("audits/", include("audits.urls")),
    path("learning/scrutiny/", include("learning.scrutiny.urls")),
    path("learning/", include("learning.urls")),
    path("learning/", include("learning.briefings.urls")),
    path("dashboard/", include("learning.dashboard.urls")),
    path("meetings/", include("learning.meetings.urls")),
    path("training/", include("learning.training.urls")),
]

handler403 = "sscb.errors.permission_denied"
handler404 = "sscb.errors.page_not_found"
handler500 = "sscb.errors.server_error"

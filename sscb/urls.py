from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import views

admin.site.site_header = "Safeguarding Partnership — Business Unit administration"
admin.site.site_title = "Business Unit administration"
admin.site.index_title = "Reference data, people and records"

urlpatterns = [
    path("", views.home, name="home"),
    path("partnership/", views.partnership, name="partnership"),
    path("reminders/", views.my_reminders, name="reminders"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("reviews/", include("reviews.urls")),
    path("audits/", include("audits.urls")),
    path("learning/", include("learning.urls")),
    path("dashboard/", include("learning.dashboard_urls")),
]

handler403 = "sscb.errors.permission_denied"
handler404 = "sscb.errors.page_not_found"
handler500 = "sscb.errors.server_error"

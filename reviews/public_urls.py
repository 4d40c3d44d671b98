"""The public leaflets: reachable without signing in, naming no case."""

from django.urls import path

from . import public_views

app_name = "process"

urlpatterns = [
    path("", public_views.process_index, name="index"),
    path("<slug:kind>/", public_views.process_kind, name="kind"),
]

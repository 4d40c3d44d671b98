from django.urls import path

from . import retention_views

app_name = "retention"

urlpatterns = [
    path("", retention_views.disposals_due, name="due"),
    path("dispose/", retention_views.disposals_confirm, name="dispose"),
]

from django.urls import path

from . import views

app_name = "performance"

urlpatterns = [
    path("", views.index, name="index"),
    path("indicators/<uuid:uuid>/", views.indicator_detail, name="indicator"),
    path("indicators/<uuid:uuid>/submit/", views.value_submit, name="submit"),
    path("upload/", views.values_upload, name="upload"),
    path("upload/template.csv", views.values_template, name="template"),
    path("scorecards/<uuid:uuid>/", views.scorecard, name="scorecard"),
    path(
        "scorecards/<uuid:uuid>/export.csv",
        views.scorecard_export,
        {"fmt": "csv"},
        name="scorecard-csv",
    ),
    path(
        "scorecards/<uuid:uuid>/export.xlsx",
        views.scorecard_export,
        {"fmt": "xlsx"},
        name="scorecard-xlsx",
    ),
]

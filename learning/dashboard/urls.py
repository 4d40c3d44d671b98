from django.urls import path

from . import views

app_name = "dashboard"

urlpatterns = [
    path("", views.index, name="index"),
    path("annual-report/", views.annual_report, name="annual-report"),
    path(
        "annual-report/export.csv",
        views.annual_report_export,
        {"fmt": "csv"},
        name="annual-report-export-csv",
    ),
    path(
        "annual-report/export.xlsx",
        views.annual_report_export,
        {"fmt": "xlsx"},
        name="annual-report-export-xlsx",
    ),
    path("export.csv", views.export, {"fmt": "csv"}, name="export-csv"),
    path("export.xlsx", views.export, {"fmt": "xlsx"}, name="export-xlsx"),
    path("reports/", views.report_index, name="reports"),
    path("reports/<slug:line>/", views.report, name="report"),
    path(
        "reports/<slug:line>/export.csv",
        views.report_export,
        {"fmt": "csv"},
        name="report-export-csv",
    ),
    path(
        "reports/<slug:line>/export.xlsx",
        views.report_export,
        {"fmt": "xlsx"},
        name="report-export-xlsx",
    ),
]

from django.urls import path

from . import casefile_views as case
from . import views

app_name = "reviews"

urlpatterns = [
    path("", views.review_list, name="list"),
    path("new/", views.review_create, name="create"),
    path("<uuid:uuid>/", views.review_detail, name="detail"),
    path("<uuid:uuid>/move/", views.review_move, name="move"),
    path("<uuid:uuid>/edit/<slug:section>/", views.review_section, name="section"),
    path("<uuid:uuid>/records/<slug:section>/", views.review_formset, name="formset"),
    path("<uuid:uuid>/child-death/", views.review_child_death, name="child-death"),
    path("<uuid:uuid>/clocks/<uuid:clock_uuid>/pause/", views.clock_pause, name="clock-pause"),
    path("<uuid:uuid>/clocks/<uuid:clock_uuid>/resume/", views.clock_resume, name="clock-resume"),
    # The case file (issue 18)
    path("<uuid:uuid>/chronology/", case.chronology, name="chronology"),
    path("<uuid:uuid>/chronology/add/", case.chronology_add, name="chronology-add"),
    path("<uuid:uuid>/chronology/<uuid:entry>/", case.chronology_edit, name="chronology-edit"),
    path("<uuid:uuid>/chronology/upload/", case.chronology_upload, name="chronology-upload"),
    path("<uuid:uuid>/chronology/close/", case.chronology_close, name="chronology-close"),
    path("<uuid:uuid>/chronology/reopen/", case.chronology_reopen, name="chronology-reopen"),
    # An agency's lead marks its chronology or its agency report complete.
    path(
        "<uuid:uuid>/agency/<slug:part>/complete/",
        case.agency_part_complete,
        name="agency-part-complete",
    ),
    path(
        "<uuid:uuid>/chronology/export.csv",
        case.chronology_export,
        {"fmt": "csv"},
        name="chronology-csv",
    ),
    path(
        "<uuid:uuid>/chronology/export.xlsx",
        case.chronology_export,
        {"fmt": "xlsx"},
        name="chronology-xlsx",
    ),
    path("chronology-template.csv", case.chronology_template, name="chronology-template"),
    path("<uuid:uuid>/terms/", case.terms, name="terms"),
    path("<uuid:uuid>/team/", case.team, name="team"),
    path("<uuid:uuid>/team/<uuid:member_uuid>/leave/", case.team_leave, name="team-leave"),
    path("<uuid:uuid>/documents/", case.documents, name="documents"),
    path(
        "<uuid:uuid>/documents/<uuid:document_uuid>/version/",
        case.document_version,
        name="document-version",
    ),
    path(
        "<uuid:uuid>/documents/files/<uuid:version_uuid>/",
        case.document_download,
        name="document-download",
    ),
]

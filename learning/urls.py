from django.urls import path

from . import exports, views

app_name = "learning"

urlpatterns = [
    path("", views.index, name="index"),
    path("findings/", views.finding_list, name="findings"),
    path("findings/new/", views.finding_edit, name="finding_new"),
    path("findings/<uuid:uuid>/", views.finding_detail, name="finding"),
    path("findings/<uuid:uuid>/edit/", views.finding_edit, name="finding_edit"),
    path("collate/", views.collate, name="collate"),
    path("themes/new/", views.theme_edit, name="theme_new"),
    path("themes/<uuid:uuid>/", views.theme_detail, name="theme"),
    path("themes/<uuid:uuid>/edit/", views.theme_edit, name="theme_edit"),
    path("themes/<uuid:uuid>/move/", views.theme_move, name="theme_move"),
    path("themes/<uuid:theme_uuid>/outcomes/new/", views.outcome_edit, name="outcome_new"),
    path("outcomes/", views.outcome_list, name="outcomes"),
    path("activities/", views.activity_list, name="activities"),
    path("checks/", views.check_list, name="checks"),
    path("outcomes/<uuid:uuid>/", views.outcome_detail, name="outcome"),
    path("outcomes/<uuid:uuid>/edit/", views.outcome_edit, name="outcome_edit"),
    path("outcomes/<uuid:uuid>/decide/", views.outcome_decide, name="outcome_decide"),
    path("outcomes/<uuid:outcome_uuid>/activities/new/", views.activity_edit, name="activity_new"),
    path("activities/<uuid:uuid>/edit/", views.activity_edit, name="activity_edit"),
    path("outcomes/<uuid:outcome_uuid>/checks/new/", views.check_edit, name="check_new"),
    path("checks/<uuid:uuid>/edit/", views.check_edit, name="check_edit"),
    path("evaluation-stages/<uuid:uuid>/", views.stage_complete, name="stage_complete"),
    path("outcomes/<uuid:outcome_uuid>/evidence/new/", views.evidence_edit, name="evidence_new"),
    path("evidence/", views.evidence_list, name="evidence_list"),
    path("evidence/<uuid:uuid>/", views.evidence_detail, name="evidence"),
    path("evidence/<uuid:uuid>/edit/", views.evidence_edit, name="evidence_edit"),
    path("actions/", views.action_list, name="actions"),
    path("actions/export.csv", exports.action_export, {"fmt": "csv"}, name="actions_csv"),
    path("actions/export.xlsx", exports.action_export, {"fmt": "xlsx"}, name="actions_xlsx"),
    path("actions/new/", views.action_edit, name="action_new"),
    path("actions/<uuid:uuid>/", views.action_detail, name="action"),
    path("actions/<uuid:uuid>/edit/", views.action_edit, name="action_edit"),
    path("my-agency/", views.my_agency, name="my_agency"),
    path("files/<uuid:uuid>/", views.attachment_download, name="attachment"),
    path("thread/review/<uuid:uuid>/", views.thread_review, name="thread_review"),
    path("thread/audit/<uuid:uuid>/", views.thread_audit, name="thread_audit"),
]

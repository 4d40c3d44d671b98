from django.urls import path

from . import views

app_name = "audits"

urlpatterns = [
    path("", views.audit_list, name="list"),
    path("new/", views.audit_create, name="create"),
    path("<uuid:uuid>/", views.audit_detail, name="detail"),
    path("<uuid:uuid>/edit/", views.audit_edit, name="edit"),
    path("<uuid:uuid>/stage/", views.audit_stage, name="stage"),
    path("<uuid:uuid>/cases/add/", views.audit_case_add, name="case-add"),
    path("cycles/new/", views.cycle_create, name="cycle-create"),
    path("cycles/<uuid:uuid>/", views.cycle_detail, name="cycle"),
    path("cycles/<uuid:uuid>/deadline/", views.cycle_deadline, name="cycle-deadline"),
    path("cycles/<uuid:uuid>/add-returns/", views.cycle_add_returns, name="cycle-add-returns"),
    path("cycles/<uuid:uuid>/heat-map/", views.heat_map, name="heat-map"),
    path("returns/<uuid:uuid>/", views.return_detail, name="return"),
    path("returns/<uuid:uuid>/edit/", views.return_edit, name="return-edit"),
    path("returns/<uuid:uuid>/save/", views.return_save, name="return-save"),
    path("returns/<uuid:uuid>/submit/", views.return_submit, name="return-submit"),
    path("returns/<uuid:uuid>/send-back/", views.return_send_back, name="return-send-back"),
    path(
        "returns/<uuid:uuid>/standards/<int:number>/moderate/",
        views.return_moderate,
        name="return-moderate",
    ),
    path("agencies/<uuid:uuid>/history/", views.agency_history, name="agency-history"),
]

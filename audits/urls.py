from django.urls import path

from . import views

app_name = "audits"

urlpatterns = [
    path("", views.audit_list, name="list"),
    path("new/", views.audit_create, name="create"),
    path("<int:pk>/", views.audit_detail, name="detail"),
    path("<int:pk>/edit/", views.audit_edit, name="edit"),
    path("<int:pk>/stage/", views.audit_stage, name="stage"),
    path("<int:pk>/cases/add/", views.audit_case_add, name="case-add"),
    path("cycles/new/", views.cycle_create, name="cycle-create"),
    path("cycles/<int:pk>/", views.cycle_detail, name="cycle"),
    path("cycles/<int:pk>/heat-map/", views.heat_map, name="heat-map"),
    path("returns/<int:pk>/", views.return_detail, name="return"),
    path("returns/<int:pk>/edit/", views.return_edit, name="return-edit"),
    path("returns/<int:pk>/save/", views.return_save, name="return-save"),
    path("returns/<int:pk>/submit/", views.return_submit, name="return-submit"),
    path("returns/<int:pk>/send-back/", views.return_send_back, name="return-send-back"),
    path(
        "returns/<int:pk>/standards/<int:number>/moderate/",
        views.return_moderate,
        name="return-moderate",
    ),
    path("agencies/<int:agency_pk>/history/", views.agency_history, name="agency-history"),
]

from django.urls import path

from . import views

app_name = "scrutiny"

urlpatterns = [
    path("", views.inspection_list, name="list"),
    path("new/", views.inspection_edit, name="create"),
    path("<uuid:uuid>/", views.inspection_detail, name="detail"),
    path("<uuid:uuid>/edit/", views.inspection_edit, name="edit"),
    path("<uuid:uuid>/thread/", views.inspection_thread, name="thread"),
    path(
        "<uuid:uuid>/recommendations/new/",
        views.recommendation_edit,
        name="recommendation-add",
    ),
    path(
        "<uuid:uuid>/recommendations/<uuid:rec_uuid>/",
        views.recommendation_edit,
        name="recommendation-edit",
    ),
    path(
        "<uuid:uuid>/recommendations/<uuid:rec_uuid>/finding/",
        views.recommendation_finding,
        name="recommendation-finding",
    ),
    path(
        "<uuid:uuid>/recommendations/<uuid:rec_uuid>/action/",
        views.recommendation_action,
        name="recommendation-action",
    ),
]

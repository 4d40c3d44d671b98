from django.urls import path

from . import views

app_name = "meetings"

urlpatterns = [
    path("", views.meeting_list, name="list"),
    path("new/", views.meeting_create, name="create"),
    path("series/", views.meeting_series, name="series"),
    path("figures/", views.meeting_figures, name="figures"),
    path("papers/<uuid:uuid>/", views.paper_download, name="paper"),
    path("<uuid:uuid>/", views.meeting_detail, name="detail"),
    path("<uuid:uuid>/edit/", views.meeting_edit, name="edit"),
    path("<uuid:uuid>/status/", views.meeting_move, name="move"),
    path("<uuid:uuid>/cancel/", views.meeting_cancel, name="cancel"),
    path("<uuid:uuid>/pack/", views.meeting_pack, name="pack"),
    path("<uuid:uuid>/agenda/", views.agenda_prepare, name="prepare"),
    path("<uuid:uuid>/attendance/", views.attendance, name="attendance"),
    path("<uuid:uuid>/items/new/", views.item_add, name="item-add"),
    path("<uuid:uuid>/items/<uuid:item_uuid>/", views.item_edit, name="item-edit"),
    path("<uuid:uuid>/items/<uuid:item_uuid>/move/", views.item_move, name="item-move"),
    path("<uuid:uuid>/items/<uuid:item_uuid>/remove/", views.item_remove, name="item-remove"),
    path("<uuid:uuid>/items/<uuid:item_uuid>/papers/", views.paper_add, name="paper-add"),
    path(
        "<uuid:uuid>/items/<uuid:item_uuid>/papers/<uuid:paper_uuid>/withdraw/",
        views.paper_withdraw,
        name="paper-withdraw",
    ),
    path("<uuid:uuid>/items/<uuid:item_uuid>/minutes/", views.item_minute, name="item-minute"),
    path(
        "<uuid:uuid>/items/<uuid:item_uuid>/decide-referral/",
        views.decide_referral,
        name="decide-referral",
    ),
    path(
        "<uuid:uuid>/items/<uuid:item_uuid>/decide-outcome/",
        views.decide_outcome,
        name="decide-outcome",
    ),
    path(
        "<uuid:uuid>/items/<uuid:item_uuid>/decide-return/",
        views.decide_return,
        name="decide-return",
    ),
    path("<uuid:uuid>/items/<uuid:item_uuid>/agree-theme/", views.agree_theme, name="agree-theme"),
    path(
        "<uuid:uuid>/items/<uuid:item_uuid>/approve-minutes/",
        views.approve_minutes,
        name="approve-minutes",
    ),
    path(
        "<uuid:uuid>/items/<uuid:item_uuid>/actions/new/",
        views.action_arising,
        name="action-arising",
    ),
]

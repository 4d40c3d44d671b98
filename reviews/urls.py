from django.urls import path

from . import views

app_name = "reviews"

urlpatterns = [
    path("", views.review_list, name="list"),
    path("new/", views.review_create, name="create"),
    path("<uuid:uuid>/", views.review_detail, name="detail"),
    path("<uuid:uuid>/move/", views.review_move, name="move"),
    path("<uuid:uuid>/edit/<slug:section>/", views.review_section, name="section"),
    path("<uuid:uuid>/records/<slug:section>/", views.review_formset, name="formset"),
    path("<uuid:uuid>/clocks/<uuid:clock_uuid>/pause/", views.clock_pause, name="clock-pause"),
    path("<uuid:uuid>/clocks/<uuid:clock_uuid>/resume/", views.clock_resume, name="clock-resume"),
]

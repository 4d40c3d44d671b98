from django.urls import path

from . import views

app_name = "briefings"

# Included at /learning/: the briefings beside the learning loop, and the agency lead's
# confirmations in their "My agency" area.
urlpatterns = [
    path("briefings/", views.briefing_list, name="list"),
    *(
        path(
            f"briefings/new/from-{kind}/<uuid:uuid>/",
            views.briefing_write,
            {"kind": kind},
            name=f"write_from_{kind}",
        )
        for kind in ("theme", "review", "outcome")
    ),
    path("briefings/<uuid:uuid>/", views.briefing_detail, name="detail"),
    path("briefings/<uuid:uuid>/edit/", views.briefing_edit, name="edit"),
    path("briefings/<uuid:uuid>/submit/", views.briefing_submit, name="submit"),
    path("briefings/<uuid:uuid>/approve/", views.briefing_approve, name="approve"),
    path("briefings/<uuid:uuid>/send-back/", views.briefing_return, name="return"),
    path("briefings/<uuid:uuid>/publish/", views.briefing_publish, name="publish"),
    path("briefings/<uuid:uuid>/print/", views.briefing_print, name="print"),
    path("briefings/<uuid:uuid>/briefing.pdf", views.briefing_pdf, name="pdf"),
    path("my-agency/briefings/", views.cascade_list, name="cascades"),
    path("my-agency/briefings/<uuid:uuid>/", views.cascade_confirm, name="confirm"),
]

from django.urls import path

from . import views

app_name = "training"

urlpatterns = [
    path("", views.course_list, name="list"),
    path("courses/new/", views.course_create, name="course-new"),
    path("courses/<uuid:uuid>/", views.course_detail, name="course"),
    path("courses/<uuid:uuid>/edit/", views.course_edit, name="course-edit"),
    path("courses/<uuid:uuid>/sessions/new/", views.session_create, name="session-new"),
    path("sessions/<uuid:uuid>/", views.session_detail, name="session"),
    path("sessions/<uuid:uuid>/edit/", views.session_edit, name="session-edit"),
    path("sessions/<uuid:uuid>/deliver/", views.session_deliver, name="deliver"),
    path("sessions/<uuid:uuid>/send/", views.evaluation_send, name="send"),
    path("sessions/<uuid:uuid>/attendees/new/", views.attendee_add, name="attendee-add"),
    path("sessions/<uuid:uuid>/register/upload/", views.register_upload, name="register-upload"),
    path("attendees/<uuid:uuid>/mark/", views.attendee_mark, name="attendee-mark"),
    path("attendees/<uuid:uuid>/remove/", views.attendee_remove, name="attendee-remove"),
    path("attendees/<uuid:uuid>/resend/", views.link_resend, name="link-resend"),
    path("attendees/<uuid:uuid>/edit/", views.attendee_edit, name="attendee-edit"),
    path("register-template.csv", views.register_template, name="register-template"),
    path("attendance/", views.attendance_rates, name="rates"),
    path("attendees/", views.attendee_list, name="attendees"),
    path("answers/", views.answer_list, name="answers"),
    # The questionnaire: open without signing in, but only by its token.
    path("answer/<slug:token>/", views.answer, name="answer"),
    path("answer/<slug:token>/submit/", views.answer_submit, name="answer-submit"),
]

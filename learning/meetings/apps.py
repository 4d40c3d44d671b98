from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    """The Board's meetings: agendas built from what is due, papers, minutes and decisions.

    Nested in ``learning`` because it sits above reviews, audits and the learning loop: it applies
    decisions through their services; none of them imports it.
    """

    name = "learning.meetings"
    label = "meetings"
    verbose_name = "Meetings"

    def ready(self):
        # Register the reminder sources (papers due, minutes to approve).
        from . import reminders  # noqa: F401

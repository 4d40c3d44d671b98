from django.apps import AppConfig


class TrainingConfig(AppConfig):
    """Training that reaches practitioners: courses, sessions, registers by agency, and the
    three-stage evaluation each attendee answers through a one-use link.

    Nested in ``learning`` because a session delivered is one of its outcomes' delivery
    activities and its evaluation is a practice check: it writes them through
    ``learning.services``; ``learning`` never imports it.
    """

    name = "learning.training"
    label = "training"
    verbose_name = "Training"

    def ready(self):
        # Register the reminder source (the 6–8-week follow-up) and its emailed link, and the
        # register's place on the retention schedule.
        from . import reminders, retention  # noqa: F401

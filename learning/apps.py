from django.apps import AppConfig


class LearningConfig(AppConfig):
    name = "learning"
    verbose_name = "Learning and improvement"

    def ready(self):
        # Register the home-page providers and the reminder sources.
        from . import attention, reminders  # noqa: F401

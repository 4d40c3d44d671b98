from django.apps import AppConfig


class LearningConfig(AppConfig):
    name = "learning"
    verbose_name = "Learning and improvement"

    def ready(self):
        # Register the home-page providers, the reminder sources and the disposable kinds.
        from . import attention, reminders, retention  # noqa: F401

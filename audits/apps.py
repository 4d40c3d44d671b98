from django.apps import AppConfig


class AuditsConfig(AppConfig):
    name = "audits"
    verbose_name = "Audits and self-assessments"

    def ready(self):
        # Register the home-page providers, the reminder source and the disposable kind.
        from . import attention, reminders, retention  # noqa: F401

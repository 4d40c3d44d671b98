from django.apps import AppConfig


class AuditsConfig(AppConfig):
    name = "audits"
    verbose_name = "Audits and self-assessments"

    def ready(self):
        # Register the home-page providers and the reminder source.
        from . import attention, reminders  # noqa: F401

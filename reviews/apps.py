from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = "Case reviews"

    def ready(self):
        # Register the home-page providers, the reminder source and the disposable kind.
        from . import attention, reminders, retention  # noqa: F401

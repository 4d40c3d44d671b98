from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = "Case reviews"

    def ready(self):
        # Register the home-page providers and the reminder source.
        from . import attention, reminders  # noqa: F401

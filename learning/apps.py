from django.apps import AppConfig


class LearningConfig(AppConfig):
    name = "learning"
    verbose_name = "Learning and improvement"

    def ready(self):
        from . import attention  # noqa: F401  (registers the home-page providers)

from django.apps import AppConfig


class SscbConfig(AppConfig):
    name = "sscb"
    verbose_name = "The Board"

    def ready(self):
        from . import checks  # noqa: F401  (registers the system checks)

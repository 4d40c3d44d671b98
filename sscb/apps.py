from django.apps import AppConfig


class SscbConfig(AppConfig):
    name = "sscb"
    verbose_name = "The Board"

    def ready(self):
        # Register the system checks, and the disposals-due item on the home page.
        from . import checks, figures_cache, history, retention  # noqa: F401

        # Kept figures are dropped when records change.
        figures_cache.connect()
        # A record deleted gives the records that named it a new version (what Django changed).
        history.connect()

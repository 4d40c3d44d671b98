from django.apps import AppConfig


class BriefingsConfig(AppConfig):
    """7-minute briefings written in the product, approved, published and cascaded by agencies.

    Nested in ``learning`` because publishing a briefing is a delivery activity of a learning
    outcome (written through ``learning.services``); ``learning`` never imports it.
    """

    name = "learning.briefings"
    label = "briefings"
    verbose_name = "Briefings"

    def ready(self):
        # Register the reminder sources (briefings to cascade, cascades not confirmed) and the
        # home page's "Needs your attention" item for an agency lead.
        from . import attention, reminders  # noqa: F401

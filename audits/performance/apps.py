from django.apps import AppConfig


class PerformanceConfig(AppConfig):
    """The performance framework: indicators held as data, quarterly values returned by the
    agencies that own them, and QAP's scorecard.

    Nested in ``audits`` because performance data is quality assurance and performance activity
    (QAP's); the learning loop cites it (practice checks, assurance evidence), never the reverse.
    """

    name = "audits.performance"
    label = "performance"
    verbose_name = "Performance framework"

    def ready(self):
        # Register the reminder source and the home-page provider (quarterly returns not yet in).
        from . import attention, reminders  # noqa: F401

from django.apps import AppConfig


class ScrutinyConfig(AppConfig):
    """External scrutiny: inspections, peer reviews and self-evaluations, and their
    recommendations, each of which becomes a finding or an action of the learning loop.

    Nested in ``learning`` because its recommendations feed the loop (a finding's or an action's
    recommendation); reviews and audits never import it.
    """

    name = "learning.scrutiny"
    label = "scrutiny"
    verbose_name = "External scrutiny"

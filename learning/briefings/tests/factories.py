"""Briefings at each stage, made through the services as the product makes them."""

from .. import services

TEXT = {
    "title": "Hearing Child A",
    "what_happened": "Child A told a teacher that home was frightening; nobody wrote it down.",
    "why_it_matters": "A child's own words are the best evidence of their daily life.",
    "what_to_do": "Record what the child said, in their words, at every contact.",
    "questions": "When did you last write down a child's own words?",
    "further_reading": "Working Together to Safeguard Children 2023, chapter 1.",
}


def draft(*, by, subgroup, outcome, **changes):
    return services.briefing_write(
        by=by, subgroup=subgroup, theme=outcome.theme, outcome=outcome, **(TEXT | changes)
    )


def published(*, by, approver, subgroup, outcome, on=None, **changes):
    briefing = draft(by=by, subgroup=subgroup, outcome=outcome, **changes)
    services.briefing_submit(briefing=briefing, by=by)
    services.briefing_approve(briefing=briefing, by=approver)
    return services.briefing_publish(briefing=briefing, by=by, on=on)

from django import template
from django.urls import reverse
from django.utils.html import format_html

register = template.Library()

# Any review the reader may not open: restricted, or (to an agency lead) one their agency is not
# part of. Not "restricted": that would be false of the second.
RESTRICTED = "a review not open to you"


# A clock's badge and days are tags, not included partials: the register shows two or three
# clocks a review, and with two includes of a dozen lookups a clock's line took 133 µs, with
# these tags 72 µs.


@register.simple_tag
def clock_badge(clock):
    """A clock's state as a badge, marked when it is paused."""
    state = clock.state
    paused = " · paused" if clock.is_paused and clock.is_running else ""
    return format_html(
        '<span class="badge clock-badge clock-{}{}" data-testid="clock-state">{}{}</span>',
        state,
        # A clock its closed review left unmet: in the neutral colour of things that ended.
        " clock-paused" if paused else (" text-bg-secondary" if clock.review_closed else ""),
        type(clock).State(state).label,
        paused,
    )


@register.simple_tag
def clock_days(clock):
    """How long an open clock has left, or how far past due it is, in its own unit; that a
    closed review left it unmet, and when it closed (``ReviewClock.days_words``)."""
    return format_html('<span data-testid="clock-days">{}</span>', clock.days_words)


@register.simple_tag
def review_ref(review, hidden=None, url_name="reviews:detail", with_title=False):
    """A review reached through another record: its linked reference, or "a review not open to
    you".

    ``hidden`` comes from the selector that loaded the record (``mark_hidden_reviews`` or
    ``review_hidden_annotation``); a review nobody marked is treated as hidden.
    """
    if review is None:
        return ""
    if hidden is None:
        hidden = getattr(review, "is_hidden", True)
    if hidden:
        return format_html('<span class="text-muted fst-italic">{}</span>', RESTRICTED)
    label = f"{review.reference} {review.title}" if with_title else review.reference
    return format_html('<a href="{}">{}</a>', reverse(url_name, args=[review.uuid]), label)

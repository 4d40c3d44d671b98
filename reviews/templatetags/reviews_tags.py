from django import template
from django.urls import reverse
from django.utils.html import format_html

register = template.Library()

RESTRICTED = "a restricted review"


@register.simple_tag
def review_ref(review, hidden=None, url_name="reviews:detail", with_title=False):
    """A review reached through another record: its linked reference, or "a restricted review".

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

"""How the learning pages show what the selectors decided; no rule is made here."""

from django import template
from django.template.defaultfilters import capfirst
from django.utils.html import format_html

from learning.models import LoopStage

register = template.Library()

# The badge colour of each RAG state; the state is ``Action.objects.with_rag``'s (or
# ``Action.rag``'s).
RAG_BADGE = {"red": "text-bg-danger", "amber": "text-bg-warning"}


@register.filter
def loop_stage(value):
    """A loop stage's name (``selectors.with_loop_stage``): a report of a quarter's findings
    named each by comparing it with every stage, 10,000 comparisons at scale 1 (issue 15)."""
    return LoopStage(value).label if value else ""


@register.filter
def rag_badge(rag):
    """An action's RAG badge: a table of a hundred actions shows it without an include and three
    comparisons a row (issue 15)."""
    return format_html(
        '<span class="badge rag-{} {}" data-testid="rag">{}</span>',
        rag,
        RAG_BADGE.get(rag, "text-bg-success"),
        capfirst(rag),
    )

"""How the learning pages show what the selectors decided; no rule is made here."""

from django import template
from django.template.defaultfilters import capfirst
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from sscb.templatetags.faster import date

register = template.Library()

# The badge colour of each RAG state; the state is ``Action.objects.with_rag``'s (or
# ``Action.rag``'s).
RAG_BADGE = {"red": "text-bg-danger", "amber": "text-bg-warning"}


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


# One row of ``learning/_action_table.html``: its reference and title, what it answers (on a
# golden thread), its agency, due date, status and RAG.
ACTION_ROW = """
  <tr>
    <td><a href="{}">{}</a> {}</td>
    {}
    <td>{}</td>
    <td>{}</td>
    <td>{}{}</td>
    <td>{}
</td>
  </tr>
  """
AT_RISK = mark_safe(' <span class="badge text-bg-warning">at risk</span>')


def _answers(action) -> str:
    """What an action answers, as the golden-thread selectors placed it (``answers_kind``)."""
    answers = action.answers
    if action.answers_kind in ("finding", "outcome"):
        cell = format_html(
            '{} <a href="{}">{}</a>',
            action.answers_kind.capitalize(),
            answers.get_absolute_url(),
            answers.title,
        )
    else:
        cell = format_html("{} action plan", answers.reference)
    return format_html('<td data-testid="action-answers">{}</td>', cell)


@register.simple_tag
def action_rows(actions, answers=False):
    """The rows of an actions table, written here rather than in a template loop: a golden thread
    lists a hundred actions or more, and looking up each row's dozen values in the template was
    most of its time (issue 15)."""
    return format_html_join(
        "",
        ACTION_ROW,
        (
            (
                action.get_absolute_url(),
                action.reference,
                action.title,
                _answers(action) if answers else "",
                action.owner_agency.label,
                date(action.due_on, "j M Y"),
                action.get_status_display(),
                AT_RISK if action.at_risk else "",
                rag_badge(action.rag_state),
            )
            for action in actions
        ),
    )

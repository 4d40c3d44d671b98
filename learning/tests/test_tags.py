import pytest
from django.template import engines


@pytest.mark.parametrize(
    "rag, colour",
    [("red", "text-bg-danger"), ("amber", "text-bg-warning"), ("green", "text-bg-success")],
)
def test_a_rag_badge_names_the_state_in_its_colour(rag, colour):
    badge = engines["django"].from_string("{% load learning_tags %}{{ rag|rag_badge }}")
    assert badge.render({"rag": rag}) == (
        f'<span class="badge rag-{rag} {colour}" data-testid="rag">{rag.capitalize()}</span>'
    )

"""A link is what ``reverse()`` gives, for every route and under any script prefix
(sscb/record_urls.py), and ``{% url %}`` in a template is Django's tag with the same output."""

import uuid

import pytest
from django.template import Context, Engine, TemplateSyntaxError, engines
from django.urls import (
    NoReverseMatch,
    URLPattern,
    URLResolver,
    get_resolver,
    reverse,
    set_script_prefix,
)
from django.urls.converters import UUIDConverter
from django.utils.safestring import mark_safe

from sscb.record_urls import _pieces, _shape, record_url, url_for


def _routes(resolver=None, namespace="", converters=()):
    """(name, its converters in order) of every named route, namespaced as ``reverse`` takes it."""
    for entry in (resolver or get_resolver()).url_patterns:
        found = (
            tuple(entry.pattern.converters.values()) if hasattr(entry.pattern, "converters") else ()
        )
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _routes(entry, inner, (*converters, *found))
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", (*converters, *found)


ROUTES = sorted(set(_routes()))
PUBLIC_ID_ROUTES = [
    (name, len(found))
    for name, found in ROUTES
    if all(isinstance(converter, UUIDConverter) for converter in found)
]


@pytest.fixture(params=["/", "/lscb/"])
def prefix(request):
    """Each test under the site's root and under a script prefix (a sub-path behind a proxy)."""
    set_script_prefix(request.param)
    yield request.param
    set_script_prefix("/")


def test_a_route_is_reversed_once_whatever_the_record():
    assert len(PUBLIC_ID_ROUTES) > 100  # the records' pages, buttons and the navigation
    _pieces.cache_clear()
    links = {url_for("reviews:detail", [uuid.uuid4()]) for _ in range(5)}
    links |= {record_url("reviews:detail", uuid.uuid4()) for _ in range(5)}
    assert len(links) == 10
    assert (_pieces.cache_info().misses, _pieces.cache_info().hits) == (1, 9)


def test_every_public_id_route_gives_what_reverse_gives(prefix):
    for name, ids in PUBLIC_ID_ROUTES:
        for public_ids in (
            [uuid.uuid4() for _ in range(ids)],
            [uuid.UUID(int=n) for n in range(ids)],
        ):
            try:
                expected = reverse(name, args=public_ids)
            except NoReverseMatch:  # a route reached only through keyword arguments
                continue
            assert url_for(name, public_ids) == expected, name
            assert url_for(name, public_ids).startswith(prefix)


def test_a_records_link_gives_what_reverse_gives(prefix):
    for name in (name for name, ids in PUBLIC_ID_ROUTES if ids == 1):
        for public_id in (uuid.uuid4(), uuid.UUID(int=0)):
            try:
                expected = reverse(name, args=[public_id])
            except NoReverseMatch:  # a route reached only through keyword arguments
                continue
            assert record_url(name, public_id) == expected, name
            assert record_url(name, str(public_id)) == expected, name  # reversed as usual


def test_a_route_with_a_word_gives_what_reverse_gives(prefix):
    for section in ("method", "final-report", mark_safe("decision")):  # a template's word
        review = uuid.uuid4()
        assert url_for("reviews:section", [review, section]) == reverse(
            "reviews:section", args=[review, section]
        )


def test_other_arguments_are_reversed_as_usual():
    review = uuid.uuid4()
    token = "kT3_x-9QzYw2" * 3  # a questionnaire's token is a credential: never kept in memory
    assert _shape([token]) is None and _shape([7]) is None
    assert url_for("training:answer-submit", [token]) == reverse(
        "training:answer-submit", args=[token]
    )
    assert url_for("reviews:detail", kwargs={"uuid": review}) == reverse(
        "reviews:detail", kwargs={"uuid": review}
    )
    assert url_for("admin:index", current_app="admin") == reverse("admin:index")


def test_a_route_that_is_not_a_record_page_is_refused():
    with pytest.raises(NoReverseMatch):
        record_url("home", uuid.uuid4())
    with pytest.raises(NoReverseMatch):
        url_for("reviews:detail", ["not-an-id"])


def test_the_url_tag_is_djangos_with_the_same_output():
    review = uuid.uuid4()
    text = (
        "{% url 'reviews:detail' review %}|{% url 'home' %}"
        "|{% url 'reviews:section' review 'method' %}"
        "|{% url 'reviews:detail' 'nonsense' as missing %}[{{ missing }}]"
        "|{% url 'reviews:detail' review as link %}{{ link }}"
    )
    assert engines["django"].engine.template_builtins[-1].tags["url"].__module__.endswith(".faster")
    ours = engines["django"].from_string(text).render({"review": review})
    django = Engine().from_string(text).render(Context({"review": review}))  # Django's own tag
    detail = reverse("reviews:detail", args=[review])
    assert (
        ours
        == django
        == (f"{detail}|/|{reverse('reviews:section', args=[review, 'method'])}|[]|{detail}")
    )
    with pytest.raises(NoReverseMatch):
        engines["django"].from_string("{% url 'reviews:detail' 'nonsense' %}").render({})
    with pytest.raises(TemplateSyntaxError):
        engines["django"].from_string("{% url %}")

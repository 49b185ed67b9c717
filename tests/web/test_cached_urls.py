"""{% url %} with its answers kept per process (iot_network/web/cached_urls.py): the same output
as Django's tag, whatever the arguments."""

import pytest
from django.template import Context, Engine, Template, engines
from django.urls import NoReverseMatch, reverse

from iot_network.web import cached_urls


def render(source: str, **context) -> str:
    return engines["django"].from_string(source).render(context)


def django_render(source: str, **context) -> str:
    return Template(source, engine=Engine(libraries={})).render(Context(context))


CASES = [
    ("{% url 'courses:list' %}", {}),
    ("{% url 'courses:detail' slug %}", {"slug": "hnc-engineering"}),
    ("{% url 'courses:detail' slug=slug %}", {"slug": "cyber-security"}),
    ("{% url 'courses:list' as list_url %}[{{ list_url }}]", {}),
    ("{% url 'nowhere' as missing %}[{{ missing }}]", {}),
]


@pytest.mark.parametrize(("source", "context"), CASES)
def test_the_cached_tag_writes_what_djangos_writes(source, context):
    assert render(source, **context) == django_render(source, **context)


def test_every_template_uses_the_cached_tag_and_reuses_its_answers():
    cached_urls._reverse.cache_clear()
    for _ in range(3):
        render("{% url 'courses:detail' 'welding' %}")
    info = cached_urls._reverse.cache_info()
    assert (info.misses, info.hits) == (1, 2)


def test_arguments_that_are_not_plain_strings_or_numbers_are_reversed_each_time():
    cached_urls._reverse.cache_clear()

    class Slug:
        def __str__(self):
            return "robotics"

    assert render("{% url 'courses:detail' slug %}", slug=Slug()) == reverse(
        "courses:detail", args=["robotics"]
    )
    assert cached_urls._reverse.cache_info().currsize == 0


def test_an_unknown_name_still_raises():
    with pytest.raises(NoReverseMatch):
        render("{% url 'nowhere' %}")
    with pytest.raises(NoReverseMatch):
        cached_urls.cached_reverse("nowhere")


def test_another_urlconf_gets_its_own_answers(settings):
    before = cached_urls.cached_reverse("courses:list")
    settings.ROOT_URLCONF = "tests.web.urls_elsewhere"
    assert cached_urls.cached_reverse("courses:list") == "/elsewhere/courses/"
    settings.ROOT_URLCONF = "iot_network.urls"
    assert cached_urls.cached_reverse("courses:list") == before


def test_the_script_prefix_is_followed():
    from django.urls import clear_script_prefix, set_script_prefix

    assert render("{% url 'web:about' %}") == "/about/"
    set_script_prefix("/portal/")
    try:
        assert render("{% url 'web:about' %}") == "/portal/about/"
    finally:
        clear_script_prefix()
    assert render("{% url 'web:about' %}") == "/about/"


def test_true_and_one_are_not_the_same_argument():
    assert cached_urls.cached_reverse("courses:detail", args=[1]) == "/courses/1/"
    assert cached_urls.cached_reverse("courses:detail", args=[True]) == "/courses/True/"

"""``{% fixed_url %}`` keeps reversed links per process: it must still write what ``{% url %}``
writes when the script prefix or the URLconf changes (issue 17)."""

from __future__ import annotations

from django.template import Context, Template
from django.test import override_settings
from django.urls import clear_script_prefix, set_script_prefix

FIXED = Template("{% load site %}{% fixed_url 'web:about' %}|{% fixed_url 'courses:list' %}")
URL = Template("{% url 'web:about' %}|{% url 'courses:list' %}")


def test_fixed_url_writes_what_url_writes():
    assert FIXED.render(Context()) == URL.render(Context()) == "/about/|/courses/"


def test_fixed_url_follows_the_script_prefix():
    FIXED.render(Context())
    set_script_prefix("/portal/")
    try:
        assert FIXED.render(Context()) == URL.render(Context()) == "/portal/about/|/portal/courses/"
    finally:
        clear_script_prefix()
    assert FIXED.render(Context()) == "/about/|/courses/"


def test_fixed_url_forgets_links_when_the_urlconf_changes():
    about = Template("{% load site %}{% fixed_url 'web:about' %}")
    assert about.render(Context()) == "/about/"
    with override_settings(ROOT_URLCONF="tests.web.urls_elsewhere"):
        assert about.render(Context()) == "/elsewhere/about/"
    assert about.render(Context()) == "/about/"

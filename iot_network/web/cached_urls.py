"""``{% url %}`` and ``reverse()`` with their answers kept per process.

Reversing a URL pattern costs about 50 microseconds, mostly language and URLconf look-ups, and
a page reverses the same few dozen names on every request (the header and footer alone: 18).
The answer depends only on the name, the arguments, the URLconf, the script prefix, the language
and the current app, so it is kept in a bounded cache keyed on all of them. Only plain string
and integer arguments are cached; anything else is reversed as before.

The ``url`` tag here replaces Django's for every template (settings.TEMPLATES "builtins"): the
same syntax and output, ``as var`` included.
"""

from __future__ import annotations

from functools import lru_cache

from django import template
from django.conf import settings
from django.template.defaulttags import URLNode, url
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape
from django.utils.translation import get_language

register = template.Library()


@lru_cache(maxsize=8192)
def _reverse(viewname, args, kwargs, current_app, urlconf, prefix, root_urlconf, language) -> str:
    # prefix, root_urlconf and language are part of the key only: reverse() reads them itself.
    return reverse(
        viewname, urlconf=urlconf, args=args, kwargs=dict(kwargs), current_app=current_app
    )


def _plain(values) -> bool:
    # str subclasses included: a quoted argument in a template is a SafeString. Not bool: True
    # and 1 are equal as keys but reverse to different URLs.
    return all(isinstance(value, (str, int)) and not isinstance(value, bool) for value in values)


def cached_reverse(viewname, *, args=(), kwargs=None, current_app=None) -> str:
    """reverse(), kept per process for plain string and integer arguments."""
    kwargs = kwargs or {}
    if not (isinstance(viewname, str) and _plain(args) and _plain(kwargs.values())):
        return reverse(viewname, args=args, kwargs=kwargs, current_app=current_app)
    return _reverse(
        viewname,
        tuple(args),
        tuple(sorted(kwargs.items())),
        current_app,
        get_urlconf(),
        get_script_prefix(),
        settings.ROOT_URLCONF,
        get_language(),
    )


class CachedURLNode(URLNode):
    def render(self, context):
        args = [arg.resolve(context) for arg in self.args]
        kwargs = {k: v.resolve(context) for k, v in self.kwargs.items()}
        view_name = self.view_name.resolve(context)
        try:
            current_app = context.request.current_app
        except AttributeError:
            try:
                current_app = context.request.resolver_match.namespace
            except AttributeError:
                current_app = None
        url = ""
        try:
            url = cached_reverse(view_name, args=args, kwargs=kwargs, current_app=current_app)
        except NoReverseMatch:
            if self.asvar is None:
                raise
        if self.asvar:
            context[self.asvar] = url
            return ""
        return conditional_escape(url) if context.autoescape else url


@register.tag("url")
def cached_url(parser, token):
    """Django's ``{% url %}``, with its answers kept per process (see the module's docstring)."""
    node = url(parser, token)
    return CachedURLNode(node.view_name, node.args, node.kwargs, node.asvar)

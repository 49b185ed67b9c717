"""FilterSets that cost little to set up for each request.

For every request django-filter deep-copies each filter of a FilterSet and builds a form class,
with a field per filter; the form then deep-copies each field, and with it each list of choices
(over 200 lazily translated labels on the course search). A profile of searches nobody had asked
before put this at a sixth of the page's time. None of it changes between requests, so here a
process builds each form class once (per ``form_class_key()``), names its fields' errors once,
and a request copies only what it may change:

- each filter, shallowly, with its own ``extra`` settings;
- each field, as Django copies it, but sharing its list of choices (forms.share_choices()).

A subclass whose filters depend on more than the class (a list read from the database, say)
returns what they depend on from ``form_class_key()``.
"""

from __future__ import annotations

import copy

import django_filters
from django_filters.filters import FilterMethod

from .forms import NamedErrorsMixin, name_the_fields, share_choices

_form_classes: dict = {}
_KEEP_FORM_CLASSES = 32


class _FiltersCopiedShallow(dict):
    """A FilterSet's ``base_filters``: each request's copy shares the filters' settings."""

    def __deepcopy__(self, memo):
        return {name: _copy_filter(filter_) for name, filter_ in self.items()}


def _copy_filter(filter_):
    new = copy.copy(filter_)
    new.extra = dict(filter_.extra)
    new.__dict__.pop("_field", None)  # the field a copy built is its own
    if isinstance(new.__dict__.get("filter"), FilterMethod):
        new.filter = FilterMethod(new)  # calls the method of the copy's FilterSet (its parent)
    return new


class LeanFilterSet(django_filters.FilterSet):
    def __init__(self, *args, **kwargs):
        cls = type(self)
        if not isinstance(cls.__dict__.get("base_filters"), _FiltersCopiedShallow):
            cls.base_filters = _FiltersCopiedShallow(cls.base_filters)
        super().__init__(*args, **kwargs)

    def form_class_key(self) -> tuple:
        """What this FilterSet's form class depends on besides its class."""
        return ()

    def get_form_class(self):
        key = (type(self), self.form_class_key())
        form_class = _form_classes.get(key)
        if form_class is None:
            form_class = super().get_form_class()
            if issubclass(form_class, NamedErrorsMixin):
                name_the_fields(form_class.base_fields, form_class.error_nouns)
            share_choices(form_class)
            if len(_form_classes) >= _KEEP_FORM_CLASSES:
                _form_classes.clear()
            _form_classes[key] = form_class
        return form_class

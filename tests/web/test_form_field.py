"""``{% form_field %}`` writes, byte for byte, what the partials/form_field.html template wrote
before the markup moved to Python (issue 17): every kind of field, with and without a hint and
errors, and text that must be escaped; and ``|widget_html`` writes what ``{{ field }}`` does."""

from __future__ import annotations

from pathlib import Path

import pytest
from django import forms
from django.template import Context, Template
from django.test import RequestFactory

from courses.filters import CourseFilter
from events.filters import EventFilter
from institutes.filters import InstituteFilter

# partials/form_field.html as it was, kept beside this test as the specification of the markup.
REFERENCE = Template((Path(__file__).parent / "form_field_reference.html").read_text())
TAG = Template("{% load site %}{% form_field field %}")
INCLUDE = Template('{% include "partials/form_field.html" %}')
WIDGET = Template("{% load site %}{{ field|widget_html }}")


class EveryKind(forms.Form):
    text = forms.CharField(label="Name <b>&</b>", help_text="Say <em>who</em>", max_length=5)
    optional = forms.CharField(label="Nickname", required=False)
    agree = forms.BooleanField(label="I agree", help_text="You must")
    plain_box = forms.BooleanField(label="Plain", required=False)
    pick = forms.ChoiceField(choices=[("a", "A & a"), ("b", "<B>")], label="Pick one")
    radio = forms.ChoiceField(
        choices=[("x", "X"), ("y", "Y <y>")], widget=forms.RadioSelect, help_text="One only"
    )
    boxes = forms.MultipleChoiceField(
        choices=[("1", "One"), ("2", "Two")], widget=forms.CheckboxSelectMultiple, required=False
    )
    when = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), required=False)
    secret = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean(self):
        self.add_error("optional", "Not <script>alert(1)</script> & that")
        return self.cleaned_data


BOUND = {"text": "far too long", "pick": "zz", "radio": "q", "when": "31-31", "secret": "<s>"}


def forms_to_check():
    yield EveryKind()
    yield EveryKind(BOUND)
    yield EveryKind({"text": "ok", "agree": "on", "pick": "a", "radio": "x", "boxes": ["2"]})
    yield EveryKind(auto_id=False)
    yield CourseFilter({"radius": "25"}).form
    yield CourseFilter({"radius": "7", "start_from": "soon", "level": "9", "lat": "1"}).form
    yield EventFilter({}).form
    yield EventFilter({"date_from": "x", "event_type": "party", "places_left": "on"}).form
    yield InstituteFilter({"region": "atlantis"}).form


@pytest.mark.django_db
@pytest.mark.parametrize("shows_optional", [False, True])
def test_form_field_writes_what_the_template_wrote(reference_data, shows_optional):
    request = RequestFactory().get("/")
    checked = 0
    for form in forms_to_check():
        form.is_valid()
        for field in form:
            context = {"field": field, "request": request, "form_shows_optional": shows_optional}
            expected = REFERENCE.render(Context(context))
            assert TAG.render(Context(context)) == expected, (type(form), field.name)
            assert INCLUDE.render(Context(context)) == expected, (type(form), field.name)
            widget = Template("{{ field }}").render(Context(context))
            assert WIDGET.render(Context(context)) == widget, (type(form), field.name)
            checked += 1
    assert checked > 60

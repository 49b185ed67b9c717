"""Forms and FilterSets set up cheaply for each request (iot_network/web/forms.share_choices,
iot_network/web/filtersets.py) must behave as Django's and django-filter's own copies do: each
request's form and filters are its own, and only the lists of choices are shared."""

import pytest
from django import forms

from courses.filters import CourseFilter
from events.filters import EventFilter
from iot_network.web.forms import NamedErrorsMixin
from tests.factories import InstituteFactory


class _ChoosingForm(NamedErrorsMixin, forms.Form):
    colour = forms.ChoiceField(label="Colour", choices=[("red", "Red"), ("blue", "Blue")])
    size = forms.TypedChoiceField(label="Size", choices=[(1, "Small"), (2, "Large")], coerce=int)


class _RelabellingForm(_ChoosingForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["colour"].label = "Paint colour"


def test_forms_share_their_class_choices_but_not_their_fields():
    first, second = _ChoosingForm(), _ChoosingForm()
    assert first.fields["colour"] is not second.fields["colour"]
    assert first.fields["colour"].widget is not second.fields["colour"].widget
    # The point of it: the list of choices is not deep-copied for every form.
    assert first.fields["colour"]._choices is _ChoosingForm.base_fields["colour"]._choices


def test_setting_choices_on_one_form_leaves_the_others_alone():
    changed = _ChoosingForm({"colour": "green", "size": "1"})
    changed.fields["colour"].choices = [("green", "Green")]
    changed.fields["colour"].widget.attrs["data-x"] = "1"
    assert changed.is_valid()

    other = _ChoosingForm({"colour": "green", "size": "1"})
    assert [value for value, _ in other.fields["colour"].choices] == ["red", "blue"]
    assert "data-x" not in other.fields["colour"].widget.attrs
    assert not other.is_valid()
    assert other.errors["colour"] == ["Choose colour from the list."]
    assert 'value="green"' not in str(other["colour"])


def test_error_messages_name_the_label_each_form_has():
    assert _ChoosingForm({}).errors["colour"] == ["Choose colour."]
    assert _RelabellingForm({}).errors["colour"] == ["Choose paint colour."]
    # The class's own fields keep theirs.
    assert _ChoosingForm({}).errors["colour"] == ["Choose colour."]


@pytest.mark.django_db
def test_a_model_choice_reads_its_queryset_for_each_form():
    def institutes():
        return [slug for slug, _ in EventFilter({}).form.fields["institute"].choices if slug]

    before = institutes()
    InstituteFactory(name="Zed Institute of Technology", slug="zed-iot")
    assert institutes() == [*before, "zed-iot"]


@pytest.mark.django_db
def test_each_filterset_has_its_own_filters_calling_its_own_methods():
    first, second = EventFilter({"audience": "employers"}), EventFilter({})
    assert first.filters["audience"] is not second.filters["audience"]
    assert first.filters["audience"].parent is first
    assert first.filters["audience"].filter.f is first.filters["audience"]
    first.filters["audience"].extra["choices"] = []
    assert second.filters["audience"].extra["choices"]
    assert first.is_valid() and second.is_valid()
    assert first.qs.query is not None  # the method runs bound to its own FilterSet


@pytest.mark.django_db
def test_course_filters_offer_the_lists_read_for_them():
    lists = dict(CourseFilter({}).reference_choices)
    form = CourseFilter({}).form
    assert [slug for slug, _ in form.fields["institute"].choices] == [
        slug for slug, _ in lists["institute"]
    ]
    assert CourseFilter({"level": ["9"]}).form.errors["level"] == ["Choose level from the list."]

"""Filter choices are data too, generated from the admin registry: for every registered admin
with list filters, staff of one IoT see no other IoT's data among the choices of the
changelist's filters (event titles, bulk sends, institutes, partners...)."""

from __future__ import annotations

import pytest
from django.db import models

from events.models import Event, Registration
from tests.staff.registry import MAKERS, REGISTRY, kind_of, url

pytestmark = pytest.mark.django_db

FILTERED = [
    (model, model_admin)
    for model, model_admin in REGISTRY
    if model_admin.list_filter and kind_of(model_admin) != "national"
]


def _texts(obj) -> set[str]:
    """What a filter could show of ``obj``: its name, and the free text in its own columns (a
    column with choices offers the same fixed list to everyone)."""
    texts = {str(obj)}
    for f in obj._meta.concrete_fields:
        value = getattr(obj, f.attname)
        if isinstance(f, models.CharField | models.TextField) and not f.choices and value:
            texts.add(value)
    return texts


def _everything_of(institute) -> set[str]:
    """The text of every row the admin scopes to ``institute``, and of the institute itself."""
    texts = _texts(institute)
    for model, model_admin in REGISTRY:
        path = model_admin.institute_path
        if kind_of(model_admin) != "scoped":
            continue
        lookup = {"pk": institute.pk} if path in ("pk", "id") else {f"{path}": institute}
        for obj in model._default_manager.filter(**lookup).distinct():
            texts |= _texts(obj)
    return texts


@pytest.fixture
def two_iots(world):
    """One row of every registered model in each IoT, and a draft event with a registrant in
    the other one (the leak first found: its title in the registration list's event filter)."""
    home, away, people = world
    for model in MAKERS:
        MAKERS[model](home), MAKERS[model](away)
    draft = MAKERS[Event](away)
    Event.objects.filter(pk=draft.pk).update(title="Unannounced robotics launch", status="draft")
    Registration.objects.create(event=draft, name="Early bird", email="early@example.com")
    only_away = _everything_of(away) - _everything_of(home)
    assert "Unannounced robotics launch" in only_away
    return home, away, people, only_away


def choices_shown(client, model) -> list[tuple[str, str]]:
    response = client.get(url(model, "changelist"))
    assert response.status_code == 200
    changelist = response.context["cl"]
    return [
        (spec.title, str(choice["display"]))
        for spec in changelist.filter_specs
        for choice in spec.choices(changelist)
    ]


@pytest.mark.parametrize(
    ("model", "model_admin"), FILTERED, ids=lambda v: getattr(v, "__name__", "")
)
@pytest.mark.parametrize("role", ["iot-staff", "viewer"])
def test_filter_choices_hold_nothing_from_another_iot(client, two_iots, model, model_admin, role):
    home, away, people, only_away = two_iots
    client.force_login(people[role])
    shown = choices_shown(client, model)
    leaks = [(title, display) for title, display in shown if display in only_away]
    assert not leaks, leaks


def test_national_admins_still_filter_by_any_iot(client, two_iots):
    home, away, people, _ = two_iots
    client.force_login(people["national"])
    shown = {display for _, display in choices_shown(client, Registration)}
    assert "Unannounced robotics launch" in shown
    assert {home.name, away.name} <= {display for _, display in choices_shown(client, Event)}


def test_the_registration_event_filter_offers_the_users_own_events(client, two_iots):
    home, _, people, _ = two_iots
    MAKERS[Registration](home)  # a second event, so there is a choice to make
    client.force_login(people["iot-staff"])
    shown = {display for title, display in choices_shown(client, Registration) if title == "event"}
    mine = set(
        Registration.objects.filter(event__institute=home).values_list("event__title", flat=True)
    )
    assert mine and mine <= shown

"""Every registered ModelAdmin × role × action, generated from the admin registry.

A model registered later without an entry in MAKERS (registry.py) fails
``test_every_admin_has_a_maker_and_the_scoping_mixin``, so nothing joins the staff workspace
unchecked. Actions and their audit entries: test_admin_actions.py; filter choices:
test_filter_scoping.py.
"""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.forms.models import model_to_dict

from courses.models import Course, Enquiry
from events.models import Event, Registration, Session
from iot_network.staff.mixins import ScopeRules
from partners.models import Engagement, Opportunity, Organisation, SkillsNeed
from tests.factories import CourseFactory
from tests.staff.registry import MAKERS, REGISTRY, kind_of, url

pytestmark = pytest.mark.django_db

ROLES = ["national", "iot-staff", "viewer", "learner", "anonymous"]


def test_every_admin_has_a_maker_and_the_scoping_mixin():
    for model, model_admin in REGISTRY:
        assert model in MAKERS, f"add {model._meta.label} to MAKERS in tests/staff/registry.py"
        assert isinstance(model_admin, ScopeRules), f"{model._meta.label} is not scoped"


def expected(role: str, kind: str, view: str, where: str, model_admin, national, obj):
    """The status codes a role may get for one admin page."""
    if role in ("anonymous", "learner"):
        return {302}  # to the sign-in page
    if role == "national":
        if view == "add":
            return {200} if model_admin.has_add_permission(national) else {403}
        if view == "delete":
            return {200} if model_admin.has_delete_permission(national, obj) else {403}
        return {200}
    if kind == "national":
        return {403} if view in ("changelist", "add") else {404}
    if where == "away" and kind == "scoped":
        return {404}
    if view == "changelist":
        return {200}
    may_edit = role == "iot-staff" and kind == "scoped" and not model_admin.read_only
    if view == "add":
        allowed = may_edit and model_admin.staff_may_add
        if kind == "shared":
            allowed = role == "iot-staff" and model_admin.staff_may_add_shared
        return {200} if allowed and model_admin.has_add_permission(national) else {403}
    if view == "change":
        return {200}  # a read-only view when they may not change it
    if view == "delete":
        allowed = may_edit and model_admin.staff_may_delete
        return {200} if allowed and model_admin.has_delete_permission(national, obj) else {403}
    raise AssertionError(view)


@pytest.mark.parametrize(
    ("model", "model_admin"), REGISTRY, ids=lambda v: getattr(v, "__name__", "")
)
@pytest.mark.parametrize("role", ROLES)
def test_admin_pages_by_role(client, rf, world, model, model_admin, role):
    home, away, people = world
    if role != "anonymous":
        client.force_login(people[role])
    kind = kind_of(model_admin)
    rows = {"home": MAKERS[model](home), "away": MAKERS[model](away)}
    checks = [("changelist", "home", url(model, "changelist")), ("add", "home", url(model, "add"))]
    for where, obj in rows.items():
        checks += [
            ("change", where, url(model, "change", obj.pk)),
            ("delete", where, url(model, "delete", obj.pk)),
        ]
    national = rf.get("/")
    national.user = people["national"]
    for view, where, path in checks:
        response = client.get(path)
        allowed = expected(role, kind, view, where, model_admin, national, rows[where])
        assert response.status_code in allowed, (role, view, where, path, response.status_code)


@pytest.mark.parametrize(
    ("model", "model_admin"), REGISTRY, ids=lambda v: getattr(v, "__name__", "")
)
def test_iot_staff_cannot_act_on_or_delete_another_iots_rows(client, rf, world, model, model_admin):
    home, away, people = world
    if kind_of(model_admin) != "scoped":
        return
    client.force_login(people["iot-staff"])
    away_row = model._default_manager.get(pk=MAKERS[model](away).pk)
    before = model_to_dict(away_row)
    request = rf.get("/")
    request.user = people["national"]
    for action in model_admin.get_actions(request):
        client.post(
            url(model, "changelist"), {"action": action, ACTION_CHECKBOX_NAME: [away_row.pk]}
        )
        away_row.refresh_from_db()
        assert model_to_dict(away_row) == before, (model, action)
    assert client.post(url(model, "delete", away_row.pk), {"post": "yes"}).status_code == 404
    assert model._default_manager.filter(pk=away_row.pk).exists()


@pytest.mark.parametrize(
    ("model", "field"),
    [(Course, "institute"), (Event, "institute"), (Opportunity, "institute"),
     (SkillsNeed, "institute"), (Engagement, "institute"), (Organisation, "institutes"),
     (Enquiry, "course"), (Registration, "event"), (Session, "event")],
)  # fmt: skip
def test_no_post_can_move_a_row_into_another_iot(world, rf, model, field):
    home, away, people = world
    row = MAKERS[model](home)
    away_target = (
        away if field in ("institute", "institutes") else getattr(MAKERS[model](away), field)
    )
    model_admin = admin.site._registry[model]
    request = rf.post("/")
    request.user = people["iot-staff"]
    form_class = model_admin.get_form(request, row, change=True)
    data = model_to_dict(row)
    data[field] = [away_target.pk] if field == "institutes" else away_target.pk
    data = {k: v for k, v in data.items() if v is not None}
    form = form_class(data=data, instance=model._default_manager.get(pk=row.pk))
    if field not in form.fields:  # read-only here: whatever the POST says is ignored
        form.is_valid()
        assert getattr(form.instance, f"{field}_id") == getattr(row, f"{field}_id")
        return
    assert not form.is_valid()


def test_an_iot_staff_post_with_another_iot_in_it_is_refused_end_to_end(client, world):
    home, away, people = world
    course = CourseFactory(institute=home)
    client.force_login(people["iot-staff"])
    page = client.get(url(Course, "change", course.pk))
    assert page.status_code == 200
    institute_field = page.context["adminform"].form.fields["institute"]
    assert list(institute_field.queryset) == [home]
    response = client.post(url(Course, "add"), {"title": "Sneaky", "institute": away.pk})
    assert response.status_code == 200  # the form again, with an error
    assert "Select a valid choice" in response.content.decode()
    assert not Course.objects.filter(title="Sneaky").exists()

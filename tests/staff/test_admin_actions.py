"""Every action of every registered ModelAdmin, generated from the admin registry: run on a row
in the actor's scope, it writes an audit entry naming the actor; a CSV it returns defuses
formulas.

A new action fails ``test_every_action_writes_an_audit_entry`` until it has a case in ACTIONS
(and, if it returns CSV, a row seeder in CSV_EXPORTS).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from events.models import Event, Registration
from iot_network.staff.models import AuditEntry
from iot_network.web.csv_export import FORMULA_STARTS
from partners.models import SkillsNeed
from tests.factories import SessionFactory
from tests.staff.registry import MAKERS, REGISTRY, kind_of, url

pytestmark = pytest.mark.django_db


def _set(**values):
    def prepare(row):
        type(row)._default_manager.filter(pk=row.pk).update(**values)

    return prepare


@dataclass(frozen=True)
class Case:
    audit: str  # the AuditEntry.action it writes
    target: str = "row"  # "row": the entry names the row acted on; "none": a summary entry
    data: dict = field(default_factory=dict)  # a confirmation or a reason, as staff post it
    prepare: Callable | None = None  # puts the row in a state the action changes


# Actions every admin offers, then each admin's own, by model label.
SITE_WIDE = {
    "delete_selected": Case("deleted", data={"post": "yes"}),
    "export_as_csv": Case("exported CSV", target="none"),
}
ACTIONS = {
    ("events.Event", "publish"): Case("published event", prepare=_set(status="draft")),
    ("events.Event", "duplicate"): Case("duplicated event", target="none"),  # names the copy
    ("events.Event", "export_attendees"): Case("exported attendees"),
    ("courses.Course", "publish"): Case("published course", prepare=_set(status="draft")),
    ("courses.Course", "unpublish"): Case("unpublished course"),
    ("courses.Enquiry", "mark_replied"): Case("marked enquiry replied"),
    ("notifications.Message", "retry_failed"): Case("retried message"),
    ("partners.Organisation", "approve_selected"): Case("approve partner"),
    ("partners.Organisation", "decline_selected"): Case(
        "decline partner", data={"decision": "decline", "reason": "Outside our area"}
    ),
    ("partners.Opportunity", "approve_selected"): Case("approve opportunity"),
    ("partners.Opportunity", "decline_selected"): Case(
        "decline opportunity", data={"decision": "decline", "reason": "Needs a wage"}
    ),
    ("partners.Opportunity", "close_selected"): Case("closed opportunity"),
    ("partners.SkillsNeed", "acknowledge_selected"): Case("acknowledged skills need"),
    ("account.EmailAddress", "make_verified"): Case("verified email address"),
    ("stories.Story", "publish_selected"): Case("published story", prepare=_set(status="draft")),
    ("stories.Story", "unpublish_selected"): Case(
        "unpublished story", prepare=_set(status="published", published_at=timezone.now())
    ),
    ("stories.Story", "approve_selected"): Case("approve case study"),
    ("stories.Story", "decline_selected"): Case(
        "send back case study", data={"decision": "decline", "reason": "Add a photo"}
    ),
}


def case_for(model, action: str) -> Case | None:
    return ACTIONS.get((model._meta.label, action)) or SITE_WIDE.get(action)


def actor_for(model_admin, people):
    """IoT staff act on their IoT's rows; national and shared lists only national admins change."""
    return people["iot-staff"] if kind_of(model_admin) == "scoped" else people["national"]


def offered(model_admin, user, rf) -> list[str]:
    request = rf.get("/")
    request.user = user
    return list(model_admin.get_actions(request))


def run(client, model, action: str, row, data=None):
    return client.post(
        url(model, "changelist"),
        {"action": action, ACTION_CHECKBOX_NAME: [row.pk], **(data or {})},
    )


def is_csv(response) -> bool:
    return response.get("Content-Type", "").startswith("text/csv")


@pytest.mark.parametrize(
    ("model", "model_admin"), REGISTRY, ids=lambda v: getattr(v, "__name__", "")
)
def test_every_action_writes_an_audit_entry(client, rf, world, model, model_admin):
    home, _, people = world
    actor = actor_for(model_admin, people)
    client.force_login(actor)
    for action in offered(model_admin, actor, rf):
        case = case_for(model, action)
        assert case is not None, f"add ({model._meta.label!r}, {action!r}) to ACTIONS"
        row = MAKERS[model](home)
        if case.prepare:
            case.prepare(row)
        AuditEntry.objects.all().delete()
        response = run(client, model, action, row, case.data)
        assert response.status_code in (200, 302), (action, response.status_code)
        if is_csv(response):
            assert action in CSV_EXPORTS, f"add {action!r} to CSV_EXPORTS with a row seeder"
        entries = AuditEntry.objects.filter(actor=actor, action=case.audit)
        assert entries.exists(), (model._meta.label, action, list(AuditEntry.objects.all()))
        if case.target == "row":
            entry = entries.get()
            assert entry.target_type == ContentType.objects.get_for_model(model)
            assert entry.target_id == str(row.pk)


def test_every_case_is_an_action_someone_is_offered(rf, world):
    _, _, people = world
    offered_anywhere = {
        (model._meta.label, action)
        for model, model_admin in REGISTRY
        for user in people.values()
        for action in offered(model_admin, user, rf)
    }
    assert set(ACTIONS) <= offered_anywhere, set(ACTIONS) - offered_anywhere


def test_the_audited_actions_still_do_their_work(client, world):
    home, _, people = world
    client.force_login(people["iot-staff"])
    event, need = MAKERS[Event](home), MAKERS[SkillsNeed](home)
    Event.objects.filter(pk=event.pk).update(status="draft")
    run(client, Event, "publish", event)
    run(client, Event, "duplicate", event)
    run(client, SkillsNeed, "acknowledge_selected", need)
    event.refresh_from_db(), need.refresh_from_db()
    assert event.status == "published" and need.acknowledged_at is not None
    copy = Event.objects.get(title=f"{event.title} (copy)", status="draft")
    entry = AuditEntry.objects.get(action="duplicated event")
    assert (entry.target_id, entry.detail) == (str(copy.pk), f"copy of {event.title} (#{event.pk})")
    assert list(entry.institutes.all()) == [home]


# CSV -----------------------------------------------------------------------------------------

PAYLOADS = [
    '=HYPERLINK("http://x")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)",
    "\t=1+1",
    "\r=1+1",
]


def _text_fields(model):
    return [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, models.CharField | models.TextField)
        and not f.choices
        and not f.primary_key
    ]


def seed_row(row) -> set[str]:
    """Every free-text column of the row starts like a formula; returns the values written."""
    values = {}
    for i, f in enumerate(_text_fields(type(row))):
        values[f.name] = PAYLOADS[i % len(PAYLOADS)][: f.max_length or None]
    type(row)._default_manager.filter(pk=row.pk).update(**values)
    return set(values.values())


def seed_attendee(event) -> set[str]:
    """A registrant (and session) of the event whose every detail starts like a formula."""
    registration = Registration.objects.create(
        event=event,
        name=PAYLOADS[0],
        email="-2+3@example.com",
        organisation=PAYLOADS[1],
        accessibility_needs=PAYLOADS[3],
        dietary_needs=PAYLOADS[4],
        status="confirmed",
    )
    registration.sessions.add(SessionFactory(event=event, title=PAYLOADS[5]))
    type(event)._default_manager.filter(pk=event.pk).update(title=PAYLOADS[2])
    return {PAYLOADS[0], "-2+3@example.com", PAYLOADS[1], PAYLOADS[3], PAYLOADS[4], PAYLOADS[2]}


# Every action that returns CSV, with how to fill a row so that the export has formula text.
CSV_EXPORTS = {"export_as_csv": seed_row, "export_attendees": seed_attendee}

CSV_CASES = [
    (model, model_admin, action)
    for model, model_admin in REGISTRY
    for action in CSV_EXPORTS
    if action in SITE_WIDE or (model._meta.label, action) in ACTIONS
]


@pytest.mark.parametrize(
    ("model", "model_admin", "action"),
    CSV_CASES,
    ids=lambda v: getattr(v, "__name__", v if isinstance(v, str) else ""),
)
def test_every_csv_export_defuses_formulas(client, world, model, model_admin, action):
    home, _, people = world
    actor = actor_for(model_admin, people)
    client.force_login(actor)
    row = MAKERS[model](home)
    written = CSV_EXPORTS[action](row)
    response = run(client, model, action, row)
    assert is_csv(response), response.status_code
    table = list(csv.reader(io.StringIO(response.content.decode(), newline="")))
    cells = [cell for line in table for cell in line]
    assert not [cell for cell in cells if cell.startswith(FORMULA_STARTS)]
    shown = {cell[1:] for cell in cells if cell.startswith("'")}
    if action == "export_as_csv":
        columns = set(model_admin.list_display)
        written = {
            value
            for f in _text_fields(model)
            if f.name in columns
            for value in [getattr(type(row)._default_manager.get(pk=row.pk), f.name)]
        }
    assert written <= shown, (written - shown, cells)

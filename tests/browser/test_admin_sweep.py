"""The staff workspace under the accessibility sweep: the list, add and change pages of every
model registered in the admin, the admin's home and app pages, and every custom admin page,
with axe at WCAG 2.2 AA, at 1280 px. The pages are generated from the admin registry and the
admin's URL patterns, so a newly registered model or a new admin page is swept (or fails
``test_the_admin_sweep_covers_every_admin_page``) without anyone remembering to add it.

Signed in as IoT staff; the national-only models (accounts, staff memberships, consent records)
are opened by a national admin, the only people who can."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver

from tests.browser.conftest import WCAG_TAGS
from tests.staff.registry import MAKERS, REGISTRY, kind_of, url

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STANDARD = re.compile(r"_(changelist|add|change|delete|history)$")

# Custom admin pages: how to open each, for a row made by MAKERS (None: not a page to sweep).
CUSTOM = {
    "admin:index": lambda rows: "/admin/",
    "admin:app_list": None,  # swept below, one per app in the registry
    "admin:events_event_cancel": lambda rows: f"/admin/events/event/{rows['events.Event']}/cancel/",
    "admin:events_event_message": lambda rows: (
        f"/admin/events/event/{rows['events.Event']}/message/"
    ),
    "admin:events_event_check_in": lambda rows: (
        f"/admin/events/event/{rows['events.Event']}/check-in/"
    ),
    "admin:events_event_summary": lambda rows: (
        f"/admin/events/event/{rows['events.Event']}/summary/"
    ),
    "admin:partners_organisation_review": lambda rows: (
        f"/admin/partners/organisation/{rows['partners.Organisation']}/review/"
    ),
    "admin:partners_opportunity_review": lambda rows: (
        f"/admin/partners/opportunity/{rows['partners.Opportunity']}/review/"
    ),
    "admin:partners_opportunity_close": lambda rows: (
        f"/admin/partners/opportunity/{rows['partners.Opportunity']}/close/"
    ),
    "admin:courses_course_import": lambda rows: "/admin/courses/course/import/",
    "admin:courses_course_import_help": lambda rows: "/admin/courses/course/import/help/",
    "admin:stories_story_review": lambda rows: (
        f"/admin/stories/story/{rows['stories.Story']}/review/"
    ),
    "admin:stories_story_preview": lambda rows: (
        f"/admin/stories/story/{rows['stories.Story']}/preview/"
    ),
    "admin:newsletter_issue_send": lambda rows: (
        f"/admin/newsletter/issue/{rows['newsletter.Issue']}/send/"
    ),
    # An upload's preview and confirm pages need an uploaded file: the journey in
    # tests/browser/test_course_upload.py runs axe on each.
    "admin:courses_course_import_detail": None,
    "admin:courses_course_import_confirm": None,
    # Not pages: sign-in and out go through the site's account pages (swept there), the rest
    # are POST-only actions, redirects, JSON or JavaScript.
    "admin:login": None,
    "admin:logout": None,
    "admin:password_change_done": None,
    "admin:autocomplete": None,
    "admin:jsi18n": None,
    "admin:view_on_site": None,
    "admin:courses_course_do": None,
    "admin:events_event_do": None,
    "admin:partners_organisation_do": None,
    "admin:partners_opportunity_do": None,
    "admin:stories_story_do": None,
    # Files and JSON: templates, downloads, an upload's progress, a newsletter's preview frame.
    "admin:courses_course_import_template": None,
    "admin:courses_course_import_download": None,
    "admin:courses_course_import_progress": None,
    "admin:impact_evaluationreport_download": None,
    "admin:newsletter_issue_preview": None,
}


def _member(organisation):
    from partners.models import OrganisationMember
    from tests.factories import UserFactory

    return OrganisationMember.objects.create(organisation=organisation, user=UserFactory())


def _run(course):
    from tests.factories import CourseRunFactory

    return CourseRunFactory(course=course)


def _engagement(organisation):
    from django.utils import timezone

    from partners.models import Engagement

    return Engagement.objects.create(
        organisation=organisation,
        institute=organisation.institutes.first(),
        kind="talk",
        occurred_on=timezone.localdate(),
    )


def _session(event):
    from tests.factories import SessionFactory

    return SessionFactory(event=event)


def _inline_rows():
    from courses.models import CourseRun
    from events.models import Session
    from partners.models import Engagement, OrganisationMember

    return {
        OrganisationMember: _member,
        CourseRun: _run,
        Engagement: _engagement,
        Session: _session,
    }


def admin_url_names(patterns=None, namespace=""):
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            ns = ":".join(filter(None, [namespace, pattern.namespace]))
            yield from admin_url_names(pattern.url_patterns, ns)
        elif isinstance(pattern, URLPattern) and pattern.name and namespace == "admin":
            yield f"admin:{pattern.name}"


def test_the_admin_sweep_covers_every_admin_page():
    custom = {name for name in admin_url_names() if not STANDARD.search(name)}
    missing = custom - set(CUSTOM)
    assert not missing, f"add these admin pages to the sweep's CUSTOM table: {sorted(missing)}"
    unmade = [model._meta.label for model, _ in REGISTRY if model not in MAKERS]
    assert not unmade, f"add a row maker for these models to tests/staff/registry.py: {unmade}"


def session_cookie(user, live_server) -> dict:
    from django.test import Client

    client = Client()
    client.force_login(user)
    return {
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": live_server.url,
    }


@pytest.fixture
def workspace(transactional_db, reference_data, live_server):
    """One row of every registered model in an IoT, and the two people who sweep them."""
    from tests.factories import InstituteFactory, staff_user

    home = InstituteFactory(name="Sweep Institute of Technology", slug="sweep-iot")
    made = {model._meta.label: MAKERS[model](home) for model, _ in REGISTRY}
    rows = {label: obj.pk for label, obj in made.items()}
    # A row in every inline table, so the inlines' fields are swept as well as the parents'.
    for model, model_admin in REGISTRY:
        for inline in model_admin.inlines:
            fk = next(
                f.name
                for f in inline.model._meta.fields
                if f.is_relation and f.related_model is model
            )
            if not inline.model._default_manager.filter(**{fk: made[model._meta.label]}).exists():
                _inline_rows()[inline.model](made[model._meta.label])
    cookies = {
        "iot-staff": session_cookie(staff_user("iot-staff", [home]), live_server),
        "national": session_cookie(staff_user("national-admin"), live_server),
    }
    return rows, cookies


APPS = sorted({model._meta.app_label for model, _ in REGISTRY})


def pages(rows, app_label: str) -> dict[str, list[str]]:
    """The pages of one app to sweep, by who opens them: the app's page, each model's list,
    change and add pages, and the custom pages of its admins (the home page with the first)."""
    by_role = {"iot-staff": ["/admin/"] if app_label == APPS[0] else [], "national": []}
    for model, model_admin in REGISTRY:
        if model._meta.app_label != app_label:
            continue
        role = "national" if kind_of(model_admin) == "national" else "iot-staff"
        # An add page nobody may use (the audit log, registrations) answers 403: skipped.
        by_role[role] += [
            f"/admin/{app_label}/",
            url(model, "changelist"),
            url(model, "change", rows[model._meta.label]),
            url(model, "add"),
        ]
    for name, make in CUSTOM.items():
        if make is not None and name.startswith(f"admin:{app_label}_"):
            by_role["iot-staff"].append(make(rows))
    return by_role


@pytest.mark.parametrize("app_label", APPS)
def test_every_admin_page_has_no_accessibility_violations(workspace, page, axe, app_label):
    rows, cookies = workspace
    page.set_viewport_size({"width": 1280, "height": 900})
    failures, swept = [], 0
    for role, paths in pages(rows, app_label).items():
        if not paths:
            continue
        page.context.clear_cookies()
        page.context.add_cookies([cookies[role]])
        for path in dict.fromkeys(paths):
            response = page.goto(path)
            if response.status == 403 and path.endswith("/add/"):
                continue
            assert response.status == 200, (role, path, response.status)
            results = axe.run(
                page,
                options={
                    "runOnly": {"type": "tag", "values": WCAG_TAGS},
                    "resultTypes": ["violations"],
                },
            )
            swept += 1
            if results.violations_count:
                failures.append(f"{role} {path}\n{results.generate_report()}")
    assert not failures, "\n\n".join(failures)
    assert swept >= 2  # at least a list and a change page

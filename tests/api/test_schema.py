"""Schemathesis against the API's own OpenAPI schema, in process, on PostgreSQL: for every endpoint
and every parameter it generates valid and invalid requests, and every answer must be no 5xx,
have a status, content type, headers and body the schema declares, and refuse invalid input
with a 4xx."""

from __future__ import annotations

from datetime import timedelta

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.factories import (
    CourseFactory,
    CourseRunFactory,
    EventFactory,
    OpportunityFactory,
    SessionFactory,
)

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db]

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]


# Loaded from the running code's own /api/v1/openapi.json (it needs no database).
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


@pytest.fixture
def in_process():
    """Requests go straight to the WSGI handler inside the test's transaction: as Django's test
    client does, keep the handler from closing that connection at the end of each request."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def catalogue(reference_data, settings, postcodes_api, in_process):
    settings.RATE_LIMITS_ENABLED = False  # hundreds of requests from one address
    today = timezone.localdate()
    for i in range(3):
        course = CourseFactory(title=f"Cyber security {i}", student_finance=bool(i % 2))
        CourseRunFactory(course=course, start_date=today + timedelta(days=20 + i))
        CourseRunFactory(course=course, study_mode="part-time", attendance="online")
        SessionFactory(event=EventFactory(is_online=bool(i % 2), capacity=10 * i or None))
        OpportunityFactory(course=course)


@schema.parametrize()
@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_every_endpoint_and_parameter_answers_as_the_schema_says(case, catalogue):
    case.call_and_validate(checks=CHECKS)

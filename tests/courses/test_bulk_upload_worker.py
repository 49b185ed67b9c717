"""A big upload end to end: checked and applied by a real Celery worker over the real Redis
broker, with progress read from the page while it runs and an email to the uploader when done."""

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from courses.bulk.services import INLINE_BYTES
from courses.models import Course, CourseImport, CourseRun
from iot_network.celery import app
from iot_network.notifications.models import Message
from iot_network.staff.models import AuditEntry
from tests.courses.bulk_files import as_csv, catalogue
from tests.factories import InstituteFactory, staff_user

pytestmark = [pytest.mark.postgresql, pytest.mark.redis]


def wait_for(condition, *, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out after {seconds} s waiting for {what}"
        time.sleep(0.3)


def status_of(pk: int) -> str:
    return CourseImport.objects.values_list("status", flat=True).get(pk=pk)


def test_a_big_file_is_checked_and_applied_by_the_worker_with_progress_and_mail(
    celery_worker, reference_data, postcodes_api, client
):
    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge(app.conf.task_default_queue)
    celery_worker(env={"POSTCODES_API_URL": f"http://127.0.0.1:{postcodes_api.server_address[1]}"})
    iot = InstituteFactory()
    staff = staff_user("iot-staff", [iot], email="big@pennine.example")
    client.force_login(staff)
    content = as_csv(catalogue(300, runs_per_course=2))
    assert len(content) > INLINE_BYTES

    response = client.post(
        reverse("admin:courses_course_import"),
        {"institute": iot.pk, "file": SimpleUploadedFile("big.csv", content)},
    )
    course_import = CourseImport.objects.get()
    assert response["Location"] == course_import.get_absolute_url()
    assert course_import.in_background
    page = client.get(course_import.get_absolute_url()).content.decode()
    assert "<progress" in page and "Refresh this page" in page
    progress_url = reverse("admin:courses_course_import_progress", args=[course_import.pk])
    state = client.get(progress_url).json()
    assert set(state) == {"status", "working", "percent", "done", "total"}

    wait_for(lambda: status_of(course_import.pk) == "ready", seconds=90, what="the check")
    assert client.get(progress_url).json()["working"] is False
    course_import.refresh_from_db()
    assert course_import.counts["runs"]["created"] == 600
    assert Message.objects.filter(recipient=staff.email, kind="course-import").count() == 1
    assert not Course.objects.exists()

    client.post(reverse("admin:courses_course_import_confirm", args=[course_import.pk]))
    assert status_of(course_import.pk) in ("applying", "applied")
    wait_for(lambda: status_of(course_import.pk) == "applied", seconds=90, what="the apply")
    assert Course.objects.filter(institute=iot, status="published").count() == 300
    assert CourseRun.objects.filter(course__institute=iot).count() == 600
    [entry] = AuditEntry.objects.filter(action="applied course upload")
    assert entry.actor == staff and entry.detail.startswith("big.csv: 600 rows")
    mails = Message.objects.filter(recipient=staff.email, kind="course-import")
    assert mails.count() == 2
    assert mails.latest("pk").context["status"] == "applied"

"""Bulk course upload: reading files, the preview's messages, matching, applying, withdrawing,
the geocoder being down, and who may see and use whose uploads."""

from __future__ import annotations

import io
import tracemalloc
import zipfile
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from courses.bulk import services
from courses.bulk.files import MAX_UPLOAD_BYTES, stored_file
from courses.bulk.plan import build_plan
from courses.models import Course, CourseImport, CourseRun
from iot_network.staff.models import AuditEntry
from tests.courses.bulk_files import as_csv, as_xlsx, catalogue, row
from tests.factories import CourseFactory, CourseRunFactory, InstituteFactory, staff_user

pytestmark = pytest.mark.django_db

UPLOAD = reverse("admin:courses_course_import")


@pytest.fixture
def iot(reference_data, postcodes_api):
    return InstituteFactory(name="Pennine Institute of Technology", slug="pennine-iot")


@pytest.fixture
def staff(iot):
    return staff_user("iot-staff", [iot], email="staff@pennine.example")


def upload(client, iot, content: bytes, name="courses.csv", withdraw=False):
    data = {"institute": iot.pk, "file": SimpleUploadedFile(name, content)}
    if withdraw:
        data["withdraw_absent"] = "on"
    return client.post(UPLOAD, data)


def latest() -> CourseImport:
    return CourseImport.objects.latest("pk")


def preview(iot, rows_or_bytes, **kwargs):
    content = rows_or_bytes if isinstance(rows_or_bytes, bytes) else as_csv(rows_or_bytes)
    return build_plan(institute_id=iot.pk, content=content, **kwargs)


def messages_of(plan) -> list[str]:
    return [str(p) for p in plan.problems]


def new_courses(plan) -> list[dict]:
    """The values of the courses confirming would create (the file read again, as on apply)."""
    return [c.values for c in plan.changes() if c.kind == "course" and c.pk is None]


def new_runs(plan) -> list[dict]:
    return [c.values for c in plan.changes() if c.kind == "run" and c.pk is None]


# Reading cells: each error says row, column and what is wrong ---------------------------------


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"Start date": "31/02/2027"}, "Start date: 31/02/2027 is not a date"),
        ({"Start date": "2027/09/14"}, "Start date: 2027/09/14 is not a date"),
        ({"Level": "3"}, "Level: 3 is not a level; use one of: 4, 5, 6, 7"),
        ({"Qualification type": "PhD"}, "Qualification type: PhD is not a qualification type"),
        ({"Route": "Underwater basket weaving"}, "Route: Underwater basket weaving is not a route"),
        ({"Study mode": "sometimes"}, "Study mode: sometimes is not a study mode"),
        ({"Attendance": "by post"}, "Attendance: by post is not an attendance pattern"),
        ({"Fee (£)": "six thousand"}, "Fee (£): six thousand is not an amount in pounds"),
        ({"Fee (£)": "-5"}, "Fee (£): -5 is out of range"),
        ({"Duration (months)": "1.5"}, "Duration (months): 1.5 is not a whole number of months"),
        ({"Student finance": "maybe"}, "Student finance: maybe is not yes or no"),
        (
            {"Provider UKPRN": "20001234"},
            "Provider UKPRN: 20001234 is not valid. Enter a UKPRN of 8 digits",
        ),
        (
            {"Occupational standard": "ST787"},
            "Occupational standard: ST787 is not valid. Enter an occupational standard",
        ),
        ({"LARS code": "6037284"}, "LARS code: 6037284 is not valid. Enter a LARS learning aim"),
        (
            {"QAN": "603-7284-5"},
            "QAN: 603-7284-5 is not valid. Enter an Ofqual qualification number",
        ),
        (
            {"Venue postcode": "NOT A POSTCODE"},
            "Venue postcode: NOT A POSTCODE is not a UK postcode",
        ),
        ({"Venue postcode": "ZZ1 1ZZ"}, "Venue postcode: We could not find the postcode ZZ1 1ZZ"),
        ({"Application link": "not a link"}, "Application link: not a link is not a web address"),
        ({"Course title": ""}, "Course title: is required"),
        ({"Course title": "x" * 201}, "Course title: is 201 characters long; the most is 200"),
        ({"Study mode": ""}, "Study mode: is required for a run"),
        ({"Application deadline": "01/01/2099"}, "Application deadline: is after the start date"),
    ],
)  # fmt: skip
def test_a_bad_cell_is_reported_by_row_column_and_a_plain_message(iot, values, message):
    plan = preview(iot, [row(**values)])
    assert plan.has_errors
    assert any(m.startswith(f"Row 2, {message}") for m in messages_of(plan)), messages_of(plan)


def other_spellings() -> list[dict]:
    return [
        row(
            **{
                "Start date": "2027-09-14",
                "Level": "Level 5",
                "Qualification type": "Higher National Certificate (HNC)",
                "Route": "Engineering and manufacturing",
                "Study mode": "Full time",
                "Attendance": "Blended (online and on campus)",
                "Fee (£)": "£6,250.50",
                "Student finance": "Y",
                "Venue postcode": "dh13lh",
            }
        )
    ]


def test_other_spellings_of_good_values_are_read(iot):
    plan = preview(iot, other_spellings())
    assert messages_of(plan) == []
    [values] = new_courses(plan)
    assert values["level"] == 5 and values["qualification_type"] == "hnc"
    [run] = new_runs(plan)
    assert run["fee"] == Decimal("6250.50") and run["attendance"] == "blended"
    assert run["venue_postcode"] == "DH1 3LH" and run["start_date"] == date(2027, 9, 14)
    assert run["latitude"] == Decimal("54.77530")


def test_a_course_whose_columns_differ_between_its_rows_is_an_error(iot):
    plan = preview(iot, [row("A"), row("A", **{"Course title": "Another title", "Venue": "Hub"})])
    assert messages_of(plan) == [
        "Row 3, Course title: differs from row 2 for course A; a course's columns must be the "
        "same on each of its rows"
    ]


def test_the_same_run_twice_is_an_error(iot):
    plan = preview(iot, [row("A"), row("A")])
    assert messages_of(plan) == [
        "Row 3, Start date: repeats the run in row 2 (same start date and venue)"
    ]


def test_rows_of_a_course_far_apart_that_differ_are_told_by_column(iot):
    other = {"Course title": "Another title", "Level": "5", "Start date": "01/09/2030"}
    plan = preview(iot, [row("A"), row("B"), row("C"), row("A", **other), row("B")])
    assert messages_of(plan) == [
        "Row 5, Course title: differs from row 2 for course A; a course's columns must be the "
        "same on each of its rows",
        "Row 5, Level: differs from row 2 for course A; a course's columns must be the same on "
        "each of its rows",
        "Row 6, Start date: repeats the run in row 3 (same start date and venue)",
    ]
    assert plan.error_count == 3


def test_a_run_already_in_the_catalogue_twice_in_the_file_is_an_error(iot, staff):
    apply(iot, staff, as_csv([row("A", **{"Run code": "SEPT"}), row("B")]))
    plan = preview(
        iot,
        [row("A", **{"Run code": "SEPT"}), row("B"), row("A", **{"Run code": "sept"}), row("B")],
    )
    assert messages_of(plan) == [
        "Row 4, Run code: repeats the run in row 2 (same run code)",
        "Row 5, Start date: repeats the run in row 3 (same start date and venue)",
    ]


# Files people really send -------------------------------------------------------------------


def test_excel_cp1252_csv_with_pound_signs_is_read(iot):
    content = as_csv(
        [row(**{"Course title": "Café management", "Fee (£)": "£1,200"})], encoding="cp1252"
    )
    plan = preview(iot, content)
    assert messages_of(plan) == []
    assert new_courses(plan)[0]["title"] == "Café management"


def test_utf8_with_a_byte_order_mark_is_read(iot):
    plan = preview(iot, b"\xef\xbb\xbf" + as_csv([row()]))
    assert messages_of(plan) == [] and plan.counts()["courses"]["created"] == 1
    assert len(new_courses(plan)) == 1


def test_semicolon_separated_csv_is_read(iot):
    plan = preview(iot, as_csv([row(), row("B")], delimiter=";"))
    assert messages_of(plan) == [] and plan.counts()["courses"]["created"] == 2
    assert [c["provider_course_code"] for c in new_courses(plan)] == ["ENG-01", "B"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty."),
        (b"ENG-01,Engineering,Summary\n", "The first row must be the header row from the template"),
        (as_csv([row()], header=["Course code", "Course title", "Summary", "Level"]),
         "The header row has no column for: Qualification type, Route, Delivering provider."),
        (as_csv([row()], header=["Course code", "Course title", "Summary", "Level",
                                 "Qualification type", "Route", "Delivering provider", "Colour"]),
         "The header row has columns we do not know: Colour."),
        (as_csv([]), "The file has a header row but no courses below it."),
        (b"PK\x03\x04 not really a workbook", "We could not open this file as an Excel workbook."),
        (b"\x00\x01\x02" * 100, "This does not look like a CSV file or an Excel workbook."),
    ],
)  # fmt: skip
def test_a_file_that_cannot_be_read_gets_one_clear_message(iot, content, message):
    plan = preview(iot, content)
    assert messages_of(plan) == [message] or messages_of(plan)[0].startswith(message)


def test_a_formula_in_a_workbook_cell_is_an_error_not_a_value(iot):
    content = as_xlsx([row(**{"Fee (£)": "=1000*6"})])
    # Written as a string by our writer; make it a real formula cell, as Excel would.
    content = _with_formula(content)
    plan = preview(iot, content)
    assert "Row 2, Fee (£): holds a formula; type the value itself" in messages_of(plan)


def _with_formula(content: bytes) -> bytes:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook.active
    fee = [c.value for c in sheet[1]].index("Fee (£)") + 1
    sheet.cell(row=2, column=fee).value = "=1000*6"
    assert sheet.cell(row=2, column=fee).data_type == "f"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_a_formula_in_a_csv_is_an_error_but_the_downloads_escaped_text_is_text(iot):
    plan = preview(iot, as_csv([row(**{"Summary": '=HYPERLINK("http://evil")'})]))
    assert "Row 2, Summary: holds a formula; type the value itself" in messages_of(plan)
    plan = preview(iot, as_csv([row(**{"Summary": "'=Maths for engineers"})]))
    assert messages_of(plan) == []
    assert new_courses(plan)[0]["summary"] == "=Maths for engineers"


def test_a_zip_bomb_workbook_is_refused_before_it_is_unpacked(iot):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        with zipfile.ZipFile(io.BytesIO(as_xlsx([row()]))) as template:
            for item in template.infolist():
                archive.writestr(item, template.read(item))
        archive.writestr("xl/media/padding.bin", b"\0" * (60 * 1024 * 1024))
    content = out.getvalue()
    assert len(content) < 1024 * 1024
    plan = preview(iot, content)
    assert messages_of(plan) == [
        "This workbook unpacks to 60.0 MB; the most we read is 50.0 MB. Save it again with only "
        "the course rows, or as CSV."
    ]


def test_a_50_mb_file_is_refused_with_a_message_not_an_error_page(client, iot, staff):
    client.force_login(staff)
    response = upload(client, iot, b"x" * (50 * 1024 * 1024))
    assert response.status_code == 400
    assert "The file is 50.0 MB; the largest we accept is 10.0 MB" in response.content.decode()
    assert not CourseImport.objects.exists()
    assert MAX_UPLOAD_BYTES == 10 * 1024 * 1024


# Preview, confirm, matching -----------------------------------------------------------------


def test_errors_are_listed_by_row_and_nothing_is_written(client, iot, staff):
    client.force_login(staff)
    rows = catalogue(5)
    rows[1]["Start date"] = "31/02/2027"
    rows[3]["Level"] = "9"
    rows[4]["Fee (£)"] = "lots"
    response = upload(client, iot, as_csv(rows))
    page = client.get(response["Location"]).content.decode()
    assert latest().status == CourseImport.Status.INVALID
    assert "Row 3, Start date: 31/02/2027 is not a date" in page
    assert "Row 5, Level: 9 is not a level" in page
    assert "Row 6, Fee (£): lots is not an amount in pounds" in page
    assert "Confirm and apply" not in page
    confirm = client.post(reverse("admin:courses_course_import_confirm", args=[latest().pk]))
    assert confirm.status_code == 302
    assert not Course.objects.exists()


def test_confirming_applies_the_preview_in_one_go_with_one_audit_entry(client, iot, staff):
    client.force_login(staff)
    upload(client, iot, as_csv(catalogue(3, runs_per_course=2)), name="spring.csv")
    course_import = latest()
    assert course_import.status == CourseImport.Status.READY
    assert course_import.counts["courses"] == {
        "created": 3,
        "updated": 0,
        "unchanged": 0,
        "withdrawn": 0,
    }
    assert course_import.counts["runs"]["created"] == 6
    assert not Course.objects.exists(), "nothing is written before confirming"
    page = client.get(course_import.get_absolute_url()).content.decode()
    assert "Confirm and apply" in page
    client.post(reverse("admin:courses_course_import_confirm", args=[course_import.pk]))
    course_import.refresh_from_db()
    assert course_import.status == CourseImport.Status.APPLIED
    assert Course.objects.filter(institute=iot, status="published").count() == 3
    assert CourseRun.objects.filter(course__institute=iot).count() == 6
    assert not CourseRun.objects.filter(latitude__isnull=True).exists()
    [entry] = AuditEntry.objects.filter(action="applied course upload")
    assert entry.actor == staff and list(entry.institutes.all()) == [iot]
    assert entry.detail.startswith("spring.csv: 6 rows; courses: 3 created, 0 updated")
    # Confirming twice changes nothing more.
    client.post(reverse("admin:courses_course_import_confirm", args=[course_import.pk]))
    assert AuditEntry.objects.filter(action="applied course upload").count() == 1


def test_confirming_after_the_catalogue_changed_shows_the_new_preview_and_changes_nothing(
    client, iot, staff
):
    rows = catalogue(3)
    client.force_login(staff)
    upload(client, iot, as_csv(rows), name="autumn.csv")
    previewed = latest()
    assert previewed.counts["courses"]["created"] == 3
    # Meanwhile a colleague uploads one of the same courses, and it is applied.
    apply(iot, staff, as_csv(rows[:1]))
    response = client.post(reverse("admin:courses_course_import_confirm", args=[previewed.pk]))
    previewed.refresh_from_db()
    assert previewed.status == CourseImport.Status.READY
    assert previewed.counts["courses"]["created"] == 2  # the new preview
    assert Course.objects.filter(institute=iot).count() == 1  # nothing more was written
    page = client.get(response["Location"]).content.decode()
    assert "Nothing was changed: the catalogue changed after your preview" in page
    assert "Confirm and apply" in page
    client.post(reverse("admin:courses_course_import_confirm", args=[previewed.pk]))
    previewed.refresh_from_db()
    assert previewed.status == CourseImport.Status.APPLIED
    assert Course.objects.filter(institute=iot).count() == 3


def test_a_background_apply_after_the_catalogue_changed_mails_the_new_preview(iot, staff):
    from iot_network.notifications.models import Message
    from tests.mail import rendered

    rows = catalogue(2)
    course_import = services.create_import(
        institute=iot, file_name="big.csv", content=as_csv(rows), withdraw_absent=False,
        acting_user=staff,
    )  # fmt: skip
    CourseImport.objects.filter(pk=course_import.pk).update(
        in_background=True, status=CourseImport.Status.APPLYING
    )
    apply(iot, staff, as_csv(rows[1:]))
    services.apply_import(course_import_id=course_import.pk, acting_user_id=staff.pk)
    course_import.refresh_from_db()
    assert course_import.status == CourseImport.Status.READY
    assert not Course.objects.filter(institute=iot, title=rows[0]["Course title"]).exists()
    mail = Message.objects.filter(recipient=staff.email, kind="course-import").latest("pk")
    assert mail.context["changed"] is True and mail.context["status"] == "ready"
    email = rendered(mail)
    assert email.subject == "Your course upload big.csv is ready to confirm again"
    assert "Nothing was changed: the catalogue changed after the preview you confirmed" in (
        email.body
    )


def apply(iot, staff, content: bytes, *, withdraw=False) -> CourseImport:
    course_import = services.create_import(
        institute=iot,
        file_name="f.csv",
        content=content,
        withdraw_absent=withdraw,
        acting_user=staff,
    )
    assert course_import.status == CourseImport.Status.READY, course_import.errors
    return services.apply_import(course_import_id=course_import.pk, acting_user_id=staff.pk)


def test_the_same_file_twice_changes_nothing(iot, staff):
    content = as_csv(catalogue(4, runs_per_course=2))
    apply(iot, staff, content)
    before = list(
        CourseRun.objects.values_list("pk", "course_id", "start_date", "fee").order_by("pk")
    )
    second = apply(iot, staff, content)
    assert second.counts["courses"] == {"created": 0, "updated": 0, "unchanged": 4, "withdrawn": 0}
    assert second.counts["runs"] == {"created": 0, "updated": 0, "unchanged": 8, "withdrawn": 0}
    after = list(
        CourseRun.objects.values_list("pk", "course_id", "start_date", "fee").order_by("pk")
    )
    assert after == before


def test_a_changed_file_updates_courses_and_runs_in_place(iot, staff):
    rows = catalogue(2)
    apply(iot, staff, as_csv(rows))
    course = Course.objects.get(provider_course_code="C00000")
    run = course.runs.get()
    rows[0]["Course title"] = "Renamed course"
    rows[0]["Fee (£)"] = "7,000"
    result = apply(iot, staff, as_csv(rows))
    assert result.counts["courses"]["updated"] == 1 and result.counts["courses"]["unchanged"] == 1
    assert result.counts["runs"]["updated"] == 1
    course.refresh_from_db()
    run.refresh_from_db()
    assert course.title == "Renamed course" and run.fee == Decimal("7000.00")
    assert Course.objects.count() == 2


def test_big_files_are_written_in_batches_whatever_the_order_of_their_rows(iot, staff, monkeypatch):
    monkeypatch.setattr(services, "BATCH", 3)
    rows = catalogue(7, runs_per_course=3)
    rows = rows[::2] + rows[1::2]  # a course's rows far apart; runs before some courses' rows
    first = apply(iot, staff, as_csv(rows))
    assert first.counts["courses"]["created"] == 7 and first.counts["runs"]["created"] == 21
    runs = CourseRun.objects.filter(course__institute=iot)
    assert runs.count() == 21
    assert all(
        Course.objects.get(provider_course_code=f"C{n:05d}").runs.count() == 3 for n in range(7)
    )
    assert len(set(Course.objects.values_list("slug", flat=True))) == 7
    before = dict(runs.values_list("pk", "course_id"))
    for values in rows:
        if values["Course code"] in ("C00001", "C00004"):
            values["Course title"] = "Renamed " + values["Course code"]
        if values["Course code"] == "C00006":
            values["Fee (£)"] = "9,999"
    rows.append(row("NEW", **{"Course title": "A new course"}))
    second = apply(iot, staff, as_csv(rows))
    assert second.counts["courses"] == {"created": 1, "updated": 2, "unchanged": 5, "withdrawn": 0}
    assert second.counts["runs"] == {"created": 1, "updated": 3, "unchanged": 18, "withdrawn": 0}
    assert Course.objects.get(provider_course_code="C00004").title == "Renamed C00004"
    assert set(
        runs.filter(course__provider_course_code="C00006").values_list("fee", flat=True)
    ) == {Decimal("9999.00")}
    assert {pk: c for pk, c in runs.values_list("pk", "course_id") if pk in before} == before
    assert runs.count() == 22


def test_runs_are_matched_by_run_code_when_they_have_one(iot, staff):
    apply(iot, staff, as_csv([row("A", **{"Run code": "SEPT"})]))
    run = CourseRun.objects.get()
    moved = (run.start_date + timedelta(days=7)).strftime("%d/%m/%Y")
    result = apply(iot, staff, as_csv([row("A", **{"Run code": "SEPT", "Start date": moved})]))
    assert result.counts["runs"] == {"created": 0, "updated": 1, "unchanged": 0, "withdrawn": 0}
    assert CourseRun.objects.get().pk == run.pk


def test_withdrawing_unpublishes_courses_and_removes_runs_absent_from_the_file(iot, staff):
    rows = catalogue(3, runs_per_course=2)
    apply(iot, staff, as_csv(rows))
    other_iot_course = CourseFactory()
    kept = [r for r in rows if r["Course code"] != "C00002"][:-1]  # drop a course and a run
    without = apply(iot, staff, as_csv(kept))
    assert without.counts["courses"]["withdrawn"] == 0
    assert Course.objects.filter(status="published").count() == 4
    result = apply(iot, staff, as_csv(kept), withdraw=True)
    assert result.counts["courses"]["withdrawn"] == 1 and result.counts["runs"]["withdrawn"] == 1
    assert Course.objects.get(provider_course_code="C00002").status == "draft"
    assert CourseRun.objects.filter(course__institute=iot, course__status="published").count() == 3
    assert CourseRun.objects.filter(course__institute=iot).count() == 5, (
        "a withdrawn course keeps its runs"
    )
    other_iot_course.refresh_from_db()
    assert other_iot_course.status == "published"


def test_a_course_code_is_unique_within_an_iot_only(iot):
    CourseFactory(institute=iot, provider_course_code="X1")
    CourseFactory(provider_course_code="X1")  # another IoT
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        CourseFactory(institute=iot, provider_course_code="X1")


# Round trip ---------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_download_uploaded_again_changes_nothing(client, iot, staff, fmt):
    course = CourseFactory(
        institute=iot, provider_course_code="RT-1", title="Round trip", summary="=Leading equals",
        description="Line one\nLine two", qan="603/7284/5", route__slug="digital",
    )  # fmt: skip
    CourseRunFactory(
        course=course,
        venue_postcode="DH1 3LH",
        latitude="54.77530",
        longitude="-1.58490",
        run_code="R1",
    )
    CourseRunFactory(course=course, start_date=timezone.localdate() + timedelta(days=200), fee=None)
    CourseFactory(institute=iot, provider_course_code="RT-2", status="draft")  # no runs
    uncoded = CourseFactory(institute=iot, title="Made in the form")  # no code yet
    client.force_login(staff)
    response = client.get(
        reverse("admin:courses_course_import_download"), {"institute": iot.pk, "format": fmt}
    )
    assert response.status_code == 200
    content = b"".join(response) if response.streaming else response.content
    upload(client, iot, content, name=f"ours.{fmt}")
    course_import = latest()
    assert course_import.errors == []
    # The course without a code is matched by the "C<id>" its download gave it, which it keeps.
    assert course_import.counts["courses"] == {
        "created": 0,
        "updated": 1,
        "unchanged": 2,
        "withdrawn": 0,
    }
    assert course_import.counts["runs"] == {
        "created": 0,
        "updated": 0,
        "unchanged": 2,
        "withdrawn": 0,
    }
    client.post(reverse("admin:courses_course_import_confirm", args=[course_import.pk]))
    uncoded.refresh_from_db()
    assert uncoded.provider_course_code == f"C{uncoded.pk}" and Course.objects.count() == 3
    assert AuditEntry.objects.filter(action="downloaded courses", actor=staff).exists()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_template_is_a_file_the_upload_reads(client, iot, staff, fmt):
    client.force_login(staff)
    response = client.get(reverse("admin:courses_course_import_template", args=[fmt]))
    assert response.status_code == 200
    upload(client, iot, response.content, name=f"template.{fmt}")
    assert latest().status == CourseImport.Status.READY, latest().errors
    assert latest().counts["courses"]["created"] == 1


def test_the_help_page_documents_every_column_and_allowed_value(client, staff):
    client.force_login(staff)
    page = client.get(reverse("admin:courses_course_import_help")).content.decode()
    for label in ["Course code", "Start date", "Fee (£)", "Provider UKPRN", "QAN", "LARS code"]:
        assert f'<th scope="row">{label}</th>' in page
    for value in [
        "degree-apprenticeship",
        "part-time",
        "workplace",
        "engineering-manufacturing",
        "DD/MM/YYYY",
    ]:
        assert value in page


# The geocoder -------------------------------------------------------------------------------


def test_when_the_geocoder_is_down_the_preview_works_and_runs_wait_for_a_place(
    iot, staff, settings, postcodes_api
):
    up = settings.POSTCODES_API_URL
    settings.POSTCODES_API_URL = "http://127.0.0.1:9"  # nothing listens there
    settings.POSTCODES_API_TIMEOUT = 0.5
    result = apply(iot, staff, as_csv(catalogue(3)))
    assert result.counts["location_pending"] == 3
    assert CourseRun.objects.filter(location_pending=True, latitude__isnull=True).count() == 3
    assert services.place_pending_runs(institute_id=iot.pk) == 0  # still down
    settings.POSTCODES_API_URL = up
    assert services.place_pending_runs(institute_id=iot.pk) == 3
    durham = CourseRun.objects.get(venue_postcode="DH1 3LH")
    assert durham.latitude == Decimal("54.77530") and not durham.location_pending
    # Uploading the same file again does not undo the places now known.
    again = apply(iot, staff, as_csv(catalogue(3)))
    assert again.counts["runs"]["unchanged"] == 3


def test_postcodes_are_looked_up_once_each_and_cached(iot, postcodes_api):
    preview(iot, catalogue(12))
    assert len(postcodes_api.requests) == 3
    preview(iot, catalogue(12))
    assert len(postcodes_api.requests) == 3


# Who may see and use an upload --------------------------------------------------------------


def test_another_iots_staff_cannot_see_confirm_or_upload_into_an_import(client, iot, staff):
    client.force_login(staff)
    upload(client, iot, as_csv([row()]))
    course_import = latest()
    other = staff_user("iot-staff", [InstituteFactory()], email="other@elsewhere.example")
    client.force_login(other)
    for url in [
        course_import.get_absolute_url(),
        reverse("admin:courses_course_import_progress", args=[course_import.pk]),
    ]:
        assert client.get(url).status_code == 404
    assert (
        client.post(
            reverse("admin:courses_course_import_confirm", args=[course_import.pk])
        ).status_code
        == 404
    )
    course_import.refresh_from_db()
    assert course_import.status == CourseImport.Status.READY
    assert "courses.csv" not in client.get(UPLOAD).content.decode()
    response = upload(client, iot, as_csv([row("SNEAKY")]))
    assert response.status_code == 400 and CourseImport.objects.count() == 1
    download = client.get(
        reverse("admin:courses_course_import_download"), {"institute": iot.pk, "format": "csv"}
    )
    assert download.status_code == 404


def test_a_viewer_sees_the_iots_imports_but_cannot_upload_or_confirm(client, iot, staff):
    client.force_login(staff)
    upload(client, iot, as_csv([row()]))
    viewer = staff_user("viewer", [iot], email="viewer@pennine.example")
    client.force_login(viewer)
    page = client.get(UPLOAD).content.decode()
    assert "courses.csv" in page and "Upload and preview" not in page
    assert client.get(latest().get_absolute_url()).status_code == 200
    confirm = client.post(reverse("admin:courses_course_import_confirm", args=[latest().pk]))
    assert confirm.status_code == 404
    assert not Course.objects.exists()


# Memory and the stored file -------------------------------------------------------------------


def test_the_stored_file_is_read_in_chunks_the_same_as_the_upload(iot, staff, monkeypatch):
    content = as_csv(catalogue(40, runs_per_course=2))
    course_import = CourseImport.objects.create(
        institute=iot, file_name="f.csv", file_format="csv", content=content
    )
    stored = stored_file(CourseImport, course_import.pk)
    assert stored.read(1000) == content[:1000]
    stored.seek(-700, io.SEEK_END)
    assert stored.read() == content[-700:]
    stored.seek(5)
    assert stored.read(len(content)) == content[5:]
    queries = []
    with connection.execute_wrapper(lambda execute, sql, *args: queries.append(sql) or
                                    execute(sql, *args)):  # fmt: skip
        chunked = stored_file(CourseImport, course_import.pk)
        monkeypatch.setattr(chunked.raw, "readinto", _small_reads(chunked.raw.readinto))
        assert b"".join(iter(lambda: chunked.read(4096), b"")) == content
    assert len(queries) > 2, "read a slice at a time"
    assert all("substr" in sql or "length" in sql for sql in queries)


def _small_reads(readinto):
    return lambda buffer: readinto(memoryview(buffer)[:1024])


def test_checking_a_file_three_times_as_long_takes_little_more_memory(iot):
    """The check keeps keys and hashes between rows, not the rows' values (it used to keep about
    6 KB a row: 18 MB more for the longer file here). Both files are longer than the chunk
    read at a time, so the difference is what is kept for each row."""

    def peak(rows: int) -> int:
        content = as_csv(catalogue(rows // 5, runs_per_course=5))
        tracemalloc.start()
        try:
            plan = preview(iot, content)
            assert not plan.has_errors and plan.counts()["runs"]["created"] == rows
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    peak(100)  # caches and first-use imports
    growth = peak(4500) - peak(1500)
    assert growth < 1_000_000, f"{growth:,} bytes more for 3,000 more rows"

"""An IoT's member of staff bulk-uploads courses in the browser: downloads the template, uploads
a file with three errors, sees each by row, fixes the file, uploads it again, confirms, and
finds the courses on /courses/. Another IoT's staff cannot see that upload. axe on each page."""

import csv
import io

import pytest

from tests.browser.test_partners import sign_in_as_staff
from tests.factories import InstituteFactory, staff_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def iots(transactional_db, reference_data, postcodes_api):
    home = InstituteFactory(name="Pennine Institute of Technology", slug="pennine-iot")
    away = InstituteFactory(name="Harbour Institute of Technology", slug="harbour-iot")
    from allauth.account.models import EmailAddress

    for institute, email in [(home, "staff@pennine.example"), (away, "staff@harbour.example")]:
        user = staff_user("iot-staff", [institute], email=email)
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return home, away


def fill(header: list[str], rows: list[dict]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(header)
    for values in rows:
        writer.writerow([values.get(label, "") for label in header])
    return out.getvalue().encode()


def course(code: str, title: str, **values) -> dict:
    return {
        "Course code": code, "Course title": title, "Summary": f"{title}: a course.",
        "Level": "4", "Qualification type": "htq", "Route": "digital",
        "Delivering provider": "Pennine College", "Status": "published",
        "Start date": "14/09/2027", "Duration (months)": "12", "Study mode": "full-time",
        "Attendance": "campus", "Venue": "Durham campus", "Venue postcode": "DH1 3LH",
        "Fee (£)": "6,000", **values,
    }  # fmt: skip


def test_staff_upload_a_file_fix_its_errors_confirm_and_the_courses_are_published(
    iots, page, assert_accessible, tmp_path
):
    sign_in_as_staff(page, "staff@pennine.example", assert_accessible)
    page.goto("/admin/courses/course/")
    page.get_by_role("link", name="Bulk upload").click()
    page.wait_for_url("**/admin/courses/course/import/")
    assert_accessible(page)

    with page.expect_download() as download:
        page.get_by_role("link", name="download the template (CSV)").click()
    template = download.value.path().read_text(encoding="utf-8")
    header = next(csv.reader(io.StringIO(template)))
    assert header[:3] == ["Course code", "Course title", "Summary"]
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the template (Excel)").click()
    assert download.value.path().read_bytes().startswith(b"PK")

    page.get_by_role("link", name="What goes in each column").click()
    assert page.get_by_role("rowheader", name="Start date").is_visible()
    assert_accessible(page)
    page.go_back()

    rows = [
        course("CYB-1", "Cyber security HTQ"),
        course("CYB-1", "Cyber security HTQ", **{"Start date": "31/02/2027"}),
        course("NET-1", "Network engineering HNC", **{"Level": "9"}),
        course("DAT-1", "Data analysis bootcamp", **{"Fee (£)": "lots"}),
    ]
    bad = tmp_path / "courses.csv"
    bad.write_bytes(fill(header, rows))
    page.get_by_label("Course file").set_input_files(str(bad))
    page.get_by_role("button", name="Upload and preview").click()
    page.wait_for_selector("[data-import-errors]")
    errors = page.locator("[data-import-errors] li").all_inner_texts()
    assert errors == [
        "Row 3, Start date: 31/02/2027 is not a date (use DD/MM/YYYY, like 14/09/2027, or "
        "2027-09-14)",
        "Row 4, Level: 9 is not a level; use one of: 4, 5, 6, 7",
        "Row 5, Fee (£): lots is not an amount in pounds (like 6000 or 6,000.00)",
    ]
    assert page.get_by_role("button", name="Confirm and apply").count() == 0
    assert_accessible(page)
    mistaken = page.url

    rows[1]["Start date"] = "14/01/2028"
    rows[2]["Level"] = "5"
    rows[3]["Fee (£)"] = "£4,500"
    good = tmp_path / "courses-fixed.csv"
    good.write_bytes(fill(header, rows))
    page.get_by_role("link", name="Upload another file").click()
    page.get_by_label("Course file").set_input_files(str(good))
    page.get_by_role("button", name="Upload and preview").click()
    page.wait_for_selector("text=What confirming will change")
    summary = page.get_by_role("table", name="Courses and runs by change")
    assert summary.get_by_role("row", name="Courses").inner_text().split() == [
        "Courses", "3", "0", "0", "0"
    ]  # fmt: skip
    assert summary.get_by_role("row", name="Runs").inner_text().split() == [
        "Runs", "4", "0", "0", "0"
    ]  # fmt: skip
    assert_accessible(page)
    page.get_by_role("button", name="Confirm and apply").click()
    page.wait_for_selector("text=The upload has been applied.")
    assert_accessible(page)

    page.goto("/courses/")
    for title in ["Cyber security HTQ", "Network engineering HNC", "Data analysis bootcamp"]:
        assert page.get_by_role("link", name=title).count() >= 1, title
    assert_accessible(page)

    # ... and in the open data API, as other services read the catalogue.
    listed = page.request.get("/api/v1/courses?q=HTQ").json()
    assert "Cyber security HTQ" in [course["title"] for course in listed["results"]]

    # Another IoT's staff see neither upload.
    other = page.context.browser.new_context(base_url=page.url.split("/courses")[0])
    other_page = other.new_page()
    sign_in_as_staff(other_page, "staff@harbour.example", assert_accessible)
    response = other_page.goto(mistaken)
    assert response.status == 404
    other_page.goto("/admin/courses/course/import/")
    assert "courses.csv" not in other_page.content()
    assert "courses-fixed.csv" not in other_page.content()
    other.close()

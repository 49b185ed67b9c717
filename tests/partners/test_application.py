import pytest

from institutes.models import Institute
from partners.models import Interest, Organisation, OrganisationMember
from tests.factories import InstituteFactory, OrganisationFactory, RouteFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def applicant(client):
    user = UserFactory(email="jo@acme.example", full_name="Jo Bloggs")
    client.force_login(user)
    return user


@pytest.fixture
def form_data():
    institute = InstituteFactory(contact_email="partners@iot.example.org")

    def data(**overrides):
        values = {
            "name": "Acme  Robotics Ltd",
            "org_type": "employer",
            "companies_house_number": "",
            "ukprn": "",
            "sector": RouteFactory().pk,
            "size": "small",
            "address": "1 High Street\nDurham",
            "postcode": "dh1 3lh",
            "website": "https://acme.example",
            "summary": "We build robots.",
            "contact_name": "Jo Bloggs",
            "job_title": "Engineering manager",
            "contact_phone": "",
            "institute_choice": "choose",
            "institutes": [institute.pk],
            "interests": [Interest.objects.get(slug="apprenticeships").pk],
            "listed_in_directory": "on",
            "consent": "on",
        }
        values.update(overrides)
        return {k: v for k, v in values.items() if v is not None}

    data.institute = institute
    return data


def test_applying_needs_an_account(client):
    response = client.get("/partners/apply/")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/login/")


def test_application_is_recorded_and_staff_and_applicant_are_told(
    client, applicant, form_data, deliver_on_commit, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/partners/apply/", form_data())
    organisation = Organisation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == organisation.get_area_url()
    assert organisation.name == "Acme Robotics Ltd"
    assert organisation.status == Organisation.Status.PENDING
    assert organisation.postcode == "DH1 3LH"
    assert organisation.consent_at is not None
    assert list(organisation.institutes.all()) == [form_data.institute]
    member = OrganisationMember.objects.get()
    assert (member.user, member.role, member.job_title) == (
        applicant,
        "owner",
        "Engineering manager",
    )
    recipients = sorted(m.to[0] for m in mailoutbox)
    assert recipients == ["jo@acme.example", "partners@iot.example.org"]
    staff_mail = next(m for m in mailoutbox if m.to == ["partners@iot.example.org"])
    assert "Acme Robotics Ltd" in staff_mail.subject
    assert f"/admin/partners/organisation/{organisation.pk}/change/" in staff_mail.body
    assert "waiting for review" in client.get(response["Location"]).content.decode()


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("sc 123456", "SC123456"), ("1234567", "01234567"), ("oc301234", "OC301234")],
)
def test_companies_house_numbers_are_normalised(client, applicant, form_data, typed, stored):
    response = client.post("/partners/apply/", form_data(companies_house_number=typed))
    assert response.status_code == 302, response.content.decode()
    assert Organisation.objects.get().companies_house_number == stored


@pytest.mark.parametrize("typed", ["12345", "ABC12345", "SC12345X", "123456789", "S1234567", "!!"])
def test_malformed_companies_house_numbers_are_explained(client, applicant, form_data, typed):
    response = client.post("/partners/apply/", form_data(companies_house_number=typed))
    assert response.status_code == 400
    assert "Enter a Companies House number of 8 characters" in response.content.decode()
    assert not Organisation.objects.exists()


def test_same_companies_house_number_is_caught_without_a_second_record(
    client, applicant, form_data
):
    OrganisationFactory(companies_house_number="01234567")
    response = client.post("/partners/apply/", form_data(companies_house_number="1234567"))
    assert response.status_code == 400
    assert "has already applied or is already a partner" in response.content.decode()
    assert Organisation.objects.count() == 1


def test_providers_must_give_a_valid_ukprn_and_duplicates_are_caught(client, applicant, form_data):
    response = client.post("/partners/apply/", form_data(org_type="college"))
    assert response.status_code == 400
    assert "Enter your UKPRN" in response.content.decode()
    response = client.post("/partners/apply/", form_data(org_type="college", ukprn="20001234"))
    assert "8 digits starting with 1" in response.content.decode()
    OrganisationFactory(ukprn="10001234")
    response = client.post("/partners/apply/", form_data(org_type="college", ukprn="10001234"))
    assert "An organisation with this UKPRN has already applied" in response.content.decode()
    assert Organisation.objects.count() == 1


def test_nearest_institute_is_chosen_from_the_postcode(client, applicant, form_data, postcodes_api):
    durham = InstituteFactory(name="North East IoT", latitude="54.77", longitude="-1.58")
    InstituteFactory(name="South West IoT", latitude="50.72", longitude="-3.53")
    Institute.objects.filter(pk=form_data.institute.pk).update(latitude="51.5", longitude="-0.1")
    response = client.post(
        "/partners/apply/", form_data(institute_choice="nearest", institutes=None)
    )
    assert response.status_code == 302, response.content.decode()
    assert list(Organisation.objects.get().institutes.all()) == [durham]


def test_unknown_postcode_for_nearest_institute_is_explained(
    client, applicant, form_data, postcodes_api
):
    response = client.post(
        "/partners/apply/",
        form_data(institute_choice="nearest", institutes=None, postcode="ZZ1 1ZZ"),
    )
    assert response.status_code == 400
    assert "We could not find the postcode ZZ1 1ZZ" in response.content.decode()
    assert not Organisation.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"name": ""}, "Enter your organisation&#x27;s name."),
        ({"consent": None}, "You need to agree"),
        ({"institutes": None}, "Choose at least one Institute of Technology"),
        ({"interests": None}, "Choose at least one way"),
        ({"postcode": "not a postcode"}, "Enter your organisation&#x27;s full UK postcode"),
        ({"website": "javascript:alert(1)"}, "Enter the full website address"),
        ({"summary": "x" * 2001}, "2000 characters or fewer"),
        ({"name": "x" * 201}, "200 characters or fewer"),
        ({"org_type": "spaceship"}, "Choose the type of organisation from the list"),
        ({"sector": "999999"}, "Choose your main sector from the list"),
        ({"institutes": ["abc"]}, "Choose Institutes of Technology from the list"),
    ],
)
def test_bad_input_is_explained_and_nothing_is_saved(
    client, applicant, form_data, overrides, message
):
    response = client.post("/partners/apply/", form_data(**overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Organisation.objects.exists()


def test_text_with_html_and_nul_bytes_never_breaks_the_page(client, applicant, form_data):
    response = client.post("/partners/apply/", form_data(summary="bad\x00byte"))
    assert response.status_code == 400
    assert "Null characters are not allowed" in response.content.decode()

    response = client.post(
        "/partners/apply/",
        form_data(name="<b>Bold</b> Ltd", summary="<script>alert('x')</script> we build"),
    )
    assert response.status_code == 302
    organisation = Organisation.objects.get()
    organisation.status = Organisation.Status.APPROVED
    organisation.save()
    page = client.get(organisation.get_absolute_url()).content.decode()
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; we build" in page
    assert "&lt;b&gt;Bold&lt;/b&gt; Ltd" in page


def test_complete_applications_are_rate_limited(client, applicant, form_data):
    statuses = [
        client.post("/partners/apply/", form_data(name=f"Acme {n} Ltd")).status_code
        for n in range(6)
    ]
    assert statuses == [302] * 5 + [429]
    assert Organisation.objects.count() == 5
    # Mistakes don't count towards the limit: they send nothing.
    assert client.post("/partners/apply/", form_data(name="")).status_code == 400

import pytest

from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def test_directory_lists_only_approved_partners_who_agreed(client):
    OrganisationFactory(name="Listed Robotics Ltd")
    OrganisationFactory(name="Private Ltd", listed_in_directory=False)
    OrganisationFactory(name="Pending Ltd", status="pending")
    content = client.get("/partners/").content.decode()
    assert "Listed Robotics Ltd" in content
    assert "Private Ltd" not in content
    assert "Pending Ltd" not in content


@pytest.mark.parametrize("fields", [{"listed_in_directory": False}, {"status": "declined"}])
def test_unlisted_partner_page_is_404(client, fields):
    assert client.get(OrganisationFactory(**fields).get_absolute_url()).status_code == 404


def test_partner_directory_queries_do_not_grow_with_partners(client, django_assert_max_num_queries):
    for _ in range(20):
        OrganisationFactory()
    with django_assert_max_num_queries(8):
        assert client.get("/partners/").status_code == 200


def test_become_a_partner_explains_what_partners_do(client):
    content = client.get("/partners/become-a-partner/").content.decode()
    for kind in ("Apprenticeships and work placements", "Curriculum design", "advisory boards"):
        assert kind in content

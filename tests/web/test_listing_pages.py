"""The list pages' paginator counts in the query that reads the page (issue 17): it must pick
the same page, with the same rows and total, as Django's ``Paginator.get_page``."""

from __future__ import annotations

import pytest
from django.core.paginator import Paginator

from institutes.models import Institute
from iot_network.web.listing import _counted_page

pytestmark = pytest.mark.django_db

REQUESTS = [
    None, "", "1", "2", "3", "0", "-1", "abc", "2.0", 2.0, 2.5, "99", " 2 ", "１",
    "99999999999999999999", "100001",
]  # fmt: skip


@pytest.mark.parametrize("requested", REQUESTS, ids=[repr(r) for r in REQUESTS])
@pytest.mark.parametrize("kind", ["all", "distinct", "none", "some"])
def test_counted_page_is_the_page_get_page_gives(reference_data, kind, requested):
    queryset = {
        "all": Institute.objects.all(),
        "distinct": Institute.objects.distinct(),
        "none": Institute.objects.none(),
        "some": Institute.objects.filter(region="london"),
    }[kind]
    assert Institute.objects.count() > 10
    expected = Paginator(queryset, 8).get_page(requested)
    page = _counted_page(queryset, 8, requested)
    assert page.number == expected.number
    assert list(page.object_list) == list(expected.object_list)
    assert page.paginator.count == expected.paginator.count
    assert page.paginator.num_pages == expected.paginator.num_pages
    assert (page.has_next(), page.has_previous()) == (expected.has_next(), expected.has_previous())


def test_counted_page_reads_rows_and_total_in_one_query(reference_data, django_assert_num_queries):
    with django_assert_num_queries(1):
        page = _counted_page(Institute.objects.all(), 8, "2")
        assert len(page.object_list) == 8 and page.paginator.count > 16

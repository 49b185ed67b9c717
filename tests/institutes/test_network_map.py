"""The network on a map: a server-drawn SVG with a link per institute, beside a list."""

import math
import re
from pathlib import Path

import pytest

from institutes.models import Institute
from institutes.network_map import SPACING, network_map
from institutes.network_map.projection import HEIGHT, WIDTH, project

pytestmark = pytest.mark.django_db

MAP_LIMIT = 60 * 1024
MAP_PAGES = [("/", "home-map"), ("/institutes/", "institutes-map")]


def svg_of(content: str, map_id: str) -> str:
    start = content.index('<svg class="network-map__svg"')
    end = content.index("</svg>", start) + len("</svg>")
    svg = content[start:end]
    assert f'aria-labelledby="{map_id}-caption"' in svg
    return svg


def map_links(svg: str) -> list[tuple[str, str]]:
    return re.findall(r'<a class="network-map__iot" href="([^"]+)" aria-label="([^"]+)">', svg)


@pytest.mark.parametrize(("path", "map_id"), MAP_PAGES)
def test_the_map_of_all_21_is_under_60_kb_of_svg(client, reference_data, path, map_id):
    svg = svg_of(client.get(path).content.decode(), map_id)
    assert len(svg.encode()) < MAP_LIMIT, len(svg.encode())


@pytest.mark.parametrize(("path", "map_id"), MAP_PAGES)
def test_every_institute_is_a_named_link_on_the_map_and_in_the_list_beside_it(
    client, reference_data, path, map_id
):
    content = client.get(path).content.decode()
    links = map_links(svg_of(content, map_id))
    expected = sorted((i.get_absolute_url(), i.name) for i in Institute.objects.all())
    assert sorted((url, name.replace("&amp;", "&")) for url, name in links) == expected
    for url, name in links:
        # The same link outside the map, for people who do not use it.
        assert content.count(f'href="{url}"') >= 2, name


def test_each_marker_shows_its_full_name_in_its_label(client, reference_data):
    svg = svg_of(client.get("/institutes/").content.decode(), "institutes-map")
    labels = re.findall(r'aria-label="([^"]+)">.*?<text[^>]*>(.*?)</text>', svg, re.S)
    assert len(labels) == 21
    for name, text in labels:
        shown = re.sub(r"<[^>]+>", "", text)
        assert shown == name, (shown, name)


def test_filtering_by_region_leaves_only_that_regions_institutes_on_the_map(client, reference_data):
    svg = svg_of(client.get("/institutes/?region=london").content.decode(), "institutes-map")
    names = sorted(name for _, name in map_links(svg))
    assert names == [
        "East London Institute of Technology",
        "London City Institute of Technology",
        "West London Institute of Technology",
    ]


def test_a_region_with_no_institutes_has_no_map_only_the_empty_state(client, reference_data):
    Institute.objects.filter(region="london").delete()
    content = client.get("/institutes/?region=london").content.decode()
    assert "network-map__svg" not in content
    assert "empty-state" in content


def test_the_list_pages_with_the_map_take_a_fixed_number_of_queries(
    client, reference_data, django_assert_max_num_queries
):
    with django_assert_max_num_queries(6):
        assert client.get("/institutes/").status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get("/").status_code == 200


def test_markers_stand_where_the_institutes_are_unless_too_close_to_tell_apart(reference_data):
    institutes = list(Institute.objects.all())
    markers = network_map(institutes).markers
    for institute, marker in zip(institutes, markers, strict=True):
        x, y = project(float(institute.latitude), float(institute.longitude))
        # Within 30 map units (about 20 miles) of the true place.
        assert math.hypot(marker.x - x, marker.y - y) <= SPACING, institute.name
        assert 0 <= marker.x <= WIDTH and 0 <= marker.y <= HEIGHT
    for i, a in enumerate(markers):
        for b in markers[i + 1 :]:
            assert math.hypot(a.x - b.x, a.y - b.y) >= SPACING - 1, (a.name, b.name)


def test_the_coastline_comes_from_committed_data_with_its_source_and_licence():
    import institutes.network_map.outline as outline

    text = Path(outline.__file__).read_text()
    assert "Natural Earth" in text and "public domain" in text
    assert "scripts/build_map_outline.py" in text
    assert outline.PATH.startswith("M") and len(outline.PATH) < 20_000

"""The network on a map and the nearest-institute page, in a real browser: axe at three widths,
and the map used with the keyboard alone."""

import pytest

from tests.browser.keyboard import focus_problems, tab_to
from tests.browser.test_sweep import sideways_overflow

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = [
    "/",
    "/institutes/",
    "/institutes/?region=london",
    "/institutes/nearest/",
    "/institutes/nearest/?lat=53.485&lng=-2.273",  # results, from the browser's location
    "/institutes/nearest/?postcode=not+a+postcode",  # the error summary
]

# Where the focused marker's name is painted, and whether it is the topmost thing there.
LABEL_STATE = """() => {
  const link = document.activeElement;
  const label = link.querySelector('.network-map__label');
  const box = label.getBoundingClientRect();
  const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
  return {
    name: link.getAttribute('aria-label'),
    text: [...label.querySelectorAll('tspan')].map(t => t.textContent).join(' '),
    visibility: getComputedStyle(label).visibility,
    inView: box.width > 0 && box.left >= 0 && box.right <= innerWidth,
    onTop: !!hit && link.contains(hit),
  };
}"""


@pytest.mark.parametrize("width", [1280, 640, 320])
def test_map_and_nearest_pages_pass_axe_without_sideways_scrolling(page, assert_accessible, width):
    page.set_viewport_size({"width": width, "height": 900})
    for path in PAGES:
        page.goto(path)
        assert not sideways_overflow(page), (path, width, sideways_overflow(page))
        assert_accessible(page)


@pytest.mark.parametrize("path", ["/", "/institutes/", "/institutes/nearest/?lat=51.5&lng=0"])
def test_every_focusable_thing_shows_focus_and_is_not_hidden(page, path):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(path)
    assert focus_problems(page) == []


@pytest.mark.parametrize("width", [1280, 320])
def test_keyboard_user_tabs_to_an_institute_on_the_map_sees_its_name_and_follows_it(page, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/institutes/")
    seen = []
    for name in ("London City Institute of Technology", "East London Institute of Technology"):
        tab_to(
            page,
            f"el.matches('.network-map__iot') && el.getAttribute('aria-label') === {name!r}",
        )
        state = page.evaluate(LABEL_STATE)
        assert state == {
            "name": name, "text": name, "visibility": "visible", "inView": True, "onTop": True,
        }  # fmt: skip
        seen.append(state["name"])
    page.keyboard.press("Enter")
    page.wait_for_url("**/institutes/east-london-institute-of-technology/")
    assert page.locator("h1").inner_text() == "East London Institute of Technology"


def test_a_marker_without_focus_keeps_its_name_out_of_the_way(page):
    page.goto("/institutes/")
    hidden = page.evaluate(
        "[...document.querySelectorAll('.network-map__label')]"
        ".every(l => getComputedStyle(l).visibility === 'hidden')"
    )
    assert hidden


def test_use_my_location_lists_the_nearest_institutes(page):
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation({"latitude": 50.74, "longitude": -3.53})  # Exeter
    page.goto("/institutes/nearest/")
    page.get_by_role("button", name="Use my current location").click()
    page.wait_for_url("**/institutes/nearest/?*lat=*")
    first = page.locator("ol.results > li").first
    assert first.locator("h3").inner_text() == "South West Institute of Technology"
    assert "miles away" in first.inner_text()


@pytest.mark.parametrize("width", [1280, 320])
@pytest.mark.parametrize(("path", "name"), [("/institutes/", "institutes"), ("/", "home")])
def test_screenshots_of_the_map_pages(page, width, path, name, tmp_path_factory):
    """For people to look at (the paths are printed with -s): the page, and the map with a marker
    focused. The test itself only checks that the map is on screen."""
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(path)
    assert page.locator(".network-map__svg").is_visible()
    folder = tmp_path_factory.getbasetemp()
    page.screenshot(path=str(folder / f"{name}-{width}-page.png"), full_page=True)
    iot = "Stoke-on-Trent & Staffordshire Institute of Technology"
    tab_to(page, f"el.getAttribute('aria-label') === {iot!r}")
    page.locator(".network-map").screenshot(path=str(folder / f"{name}-{width}-map.png"))
    page.screenshot(path=str(folder / f"{name}-{width}-focused.png"))
    print(folder)

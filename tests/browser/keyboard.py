"""Driving pages with the keyboard alone."""


def tab_to(page, predicate: str, limit: int = 120) -> None:
    """Press Tab until the focused element satisfies ``predicate`` (JavaScript over ``el``), as a
    keyboard-only user would; fail if it cannot be reached."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(el => {predicate})(document.activeElement)"):
            return
    raise AssertionError(f"could not reach an element where {predicate} with the Tab key")


FOCUS_STATE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const ring = (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2)
    || style.boxShadow !== 'none';
  const box = el.getClientRects()[0] || el.getBoundingClientRect();  // a link's first line
  const x = Math.min(Math.max(box.left + box.width / 2, 0), innerWidth - 1);
  const y = Math.min(Math.max(box.top + box.height / 2, 0), innerHeight - 1);
  const hit = document.elementFromPoint(x, y);
  const label = hit && hit.closest('label');
  const seen = box.width > 0 && box.height > 0 && !!hit && (
    hit === el || el.contains(hit) || (label && label.control === el));
  const name = (el.getAttribute('aria-label') || el.textContent || el.name || el.id || '').trim();
  return {key: el.tagName.toLowerCase() + ':' + name.slice(0, 40) + ':' + (el.id || el.name || ''),
          ring, seen};
}"""


def focus_problems(page, limit: int = 300) -> list[str]:
    """Tab through the whole page once; each element that takes focus must show a focus indicator
    (outline or box-shadow, WCAG 2.4.7) and not be hidden behind other content when focused
    (2.4.11). Returns the elements that fail."""
    problems, first = [], None
    for _ in range(limit):
        page.keyboard.press("Tab")
        state = page.evaluate(FOCUS_STATE)
        if state is None or state["key"] == first:
            break  # back at the address bar or the start
        first = first or state["key"]
        if not state["ring"]:
            problems.append(f"no visible focus: {state['key']}")
        if not state["seen"]:
            problems.append(f"hidden when focused: {state['key']}")
    return problems


def follow(page, text: str, url) -> None:
    """Tab to the link or button reading ``text``, press Enter and wait for ``url``."""
    tab_to(page, f"el.textContent.trim() === {text!r}")
    page.keyboard.press("Enter")
    page.wait_for_url(url)


def type_into(page, field_id: str, text: str) -> None:
    """Tab to the field with id ``field_id`` and type ``text``."""
    tab_to(page, f"el.id === {field_id!r}")
    page.keyboard.type(text)


def tick(page, label: str) -> None:
    """Tab to the checkbox whose label contains ``label`` and tick it with the space bar."""
    tab_to(page, f"el.labels && el.labels[0] && el.labels[0].textContent.includes({label!r})")
    page.keyboard.press("Space")

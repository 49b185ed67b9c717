"""Driving pages with the keyboard alone."""


def tab_to(page, predicate: str, limit: int = 120) -> None:
    """Press Tab until the focused element satisfies ``predicate`` (JavaScript over ``el``), as a
    keyboard-only user would; fail if it cannot be reached."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(el => {predicate})(document.activeElement)"):
            return
    raise AssertionError(f"could not reach an element where {predicate} with the Tab key")

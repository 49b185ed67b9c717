"""Small-number suppression, proved over random tables: no published figure, and no difference
of two published figures where one group contains the other, is a group of 1 to 4 people."""

from hypothesis import given, settings
from hypothesis import strategies as st

from iot_network.equality.suppression import COMPLEMENTARY, PRIMARY, TOTAL, suppress

# Mostly small counts (the hard case), some zeros and some larger groups.
counts = st.one_of(st.integers(0, 6), st.integers(0, 60))


@st.composite
def tables(draw):
    rows = list(range(draw(st.integers(1, 6))))
    columns = [f"c{i}" for i in range(draw(st.integers(1, 6)))]
    values = {(r, c): draw(counts) for r in rows for c in columns}
    return rows, columns, values


def is_small(n: int) -> bool:
    return 0 < n < 5


def groups(grid):
    """Every published figure with the set of (row, column) cells whose people it counts."""

    def cells_of(key):
        row, column = key
        rows = grid.rows if row == TOTAL else [row]
        columns = grid.columns if column == TOTAL else [column]
        return frozenset((r, c) for r in rows for c in columns)

    return {
        key: (figure.value, cells_of(key))
        for key, figure in grid.figures.items()
        if not figure.suppressed
    }


@settings(max_examples=400, deadline=None)
@given(tables())
def test_no_published_figure_is_a_group_of_fewer_than_5(table):
    rows, columns, values = table
    grid = suppress(values, rows=rows, columns=columns)
    for key, (value, _) in groups(grid).items():
        assert not is_small(value), f"{key} published as {value}"


@settings(max_examples=400, deadline=None)
@given(tables())
def test_no_two_published_figures_subtract_to_a_group_of_fewer_than_5(table):
    rows, columns, values = table
    grid = suppress(values, rows=rows, columns=columns)
    published = list(groups(grid).values())
    for big_value, big_cells in published:
        for small_value, small_cells in published:
            if small_cells < big_cells:  # the difference counts the people in big but not small
                assert not is_small(big_value - small_value)


@settings(max_examples=400, deadline=None)
@given(tables())
def test_no_line_total_minus_its_shown_figures_gives_a_group_of_fewer_than_5(table):
    rows, columns, values = table
    grid = suppress(values, rows=rows, columns=columns)
    for cells, total in grid.lines():
        if grid.figures[total].suppressed:
            continue
        hidden = grid.figures[total].value - sum(
            grid.figures[c].value for c in cells if not grid.figures[c].suppressed
        )
        assert not is_small(hidden)


@settings(max_examples=400, deadline=None)
@given(tables())
def test_no_line_has_a_single_hidden_figure_that_subtraction_would_give_away(table):
    rows, columns, values = table
    grid = suppress(values, rows=rows, columns=columns)
    for cells, total in grid.lines():
        hidden = [k for k in [*cells, total] if grid.figures[k].suppressed]
        assert len(hidden) != 1


def test_fewer_than_5_is_shown_as_such_and_its_complement_is_withheld():
    grid = suppress({(0, "a"): 3, (0, "b"): 20, (0, "c"): 9}, rows=[0], columns=["a", "b", "c"])
    assert grid.figures[0, "a"].display == "fewer than 5"
    assert grid.figures[0, "a"].suppressed == PRIMARY
    assert grid.figures[0, "c"].suppressed == COMPLEMENTARY  # the smallest other group
    assert grid.figures[0, "b"].display == "20"
    assert grid.figures[0, TOTAL].display == "32"


def test_a_suppressed_figure_keeps_no_value_once_published():
    grid = suppress({(0, "a"): 2, (0, "b"): 7}, rows=[0], columns=["a", "b"])
    assert grid.figures[0, "a"].as_json() == [None, PRIMARY]


def test_tables_with_no_small_groups_are_published_whole():
    grid = suppress({(0, "a"): 12, (0, "b"): 0, (1, "a"): 7}, rows=[0, 1], columns=["a", "b"])
    assert not any(figure.suppressed for figure in grid.figures.values())

"""Small-number suppression for a two-way table of counts with its margins.

The table is rows (IoTs, and the network's own events) by columns (the answers to one question),
with each row's total, each column's total (the network's figure for that answer) and the grand
total. Every figure is published somewhere: a row on the IoT's page, the column totals on the
network page. A figure from 1 to 4 is suppressed ("fewer than 5"); then, line by line (every row
and column, margins included, is a line whose cells add up to its total), more figures are
withheld until no line lets a reader work out a hidden figure by subtraction:

- a line never has exactly one hidden figure (it would be its total minus the rest), and
- when a line's total is shown, its hidden cells add up to 0 or at least 5 (so the total minus
  the shown cells, or minus any one shown cell, never gives a group of 1 to 4).

The complementary cell chosen is the smallest non-zero one still shown, which hides the least.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field

THRESHOLD = 5
TOTAL = "__total__"

PRIMARY = "fewer than 5"
COMPLEMENTARY = "withheld"


@dataclass
class Figure:
    value: int
    suppressed: str = ""  # "", PRIMARY or COMPLEMENTARY

    @property
    def shown(self) -> int | None:
        return None if self.suppressed else self.value

    @property
    def display(self) -> str:
        return self.suppressed or f"{self.value:,}"

    def as_json(self) -> list:
        """Published form: a suppressed figure keeps no value."""
        return [None if self.suppressed else self.value, self.suppressed]

    @classmethod
    def from_json(cls, data) -> Figure:
        return cls(value=data[0], suppressed=data[1])


@dataclass
class Grid:
    """The suppressed table: ``figures[(row, column)]``, with ``TOTAL`` for the margins."""

    rows: list
    columns: list
    figures: dict[tuple, Figure] = field(default_factory=dict)

    def lines(self) -> Iterable[tuple[list[tuple], tuple]]:
        """Every line as (its cells, its total)."""
        for row in [*self.rows, TOTAL]:
            yield [(row, column) for column in self.columns], (row, TOTAL)
        for column in [*self.columns, TOTAL]:
            yield [(row, column) for row in self.rows], (TOTAL, column)

    def row(self, row) -> tuple[list[Figure], Figure]:
        return [self.figures[row, column] for column in self.columns], self.figures[row, TOTAL]


def suppress(counts: Mapping[tuple[Hashable, Hashable], int], *, rows: list, columns: list) -> Grid:
    """``counts[(row, column)]`` (missing means 0) as a suppressed ``Grid``."""
    grid = Grid(rows=list(rows), columns=list(columns))
    for row in grid.rows:
        for column in grid.columns:
            grid.figures[row, column] = Figure(counts.get((row, column), 0))
    for row in grid.rows:
        grid.figures[row, TOTAL] = Figure(sum(grid.figures[row, c].value for c in grid.columns))
    for column in [*grid.columns, TOTAL]:
        grid.figures[TOTAL, column] = Figure(sum(grid.figures[r, column].value for r in grid.rows))
    for figure in grid.figures.values():
        if 0 < figure.value < THRESHOLD:
            figure.suppressed = PRIMARY
    changed = True
    while changed:
        changed = False
        for cells, total in grid.lines():
            if _protect(grid, cells, total):
                changed = True
    return grid


def _protect(grid: Grid, cells: list[tuple], total: tuple) -> bool:
    """Withhold one more figure of the line if it needs it; True if it did."""
    hidden = [c for c in cells if grid.figures[c].suppressed]
    total_hidden = bool(grid.figures[total].suppressed)
    unknowns = len(hidden) + total_hidden
    if unknowns == 0:
        return False
    hidden_sum = sum(grid.figures[c].value for c in hidden)
    safe = unknowns >= 2 and (total_hidden or hidden_sum == 0 or hidden_sum >= THRESHOLD)
    if safe:
        return False
    shown = [c for c in cells if not grid.figures[c].suppressed]
    candidates = sorted(
        shown, key=lambda c: (grid.figures[c].value == 0, grid.figures[c].value, str(c))
    )
    if candidates:
        grid.figures[candidates[0]].suppressed = COMPLEMENTARY
    elif not total_hidden:
        grid.figures[total].suppressed = COMPLEMENTARY
    else:
        return False  # every figure of the line is hidden already
    return True

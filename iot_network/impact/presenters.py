"""A snapshot's figures laid out for the page: chart geometry for server-drawn SVG bar charts
(no JavaScript), and the rows of the table that goes with each chart."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.functional import cached_property

from . import equality
from .figures import HEADLINES, TABLES

CHART_WIDTH = 640
LABEL_HEIGHT = 18
BAR_HEIGHT = 14
ROW_GAP = 12
BAR_LEFT = 0
BAR_SPACE = 540  # room for the value after the longest bar


@dataclass
class Chart:
    name: str
    title: str
    description: str
    category_title: str
    value_title: str
    period_labels: list[str]
    rows: list[dict] = field(default_factory=list)  # label, values, bars
    height: int = 0

    @property
    def is_empty(self) -> bool:
        return not any(any(row["values"]) for row in self.rows)


def _chart(table, data: dict, periods: list[dict]) -> Chart:
    chart = Chart(
        name=table.name,
        title=table.title,
        description=table.description,
        category_title=table.category_title,
        value_title=table.value_title,
        period_labels=[p["label"] for p in periods],
    )
    largest = max(
        [data["values"][p["key"]][key] for p in periods for key, _ in data["categories"]] or [0]
    )
    y = 0
    for key, label in data["categories"]:
        values = [data["values"][p["key"]][key] for p in periods]
        bars = []
        bar_y = y + LABEL_HEIGHT
        for index, value in enumerate(values):
            width = round(BAR_SPACE * value / largest) if largest else 0
            bars.append(
                {
                    "y": bar_y,
                    "width": width,
                    "value": value,
                    "text_x": width + 6,
                    "text_y": bar_y + BAR_HEIGHT - 3,
                    "period": chart.period_labels[index],
                    "series": index,
                }
            )
            bar_y += BAR_HEIGHT + 2
        chart.rows.append({"label": label, "label_y": y + 13, "values": values, "bars": bars})
        y = bar_y + ROW_GAP
    chart.height = max(y, 1)
    return chart


def charts(figures: dict) -> list[Chart]:
    periods = figures["periods"]
    return [_chart(table, figures["tables"][table.name], periods) for table in TABLES]


def headline_rows(figures: dict) -> list[dict]:
    periods = figures["periods"]
    return [
        {"label": label, "values": [figures["headline"][p["key"]][name] for p in periods]}
        for name, label in HEADLINES
    ]


def equality_tables(figures: dict) -> list[dict]:
    """Per source and question: rows of (answer, [figure per period]), figure = (value, text)."""
    periods = figures["periods"]
    names = equality.labels()
    published = figures.get("equality", {})
    tables = []
    for source, source_title, _, _ in equality.SOURCES:
        for question, _, _ in equality.QUESTIONS:
            per_period = [
                published.get(p["key"], {}).get(source, {}).get(question) for p in periods
            ]
            if not any(per_period):
                continue
            categories = next(t for t in per_period if t)["categories"]
            rows = [
                {
                    "label": label,
                    "figures": [_figure(t["figures"][key]) if t else None for t in per_period],
                }
                for key, label in categories
            ]
            rows.append(
                {
                    "label": "Total who answered",
                    "figures": [_figure(t["total"]) if t else None for t in per_period],
                    "is_total": True,
                }
            )
            tables.append(
                {
                    "name": f"equality-{source}-{question}",
                    "title": f"{source_title}: {names['questions'][question]}",
                    "rows": rows,
                }
            )
    return tables


def _figure(data: list) -> dict:
    value, suppressed = data
    return {"value": value, "text": suppressed or f"{value:,}", "suppressed": bool(suppressed)}


def csv_rows(figures: dict, name: str) -> tuple[list, list] | None:
    """The header and rows of one chart's (or the headline's, or an equality table's) CSV."""
    periods = [p["label"] for p in figures["periods"]]
    if name == "headline":
        return ["Figure", *periods], [[r["label"], *r["values"]] for r in headline_rows(figures)]
    for chart in charts(figures):
        if chart.name == name:
            return [chart.category_title, *periods], [
                [r["label"], *r["values"]] for r in chart.rows
            ]
    for table in equality_tables(figures):
        if table["name"] == name:
            return ["Answer", *periods], [
                [row["label"], *(_csv_figure(f) for f in row["figures"])] for row in table["rows"]
            ]
    return None


def _csv_figure(figure: dict | None):
    if figure is None:
        return ""
    return figure["text"] if figure["suppressed"] else figure["value"]


class Figures:
    """A snapshot laid out for the page, worked out only when the template asks: the rendered
    figures are cached per snapshot, so most requests never lay them out at all."""

    def __init__(self, snapshot):
        self.snapshot = snapshot

    @cached_property
    def periods(self) -> list[dict]:
        return self.snapshot.figures["periods"]

    @cached_property
    def headline(self) -> list[dict]:
        return headline_rows(self.snapshot.figures)

    @cached_property
    def charts(self) -> list[Chart]:
        return charts(self.snapshot.figures)

    @cached_property
    def equality_tables(self) -> list[dict]:
        return equality_tables(self.snapshot.figures)


def page_context(found) -> dict:
    """What ``impact/_figures.html`` needs from a snapshot (or None: not computed yet)."""
    return {"snapshot": found, "figures": Figures(found) if found else None}

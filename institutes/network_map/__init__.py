"""The map of the network: Great Britain's coastline with a link for each institute.

Laid out here, in Python, and drawn by templates/institutes/_network_map.html as inline SVG, so it
needs no JavaScript and no map tiles; the coastline is committed data (outline.py, built by
scripts/build_map_outline.py from Natural Earth).
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

from iot_network.web.html import slug_url

from .outline import PATH as OUTLINE
from .projection import HEIGHT, WIDTH, project

# Markers closer than this (in SVG units) are moved apart, so that each stays a target of its own
# (WCAG 2.5.8) however small the map is drawn; the list beside the map keeps the exact order.
SPACING = 30
LABEL_FONT_SIZE = 17
LABEL_LINE_HEIGHT = 20
LABEL_GAP = 13
LABEL_WIDTH_IN_CHARACTERS = 18  # fits beside any marker at the small screen's larger size


class Located(Protocol):
    name: str
    slug: str
    latitude: object
    longitude: object


@dataclass(frozen=True)
class Marker:
    name: str
    url: str
    x: int
    y: int
    label_lines: tuple[str, ...]
    label_x: int
    label_y: int
    label_anchor: str  # "start" or "end"

    label_dy = "1.2em"  # between lines, whatever size the stylesheet sets


@dataclass(frozen=True)
class NetworkMap:
    markers: tuple[Marker, ...]
    width: int = WIDTH
    height: int = HEIGHT
    outline: str = OUTLINE


def spread(points: list[tuple[float, float]], spacing: float) -> list[tuple[float, float]]:
    """Push apart points closer than ``spacing``, a little at a time, until none are (or nearly).

    Deterministic: the same institutes always give the same map.
    """
    points = [list(p) for p in points]
    for _ in range(200):
        moved = False
        for i in range(len(points)):
            for j in range(i + 1, len(points)):
                dx = points[j][0] - points[i][0]
                dy = points[j][1] - points[i][1]
                distance = math.hypot(dx, dy)
                if distance >= spacing - 0.01:
                    continue
                if distance < 1e-6:  # the same place: part them along a fixed direction
                    dx, dy, distance = 1.0, 0.0, 1.0
                push = (spacing - distance) / 2 + 0.01
                ux, uy = dx / distance, dy / distance
                points[i][0] -= ux * push
                points[i][1] -= uy * push
                points[j][0] += ux * push
                points[j][1] += uy * push
                moved = True
        if not moved:
            break
    return [(x, y) for x, y in points]


def _label(name: str, x: float, y: float) -> tuple[tuple[str, ...], int, int, str]:
    lines = tuple(textwrap.wrap(name, LABEL_WIDTH_IN_CHARACTERS)) or (name,)
    if x < WIDTH * 0.5:
        anchor, label_x = "start", x + LABEL_GAP
    else:
        anchor, label_x = "end", x - LABEL_GAP
    block = LABEL_LINE_HEIGHT * (len(lines) - 1)
    # The first line's baseline, so the block sits level with the marker but inside the map.
    first = y - block / 2 + LABEL_FONT_SIZE * 0.35
    first = min(max(first, LABEL_FONT_SIZE + 4), HEIGHT - 6 - block)
    return lines, round(label_x), round(first), anchor


def network_map(institutes: Iterable[Located]) -> NetworkMap:
    """The map of ``institutes``, each marker a link to its page."""
    url = slug_url("institutes:detail")  # each Institute.get_absolute_url, reversed once
    return _laid_out(
        tuple((i.name, url(i.slug), float(i.latitude), float(i.longitude)) for i in institutes)
    )


# Laying out 21 markers takes a few milliseconds (spread), and the same institutes always give
# the same map, so each process keeps the last few layouts.
@lru_cache(maxsize=64)
def _laid_out(places: tuple[tuple[str, str, float, float], ...]) -> NetworkMap:
    placed = spread([project(lat, lng) for _, _, lat, lng in places], SPACING)
    markers = []
    for (name, url, _, _), (x, y) in zip(places, placed, strict=True):
        x = min(max(x, SPACING / 2), WIDTH - SPACING / 2)
        y = min(max(y, SPACING / 2), HEIGHT - SPACING / 2)
        lines, label_x, label_y, anchor = _label(name, x, y)
        markers.append(
            Marker(
                name=name,
                url=url,
                x=round(x),
                y=round(y),
                label_lines=lines,
                label_x=label_x,
                label_y=label_y,
                label_anchor=anchor,
            )
        )
    return NetworkMap(markers=tuple(markers))

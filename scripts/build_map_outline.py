"""Build institutes/network_map/outline.py, the coastline under the map of the network.

Run once, when the outline should change (it is committed, so pages never need this script):

    npm pack world-atlas            # any directory outside the repository; 2.0.2 was used
    tar xzf world-atlas-2.0.2.tgz
    .venv/bin/python scripts/build_map_outline.py package/countries-10m.json

world-atlas (ISC licence) is Natural Earth's 1:10m Admin 0 countries converted to TopoJSON;
Natural Earth's data is in the public domain. The script takes the United Kingdom's polygons,
leaves out Northern Ireland (the map shows Great Britain), projects them with the pages' own
projection (institutes/network_map/projection.py), clips them to the area drawn, simplifies them
(Douglas–Peucker) and writes one SVG path.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from institutes.network_map.projection import HEIGHT, WIDTH, project  # noqa: E402

UNITED_KINGDOM = "826"  # ISO 3166-1 numeric, world-atlas's feature id
OUTPUT = REPO / "institutes" / "network_map" / "outline.py"


def decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """TopoJSON's delta-encoded, quantised arcs as lists of (longitude, latitude)."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def ring(arcs, indexes: list[int]) -> list[tuple[float, float]]:
    points: list[tuple[float, float]] = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else list(reversed(arcs[~index]))
        points.extend(arc[1:] if points else arc)
    return points


def is_northern_ireland(points) -> bool:
    lon = sum(p[0] for p in points) / len(points)
    lat = sum(p[1] for p in points) / len(points)
    return lon < -5.3 and 53.9 < lat < 55.5


def clip(points, xmin, ymin, xmax, ymax):
    """Sutherland–Hodgman against the map's rectangle."""
    edges = [
        (lambda p: p[0] >= xmin, lambda a, b: _cross_x(a, b, xmin)),
        (lambda p: p[0] <= xmax, lambda a, b: _cross_x(a, b, xmax)),
        (lambda p: p[1] >= ymin, lambda a, b: _cross_y(a, b, ymin)),
        (lambda p: p[1] <= ymax, lambda a, b: _cross_y(a, b, ymax)),
    ]
    for inside, cross in edges:
        if not points:
            break
        result = []
        previous = points[-1]
        for point in points:
            if inside(point):
                if not inside(previous):
                    result.append(cross(previous, point))
                result.append(point)
            elif inside(previous):
                result.append(cross(previous, point))
            previous = point
        points = result
    return points


def _cross_x(a, b, x):
    t = (x - a[0]) / (b[0] - a[0])
    return (x, a[1] + t * (b[1] - a[1]))


def _cross_y(a, b, y):
    t = (y - a[1]) / (b[1] - a[1])
    return (a[0] + t * (b[0] - a[0]), y)


def simplify(points, tolerance: float):
    """Douglas–Peucker, iterative (a long coastline would overflow the recursion limit)."""
    if len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (ax, ay), (bx, by) = points[first], points[last]
        dx, dy = bx - ax, by - ay
        length = (dx * dx + dy * dy) ** 0.5
        worst, worst_index = 0.0, None
        for i in range(first + 1, last):
            px, py = points[i]
            if length:
                distance = abs(dy * px - dx * py + bx * ay - by * ax) / length
            else:
                distance = ((px - ax) ** 2 + (py - ay) ** 2) ** 0.5
            if distance > worst:
                worst, worst_index = distance, i
        if worst_index is not None and worst > tolerance:
            keep[worst_index] = True
            stack += [(first, worst_index), (worst_index, last)]
    return [p for p, k in zip(points, keep, strict=True) if k]


def polygon_area(points) -> float:
    return (
        abs(
            sum(
                a[0] * b[1] - b[0] * a[1]
                for a, b in zip(points, points[1:] + points[:1], strict=True)
            )
        )
        / 2
    )


def path_data(rings) -> str:
    parts = []
    for points in rings:
        x0, y0 = round(points[0][0]), round(points[0][1])
        moves = [f"M{x0} {y0}"]
        for x, y in points[1:]:
            x, y = round(x), round(y)
            if (x, y) != (x0, y0):
                moves.append(f"l{x - x0} {y - y0}")
                x0, y0 = x, y
        parts.append("".join(moves) + "z")
    return "".join(parts).replace(" -", "-")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("topojson", type=Path, help="world-atlas's countries-10m.json")
    parser.add_argument("--tolerance", type=float, default=0.7, help="in SVG units")
    parser.add_argument("--smallest", type=float, default=4.0, help="islands below, in units²")
    args = parser.parse_args()
    topology = json.loads(args.topojson.read_text())
    arcs = decode_arcs(topology)
    (uk,) = [
        g for g in topology["objects"]["countries"]["geometries"] if g.get("id") == UNITED_KINGDOM
    ]
    polygons = uk["arcs"] if uk["type"] == "MultiPolygon" else [uk["arcs"]]
    rings = []
    for polygon in polygons:
        outer = ring(arcs, polygon[0])  # the UK's polygons have no holes worth drawing
        if is_northern_ireland(outer):
            continue
        projected = [project(lat, lon) for lon, lat in outer]
        clipped = clip(projected, 0, 0, WIDTH, HEIGHT)
        if len(clipped) < 3 or polygon_area(clipped) < args.smallest:
            continue
        simplified = simplify(clipped + clipped[:1], args.tolerance)[:-1]
        if len(simplified) >= 3:
            rings.append(simplified)
    data = path_data(rings)
    OUTPUT.write_text(
        '"""Great Britain\'s coastline for the map of the network, as one SVG path.\n\n'
        "Generated by scripts/build_map_outline.py; do not edit by hand.\n"
        "Source: Natural Earth 1:10m Admin 0 countries (public domain), as TopoJSON in the\n"
        "world-atlas package 2.0.2 (ISC licence, Mike Bostock). Projected with\n"
        "institutes/network_map/projection.py, clipped to the area drawn and simplified.\n"
        '"""\n\n'
        "# fmt: off\n"
        f"PATH = {data!r}  # noqa: E501\n"
    )
    print(f"{len(rings)} rings, {sum(len(r) for r in rings)} points, {len(data)} characters")


if __name__ == "__main__":
    main()

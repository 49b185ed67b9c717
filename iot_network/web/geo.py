"""Great-circle distance in the database, portable between PostgreSQL and SQLite."""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.db.models import F, FloatField, Func, Q

EARTH_RADIUS_MILES = 3958.8


@dataclass(frozen=True)
class Point:
    latitude: float
    longitude: float


class DistanceMiles(Func):
    """Miles from ``point`` to the row's lat/lon columns (spherical law of cosines).

    Written as one SQL expression rather than a tree of Django functions: a search uses it
    several times, and compiling the tree cost more than running it.
    """

    output_field = FloatField()

    def __init__(self, point: Point, *, lat: str = "lat", lon: str = "lng"):
        super().__init__(F(lat), F(lon))
        self.point = point

    def as_sql(self, compiler, connection, **extra_context):
        lat_sql, lat_params = compiler.compile(self.source_expressions[0])
        lon_sql, lon_params = compiler.compile(self.source_expressions[1])
        # The columns are floating point (CourseRun.lat and .lng), so nothing is converted per row.
        least = "LEAST" if connection.vendor == "postgresql" else "MIN"  # SQLite's MIN of two
        lat, lon = f"RADIANS({lat_sql})", f"RADIANS({lon_sql})"
        # Rounding can push the cosine a hair above 1, where ACOS is undefined.
        sql = f"(%s * ACOS({least}(1.0, %s * COS({lat}) * COS({lon} - %s) + %s * SIN({lat}))))"
        lat0, lon0 = math.radians(self.point.latitude), math.radians(self.point.longitude)
        params = [
            EARTH_RADIUS_MILES, math.cos(lat0), *lat_params, *lon_params, lon0, math.sin(lat0),
            *lat_params,
        ]  # fmt: skip
        return sql, params


def distance_miles(point: Point, *, lat: str = "lat", lon: str = "lng") -> Func:
    return DistanceMiles(point, lat=lat, lon=lon)


def bounding_box(point: Point, miles: float, *, lat: str = "lat", lon: str = "lng") -> Q:
    """A cheap, index-friendly square around the circle, checked before the exact distance."""
    dlat = miles / 69.0
    dlon = miles / max(69.0 * math.cos(math.radians(point.latitude)), 1e-6)
    return Q(
        **{
            f"{lat}__gte": point.latitude - dlat,
            f"{lat}__lte": point.latitude + dlat,
            f"{lon}__gte": point.longitude - dlon,
            f"{lon}__lte": point.longitude + dlon,
        }
    )

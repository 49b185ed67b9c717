from django.db import models
from django.urls import reverse

from iot_network.staff.scoping import ScopedQuerySet
from iot_network.web.geo import Point, distance_miles


class Region(models.TextChoices):
    """England's nine regions, as used by the Department for Education."""

    NORTH_EAST = "north-east", "North East"
    NORTH_WEST = "north-west", "North West"
    YORKSHIRE = "yorkshire-humber", "Yorkshire and The Humber"
    EAST_MIDLANDS = "east-midlands", "East Midlands"
    WEST_MIDLANDS = "west-midlands", "West Midlands"
    EAST = "east-of-england", "East of England"
    LONDON = "london", "London"
    SOUTH_EAST = "south-east", "South East"
    SOUTH_WEST = "south-west", "South West"


class Route(models.Model):
    """One of the 15 occupational routes that group technical education standards."""

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=120, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class InstituteQuerySet(ScopedQuerySet):
    institute_path = "pk"

    def by_distance(self, point: Point):
        """Nearest first, each with ``distance`` in miles from ``point`` (as the crow flies)."""
        return self.annotate(
            distance=distance_miles(point, lat="latitude", lon="longitude")
        ).order_by("distance", "name")


class Institute(models.Model):
    """An Institute of Technology: a collaboration of colleges, universities and employers."""

    class Wave(models.IntegerChoices):
        FIRST = 1, "Wave 1"
        SECOND = 2, "Wave 2"

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True)
    lead_institution = models.CharField(max_length=200)
    region = models.CharField(max_length=32, choices=Region.choices)
    wave = models.PositiveSmallIntegerField(choices=Wave.choices)
    town = models.CharField(max_length=100, help_text="Town of the lead institution.")
    latitude = models.DecimalField(max_digits=8, decimal_places=5)
    longitude = models.DecimalField(max_digits=8, decimal_places=5)
    # Contact details, kept by the institute's staff in the workspace.
    address = models.TextField(
        blank=True, max_length=500, help_text="Postal address, one line per row, with the postcode."
    )
    phone = models.CharField("Phone number", max_length=30, blank=True)
    website = models.URLField(blank=True)
    contact_email = models.EmailField(
        "Email address",
        blank=True,
        help_text="Shown on the institute's page. Learners' course enquiries and partners' notices "
        "are sent here; when it is blank, enquiries go to the network's own address.",
    )
    summary = models.TextField(blank=True)

    objects = InstituteQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["region", "name"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("institutes:detail", kwargs={"slug": self.slug})

from django.db import models


class Role(models.TextChoices):
    NATIONAL_ADMIN = "national-admin", "National network admin"
    IOT_STAFF = "iot-staff", "IoT staff"
    VIEWER = "viewer", "Read-only viewer"

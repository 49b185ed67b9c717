"""Courses made before bulk upload get a provider course code ("C" and their id), so the IoT's
download lists every course with a code and uploading it back matches them."""

from django.db import migrations
from django.db.models import CharField, Value
from django.db.models.functions import Cast, Concat


def give_codes(apps, schema_editor):
    Course = apps.get_model("courses", "Course")
    Course.objects.filter(provider_course_code="").update(
        provider_course_code=Concat(Value("C"), Cast("id", CharField()))
    )


class Migration(migrations.Migration):
    dependencies = [("courses", "0007_bulk_upload")]

    operations = [migrations.RunPython(give_codes, migrations.RunPython.noop)]

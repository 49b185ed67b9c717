"""The covering index of the facet columns also carries the title: a search with a place or start
dates then reads its courses once from it, for the counts beside the results and for ordering the
page (courses.search._page_and_facets_from_runs), not twice from two indexes. PostgreSQL only keeps
the INCLUDE columns; on SQLite the index is the status alone, as before."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0011_upcoming_kinds"),
        ("institutes", "0002_contact_details"),
        ("partners", "0004_opportunity_positions_filled"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="course",
            name="courses_course_facets",
        ),
        migrations.AddIndex(
            model_name="course",
            index=models.Index(
                fields=["status"],
                include=(
                    "id",
                    "title",
                    "level",
                    "qualification_type",
                    "route",
                    "institute",
                    "student_finance",
                    "employer_sponsored",
                    "upcoming_start",
                    "upcoming_kinds",
                ),
                name="courses_course_facets",
            ),
        ),
    ]

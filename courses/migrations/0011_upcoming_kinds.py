"""Each course keeps which kinds of upcoming run it has (study mode x attendance x no fee, one bit
each; courses/upcoming.py), kept by the upcoming-start trigger in the same statement, and a
covering index for the counts beside the search results.

On PostgreSQL: ``courses_run_kind()`` is courses.upcoming.kind_bit in SQL;
``courses_upcoming_kinds(course, day)`` counts a course's runs from ``day`` on, for a course whose
stored summary is out of date; the trigger now also fires when a run's study mode, attendance or
fee changes, and still writes the course row only when something it keeps changed."""

from django.db import migrations, models

from iot_network.migration_helpers import postgresql_sql

TODAY = "(now() AT TIME ZONE 'Europe/London')::date"

FORWARD = f"""
CREATE FUNCTION courses_run_kind(study_mode text, attendance text, fee numeric)
RETURNS integer AS $$
  SELECT 1 << (
    ((CASE study_mode WHEN 'full-time' THEN 0 WHEN 'part-time' THEN 1 WHEN 'flexible' THEN 2 END)
     * 4
     + (CASE attendance WHEN 'campus' THEN 0 WHEN 'online' THEN 1 WHEN 'blended' THEN 2
                        WHEN 'workplace' THEN 3 END)) * 2
    + (CASE WHEN fee = 0 THEN 1 ELSE 0 END))
$$ LANGUAGE sql IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION courses_upcoming_kinds(course bigint, day date) RETURNS integer AS $$
  SELECT COALESCE(bit_or(courses_run_kind(study_mode, attendance, fee)), 0)
  FROM courses_courserun WHERE course_id = course AND start_date >= day
$$ LANGUAGE sql STABLE PARALLEL SAFE;

CREATE OR REPLACE FUNCTION courses_refresh_upcoming_start(course bigint) RETURNS void AS $$
  UPDATE courses_course c
  SET upcoming_start = soonest.start_date, upcoming_kinds = soonest.kinds
  FROM (
    SELECT min(start_date) AS start_date,
           COALESCE(bit_or(courses_run_kind(study_mode, attendance, fee)), 0) AS kinds
    FROM courses_courserun WHERE course_id = course AND start_date >= {TODAY}
  ) AS soonest
  WHERE c.id = course AND (c.upcoming_start IS DISTINCT FROM soonest.start_date
                           OR c.upcoming_kinds <> soonest.kinds);
$$ LANGUAGE sql;

DROP TRIGGER courses_courserun_upcoming_start_update ON courses_courserun;
CREATE TRIGGER courses_courserun_upcoming_start_update
AFTER INSERT OR DELETE OR UPDATE OF course_id, start_date, study_mode, attendance, fee
ON courses_courserun
FOR EACH ROW EXECUTE FUNCTION courses_courserun_upcoming_start();

-- Only courses with an upcoming run: for the others the column's 0 is already right.
UPDATE courses_course c SET upcoming_kinds = courses_upcoming_kinds(c.id, {TODAY})
WHERE c.upcoming_start IS NOT NULL;
"""

BACKWARD = f"""
DROP TRIGGER courses_courserun_upcoming_start_update ON courses_courserun;
CREATE TRIGGER courses_courserun_upcoming_start_update
AFTER INSERT OR DELETE OR UPDATE OF course_id, start_date ON courses_courserun
FOR EACH ROW EXECUTE FUNCTION courses_courserun_upcoming_start();

CREATE OR REPLACE FUNCTION courses_refresh_upcoming_start(course bigint) RETURNS void AS $$
  UPDATE courses_course c SET upcoming_start = soonest.start_date
  FROM (
    SELECT min(start_date) AS start_date FROM courses_courserun
    WHERE course_id = course AND start_date >= {TODAY}
  ) AS soonest
  WHERE c.id = course AND c.upcoming_start IS DISTINCT FROM soonest.start_date;
$$ LANGUAGE sql;

DROP FUNCTION courses_upcoming_kinds(bigint, date);
DROP FUNCTION courses_run_kind(text, text, numeric);
"""


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0010_enquiryequality"),
        ("institutes", "0002_contact_details"),
        ("partners", "0004_opportunity_positions_filled"),
    ]

    operations = [
        migrations.AddField(
            model_name="course",
            name="upcoming_kinds",
            field=models.IntegerField(default=0, editable=False),
        ),
        postgresql_sql(FORWARD, BACKWARD),
        migrations.AddIndex(
            model_name="course",
            index=models.Index(
                fields=["status"],
                include=(
                    "id", "level", "qualification_type", "route", "institute",
                    "student_finance", "employer_sponsored", "upcoming_start", "upcoming_kinds",
                ),
                name="courses_course_facets",
            ),
        ),
    ]

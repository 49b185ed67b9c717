"""On PostgreSQL: the upcoming-start trigger writes the course row only when the soonest start
actually changes. Before, every run saved rewrote its course's whole row (text, search vector and
all), so loading a course's runs rewrote it once per run."""

from django.db import migrations

from iot_network.migration_helpers import postgresql_sql

FORWARD = """
CREATE OR REPLACE FUNCTION courses_refresh_upcoming_start(course bigint) RETURNS void AS $$
  UPDATE courses_course c SET upcoming_start = soonest.start_date
  FROM (
    SELECT min(start_date) AS start_date FROM courses_courserun
    WHERE course_id = course AND start_date >= (now() AT TIME ZONE 'Europe/London')::date
  ) AS soonest
  WHERE c.id = course AND c.upcoming_start IS DISTINCT FROM soonest.start_date;
$$ LANGUAGE sql;
"""

BACKWARD = """
CREATE OR REPLACE FUNCTION courses_refresh_upcoming_start(course bigint) RETURNS void AS $$
  UPDATE courses_course SET upcoming_start = (
    SELECT min(start_date) FROM courses_courserun
    WHERE course_id = course AND start_date >= (now() AT TIME ZONE 'Europe/London')::date
  ) WHERE id = course;
$$ LANGUAGE sql;
"""


class Migration(migrations.Migration):
    dependencies = [("courses", "0005_run_float_location")]

    operations = [postgresql_sql(FORWARD, BACKWARD)]

"""On PostgreSQL: keep Course.upcoming_start (the soonest start today or later, London time) up to
date whenever a run is added, moved or removed. Dates passing are handled by a nightly job
(courses.tasks.refresh_upcoming_starts), which also fills the column on other databases."""

from django.db import migrations

from iot_network.migration_helpers import postgresql_sql

FORWARD = """
CREATE FUNCTION courses_refresh_upcoming_start(course bigint) RETURNS void AS $$
  UPDATE courses_course SET upcoming_start = (
    SELECT min(start_date) FROM courses_courserun
    WHERE course_id = course AND start_date >= (now() AT TIME ZONE 'Europe/London')::date
  ) WHERE id = course;
$$ LANGUAGE sql;

CREATE FUNCTION courses_courserun_upcoming_start() RETURNS trigger AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN PERFORM courses_refresh_upcoming_start(OLD.course_id); END IF;
  IF TG_OP <> 'DELETE' THEN PERFORM courses_refresh_upcoming_start(NEW.course_id); END IF;
  RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER courses_courserun_upcoming_start_update
AFTER INSERT OR DELETE OR UPDATE OF course_id, start_date ON courses_courserun
FOR EACH ROW EXECUTE FUNCTION courses_courserun_upcoming_start();

UPDATE courses_course c SET upcoming_start = (
  SELECT min(r.start_date) FROM courses_courserun r
  WHERE r.course_id = c.id AND r.start_date >= (now() AT TIME ZONE 'Europe/London')::date
);
"""

BACKWARD = """
DROP TRIGGER IF EXISTS courses_courserun_upcoming_start_update ON courses_courserun;
DROP FUNCTION IF EXISTS courses_courserun_upcoming_start();
DROP FUNCTION IF EXISTS courses_refresh_upcoming_start(bigint);
"""


class Migration(migrations.Migration):
    dependencies = [("courses", "0003_run_indexes_upcoming_start")]

    operations = [postgresql_sql(FORWARD, BACKWARD)]

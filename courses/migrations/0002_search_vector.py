"""On PostgreSQL: keep Course.search_vector up to date with a trigger, and index it with GIN.

Weights: title A; summary and careers B; what you will learn, description and progression C;
provider and entry requirements D. On other databases (the SQLite quick start) this does nothing
and search falls back to simple matching.
"""

from django.db import migrations

from iot_network.migration_helpers import postgresql_sql

FORWARD = """
CREATE FUNCTION courses_course_search_vector() RETURNS trigger AS $$
BEGIN
  NEW.search_vector :=
      setweight(to_tsvector('english', coalesce(NEW.title, '')), 'A')
   || setweight(to_tsvector('english', coalesce(NEW.summary, '') || ' ' || coalesce(NEW.careers, '')), 'B')
   || setweight(to_tsvector('english', coalesce(NEW.what_you_learn, '') || ' ' || coalesce(NEW.description, '')
                                        || ' ' || coalesce(NEW.progression, '')), 'C')
   || setweight(to_tsvector('english', coalesce(NEW.provider_name, '') || ' ' || coalesce(NEW.entry_requirements, '')), 'D');
  RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER courses_course_search_vector_update
BEFORE INSERT OR UPDATE OF title, summary, careers, what_you_learn, description, progression,
                           provider_name, entry_requirements
ON courses_course FOR EACH ROW EXECUTE FUNCTION courses_course_search_vector();

UPDATE courses_course SET title = title;
CREATE INDEX courses_course_search_vector_gin ON courses_course USING gin (search_vector);
"""

BACKWARD = """
DROP INDEX IF EXISTS courses_course_search_vector_gin;
DROP TRIGGER IF EXISTS courses_course_search_vector_update ON courses_course;
DROP FUNCTION IF EXISTS courses_course_search_vector();
"""


class Migration(migrations.Migration):
    dependencies = [("courses", "0001_initial")]

    operations = [postgresql_sql(FORWARD, BACKWARD)]

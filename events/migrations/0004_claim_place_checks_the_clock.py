"""events_claim_place() also checks, under the lock, that registration has not closed since the
caller checked it: the row's version proves nothing else changed, but the clock moves. A
registration prepared a moment before the closing time (or the start) and granted the lock
after it writes nothing; the caller then goes step by step, which says registration has closed.
"""

import importlib

from django.db import migrations

from iot_network.migration_helpers import postgresql_sql

BEFORE = importlib.import_module("events.migrations.0003_claim_place_function").FORWARD.replace(
    "CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1
)

_READ = """    SELECT e.capacity, e.xmin::text || '/' || e.ctid::text INTO v_capacity, v_version
    FROM events_event e WHERE e.id = p_event FOR UPDATE;
    v_locked := clock_timestamp();
    IF NOT FOUND OR v_version IS DISTINCT FROM p_version THEN"""

_READ_AND_CHECK_THE_CLOCK = """    SELECT e.capacity, e.xmin::text || '/' || e.ctid::text,
           least(e.registration_closes_at, e.starts_at)
    INTO v_capacity, v_version, v_closes
    FROM events_event e WHERE e.id = p_event FOR UPDATE;
    v_locked := clock_timestamp();
    IF NOT FOUND OR v_version IS DISTINCT FROM p_version OR v_locked > v_closes THEN"""

assert _READ in BEFORE
FORWARD = BEFORE.replace(_READ, _READ_AND_CHECK_THE_CLOCK, 1).replace(
    "    v_locked timestamptz;\n", "    v_locked timestamptz;\n    v_closes timestamptz;\n", 1
)


class Migration(migrations.Migration):
    dependencies = [("events", "0003_claim_place_function")]

    operations = [postgresql_sql(FORWARD, BEFORE)]

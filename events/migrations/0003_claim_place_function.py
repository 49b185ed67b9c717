"""On PostgreSQL: events_claim_place(), the whole locked part of a registration in one call.

It locks the event's row, checks that the row is the version the registration was prepared from
(its xmin and ctid), counts the places taken and the waiting list, and inserts the registration, the one
outbox row its status calls for, the row's IoT links and any equality answers. Each statement in
a VOLATILE function takes a fresh snapshot, so the count made after the lock is granted sees the
registration of whoever held it before (in one statement it would not: a statement's snapshot is
taken before it waits). Called in autocommit, the lock is held from the grant to the COMMIT that
follows the call, with no round trip to Python in between. See events/registering.py."""

from django.db import migrations

from iot_network.migration_helpers import postgresql_sql

FORWARD = """
CREATE FUNCTION events_claim_place(
    p_event bigint, p_version text, p_holding text[], p_registration jsonb, p_messages jsonb,
    p_institutes bigint[], p_answers jsonb
) RETURNS TABLE (claimed_status text, message bigint, held_ms double precision)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    v_capacity integer;
    v_version text;
    v_taken bigint;
    v_waiting bigint;
    v_status text;
    v_message jsonb;
    v_id bigint;
    v_locked timestamptz;
BEGIN
    SELECT e.capacity, e.xmin::text || '/' || e.ctid::text INTO v_capacity, v_version
    FROM events_event e WHERE e.id = p_event FOR UPDATE;
    v_locked := clock_timestamp();
    IF NOT FOUND OR v_version IS DISTINCT FROM p_version THEN
        held_ms := extract(epoch FROM clock_timestamp() - v_locked) * 1000;
        RETURN NEXT;  -- changed since it was read: the caller goes step by step
        RETURN;
    END IF;
    SELECT count(*) FILTER (WHERE r.status = ANY (p_holding)),
           count(*) FILTER (WHERE r.status = 'waiting')
    INTO v_taken, v_waiting
    FROM events_registration r WHERE r.event_id = p_event;
    v_status := CASE WHEN v_capacity IS NULL OR v_taken < v_capacity
                     THEN 'confirmed' ELSE 'waiting' END;
    v_message := p_messages -> v_status;
    IF v_message IS NULL THEN
        held_ms := extract(epoch FROM clock_timestamp() - v_locked) * 1000;
        RETURN NEXT;  -- a place came free for someone prepared for the waiting list
        RETURN;
    END IF;
    INSERT INTO events_registration (
        id, event_id, name, email, organisation, accessibility_needs, dietary_needs, status,
        offer_expires_at, created_at, updated_at
    ) VALUES (
        (p_registration ->> 'id')::bigint, p_event, p_registration ->> 'name',
        p_registration ->> 'email', p_registration ->> 'organisation',
        p_registration ->> 'accessibility_needs', p_registration ->> 'dietary_needs', v_status,
        NULL, clock_timestamp(), clock_timestamp()
    );
    IF v_status = 'waiting' THEN
        v_message := jsonb_set(v_message, '{context,position}', to_jsonb(v_waiting + 1));
    END IF;
    INSERT INTO notifications_message (
        recipient, kind, category, dedupe_key, context, attachments, batch, message_id, status,
        attempts, last_error, created_at, next_attempt_at, about_id, about_type_id
    )
    SELECT m.recipient, m.kind, m.category, m.dedupe_key, m.context, m.attachments, m.batch,
           m.message_id, 'queued', 0, '', clock_timestamp(), clock_timestamp(), m.about_id,
           m.about_type_id
    FROM jsonb_to_record(v_message) AS m(
        recipient text, kind text, category text, dedupe_key text, context jsonb,
        attachments jsonb, batch text, message_id text, about_id text, about_type_id integer
    )
    ON CONFLICT DO NOTHING
    RETURNING id INTO v_id;
    IF v_id IS NOT NULL THEN
        INSERT INTO notifications_message_institutes (message_id, institute_id)
        SELECT v_id, unnest(p_institutes);
    END IF;
    IF p_answers IS NOT NULL THEN
        INSERT INTO events_registrationequality (
            registration_id, sex, ethnic_group, disability, age_band, answered_at
        ) VALUES (
            (p_registration ->> 'id')::bigint, coalesce(p_answers ->> 'sex', ''),
            coalesce(p_answers ->> 'ethnic_group', ''), coalesce(p_answers ->> 'disability', ''),
            coalesce(p_answers ->> 'age_band', ''), clock_timestamp()
        );
    END IF;
    claimed_status := v_status;
    message := v_id;
    -- From the grant of the lock to here, by the database's clock; in autocommit the COMMIT
    -- follows at once in the same backend, with no round trip to the caller in between.
    held_ms := extract(epoch FROM clock_timestamp() - v_locked) * 1000;
    RETURN NEXT;
END
$$;
"""

BACKWARD = """
DROP FUNCTION IF EXISTS events_claim_place(bigint, text, text[], jsonb, jsonb, bigint[], jsonb);
"""


class Migration(migrations.Migration):
    dependencies = [("events", "0002_registrationequality")]

    operations = [postgresql_sql(FORWARD, BACKWARD)]

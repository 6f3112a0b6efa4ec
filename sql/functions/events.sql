-- The SSE data line of one event.
CREATE OR REPLACE FUNCTION codegen_event_payload(
    p_generation_id uuid, p_status text, p_stage text, p_progress double precision, p_message text
) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'generation_id', p_generation_id,
        'status', p_status,
        'stage', p_stage,
        'progress', p_progress,
        'message', p_message,
        'timestamp', round(extract(epoch FROM now())::numeric, 6)
    )::text
$$;

-- Record the event a generation's row just moved to, and notify every process.
-- Called with the row as it is after the conditional UPDATE that made the move.
CREATE OR REPLACE FUNCTION codegen_record_event(
    p_generation_id uuid, p_seq integer, p_status text, p_stage text, p_progress double precision, p_message text
) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    v_payload text := codegen_event_payload(p_generation_id, p_status, p_stage, p_progress, left(p_message, 1000));
BEGIN
    INSERT INTO generation_events (generation_id, seq, status, stage, progress, message, payload)
    VALUES (p_generation_id, p_seq, p_status, p_stage, p_progress, left(p_message, 1000), v_payload);
    PERFORM pg_notify('codegen_events', p_generation_id::text || ':' || p_seq::text || ':' || v_payload);
    RETURN v_payload;
END;
$$;

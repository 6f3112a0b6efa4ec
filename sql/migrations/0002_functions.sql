-- Functions that do a whole request's database work in one round trip.

-- Count one hit against a per-minute limit; the row lock makes it atomic across processes.
-- Returns the seconds to wait (0: allowed, at most the 60 s window). p_limit <= 0 turns it off.
-- The wait is measured on the wall clock, not from the start of a transaction that may have
-- queued on the counter's row lock.
CREATE OR REPLACE FUNCTION codegen_rate_limit_hit(p_bucket text, p_subject uuid, p_limit integer)
RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    v_hits integer;
    v_start timestamptz;
BEGIN
    IF p_limit <= 0 THEN
        RETURN 0;
    END IF;
    INSERT INTO rate_limits AS r (bucket, subject, window_start, hits)
    VALUES (p_bucket, p_subject, clock_timestamp(), 1)
    ON CONFLICT (bucket, subject) DO UPDATE
        SET hits = CASE WHEN r.window_start <= clock_timestamp() - interval '1 minute' THEN 1 ELSE r.hits + 1 END,
            window_start = CASE WHEN r.window_start <= clock_timestamp() - interval '1 minute'
                                THEN clock_timestamp() ELSE r.window_start END
    RETURNING hits, window_start INTO v_hits, v_start;
    IF v_hits <= p_limit THEN
        RETURN 0;
    END IF;
    RETURN least(60, greatest(1, ceil(extract(epoch FROM (v_start + interval '1 minute' - clock_timestamp())))))::integer;
END;
$$;

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

-- POST /generations/generate: rate limit, parent and project checks, similar-project
-- resolution, the insert and its first event, in one call.
-- No NOTIFY here: PostgreSQL serialises the commits of every transaction that sent one (one
-- cluster-wide lock held through the WAL flush), which capped creates at one disk flush each
-- (docs/performance.md). The service wakes the workers after the commit
-- (EventBus.announce_queued); the first event needs no notification, since no stream can be
-- subscribed before the row is committed and every stream replays it from the table.
-- outcome: created | rate_limited | project_not_found | parent_not_found | parent_not_completed
CREATE OR REPLACE FUNCTION codegen_create_generation(
    p_id uuid,
    p_user_id uuid,
    p_prompt text,
    p_project_id uuid,
    p_project_name text,
    p_project_domain text,
    p_context jsonb,
    p_mode text,
    p_is_iteration boolean,
    p_parent_id uuid,
    p_rate_limit integer,
    p_similarity real
) RETURNS TABLE (
    outcome text,
    retry_after integer,
    project_id uuid,
    project_name text,
    project_domain text,
    auto_created_project boolean,
    created_at timestamptz
)
LANGUAGE plpgsql AS $$
DECLARE
    v_wait integer;
    v_project projects%ROWTYPE;
    v_parent_status text;
    v_parent_project uuid;
    v_auto boolean := false;
    v_created timestamptz;
BEGIN
    v_wait := codegen_rate_limit_hit('generate', p_user_id, p_rate_limit);
    IF v_wait > 0 THEN
        RETURN QUERY SELECT 'rate_limited', v_wait, NULL::uuid, NULL::text, NULL::text, NULL::boolean, NULL::timestamptz;
        RETURN;
    END IF;

    IF p_parent_id IS NOT NULL THEN
        SELECT g.status, g.project_id INTO v_parent_status, v_parent_project
        FROM generations g WHERE g.id = p_parent_id AND g.user_id = p_user_id;
        IF NOT FOUND THEN
            RETURN QUERY SELECT 'parent_not_found', 0, NULL::uuid, NULL::text, NULL::text, NULL::boolean, NULL::timestamptz;
            RETURN;
        END IF;
        IF p_is_iteration AND v_parent_status <> 'completed' THEN
            RETURN QUERY SELECT 'parent_not_completed:' || v_parent_status, 0, NULL::uuid, NULL::text, NULL::text,
                NULL::boolean, NULL::timestamptz;
            RETURN;
        END IF;
    END IF;

    IF p_is_iteration THEN
        -- an iteration belongs to its parent's project
        SELECT * INTO v_project FROM projects p WHERE p.id = v_parent_project;
    ELSIF p_project_id IS NOT NULL THEN
        SELECT * INTO v_project FROM projects p WHERE p.id = p_project_id AND p.user_id = p_user_id;
        IF NOT FOUND THEN
            RETURN QUERY SELECT 'project_not_found', 0, NULL::uuid, NULL::text, NULL::text, NULL::boolean, NULL::timestamptz;
            RETURN;
        END IF;
    ELSE
        -- one user's project resolution is serialised, so simultaneous similar prompts share one project
        PERFORM pg_advisory_xact_lock(hashtextextended('codegen-project:' || p_user_id::text, 0));
        SELECT * INTO v_project FROM projects p
        WHERE p.user_id = p_user_id
          AND p.domain = p_project_domain
          AND p.updated_at > now() - interval '1 hour'
          AND (lower(p.name) = lower(p_project_name) OR similarity(lower(p.name), lower(p_project_name)) >= p_similarity)
        ORDER BY lower(p.name) = lower(p_project_name) DESC,
                 similarity(lower(p.name), lower(p_project_name)) DESC,
                 p.updated_at DESC
        LIMIT 1;
        IF NOT FOUND THEN
            INSERT INTO projects (id, user_id, name, domain, description)
            VALUES (gen_random_uuid(), p_user_id, p_project_name, p_project_domain, left(p_prompt, 500))
            RETURNING * INTO v_project;
            v_auto := true;
        END IF;
    END IF;

    IF NOT v_auto THEN
        UPDATE projects p SET updated_at = now() WHERE p.id = v_project.id;
    END IF;

    INSERT INTO generations (id, user_id, project_id, prompt, generation_mode, is_iteration,
                             parent_generation_id, context, status, stage, progress, message, last_event_seq)
    VALUES (p_id, p_user_id, v_project.id, p_prompt, p_mode, p_is_iteration,
            p_parent_id, p_context, 'pending', 'queued', 0, 'Generation queued', 1)
    RETURNING generations.created_at INTO v_created;
    -- the first event's row, as codegen_record_event writes it but without its NOTIFY: no stream can
    -- be subscribed to a generation that is not committed yet (a stream token needs the row), so
    -- every stream replays this event from the table
    INSERT INTO generation_events (generation_id, seq, status, stage, progress, message, payload)
    VALUES (p_id, 1, 'pending', 'queued', 0, 'Generation queued',
            codegen_event_payload(p_id, 'pending', 'queued', 0, 'Generation queued'));

    RETURN QUERY SELECT 'created', 0, v_project.id, v_project.name, v_project.domain, v_auto, v_created;
END;
$$;

-- POST …/stream-token: every request counts against the limit, whatever its answer.
-- outcome: issued | rate_limited | not_found | <terminal status>; error_message for failed
CREATE OR REPLACE FUNCTION codegen_issue_stream_token(
    p_user_id uuid, p_generation_id uuid, p_token_hash bytea, p_ttl_seconds integer, p_rate_limit integer
) RETURNS TABLE (outcome text, retry_after integer, error_message text)
LANGUAGE plpgsql AS $$
DECLARE
    v_wait integer;
    v_status text;
    v_error text;
BEGIN
    v_wait := codegen_rate_limit_hit('stream_token', p_user_id, p_rate_limit);
    IF v_wait > 0 THEN
        RETURN QUERY SELECT 'rate_limited', v_wait, NULL::text;
        RETURN;
    END IF;
    SELECT g.status, g.error_message INTO v_status, v_error
    FROM generations g WHERE g.id = p_generation_id AND g.user_id = p_user_id;
    IF NOT FOUND THEN
        RETURN QUERY SELECT 'not_found', 0, NULL::text;
        RETURN;
    END IF;
    IF v_status IN ('completed', 'failed', 'cancelled') THEN
        RETURN QUERY SELECT v_status, 0, v_error;
        RETURN;
    END IF;
    INSERT INTO stream_tokens (token_hash, user_id, generation_id, expires_at)
    VALUES (p_token_hash, p_user_id, p_generation_id, now() + make_interval(secs => p_ttl_seconds));
    RETURN QUERY SELECT 'issued', 0, NULL::text;
END;
$$;

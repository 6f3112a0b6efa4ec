-- POST /generations/generate: rate limit, parent and project checks, similar-project
-- resolution, the insert and its first event, in one call.
-- No NOTIFY here: PostgreSQL serialises the commits of every transaction that sent one (one
-- cluster-wide lock held through the WAL flush), which capped creates at one disk flush each
-- (docs/performance.md). The service wakes the workers after the commit
-- (EventBus.announce_queued); the first event needs no notification, since no stream can be
-- subscribed before the row is committed and every stream replays it from the table.
-- A reused project is found by its activity, not updated: its last activity is the later of
-- projects.updated_at (the last change to the row itself) and its newest generation's created_at
-- (one probe of generations_project_created_idx), so a create writes no second project row
-- version (docs/performance.md, E). The expression is written out where it is used: a SQL
-- function holding a subquery is not inlined, and PostgreSQL plans its body again on every call.
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
        SELECT p.* INTO v_project
        FROM projects p
        CROSS JOIN LATERAL (
            SELECT greatest(p.updated_at, (SELECT max(g.created_at) FROM generations g WHERE g.project_id = p.id)) AS at
        ) AS active
        WHERE p.user_id = p_user_id
          AND p.domain = p_project_domain
          AND (lower(p.name) = lower(p_project_name) OR similarity(lower(p.name), lower(p_project_name)) >= p_similarity)
          AND active.at > now() - interval '1 hour'
        ORDER BY lower(p.name) = lower(p_project_name) DESC,
                 similarity(lower(p.name), lower(p_project_name)) DESC,
                 active.at DESC
        LIMIT 1;
        IF NOT FOUND THEN
            INSERT INTO projects (id, user_id, name, domain, description)
            VALUES (gen_random_uuid(), p_user_id, p_project_name, p_project_domain, left(p_prompt, 500))
            RETURNING * INTO v_project;
            v_auto := true;
        END IF;
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

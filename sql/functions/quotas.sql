-- The start of the current UTC day.
CREATE OR REPLACE FUNCTION codegen_utc_day() RETURNS timestamptz
LANGUAGE sql STABLE AS $$ SELECT date_trunc('day', now(), 'UTC') $$;

-- Seconds until the next UTC day, when budgets start again.
CREATE OR REPLACE FUNCTION codegen_seconds_to_next_day() RETURNS integer
LANGUAGE sql STABLE AS $$
    SELECT greatest(1, ceil(extract(epoch FROM codegen_utc_day() + interval '24 hours' - now())))::integer
$$;

-- codegen_create_generation behind the per-user quotas: active generations and the daily token
-- budget. One user's creates are serialised here, so the count cannot be overrun by a burst.
-- outcome: as codegen_create_generation, or too_many_active | budget_exhausted
-- Its arguments and its result are codegen_create_generation's, written out again on purpose: a
-- wrapper passes them through, and PostgreSQL has no way to declare "the same as that function's".
CREATE OR REPLACE FUNCTION codegen_create_generation_within_quota(
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
    p_similarity real,
    p_max_active integer,
    p_daily_budget bigint
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
BEGIN
    IF p_max_active > 0 THEN
        PERFORM pg_advisory_xact_lock(hashtextextended('codegen-quota:' || p_user_id::text, 0));
        IF (SELECT count(*) FROM generations g
            WHERE g.user_id = p_user_id AND g.status IN ('pending', 'processing')) >= p_max_active THEN
            RETURN QUERY SELECT 'too_many_active', 5, NULL::uuid, NULL::text, NULL::text, NULL::boolean, NULL::timestamptz;
            RETURN;
        END IF;
    END IF;
    IF p_daily_budget > 0 AND coalesce((SELECT s.tokens FROM token_spend s
                                        WHERE s.day = codegen_utc_day() AND s.user_id = p_user_id), 0) >= p_daily_budget THEN
        RETURN QUERY SELECT 'budget_exhausted', codegen_seconds_to_next_day(), NULL::uuid, NULL::text, NULL::text,
            NULL::boolean, NULL::timestamptz;
        RETURN;
    END IF;
    RETURN QUERY SELECT * FROM codegen_create_generation(
        p_id, p_user_id, p_prompt, p_project_id, p_project_name, p_project_domain, p_context, p_mode,
        p_is_iteration, p_parent_id, p_rate_limit, p_similarity);
END;
$$;

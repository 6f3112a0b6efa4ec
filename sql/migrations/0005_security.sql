-- Security and abuse hardening (docs/security.md): sign-in backoff, idempotent creates, quotas and
-- the spending stop. codegen_create_generation (0003) is unchanged: the quota checks wrap it.

-- Failed sign-ins per key: a SHA-256 of "account:<lower(email)>" or of "address:<client address>".
-- Neither the email nor the address is stored.
CREATE TABLE auth_failures (
    key_hash      bytea PRIMARY KEY,
    failures      integer NOT NULL,
    last_failure  timestamptz NOT NULL,
    blocked_until timestamptz
);
CREATE INDEX auth_failures_last_idx ON auth_failures (last_failure);

-- One sign-in attempt with these keys (its account's and its address's). Answers the seconds to
-- wait when a key is blocked (the attempt is refused and not counted); otherwise counts the attempt
-- as a failure of every key *before* the password is checked, so that a burst of simultaneous
-- guesses is counted as it arrives, and answers 0. Past p_free[i] failures a key is blocked for
-- p_base * 2^(n - p_free[i] - 1) seconds, at most p_max. A key whose last failure is a day old
-- starts again. codegen_auth_succeeded takes the attempt back.
CREATE OR REPLACE FUNCTION codegen_auth_attempt(p_keys bytea[], p_free integer[], p_base integer, p_max integer)
RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    i integer;
    v_blocked timestamptz;
    v_failures integer;
BEGIN
    -- every key has its row (a new key's insert waits for a simultaneous one's), and the rows are
    -- locked until commit: simultaneous attempts are counted one after another, first ones included
    INSERT INTO auth_failures (key_hash, failures, last_failure)
    SELECT k, 0, clock_timestamp() FROM unnest(p_keys) AS k ORDER BY k
    ON CONFLICT (key_hash) DO NOTHING;
    SELECT max(a.blocked_until) INTO v_blocked
    FROM (SELECT blocked_until FROM auth_failures WHERE key_hash = ANY(p_keys) ORDER BY key_hash FOR UPDATE) AS a;
    IF v_blocked > clock_timestamp() THEN
        RETURN greatest(1, ceil(extract(epoch FROM v_blocked - clock_timestamp())))::integer;
    END IF;
    FOR i IN 1 .. coalesce(array_length(p_keys, 1), 0) LOOP
        UPDATE auth_failures AS a
        SET failures = CASE WHEN a.last_failure < clock_timestamp() - interval '1 day' THEN 1 ELSE a.failures + 1 END,
            last_failure = clock_timestamp()
        WHERE a.key_hash = p_keys[i]
        RETURNING a.failures INTO v_failures;
        IF v_failures > p_free[i] THEN
            UPDATE auth_failures
            SET blocked_until = clock_timestamp()
                                + make_interval(secs => least(p_max, p_base * power(2, least(v_failures - p_free[i] - 1, 30)))::integer)
            WHERE key_hash = p_keys[i];
        END IF;
    END LOOP;
    RETURN 0;
END;
$$;

-- The password was right: its account starts afresh, and its address gets the attempt back
-- (a shared address of many honest users is not blocked by their sign-ins).
CREATE OR REPLACE FUNCTION codegen_auth_succeeded(p_account bytea, p_address bytea)
RETURNS void
LANGUAGE sql AS $$
    DELETE FROM auth_failures WHERE key_hash = p_account;
    UPDATE auth_failures SET failures = greatest(failures - 1, 0) WHERE key_hash = p_address;
$$;

-- Idempotency-Key of POST /generations/generate: the first answer is the generation it created.
CREATE TABLE idempotency_keys (
    user_id       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    key           text NOT NULL,
    request_hash  bytea NOT NULL,
    generation_id uuid NOT NULL REFERENCES generations (id) ON DELETE CASCADE,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, key)
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);
CREATE INDEX idempotency_keys_generation_idx ON idempotency_keys (generation_id);

-- A user's active generations: the quota's count and the fair claim's "running" per user.
CREATE INDEX generations_user_active_idx ON generations (user_id, status) WHERE status IN ('pending', 'processing');

-- LLM tokens billed per user per UTC day: the daily budget and the global spending stop.
-- day: the start of the UTC day (a timestamptz, as every time column)
CREATE TABLE token_spend (
    day     timestamptz NOT NULL,
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    tokens  bigint NOT NULL,
    PRIMARY KEY (day, user_id)
);

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

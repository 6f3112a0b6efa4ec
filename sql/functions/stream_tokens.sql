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
    IF v_status = ANY(codegen_terminal_statuses()) THEN
        RETURN QUERY SELECT v_status, 0, v_error;
        RETURN;
    END IF;
    INSERT INTO stream_tokens (token_hash, user_id, generation_id, expires_at)
    VALUES (p_token_hash, p_user_id, p_generation_id, now() + make_interval(secs => p_ttl_seconds));
    RETURN QUERY SELECT 'issued', 0, NULL::text;
END;
$$;

-- the one-stream form, replaced by the batch form below
DROP FUNCTION IF EXISTS codegen_open_stream(bytea, uuid, uuid, integer, integer);

-- GET …/stream, for every stream that connects at about the same time (one, or a reconnect storm's
-- thousands) in one statement: spend each token of p_token_hashes on the generation at the same place
-- of p_generation_ids and, when p_limit > 0, take one of its user's open-stream slots. One user's
-- opens are serialised by the user's lock, so opens on any number of processes cannot overrun the
-- limit; the locks are taken in user order, so two processes' batches cannot deadlock. A refused open
-- has spent its token, as a refused stream always did.
-- One row per token, ord = its place (1-based); outcome: opened | invalid_token | too_many;
-- stream_id is NULL when no slot is kept (p_limit 0)
CREATE OR REPLACE FUNCTION codegen_open_streams(
    p_token_hashes bytea[], p_generation_ids uuid[], p_process uuid, p_lease_seconds integer, p_limit integer
) RETURNS TABLE (ord integer, outcome text, user_id uuid, stream_id bigint)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    v_ords integer[];
    v_users uuid[];
    v_user uuid;
    v_open integer;
    v_stream bigint;
BEGIN
    WITH asked AS (
        SELECT a.token_hash, a.generation_id, a.ord::integer AS ord
        FROM unnest(p_token_hashes, p_generation_ids) WITH ORDINALITY AS a(token_hash, generation_id, ord)
    ), spent AS (
        DELETE FROM stream_tokens t USING asked a
        WHERE t.token_hash = a.token_hash AND t.generation_id = a.generation_id AND t.expires_at > now()
        RETURNING a.ord, t.user_id
    )
    SELECT array_agg(s.ord ORDER BY s.user_id, s.ord), array_agg(s.user_id ORDER BY s.user_id, s.ord)
    INTO v_ords, v_users FROM spent s;

    RETURN QUERY
    SELECT o::integer, 'invalid_token', NULL::uuid, NULL::bigint
    FROM generate_subscripts(p_token_hashes, 1) AS o
    WHERE o <> ALL(coalesce(v_ords, '{}'));

    FOR i IN 1 .. coalesce(array_length(v_ords, 1), 0) LOOP
        IF p_limit <= 0 THEN
            RETURN QUERY SELECT v_ords[i], 'opened', v_users[i], NULL::bigint;
            CONTINUE;
        END IF;
        IF v_user IS DISTINCT FROM v_users[i] THEN
            v_user := v_users[i];
            PERFORM pg_advisory_xact_lock(hashtextextended('codegen-streams:' || v_user::text, 0));
            DELETE FROM open_streams s WHERE s.user_id = v_user AND s.expires_at <= now();
            v_open := (SELECT count(*) FROM open_streams s WHERE s.user_id = v_user);
        END IF;
        IF v_open >= p_limit THEN
            RETURN QUERY SELECT v_ords[i], 'too_many', v_user, NULL::bigint;
            CONTINUE;
        END IF;
        INSERT INTO open_streams (user_id, process, expires_at)
        VALUES (v_user, p_process, now() + make_interval(secs => p_lease_seconds))
        RETURNING id INTO v_stream;
        v_open := v_open + 1;
        RETURN QUERY SELECT v_ords[i], 'opened', v_user, v_stream;
    END LOOP;
END;
$$;

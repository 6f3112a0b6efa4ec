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

-- GET …/stream: spend the token and, when p_limit > 0, take one of the user's open-stream slots,
-- in one statement. One user's opens are serialised here, so opens on any number of processes
-- cannot overrun the limit. A refused open has spent its token, as a refused stream always did.
-- outcome: opened | invalid_token | too_many; stream_id is NULL when no slot is kept (p_limit 0)
CREATE OR REPLACE FUNCTION codegen_open_stream(
    p_token_hash bytea, p_generation_id uuid, p_process uuid, p_lease_seconds integer, p_limit integer
) RETURNS TABLE (outcome text, user_id uuid, stream_id bigint)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    v_user uuid;
    v_stream bigint;
BEGIN
    DELETE FROM stream_tokens t
    WHERE t.token_hash = p_token_hash AND t.generation_id = p_generation_id AND t.expires_at > now()
    RETURNING t.user_id INTO v_user;
    IF v_user IS NULL THEN
        RETURN QUERY SELECT 'invalid_token', NULL::uuid, NULL::bigint;
        RETURN;
    END IF;
    IF p_limit <= 0 THEN
        RETURN QUERY SELECT 'opened', v_user, NULL::bigint;
        RETURN;
    END IF;
    PERFORM pg_advisory_xact_lock(hashtextextended('codegen-streams:' || v_user::text, 0));
    -- a crashed process's slots: their lease lapsed, nobody renews them
    DELETE FROM open_streams s WHERE s.user_id = v_user AND s.expires_at <= now();
    IF (SELECT count(*) FROM open_streams s WHERE s.user_id = v_user) >= p_limit THEN
        RETURN QUERY SELECT 'too_many', v_user, NULL::bigint;
        RETURN;
    END IF;
    INSERT INTO open_streams (user_id, process, expires_at)
    VALUES (v_user, p_process, now() + make_interval(secs => p_lease_seconds))
    RETURNING id INTO v_stream;
    RETURN QUERY SELECT 'opened', v_user, v_stream;
END;
$$;

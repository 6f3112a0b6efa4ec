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

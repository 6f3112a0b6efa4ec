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

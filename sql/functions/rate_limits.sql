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

-- name: auth_attempt
-- Seconds to wait (the attempt is refused), or 0: the attempt is counted and may go ahead.
SELECT codegen_auth_attempt($1::bytea[], $2::integer[], $3, $4);

-- name: auth_succeeded
SELECT codegen_auth_succeeded($1, $2);

-- name: register_hit
-- Registrations from one client address (its hash as a uuid) in the current minute window.
SELECT codegen_rate_limit_hit('register', $1, $2);

-- name: purge_stale_auth_failures
DELETE FROM auth_failures
WHERE last_failure < now() - interval '1 day' AND (blocked_until IS NULL OR blocked_until < now());

-- name: get_idempotency_key
-- A key of the last 24 hours, and the generation it created.
SELECT request_hash, generation_id FROM idempotency_keys
WHERE user_id = $1 AND key = $2 AND created_at > now() - interval '24 hours';

-- name: insert_idempotency_key
-- NULL when another request holds the key (it committed first); an expired key is taken over.
INSERT INTO idempotency_keys AS k (user_id, key, request_hash, generation_id) VALUES ($1, $2, $3, $4)
ON CONFLICT (user_id, key) DO UPDATE
    SET request_hash = excluded.request_hash, generation_id = excluded.generation_id, created_at = now()
    WHERE k.created_at <= now() - interval '24 hours'
RETURNING generation_id;

-- name: purge_expired_idempotency_keys
DELETE FROM idempotency_keys WHERE created_at <= now() - interval '24 hours';

-- name: spend_today
-- Tokens billed today (UTC) by one user, and by everyone (the global spending stop).
SELECT coalesce(sum(tokens) FILTER (WHERE user_id = $1), 0)::bigint AS user_tokens,
       coalesce(sum(tokens), 0)::bigint AS all_tokens
FROM token_spend WHERE day = codegen_utc_day();

-- name: record_spend
INSERT INTO token_spend AS s (day, user_id, tokens)
SELECT codegen_utc_day(), g.user_id, $2 FROM generations g WHERE g.id = $1
ON CONFLICT (day, user_id) DO UPDATE SET tokens = s.tokens + excluded.tokens;

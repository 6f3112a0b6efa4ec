-- name: issue_stream_token
SELECT * FROM codegen_issue_stream_token($1, $2, $3, $4, $5);

-- name: consume_stream_token
-- Single use: the token is gone the moment it is accepted.
DELETE FROM stream_tokens
WHERE token_hash = $1 AND generation_id = $2 AND expires_at > now()
RETURNING user_id;

-- name: purge_expired_stream_tokens
DELETE FROM stream_tokens WHERE expires_at <= now();

-- name: purge_stale_rate_limits
DELETE FROM rate_limits WHERE window_start < now() - interval '10 minutes';

-- name: issue_stream_token
SELECT * FROM codegen_issue_stream_token($1, $2, $3, $4, $5);

-- name: open_streams
-- Single use: each token is gone the moment it is accepted; its stream's slot is taken with it.
SELECT ord, outcome, user_id, stream_id FROM codegen_open_streams($1, $2, $3, $4, $5) ORDER BY ord;

-- name: close_stream
DELETE FROM open_streams WHERE id = ANY($1::bigint[]);

-- name: renew_open_streams
-- One statement per heartbeat of a process ($1): its slots live another lease ($2 seconds), except
-- those whose close could not be written ($3), which go now; slots of processes that stopped
-- renewing (crashed) go once their lease has lapsed.
WITH renewed AS (
    UPDATE open_streams SET expires_at = now() + make_interval(secs => $2)
    WHERE process = $1 AND id <> ALL($3::bigint[])
    RETURNING 1
), closed AS (
    DELETE FROM open_streams WHERE id = ANY($3::bigint[])
    RETURNING 1
), lapsed AS (
    DELETE FROM open_streams WHERE process <> $1 AND expires_at <= now()
    RETURNING 1
)
SELECT (SELECT count(*) FROM renewed) AS renewed, (SELECT count(*) FROM lapsed) AS lapsed;

-- name: close_process_streams
-- A process that stops gives back whatever slots it still holds.
DELETE FROM open_streams WHERE process = $1;

-- name: purge_expired_stream_tokens
DELETE FROM stream_tokens WHERE expires_at <= now();

-- name: purge_stale_rate_limits
DELETE FROM rate_limits WHERE window_start < now() - interval '10 minutes';

-- name: live_flush
-- One statement per flush of a process's live file deltas: the checkpoints due and the NOTIFY payloads,
-- committed together (a payload that names a checkpoint is delivered after the row is visible). Asynchronous
-- commit: a checkpoint is a view of work in progress, never the durable result, so nothing waits on a disk
-- flush while holding NOTIFY's global commit lock. A zombie attempt never overwrites a newer one's rows.
WITH relaxed AS (
    SELECT set_config('synchronous_commit', 'off', true)
), saved AS (
    INSERT INTO live_file_checkpoints AS c (generation_id, path, attempt, version, text, done)
    SELECT * FROM unnest($1::uuid[], $2::text[], $3::integer[], $4::integer[], $5::text[], $6::boolean[])
    ON CONFLICT (generation_id, path) DO UPDATE
        SET attempt = EXCLUDED.attempt, version = EXCLUDED.version, text = EXCLUDED.text, done = EXCLUDED.done,
            updated_at = now()
        WHERE c.attempt <= EXCLUDED.attempt
    RETURNING 1
)
SELECT (SELECT count(*) FROM relaxed) + (SELECT count(*) FROM saved)
       + (SELECT count(pg_notify('codegen_files', p)) FROM unnest($7::text[]) AS p);

-- name: live_checkpoints
-- The latest attempt's checkpoints of one generation.
SELECT attempt, path, version, text, done FROM live_file_checkpoints c
WHERE generation_id = $1
  AND attempt = (SELECT max(attempt) FROM live_file_checkpoints WHERE generation_id = $1);

-- name: purge_live_checkpoints
-- Checkpoints outlive their generation's end by a few minutes (streams still open on it), then go.
DELETE FROM live_file_checkpoints c
WHERE c.updated_at < now() - interval '10 minutes'
  AND NOT EXISTS (
      SELECT 1 FROM generations g WHERE g.id = c.generation_id AND g.status = ANY($1::text[])
  );

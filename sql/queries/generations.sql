-- name: create_generation
-- The id comes from the database (gen_random_uuid), not from a random read in the API process.
SELECT new.id, created.*
FROM (SELECT gen_random_uuid() AS id) AS new,
     LATERAL codegen_create_generation_within_quota(new.id, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
         AS created;

-- name: get_generation
-- One generation of one user, with its project and its file list.
-- A project made for a generation is inserted in the generation's transaction, so both share now():
-- equal created_at is auto_created_project of the 201.
SELECT g.id, g.status, g.user_id, g.project_id, p.name AS project_name, p.domain AS project_domain,
       p.created_at = g.created_at AS auto_created_project,
       g.prompt, g.generation_mode, g.is_iteration, g.parent_generation_id, g.context,
       g.stage, g.progress, g.message, g.error_message, g.attempts, g.provider, g.usage, g.notes, g.tests,
       g.requirements,
       g.created_at, g.started_at, g.completed_at, g.updated_at,
       coalesce((SELECT json_agg(json_build_object('path', f.path, 'language', f.language, 'size', f.size)
                                 ORDER BY f.path)
                 FROM generation_files f WHERE f.generation_id = g.id), '[]'::json) AS files
FROM generations g JOIN projects p ON p.id = g.project_id
WHERE g.id = $1 AND g.user_id = $2;

-- name: list_generations
-- Newest first, keyset-paginated on (created_at, id); $3/$4 filters, $5/$6 the cursor.
SELECT g.id, g.status, g.user_id, g.project_id, p.name AS project_name, p.domain AS project_domain,
       p.created_at = g.created_at AS auto_created_project,
       g.prompt, g.generation_mode, g.is_iteration, g.parent_generation_id,
       g.stage, g.progress, g.message, g.error_message, g.attempts, g.provider,
       g.created_at, g.started_at, g.completed_at, g.updated_at,
       codegen_requirement_counts(g.requirements) AS requirement_counts
FROM generations g JOIN projects p ON p.id = g.project_id
WHERE g.user_id = $1
  AND ($3::uuid IS NULL OR g.project_id = $3)
  AND ($4::text IS NULL OR g.status = $4)
  AND ($5::timestamptz IS NULL OR (g.created_at, g.id) < ($5, $6::uuid))
ORDER BY g.created_at DESC, g.id DESC
LIMIT $2;

-- name: get_generation_status
SELECT status, error_message FROM generations WHERE id = $1 AND user_id = $2;

-- name: apply_move
-- The one conditional UPDATE behind every status change (see codegen/lifecycle.py):
-- $7 the statuses the move is legal from, $8 the worker's claim (NULL: no claim needed).
WITH moved AS (
    UPDATE generations g
    SET status = $2,
        stage = $3,
        progress = greatest(g.progress, $4),
        message = left($5, 1000),
        error_message = coalesce($6, g.error_message),
        last_event_seq = g.last_event_seq + 1,
        updated_at = now(),
        completed_at = CASE WHEN $2 = ANY(codegen_terminal_statuses()) THEN now() ELSE g.completed_at END,
        lease_token = CASE WHEN $2 = 'processing' THEN g.lease_token END,
        lease_expires_at = CASE WHEN $2 = 'processing' THEN g.lease_expires_at END
    WHERE g.id = $1 AND g.status = ANY($7::text[]) AND ($8::uuid IS NULL OR g.lease_token = $8)
    RETURNING g.id, g.last_event_seq, g.status, g.stage, g.progress, g.message
)
SELECT m.last_event_seq AS seq,
       codegen_record_event(m.id, m.last_event_seq, m.status, m.stage, m.progress, m.message) AS payload
FROM moved m;

-- name: claim_pending
-- Take up to $1 pending generations, fairly across users, skipping rows other workers hold.
-- Each user's queue is taken oldest first, and users take turns: a generation's turn is its place
-- in its user's queue plus what that user already has running, and the lowest turns go first
-- (oldest first among equal turns). So one user's thousand queued generations delay another
-- user's first by at most one worker slot.
-- Only each user's first $1 queued rows can be among the $1 lowest turns (a row at place p has
-- p - 1 lower turns before it), so only they are ranked: the cost grows with the users who have
-- something queued, not with the queue (bench/claim.py, docs/performance.md). The literal
-- status = 'pending' lets the planner use generations_pending_user_idx (migration 0011); $2 is
-- the lifecycle's list of statuses a claim moves from, which is exactly that.
WITH RECURSIVE heads AS (
    -- each user's oldest queued generation: one index probe per user (a loose index scan)
    (SELECT g.user_id, g.id, g.created_at FROM generations g
     WHERE g.status = 'pending'
     ORDER BY g.user_id, g.created_at, g.id
     LIMIT 1)
    UNION ALL
    SELECT following.* FROM heads h
    CROSS JOIN LATERAL (
        SELECT g.user_id, g.id, g.created_at FROM generations g
        WHERE g.status = 'pending' AND g.user_id > h.user_id
        ORDER BY g.user_id, g.created_at, g.id
        LIMIT 1
    ) AS following
), running AS (
    SELECT user_id, count(*) AS n FROM generations WHERE status = 'processing' GROUP BY user_id
), queued AS (
    SELECT h.id, h.created_at, 1 AS place, h.user_id FROM heads h
    UNION ALL
    -- the next $1 - 1 of each user, only when more than one generation is claimed
    SELECT later.id, later.created_at, 1 + later.n, h.user_id
    FROM heads h
    CROSS JOIN LATERAL (
        SELECT g.id, g.created_at, row_number() OVER (ORDER BY g.created_at, g.id) AS n
        FROM generations g
        WHERE g.user_id = h.user_id AND g.status = 'pending' AND (g.created_at, g.id) > (h.created_at, h.id)
        ORDER BY g.created_at, g.id
        LIMIT $1 - 1
    ) AS later
    WHERE $1 > 1
), ranked AS (
    SELECT q.id, q.place + coalesce(r.n, 0) AS turn, q.created_at
    FROM queued q
    LEFT JOIN running r ON r.user_id = q.user_id
    ORDER BY turn, q.created_at
), next AS (
    -- in turn order, locking rows only until $1 are taken (not every candidate)
    SELECT g.id FROM ranked q
    JOIN generations g ON g.id = q.id
    WHERE g.status = ANY($2::text[])
    ORDER BY q.turn, q.created_at
    LIMIT $1
    FOR UPDATE OF g SKIP LOCKED
), claimed AS (
    UPDATE generations g
    SET status = $3,
        -- $7: each mode's first stage (codegen/lifecycle.py FIRST_STAGE), so the claim event carries it
        stage = $7::jsonb ->> g.generation_mode,
        attempts = g.attempts + 1,
        lease_token = gen_random_uuid(),
        lease_expires_at = now() + make_interval(secs => $4),
        worker_id = $5,
        provider = $6,
        started_at = coalesce(g.started_at, now()),
        message = 'Worker started (attempt ' || (g.attempts + 1) || ')',
        last_event_seq = g.last_event_seq + 1,
        updated_at = now()
    FROM next WHERE g.id = next.id
    RETURNING g.id, g.user_id, g.prompt, g.generation_mode, g.is_iteration, g.parent_generation_id, g.context,
              g.lease_token, g.attempts, g.last_event_seq, g.status, g.stage, g.progress, g.message
)
SELECT c.*, codegen_record_event(c.id, c.last_event_seq, c.status, c.stage, c.progress, c.message) AS payload
FROM claimed c;

-- name: requeue_expired
-- Leases that ran out with attempts left go back to the queue.
WITH expired AS (
    SELECT id FROM generations
    WHERE status = ANY($2::text[]) AND lease_expires_at < now() AND attempts < $1
    FOR UPDATE SKIP LOCKED
), moved AS (
    UPDATE generations g
    SET status = $3, stage = 'queued',
        message = 'The worker was lost; retrying (attempt ' || (g.attempts + 1) || ' of ' || $1 || ')',
        lease_token = NULL, lease_expires_at = NULL, worker_id = NULL,
        last_event_seq = g.last_event_seq + 1, updated_at = now()
    FROM expired WHERE g.id = expired.id
    RETURNING g.id, g.last_event_seq, g.status, g.stage, g.progress, g.message
)
SELECT m.id, codegen_record_event(m.id, m.last_event_seq, m.status, m.stage, m.progress, m.message) AS payload,
       pg_notify('codegen_queue', m.id::text)
FROM moved m;

-- name: fail_exhausted
-- Leases that ran out on the last attempt: the generation fails, saying why.
WITH expired AS (
    SELECT id FROM generations
    WHERE status = ANY($2::text[]) AND lease_expires_at < now() AND attempts >= $1
    FOR UPDATE SKIP LOCKED
), moved AS (
    UPDATE generations g
    SET status = $3, stage = 'failed',
        error_message = 'The worker processing this generation was lost ' || g.attempts
                        || ' times; gave up after ' || $1 || ' attempts',
        message = 'The worker processing this generation was lost ' || g.attempts
                  || ' times; gave up after ' || $1 || ' attempts',
        lease_token = NULL, lease_expires_at = NULL, completed_at = now(),
        last_event_seq = g.last_event_seq + 1, updated_at = now()
    FROM expired WHERE g.id = expired.id
    RETURNING g.id, g.last_event_seq, g.status, g.stage, g.progress, g.message
)
SELECT m.id, codegen_record_event(m.id, m.last_event_seq, m.status, m.stage, m.progress, m.message) AS payload
FROM moved m;

-- name: list_active_in_project
SELECT id, status FROM generations
WHERE project_id = $1 AND user_id = $2 AND status IN ('pending', 'processing');

-- name: set_result
-- Written in the same transaction as the move to completed or failed, so only the claim holder writes.
UPDATE generations SET usage = $2, notes = $3, tests = $4 WHERE id = $1;

-- name: set_requirements
UPDATE generations SET requirements = $2 WHERE id = $1;

-- name: parent_files
SELECT f.path, f.content FROM generation_files f WHERE f.generation_id = $1 ORDER BY f.path;

-- name: release_claim
-- Graceful shutdown: hand a generation back to the queue without spending an attempt.
WITH moved AS (
    UPDATE generations g
    SET status = $3, stage = 'queued', message = 'The worker shut down; waiting for another worker',
        attempts = greatest(g.attempts - 1, 0),
        lease_token = NULL, lease_expires_at = NULL, worker_id = NULL,
        last_event_seq = g.last_event_seq + 1, updated_at = now()
    WHERE g.id = $1 AND g.lease_token = $2 AND g.status = ANY($4::text[])
    RETURNING g.id, g.last_event_seq, g.status, g.stage, g.progress, g.message
)
SELECT m.id, codegen_record_event(m.id, m.last_event_seq, m.status, m.stage, m.progress, m.message) AS payload,
       pg_notify('codegen_queue', m.id::text)
FROM moved m;

-- name: renew_lease
UPDATE generations SET lease_expires_at = now() + make_interval(secs => $3)
WHERE id = $1 AND lease_token = $2 AND status = 'processing'
RETURNING lease_expires_at;

-- name: renew_leases
-- Every lease a worker holds, in one statement per heartbeat however many it holds; returns those still its own.
UPDATE generations g SET lease_expires_at = now() + make_interval(secs => $3::double precision)
FROM unnest($1::uuid[], $2::uuid[]) AS held(id, lease_token)
WHERE g.id = held.id AND g.lease_token = held.lease_token AND g.status = 'processing'
RETURNING g.id;

-- name: stream_snapshots
-- What new streams need: each generation's state (for `connected`) and its last event number. For
-- every stream connecting at about the same time, in one statement (codegen/store/batch.py).
SELECT id, status, stage, progress, message, last_event_seq FROM generations WHERE id = ANY($1::uuid[]);

-- name: events_after
-- The events streams replay, for every (generation, seq) asked at about the same time in one statement:
-- each generation's events after the smallest seq asked for it (each stream keeps those after its own).
SELECT e.generation_id, e.seq, e.payload
FROM generation_events e
JOIN (
    SELECT w.generation_id, min(w.seq) AS seq
    FROM unnest($1::uuid[], $2::integer[]) AS w(generation_id, seq)
    GROUP BY w.generation_id
) AS asked ON e.generation_id = asked.generation_id AND e.seq > asked.seq
ORDER BY e.generation_id, e.seq;

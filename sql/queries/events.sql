-- name: events_after
SELECT seq, payload FROM generation_events
WHERE generation_id = $1 AND seq > $2
ORDER BY seq;

-- name: stream_snapshot
-- What a new stream needs: the current state (for `connected`) and the last event number.
SELECT status, stage, progress, message, last_event_seq FROM generations WHERE id = $1;

-- Open SSE streams, a row each, so the per-user limit (CODEGEN_MAX_STREAMS_PER_USER) holds across
-- processes. A row is written by the statement that spends the stream token and deleted when the
-- stream ends; its process renews every row of its own on each heartbeat, so the rows of a process
-- that died stop counting when their lease lapses.
CREATE TABLE open_streams (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    process    uuid NOT NULL,
    expires_at timestamptz NOT NULL
);
CREATE INDEX open_streams_user_id ON open_streams (user_id);
CREATE INDEX open_streams_process ON open_streams (process);

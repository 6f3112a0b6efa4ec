-- Checkpoints of the files a generation is writing (shared/API.md, "Live file content"; docs/streaming.md).
-- One row per file of the current attempt, rewritten at most once a second while it grows and once when it
-- is settled. Not the truth (generation_files is): a stream on another process starts from these and then
-- follows the deltas that arrive over NOTIFY. Rows of finished generations are purged by the reaper.
CREATE TABLE live_file_checkpoints (
    generation_id uuid NOT NULL,
    path text NOT NULL,
    attempt integer NOT NULL,
    version integer NOT NULL,
    text text NOT NULL,
    done boolean NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (generation_id, path)
);
CREATE INDEX live_file_checkpoints_updated_at ON live_file_checkpoints (updated_at);

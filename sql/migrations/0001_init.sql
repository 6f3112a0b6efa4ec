-- The whole schema of the service core and the engine. Every time column is timestamptz.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE users (
    id            uuid PRIMARY KEY,
    email         text NOT NULL,
    password_hash text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_lower_key ON users (lower(email));

CREATE TABLE projects (
    id          uuid PRIMARY KEY,
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name        text NOT NULL,
    domain      text NOT NULL DEFAULT 'general',
    description text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX projects_user_updated_idx ON projects (user_id, updated_at DESC);

CREATE TABLE generations (
    id                   uuid PRIMARY KEY,
    user_id              uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    project_id           uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    prompt               text NOT NULL,
    generation_mode      text NOT NULL CHECK (generation_mode IN ('phased', 'unified')),
    is_iteration         boolean NOT NULL DEFAULT false,
    parent_generation_id uuid REFERENCES generations (id) ON DELETE SET NULL,
    context              jsonb NOT NULL DEFAULT '{}'::jsonb,
    status               text NOT NULL DEFAULT 'pending'
                         CHECK (status IN ('pending', 'processing', 'completed', 'failed', 'cancelled')),
    stage                text NOT NULL DEFAULT 'queued',
    progress             double precision NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 1),
    message              text NOT NULL DEFAULT '',
    error_message        text,
    attempts             integer NOT NULL DEFAULT 0,
    -- the claim: a worker's writes carry lease_token in their WHERE
    lease_token          uuid,
    lease_expires_at     timestamptz,
    worker_id            text,
    provider             text,
    usage                jsonb,
    notes                jsonb,
    last_event_seq       integer NOT NULL DEFAULT 0,
    created_at           timestamptz NOT NULL DEFAULT now(),
    started_at           timestamptz,
    completed_at         timestamptz,
    updated_at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX generations_user_created_idx ON generations (user_id, created_at DESC, id DESC);
CREATE INDEX generations_project_created_idx ON generations (project_id, created_at DESC, id DESC);
CREATE INDEX generations_pending_idx ON generations (created_at) WHERE status = 'pending';
CREATE INDEX generations_lease_idx ON generations (lease_expires_at) WHERE status = 'processing';
CREATE INDEX generations_parent_idx ON generations (parent_generation_id) WHERE parent_generation_id IS NOT NULL;

CREATE TABLE generation_files (
    generation_id uuid NOT NULL REFERENCES generations (id) ON DELETE CASCADE,
    path          text NOT NULL,
    language      text NOT NULL,
    size          integer NOT NULL,
    content       text NOT NULL,
    PRIMARY KEY (generation_id, path)
);

-- One row per progress step; seq is per generation, gapless, from generations.last_event_seq.
-- payload is the SSE data line, encoded once for the live notification and every replay.
CREATE TABLE generation_events (
    generation_id uuid NOT NULL REFERENCES generations (id) ON DELETE CASCADE,
    seq           integer NOT NULL,
    status        text NOT NULL,
    stage         text NOT NULL,
    progress      double precision NOT NULL,
    message       text NOT NULL,
    payload       text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (generation_id, seq)
);

CREATE TABLE stream_tokens (
    token_hash    bytea PRIMARY KEY,
    user_id       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    generation_id uuid NOT NULL REFERENCES generations (id) ON DELETE CASCADE,
    expires_at    timestamptz NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX stream_tokens_expires_idx ON stream_tokens (expires_at);
CREATE INDEX stream_tokens_user_idx ON stream_tokens (user_id);
CREATE INDEX stream_tokens_generation_idx ON stream_tokens (generation_id);

-- A window that opens at a subject's first request and lasts a minute.
CREATE TABLE rate_limits (
    bucket       text NOT NULL,
    subject      uuid NOT NULL,
    window_start timestamptz NOT NULL,
    hits         integer NOT NULL,
    PRIMARY KEY (bucket, subject)
);
CREATE INDEX rate_limits_window_idx ON rate_limits (window_start);

-- Security and abuse hardening (docs/security.md): sign-in backoff, idempotent creates, quotas and
-- the spending stop. codegen_create_generation (0003) is unchanged: the quota checks wrap it.
-- This migration also created codegen_auth_attempt, codegen_auth_succeeded, codegen_utc_day,
-- codegen_seconds_to_next_day and codegen_create_generation_within_quota; they live in
-- sql/functions/ (auth.sql, quotas.sql) now, applied after the migrations on every start.

-- Failed sign-ins per key: a SHA-256 of "account:<lower(email)>" or of "address:<client address>".
-- Neither the email nor the address is stored.
CREATE TABLE auth_failures (
    key_hash      bytea PRIMARY KEY,
    failures      integer NOT NULL,
    last_failure  timestamptz NOT NULL,
    blocked_until timestamptz
);
CREATE INDEX auth_failures_last_idx ON auth_failures (last_failure);

-- Idempotency-Key of POST /generations/generate: the first answer is the generation it created.
CREATE TABLE idempotency_keys (
    user_id       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    key           text NOT NULL,
    request_hash  bytea NOT NULL,
    generation_id uuid NOT NULL REFERENCES generations (id) ON DELETE CASCADE,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, key)
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);
CREATE INDEX idempotency_keys_generation_idx ON idempotency_keys (generation_id);

-- A user's active generations: the quota's count and the fair claim's "running" per user.
CREATE INDEX generations_user_active_idx ON generations (user_id, status) WHERE status IN ('pending', 'processing');

-- LLM tokens billed per user per UTC day: the daily budget and the global spending stop.
-- day: the start of the UTC day (a timestamptz, as every time column)
CREATE TABLE token_spend (
    day     timestamptz NOT NULL,
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    tokens  bigint NOT NULL,
    PRIMARY KEY (day, user_id)
);

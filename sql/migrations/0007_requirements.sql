-- The requirements checklist of a generation (issue 13): what the prompt asked for and what became of
-- each request, as a JSON array of {"text", "status": "met"|"substituted"|"unmet", "where", "detail"}.
-- Empty until the generation completes; generations completed before this migration keep [].
ALTER TABLE generations ADD COLUMN IF NOT EXISTS requirements jsonb NOT NULL DEFAULT '[]'::jsonb;
-- This migration also created codegen_requirement_counts, which history shows next to each generation;
-- it lives in sql/functions/requirements.sql now, applied after the migrations on every start.

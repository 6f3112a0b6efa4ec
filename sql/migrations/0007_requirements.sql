-- The requirements checklist of a generation (issue 13): what the prompt asked for and what became of
-- each request, as a JSON array of {"text", "status": "met"|"substituted"|"unmet", "where", "detail"}.
-- Empty until the generation completes; generations completed before this migration keep [].
ALTER TABLE generations ADD COLUMN IF NOT EXISTS requirements jsonb NOT NULL DEFAULT '[]'::jsonb;

-- The result of running a generated project's own tests in the sandbox (shared/API.md, "Test results").
-- NULL until the generation ends; {"status": "not_run", "reason": ...} when they could not run.
ALTER TABLE generations ADD COLUMN tests jsonb;

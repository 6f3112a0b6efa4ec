-- The statuses a generation ends in: codegen/lifecycle.py TERMINAL, written once for the SQL
-- (tests/test_lifecycle.py compares the two). IMMUTABLE and SQL-language, so it is inlined and
-- folded to a constant where it is used.
CREATE OR REPLACE FUNCTION codegen_terminal_statuses() RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT ARRAY['cancelled', 'completed', 'failed'] $$;

-- How many requests of a checklist are met, substituted and unmet: what a history shows next to each generation.
-- SQL-language and IMMUTABLE, so it is inlined where it is used.
CREATE OR REPLACE FUNCTION codegen_requirement_counts(p_requirements jsonb) RETURNS json
LANGUAGE sql IMMUTABLE AS $$
    SELECT json_build_object('met', count(*) FILTER (WHERE r->>'status' = 'met'),
                             'substituted', count(*) FILTER (WHERE r->>'status' = 'substituted'),
                             'unmet', count(*) FILTER (WHERE r->>'status' = 'unmet'))
    FROM jsonb_array_elements(p_requirements) AS r
$$;

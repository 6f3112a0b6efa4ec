-- The SQL functions (sql/functions) each start finds in place: the digest of the files it applied.
-- A start applies the folder again only when its digest differs from the newest row here, so a
-- process whose database role may use the functions but not replace them (not their owner)
-- starts once a process that may (a release step's `codegen migrate`) has put them in place.
CREATE TABLE schema_functions (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    digest     text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
);

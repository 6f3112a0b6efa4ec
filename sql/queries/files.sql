-- name: insert_files
INSERT INTO generation_files (generation_id, path, language, size, content)
SELECT $1, f.path, f.language, f.size, f.content
FROM unnest($2::text[], $3::text[], $4::integer[], $5::text[]) AS f(path, language, size, content);

-- name: delete_files
DELETE FROM generation_files WHERE generation_id = $1;

-- name: list_files
-- A generation's files; for an iteration also the parent's deleted ones, each marked with its change.
WITH g AS (
    SELECT id, is_iteration AND parent_generation_id IS NOT NULL AS compare, parent_generation_id
    FROM generations WHERE id = $1
), cur AS (
    SELECT f.* FROM generation_files f JOIN g ON f.generation_id = g.id
), par AS (
    SELECT f.* FROM generation_files f JOIN g ON g.compare AND f.generation_id = g.parent_generation_id
)
SELECT coalesce(cur.path, par.path) AS path,
       coalesce(cur.language, par.language) AS language,
       coalesce(cur.size, 0) AS size,
       coalesce(cur.content, '') AS content,
       CASE WHEN NOT g.compare THEN NULL
            WHEN par.path IS NULL THEN 'added'
            WHEN cur.path IS NULL THEN 'deleted'
            WHEN cur.content = par.content THEN 'unchanged'
            ELSE 'modified' END AS change
FROM cur FULL JOIN par ON par.path = cur.path CROSS JOIN g
ORDER BY 1;

-- name: file_contents
SELECT path, content FROM generation_files WHERE generation_id = $1 ORDER BY path;

-- name: preview_target
-- What a preview needs to know: the generation's status, and whether it has a page to show.
SELECT g.status, EXISTS (SELECT 1 FROM generation_files f WHERE f.generation_id = g.id AND f.path = 'index.html')
       AS has_page
FROM generations g WHERE g.id = $1 AND g.user_id = $2;

-- name: preview_file
-- One file of a completed generation of this user, for its preview.
SELECT f.content FROM generation_files f JOIN generations g ON g.id = f.generation_id
WHERE g.id = $1 AND g.user_id = $2 AND g.status = 'completed' AND f.path = $3;
